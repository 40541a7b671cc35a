"""Every exit-2 message: one greppable plain line off a terminal, red ``error:`` on one, and never
rich markup printed literally."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

from ganbench.commands import error_line, print_error


def test_plain_stream_gets_exactly_one_line_without_markup():
    buf = io.StringIO()
    print_error("x [red]y[/] " + "long " * 100, stream=buf)
    out = buf.getvalue()
    assert out.count("\n") == 1 and out.startswith("error: x [red]y[/] long") and "\x1b" not in out
    assert error_line("l1\nl2\n") == "error: l1; l2"


def test_terminal_gets_red_error_and_no_literal_markup(tiny_suite, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: s\nbudget: {steps: -1}\ndatasets: [mog-ring8]\nmodels: [{model: gan}]\n")
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "ganbench.cli", "run", str(bad)], stdin=follower,
                            stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=120) == 2
    os.close(leader)
    text = b"".join(chunks).decode()
    assert "\x1b[" in text and "error:" in text and "budget.steps" in text
    assert "[red]" not in text and "[/]" not in text


def test_failed_run_line_has_no_literal_markup(tiny_suite, tmp_path, cli):
    import torch

    if torch.cuda.is_available():
        import pytest

        pytest.skip("needs a machine without CUDA (the run fails on --device cuda)")
    res = cli("run", str(tiny_suite), "--out", str(tmp_path / "o"), "--device", "cuda", "--no-preflight", "--no-report",
              "--seeds", "1")
    assert res.returncode == 1 and "✗ gan__" in res.stdout, res.stdout + res.stderr
    assert "[red]" not in res.stdout + res.stderr and "[/]" not in res.stdout + res.stderr
