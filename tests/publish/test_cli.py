"""The covidmaps-publish command line: tokens, history, rollback, verify."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from covidmaps_publish.tokens import TokenStore
from publish_samples import collection, risk_point


def cli(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "covidmaps_publish.cli", *args,
                           "--data", str(data_dir)], capture_output=True, text=True,
                          timeout=60, check=False)


def test_token_lifecycle(tmp_path):
    data = tmp_path / "data"
    created = cli(data, "token", "create", "officer-2")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("cmp_") and len(token) > 40
    assert TokenStore(data / "private").authenticate(token) == "officer-2"
    assert token not in (data / "private" / "tokens.json").read_text()
    assert cli(data, "token", "create", "officer-2").returncode != 0  # active duplicate
    listing = cli(data, "token", "list").stdout
    assert "officer-2" in listing and "active" in listing and token not in listing
    assert cli(data, "token", "revoke", "officer-2").returncode == 0
    assert TokenStore(data / "private").authenticate(token) is None
    assert "revoked" in cli(data, "token", "list").stdout
    assert cli(data, "token", "create", "../etc").returncode != 0


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_releases_rollback_and_verify(api, server, data_dir, storage_backend):
    first = api.publish_layer("risk_points", collection([risk_point(1)])).json()["release_id"]
    api.publish_layer("risk_points", collection([risk_point(1), risk_point(2)]))
    history = cli(data_dir, "releases")
    assert history.returncode == 0 and first in history.stdout
    back = cli(data_dir, "rollback", first)
    assert back.returncode == 0, back.stderr
    manifest = json.loads((data_dir / "public" / "data" / "manifest.json").read_bytes())
    assert manifest["kind"] == "rollback" and manifest["rolled_back_to"] == first
    assert cli(data_dir, "rollback", "999999-00000000").returncode == 1
    ok = cli(data_dir, "verify")
    assert ok.returncode == 0 and json.loads(ok.stdout)["damaged"] == []
    # damage one compressed variant and one blob: verify names both
    blob_sha = manifest["layers"][0]["blob"]["sha256"]
    blobs = data_dir / "public" / "data" / "blobs"
    (blobs / f"{blob_sha}.geojson.gz").write_bytes(b"not gzip")
    other = next(p for p in blobs.glob("*.geojson") if p.stem != blob_sha)
    other.write_bytes(other.read_bytes() + b" ")
    bad = cli(data_dir, "verify")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert f"blobs/{blob_sha}.geojson.gz" in report["damaged"]
    assert f"blobs/{other.name}" in report["damaged"]
