"""One run per stack (two real processes), stale locks of killed runs, and Ctrl-C during a deploy."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HOLDER = """
import sys, time
from iacli.state import LockOwner, SqliteStateStore, StackKey
store = SqliteStateStore(__import__("pathlib").Path(sys.argv[1]))
key = StackKey("aws", "sandbox:us-east-1", sys.argv[2])
store.acquire_lock(key, LockOwner.current("iacli deploy"), 600)
print("locked", flush=True)
time.sleep(120)
"""


def iacli(project: Path, home: Path, *args: str, **kw):  # type: ignore[no-untyped-def]
    exe = Path(sys.executable).with_name("iacli")
    env = {**os.environ, "IACLI_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([str(exe), *args], cwd=project, env=env, capture_output=True, text=True, timeout=120,
                          check=False, **kw)


def test_second_run_exits_7_and_a_killed_holder_is_detected(sandbox_project: Path, sandbox_home: Path) -> None:
    (sandbox_project / "q.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {}\n")
    state = sandbox_project / ".iacli" / "state.db"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(state), "lk-dev"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        blocked = iacli(sandbox_project, sandbox_home, "deploy", "--template", "q.yaml", "--name", "lk", "--yes")
        assert blocked.returncode == 7, blocked.stderr
        assert "stack lk-dev is locked by" in blocked.stderr and f"pid {holder.pid} (iacli deploy)" in blocked.stderr
        doctor = iacli(sandbox_project, sandbox_home, "doctor", "--template", "q.yaml", "--name", "lk")
        assert "live-lock" in doctor.stdout
    finally:
        holder.kill()
        holder.wait()
    doctor = iacli(sandbox_project, sandbox_home, "doctor", "--template", "q.yaml", "--name", "lk", "--output", "json")
    assert [f["code"] for f in json.loads(doctor.stdout)] == ["stale-lock"]
    fixed = iacli(sandbox_project, sandbox_home, "doctor", "--template", "q.yaml", "--name", "lk", "--fix", "--yes")
    assert fixed.returncode == 0 and "removed the stale lock" in fixed.stdout
    deployed = iacli(sandbox_project, sandbox_home, "deploy", "--template", "q.yaml", "--name", "lk", "--yes")
    assert deployed.returncode == 0, deployed.stderr
    iacli(sandbox_project, sandbox_home, "destroy", "--template", "q.yaml", "--name", "lk", "--yes")


def _wait_for_release_in_progress(state: Path, timeout: float = 30.0) -> None:
    """Block until the deploy has begun its release (so the interrupt lands inside the apply)."""
    import sqlite3

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as conn:
                if conn.execute("SELECT 1 FROM releases WHERE outcome = 'in-progress'").fetchone():
                    return
        except sqlite3.Error:
            pass
        time.sleep(0.02)
    raise AssertionError("the deploy never started its release")


def many_queues(n: int) -> str:
    body = "".join(f"  Q{i}:\n    Type: AWS::SQS::Queue\n    Properties: {{}}\n" for i in range(n))
    return "Resources:\n" + body


@pytest.mark.e2e
def test_ctrl_c_during_deploy_is_recorded_and_releases_the_lock(sandbox_project: Path, sandbox_home: Path) -> None:
    (sandbox_project / "big.yaml").write_text(many_queues(250))
    args = ["deploy", "--template", "big.yaml", "--name", "int", "--yes"]
    exe = Path(sys.executable).with_name("iacli")
    env = {**os.environ, "IACLI_HOME": str(sandbox_home), "NO_COLOR": "1"}
    proc = subprocess.Popen([str(exe), *args], cwd=sandbox_project, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("deploying"):
            break
    _wait_for_release_in_progress(sandbox_project / ".iacli" / "state.db")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    releases = json.loads(iacli(sandbox_project, sandbox_home, "history", "--template", "big.yaml", "--name", "int",
                                "--output", "json").stdout)
    assert releases[0]["outcome"] == "interrupted" and "Ctrl-C" in releases[0]["error"]
    # the lock is gone and the next command reports the real state of the stack
    after = iacli(sandbox_project, sandbox_home, "plan", "--template", "big.yaml", "--name", "int")
    assert after.returncode == 0, after.stderr
    assert "Plan for int-dev" in after.stdout
    assert iacli(sandbox_project, sandbox_home, "destroy", "--template", "big.yaml", "--name", "int", "--yes").returncode in (0, 4)
