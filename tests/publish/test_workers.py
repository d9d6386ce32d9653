"""Several server processes on one port (serve --workers 2) share the data:
a release committed through one of them is served by all of them."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests
from publish_client import Api
from publish_samples import collection, risk_point


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_every_worker_serves_the_new_release(storage_backend, data_dir, token):
    proc = subprocess.Popen([sys.executable, "-m", "covidmaps_publish.cli", "serve", "--data",
                             str(data_dir), "--port", "0", "--workers", "2"],
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip().rsplit(" ", 1)[-1]
        api = Api(url, token)
        for _ in range(100):  # until both workers answer (they start in parallel)
            try:
                api.current_id()
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        new_id = api.publish_layer("risk_points", collection([risk_point(1)])).json()[
            "release_id"]
        # fresh connections spread over both workers; each must converge on new_id
        streak, deadline = 0, time.monotonic() + 60
        while streak < 40 and time.monotonic() < deadline:
            with requests.get(f"{url}/data/manifest.json", timeout=10,
                              headers={"Connection": "close"}) as resp:
                streak = streak + 1 if resp.json()["release_id"] == new_id else 0
        assert streak == 40
        api.session.close()
    finally:
        proc.terminate()
        proc.wait(20)
        proc.stdout.close()
