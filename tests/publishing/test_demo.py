"""``make demo`` (tools/demo.py) keeps working: endpoint, token, sample
workspace, publish through ``qgis_process.bin``, the map's URL; a rerun
works and Ctrl-C stops it cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = [sys.executable, str(ROOT / "tools" / "demo.py")]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        return json.load(response)


def demo_env() -> dict:
    env = dict(os.environ)
    env.pop("COVIDMAPS_TOKEN", None)
    return env


@pytest.mark.slow
def test_demo_publishes_reruns_and_stops_on_ctrl_c(tmp_path: Path):
    demo_dir = tmp_path / "demo"
    first = subprocess.run([*DEMO, "--dir", str(demo_dir), "--port", "0", "--no-wait"],
                           capture_output=True, text=True, timeout=300, env=demo_env(),
                           check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.search(r"Public map: http://127\.0\.0\.1:\d+/", first.stdout)
    release_1 = re.search(r"published release (\S+)", first.stdout).group(1)
    assert (demo_dir / "bac_kan_sample.gpkg").is_file()

    # a rerun on the same state works; it serves until Ctrl-C
    demo = subprocess.Popen([*DEMO, "--dir", str(demo_dir), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=demo_env())
    seen = []
    try:
        for line in demo.stdout:
            seen.append(line)
            if "press Ctrl-C" in line:
                break
        text = "".join(seen)
        assert "creating the sample workspace" not in text  # same sample day: kept
        url = re.search(r"Public map: (http://127\.0\.0\.1:\d+/)", text).group(1)
        manifest = get_json(url + "data/manifest.json")
        assert manifest["parent_id"] == release_1 and manifest["sequence"] == 2
        assert sum(layer["feature_count"] for layer in manifest["layers"]) > 0
        demo.send_signal(signal.SIGINT)
        assert demo.wait(60) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        rest = demo.stdout.read()
        demo.stdout.close()
    assert "endpoint stopped" in rest
    with pytest.raises(urllib.error.URLError):
        get_json(url + "healthz")


@pytest.mark.slow
def test_demo_makes_the_sample_anew_when_the_day_has_moved_on(tmp_path: Path):
    from covidmaps_plugin.core.sample_data import province_today

    demo_dir = tmp_path / "demo"
    run = [*DEMO, "--dir", str(demo_dir), "--port", "0", "--no-wait"]
    first = subprocess.run(run, capture_output=True, text=True, timeout=300, env=demo_env(),
                           check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    today = province_today().isoformat()
    assert (demo_dir / "sample_day.txt").read_text(encoding="utf-8").strip() == today
    # as if the workspace had been made on an earlier day
    (demo_dir / "sample_day.txt").write_text("2020-01-01\n", encoding="utf-8")
    again = subprocess.run(run, capture_output=True, text=True, timeout=300, env=demo_env(),
                           check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"the sample workspace is not from {today}; making it anew" in again.stdout
    assert "creating the sample workspace" in again.stdout
    assert (demo_dir / "sample_day.txt").read_text(encoding="utf-8").strip() == today
