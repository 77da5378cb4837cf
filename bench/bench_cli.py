"""Medians of the CLI's hot paths, run as a user runs them (the installed ``iacli`` in subprocesses).

    python bench/bench_cli.py [--runs 7]

Targets (issue 2): --help <= 0.15 s; render <= 0.3 s; warm no-change plan of serverless-web on the
sandbox <= 0.6 s. Numbers, never pass/fail: this is not a test.

Measure an installed copy with compiled bytecode, as a user has it: with PYTHONDONTWRITEBYTECODE set (as in
some containers) every start recompiles every module and the numbers say nothing about iacli:

    python -m venv /tmp/v && /tmp/v/bin/pip install . && env -u PYTHONDONTWRITEBYTECODE \
        /tmp/v/bin/python -m compileall -q /tmp/v/lib && env -u PYTHONDONTWRITEBYTECODE /tmp/v/bin/python bench/bench_cli.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def iacli_executable() -> str:
    local = Path(sys.executable).with_name("iacli")
    return str(local) if local.exists() else (shutil.which("iacli") or "iacli")


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median(cmd: list[str], env: dict[str, str], cwd: Path, runs: int) -> float:
    return statistics.median(timed(cmd, env, cwd) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    exe = iacli_executable()
    with tempfile.TemporaryDirectory() as tmp:
        home, project = Path(tmp) / "home", Path(tmp) / "project"
        project.mkdir()
        env = {**os.environ, "IACLI_HOME": str(home), "NO_COLOR": "1"}
        rows = [("iacli --help", median([exe, "--help"], env, project, args.runs), 0.15)]
        timed([exe, "render", "serverless-web"], env, project)  # fill the parse cache once
        rows.append(("iacli render serverless-web", median([exe, "render", "serverless-web"], env, project, args.runs), 0.3))
        try:
            cold_start = timed([exe, "deploy", "serverless-web", "--yes"], env, project)
            rows.append(("deploy serverless-web (cold: sandbox start, lint, SAM)", cold_start, None))
            deploys = []
            for _ in range(max(3, args.runs // 2)):
                timed([exe, "destroy", "serverless-web", "--yes"], env, project)
                deploys.append(timed([exe, "deploy", "serverless-web", "--yes"], env, project))
            rows.append(("deploy serverless-web (warm sandbox)", statistics.median(deploys), None))
            plan = [exe, "plan", "serverless-web"]
            rows.append(("plan serverless-web, no changes (warm)", median(plan, env, project, args.runs), 0.6))
            change = [exe, "plan", "serverless-web", "-p", "memory_mb=512"]
            rows.append(("plan serverless-web, 1 change (warm)", median(change, env, project, args.runs), None))
        finally:
            subprocess.run([exe, "sandbox", "stop"], env=env, cwd=project, check=False, capture_output=True)
    print(f"{'what':<58} {'median s':>9} {'target':>7}")
    for name, seconds, target in rows:
        print(f"{name:<58} {seconds:>9.3f} {('<= ' + str(target)) if target else '':>7}")


if __name__ == "__main__":
    main()
