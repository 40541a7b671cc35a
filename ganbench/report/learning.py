"""Did each run learn? The zoo-sanity rule, read from a store.

A model that only ever ran for 100 steps could be broken and nobody would know: its FID at 100
steps is just "bad". The rule here asks for evidence of learning on MNIST: at the last
evaluation the run covers at least ``min_modes`` of the 10 digits, and its FID is at most
``fid_ratio`` times its FID at the early step (both measured the same way: same n, same real
statistics): FID down by at least a third. WGAN with weight clipping (RMSProp 5e-5) is the slow
learner of the zoo; at 600 steps its FID falls by 40-55 %, which a one-half rule would call "not
learning" although its samples and modes plainly improve. ``python -m ganbench.report.learning OUT`` prints the verdict table as Markdown.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from ganbench.report.load import load_stores

MIN_MODES = 9
FID_RATIO = 2 / 3
EARLY_STEP = 100


def learning_verdicts(store: str | Path, *, min_modes: int = MIN_MODES, fid_ratio: float = FID_RATIO,
                      early_step: int = EARLY_STEP) -> pd.DataFrame:
    """One row per run: label, seed, status, modes and FID at ``early_step`` and at the end, and
    whether it passes. A run that failed, or lacks either evaluation, does not pass."""
    with load_stores(store) as data:
        runs, m = data.runs, data.metrics
    rows = []
    for _, r in runs.iterrows():
        mine = m[m["run_id"] == r["run_id"]]
        final = mine[mine["final"] == 1].set_index("name")["value"]
        early = mine[(mine["step"] == early_step) & (mine["final"] == 0)].set_index("name")["value"]
        fid0, fid1 = early.get("fid"), final.get("fid")
        modes = final.get("modes")
        why = []
        if r["status"] != "done":
            why.append(f"status {r['status']}")
        if modes is None or pd.isna(modes) or modes < min_modes:
            why.append(f"modes {modes} < {min_modes}")
        if fid0 is None or fid1 is None or pd.isna(fid0) or pd.isna(fid1):
            why.append(f"no FID at step {early_step} and at the end")
        elif fid1 > fid_ratio * fid0:
            why.append(f"FID {fid1:.1f} > {fid_ratio:g} x {fid0:.1f}")
        rows.append({
            "label": r["label"], "model": r["model"], "seed": int(r["seed"]), "status": r["status"],
            "steps": r.get("steps"), f"modes@{early_step}": early.get("modes"), "modes": modes,
            f"fid@{early_step}": fid0, "fid": fid1,
            "fid_ratio": (fid1 / fid0) if fid0 and fid1 is not None and not pd.isna(fid1) else None,
            "learns": not why, "why_not": "; ".join(why),
        })
    return pd.DataFrame(rows)


def markdown(verdicts: pd.DataFrame, early_step: int = EARLY_STEP) -> str:
    """The verdict table as Markdown (for a committed report's README)."""
    head = (f"| model | seed | modes@{early_step} | modes (end) | FID@{early_step} | FID (end) | ratio | learns |\n"
            "|---|---|---|---|---|---|---|---|\n")
    lines = []
    for _, v in verdicts.sort_values(["label", "seed"]).iterrows():
        def f(x: object, fmt: str = "{:.1f}") -> str:
            return "—" if x is None or pd.isna(x) else fmt.format(x)
        lines.append(
            f"| {v['label']} | {v['seed']} | {f(v[f'modes@{early_step}'], '{:.0f}')} | {f(v['modes'], '{:.0f}')} "
            f"| {f(v[f'fid@{early_step}'])} | {f(v['fid'])} | {f(v['fid_ratio'], '{:.2f}')} "
            f"| {'yes' if v['learns'] else 'NO: ' + v['why_not']} |"
        )
    return head + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m ganbench.report.learning OUT_OR_STORE", file=sys.stderr)
        return 2
    v = learning_verdicts(args[0])
    print(markdown(v), end="")
    return 0 if bool(v["learns"].all()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
