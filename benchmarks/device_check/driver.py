"""The driver: one forked process per section with a hard time cap, so a crash, a hang or a CUDA
error in one is recorded and the others still run; and the hardware probe (the driver stays CUDA-free)."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import subprocess
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.device_check.common import (
    ENV_FAULT,
    ROOT,
    Section,
    _fault,
)
from benchmarks.device_check.fidelity import section_fidelity
from benchmarks.device_check.pacgan_step import section_pacgan_step
from benchmarks.device_check.protocol import section_protocol
from benchmarks.device_check.replicas import section_replicas
from benchmarks.device_check.seqgan import section_seqgan
from benchmarks.device_check.stylegan import section_stylegan_learning
from benchmarks.device_check.zoo import section_zoo

SECTION_FNS: dict[str, Callable[[Section], None]] = {
    "pacgan_step": section_pacgan_step, "replicas": section_replicas, "protocol": section_protocol,
    "fidelity": section_fidelity, "zoo": section_zoo, "stylegan_learning": section_stylegan_learning,
    "seqgan": section_seqgan,
}


def _child(name: str, opts: dict[str, Any], path: str, cap_s: float, prior: dict[str, Any]) -> None:
    if opts.get("compile_backend"):
        os.environ["GANBENCH_COMPILE_BACKEND"] = opts["compile_backend"]
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        import torch

        torch.set_num_threads(int(opts["threads"]))  # the harness's thread rule: bare and harness alike
        sec = Section(name, opts, Path(path), cap_s, prior)
        if _fault(name, "raise"):
            raise RuntimeError(f"fault injected by ${ENV_FAULT}")
        SECTION_FNS[name](sec)
    except BaseException as exc:
        data = json.loads(Path(path).read_text()) if Path(path).exists() else {"rows": [], "summary": {}}
        data["error"] = f"{type(exc).__name__}: {str(exc)[:500]}"
        data["traceback"] = traceback.format_exc()[-3000:]
        Path(path).write_text(json.dumps(data, indent=1, default=str))
        os._exit(1)
    os._exit(0)


def _fork() -> Any:
    """Sections are forked from a driver that imported torch and ganbench but never touched CUDA
    (a CUDA context does not survive a fork): start-up is paid once, each section's GPU state is new."""
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def _probe(device: str | None, path: str) -> None:
    import torch

    from ganbench.record.hardware import hardware_info

    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    info = hardware_info(dev)
    info["cudnn"] = torch.backends.cudnn.version() if dev.type == "cuda" else None
    if dev.type == "cuda":
        p = torch.cuda.get_device_properties(dev)
        info.update(gpu_memory_gib=round(p.total_memory / 2**30, 1), compute_capability=f"{p.major}.{p.minor}")
    Path(path).write_text(json.dumps(info, default=str))
    os._exit(0)


def hardware(device: str | None, out: Path) -> dict[str, Any]:
    """GPU name, driver, torch/CUDA/cuDNN versions, CPU: probed in a child (the driver stays CUDA-free)."""
    path = out / "sections" / "hardware.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    proc = _fork().Process(target=_probe, args=(device, str(path)))
    proc.start()
    proc.join(120)
    if proc.is_alive():
        proc.kill()
    try:
        info: dict[str, Any] = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        info = {"error": f"hardware probe failed (exit code {proc.exitcode})", "device": device or "cpu"}
    try:
        smi = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
        if smi.returncode == 0 and smi.stdout.strip():
            name, driver, mem = [x.strip() for x in smi.stdout.strip().splitlines()[0].split(",")[:3]]
            info.update(driver=driver, nvidia_smi_gpu=name, nvidia_smi_memory=mem)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    info.setdefault("driver", None)
    try:
        info["ganbench_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                                 text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        info["ganbench_commit"] = None
    return info


def run_section(name: str, opts: dict[str, Any], out: Path, cap_s: float, prior: dict[str, Any]) -> dict[str, Any]:
    """One section in its own process: it stops itself ``margin`` seconds before ``cap_s``; at
    ``cap_s`` it is killed, and the rows it wrote so far are kept."""
    path = out / "sections" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    margin = min(10.0, 0.1 * cap_s)
    t0 = time.perf_counter()
    proc = _fork().Process(target=_child, args=(name, opts, str(path), cap_s - margin, prior))
    proc.start()
    proc.join(cap_s)
    status = "ok"
    if proc.is_alive():
        proc.kill()
        proc.join(10)
        status = "timeout"
    seconds = time.perf_counter() - t0
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        data = {"rows": [], "summary": {}}
    if status == "timeout":
        data["error"] = f"killed at the section's time cap ({cap_s:.0f} s); rows measured before that are kept"
    elif proc.exitcode != 0:
        status = "error"
        data.setdefault("error", f"section process exited with code {proc.exitcode}")
    elif not data.get("rows"):
        status = "error"
        data.setdefault("error", "section recorded no measurement")
    data.update(status=status, seconds=seconds, cap_s=cap_s)
    return data
