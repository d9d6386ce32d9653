"""Run the whole test suite the way CI does (``make test``).

Each test area (a directory under tests/) runs in its own pytest process:
areas start real QGIS applications, servers and browsers, and a process per
area keeps one area's QGIS state (project, registry, task manager) from
leaking into the next. A plain ``N passed, N failed`` line closes the run.

Usage: ``.venv/bin/python tools/run_tests.py [AREA ...] [-- PYTEST ARGS]``
e.g. ``.venv/bin/python tools/run_tests.py core model -- -k roundtrip``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"

_COUNT_RE = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


def _areas(selected: list[str]) -> list[Path]:
    if selected:
        return [TESTS / name for name in selected]
    return sorted(p for p in TESTS.iterdir() if p.is_dir() and any(p.glob("test_*.py")))


def _run_area(area: Path, pytest_args: list[str], env: dict) -> tuple[int, dict]:
    cmd = [sys.executable, "-m", "pytest", str(area.relative_to(ROOT)), *pytest_args]
    print(f"\n=== {area.name}: {' '.join(cmd[1:])}", flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    last_summary = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        if " in " in line and _COUNT_RE.search(line):
            last_summary = line
    code = proc.wait()
    counts: dict = {}
    for n, kind in _COUNT_RE.findall(last_summary):
        key = "errors" if kind.startswith("error") else kind
        counts[key] = counts.get(key, 0) + int(n)
    return code, counts


def main(argv: list[str]) -> int:
    if "--" in argv:
        split = argv.index("--")
        selected, pytest_args = argv[:split], argv[split + 1:]
    else:
        selected, pytest_args = [a for a in argv if not a.startswith("-")], [
            a for a in argv if a.startswith("-")]
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    (TESTS / "artifacts").mkdir(parents=True, exist_ok=True)
    totals = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    broken: list[str] = []
    started = time.monotonic()
    for area in _areas(selected):
        area_start = time.monotonic()
        code, counts = _run_area(area, ["-q", *pytest_args], env)
        for key in totals:
            totals[key] += counts.get(key, 0)
        # exit 5 = no test collected (an area filtered out by -k): not a failure
        if code not in (0, 5) or counts.get("failed") or counts.get("errors"):
            broken.append(f"{area.name} (exit {code})")
        print(f"=== {area.name}: exit {code} after {time.monotonic() - area_start:.0f} s",
              flush=True)
    print(f"\nareas with failures: {', '.join(broken) if broken else 'none'}")
    print(f"whole run: {time.monotonic() - started:.0f} s")
    failed = totals["failed"] + totals["errors"] + (1 if broken and not totals["failed"] else 0)
    print(f"{totals['passed']} passed, {failed} failed, {totals['skipped']} skipped")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
