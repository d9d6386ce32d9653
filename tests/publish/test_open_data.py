"""Open data through the real server, on every storage backend (a local
directory and a real SeaweedFS bucket): the Atom feed read by a real feed
parser, CSV downloads opened as a spreadsheet would, Ed25519 signatures
checked by ``covidmaps-publish verify`` and by the stand-alone verifier a
journalist runs, tampering detected, key rotation with old releases still
verifiable."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import feedparser
import requests
from publish_samples import collection, risk_point, zone
from shapely import wkt as shapely_wkt
from shapely.geometry import shape

from covidmaps_plugin.model import MODEL
from covidmaps_plugin.model.manifest_meta import layer_meta

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tools" / "verify_release.py"


def _manifest(server):
    return requests.get(f"{server.url}/data/manifest.json", timeout=10).json()


def _publish(api, layers, message=""):
    shas = {}
    for layer, data in layers.items():
        put = api.put_layer(layer, data)
        assert put.status_code in (200, 201), put.text
        shas[layer] = put.json()["sha256"]
    response = api.session.post(f"{api.base}/api/v1/releases",
                                json={"layers": shas, "message": message},
                                headers={"If-Match": f'"{api.current_id()}"'}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def _cli(storage_backend, data_dir, *args):
    cmd = [sys.executable, "-m", "covidmaps_publish.cli", *args, "--data", str(data_dir)]
    if storage_backend.url:
        cmd += ["--storage", storage_backend.url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=os.environ)


def _verifier(*args):
    return subprocess.run([sys.executable, str(VERIFIER), *args], capture_output=True, text=True,
                          timeout=60)


def test_feed_is_valid_atom_with_every_release(api, server):
    first = _publish(api, {"risk_points": collection([risk_point(1), risk_point(2),
                                                      risk_point(3)])}, "Cập nhật ngày 12/6")
    second = _publish(api, {"risk_points": collection([risk_point(1), risk_point(2)]),
                            "isolation_zones": collection([zone(1)])}, "Thêm vùng cách ly")
    response = requests.get(f"{server.url}/data/feed.atom", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    assert response.headers["Cache-Control"] == "no-cache" and response.headers.get("ETag")
    feed = feedparser.parse(response.content, response_headers={
        "content-location": f"{server.url}/data/feed.atom", "content-type": "application/atom+xml"})
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert "Bắc Kạn" in feed.feed.title
    ids = [e.id for e in feed.entries]
    assert ids[:2] == [f"urn:covidmaps:release:{second['release_id']}",
                       f"urn:covidmaps:release:{first['release_id']}"]
    assert ids[-1].startswith("urn:covidmaps:release:000000-")  # release 0 is the last entry
    newest = feed.entries[0]
    assert newest.author == "officer-1"
    assert newest.title.startswith("Thêm vùng cách ly")
    assert newest.updated == second["created_at"]
    # the change summary per layer, in Vietnamese and English
    assert "+1 vùng cách ly" in newest.summary
    assert "+1 isolation zone" in newest.summary and "isolation zones" not in newest.summary
    assert "1 điểm nguy cơ đã gỡ" in newest.summary and "1 risk point removed" in newest.summary
    assert "+3 điểm nguy cơ" in feed.entries[1].summary
    # the link opens the map at that release
    assert newest.link == f"{server.url}/?release={second['release_id']}"
    page = requests.get(newest.link, timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    related = [link.href for link in newest.links if link.rel == "related"]
    assert f"{server.url}/data/releases/{second['release_id']}.json.sig" in related
    for href in related:
        assert requests.get(href, timeout=10).status_code == 200
    # a zone leaves the map when it is lifted: the feed says so
    _publish(api, {"isolation_zones": collection([])}, "Dỡ phong toả")
    etag = response.headers["ETag"]
    again = requests.get(f"{server.url}/data/feed.atom", headers={"If-None-Match": etag},
                         timeout=10)
    assert again.status_code == 200  # the feed changed: a new ETag
    lifted = feedparser.parse(again.content).entries[0].summary
    assert "1 vùng cách ly được dỡ bỏ" in lifted and "1 isolation zone lifted" in lifted
    # the publisher's message is text: markup stays text, a character XML
    # forbids does not break the feed
    _publish(api, {"risk_points": collection([risk_point(1)])}, "Tin <b>mới</b> & \x01cũ")
    feed = feedparser.parse(requests.get(f"{server.url}/data/feed.atom", timeout=10).content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.entries[0].title.startswith("Tin <b>mới</b> & \ufffdcũ")


def test_csv_downloads_open_as_a_spreadsheet_would(api, server):
    points = [risk_point(1, name="Chợ Đức Xuân", lon=105.834567, lat=22.145678),
              risk_point(2, name="=HYPERLINK(\"http://x\")", address="-1+2")]
    release = _publish(api, {"risk_points": collection(points),
                             "isolation_zones": collection([zone(3)])})
    manifest = _manifest(server)
    assert manifest["release_id"] == release["release_id"]
    entries = {e["id"]: e for e in manifest["layers"]}
    for layer_id in ("risk_points", "isolation_zones"):
        ref = entries[layer_id]["downloads"]["csv"]
        assert ref["href"] == f"downloads/{ref['sha256']}.csv"
        response = requests.get(f"{server.url}/data/{ref['href']}", timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "immutable" in response.headers["Cache-Control"]
        raw = response.content
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads Vietnamese right
        assert len(raw) == ref["size"]
        brotli = requests.get(f"{server.url}/data/{ref['href']}",
                              headers={"Accept-Encoding": "br"}, timeout=10)
        assert brotli.headers.get("Content-Encoding") == "br" and brotli.content == raw
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        geo = json.loads(requests.get(f"{server.url}/data/{entries[layer_id]['blob']['href']}",
                                      timeout=10).content)["features"]
        assert [r["id"] for r in rows] == [f["id"] for f in geo]
        meta = layer_meta(MODEL.layer(layer_id))
        names = [f["name"] for f in meta["fields"]]
        header = list(rows[0])
        assert [h for h in header if h in names] == names  # the same public fields, in order
        assert "updated_by" not in header and "internal_note" not in header
        for row, feature in zip(rows, geo):
            props = feature["properties"]
            status = meta["status"][props["status"]]
            assert row["status"] == props["status"]
            assert (row["status_vi"], row["status_en"]) == (status["vi"], status["en"])
            if layer_id == "risk_points":
                assert [float(row["lon"]), float(row["lat"])] == feature["geometry"]["coordinates"]
            else:
                assert shapely_wkt.loads(row["wkt"]).equals(shape(feature["geometry"]))
    rows = list(csv.DictReader(io.StringIO(requests.get(
        f"{server.url}/data/{entries['risk_points']['downloads']['csv']['href']}",
        timeout=10).content.decode("utf-8-sig"), newline="")))
    by_name = {r["name"].lstrip("'"): r for r in rows}
    assert by_name["Chợ Đức Xuân"]["lon"] == "105.834567"
    assert by_name["Chợ Đức Xuân"]["name"] == "Chợ Đức Xuân"
    # a formula in attribute text is not run by a spreadsheet
    assert by_name['=HYPERLINK("http://x")']["name"] == "'=HYPERLINK(\"http://x\")"
    assert by_name['=HYPERLINK("http://x")']["address"] == "'-1+2"


def test_signatures_verify_and_tampering_is_caught(api, server, storage_backend, data_dir,
                                                   tmp_path):
    release = _publish(api, {"risk_points": collection([risk_point(1)])}, "Ký số")
    rid = release["release_id"]
    # the private key is private: 0600 in the 0700 private directory, never under /data/
    key_files = list((data_dir / "private" / "signing").glob("*.key"))
    assert len(key_files) == 1 and stat.S_IMODE(key_files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / "private" / "signing").stat().st_mode) == 0o700
    keys = requests.get(f"{server.url}/data/keys.json", timeout=10).json()
    pem = requests.get(f"{server.url}/data/public-key.pem", timeout=10)
    assert pem.status_code == 200 and pem.text.startswith("-----BEGIN PUBLIC KEY-----")
    assert keys["current"] == key_files[0].stem
    sig = requests.get(f"{server.url}/data/releases/{rid}.json.sig", timeout=10).json()
    assert sig["key_id"] == keys["current"] and sig["algorithm"] == "Ed25519"

    report = _cli(storage_backend, data_dir, "verify")
    assert report.returncode == 0, report.stdout + report.stderr
    summary = json.loads(report.stdout)
    assert summary["unsigned"] == [] and summary["signed"] == summary["releases"] == 2

    # the journalist's check: over HTTP, with a downloaded CSV
    csv_href = next(e for e in _manifest(server)["layers"]
                    if e["id"] == "risk_points")["downloads"]["csv"]["href"]
    downloaded = tmp_path / "risk_points.csv"
    downloaded.write_bytes(requests.get(f"{server.url}/data/{csv_href}", timeout=10).content)
    ok = _verifier(f"{server.url}/data/releases/{rid}.json", "--file", str(downloaded))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"valid: release {rid}" in ok.stdout and "risk_points (CSV)" in ok.stdout
    # with the key pinned from the fixed URL, on saved files
    (tmp_path / "key.pem").write_bytes(pem.content)
    saved = tmp_path / f"{rid}.json"
    saved.write_bytes(requests.get(f"{server.url}/data/releases/{rid}.json", timeout=10).content)
    (tmp_path / f"{rid}.json.sig").write_bytes(
        requests.get(f"{server.url}/data/releases/{rid}.json.sig", timeout=10).content)
    assert _verifier(str(saved), "--key", str(tmp_path / "key.pem")).returncode == 0

    # tampered bytes fail: one changed character in the manifest, or in the file
    saved.write_bytes(saved.read_bytes().replace(b'"Ky', b'"Kx').replace("Ký".encode(),
                                                                         "Kỳ".encode()))
    bad = _verifier(str(saved), "--key", str(tmp_path / "key.pem"))
    assert bad.returncode == 1 and "NOT VALID" in bad.stdout
    downloaded.write_bytes(downloaded.read_bytes() + b"x")
    bad_file = _verifier(f"{server.url}/data/releases/{rid}.json", "--file", str(downloaded))
    assert bad_file.returncode == 1 and "is not a file of this release" in bad_file.stdout

    # the same damage in the storage: covidmaps-publish verify names it
    storage = storage_backend.open(data_dir)
    try:
        key = f"releases/{rid}.json"
        tampered = storage.get(key).replace("Ký".encode(), "Kỳ".encode())
        if storage_backend.name == "local":
            (data_dir / "public" / "data" / key).write_bytes(tampered)
        else:
            storage.client.put_object(Bucket=storage.bucket, Key=storage._key(key),
                                      Body=tampered)
    finally:
        storage.close()
    report = _cli(storage_backend, data_dir, "verify")
    assert report.returncode == 1
    assert any(key in d and "signature" in d for d in json.loads(report.stdout)["damaged"])


def test_key_rotation_keeps_old_releases_verifiable(api, server, storage_backend, data_dir):
    old = _publish(api, {"risk_points": collection([risk_point(1)])})
    old_key = requests.get(f"{server.url}/data/keys.json", timeout=10).json()["current"]
    rotated = _cli(storage_backend, data_dir, "key", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    new = _publish(api, {"risk_points": collection([risk_point(1), risk_point(2)])})
    keys = requests.get(f"{server.url}/data/keys.json", timeout=10).json()
    assert keys["current"] != old_key
    assert {k["key_id"] for k in keys["keys"]} == {old_key, keys["current"]}
    retired = next(k for k in keys["keys"] if k["key_id"] == old_key)
    assert retired["retired_at"]
    # the running server signs with the new key; the retired private key is gone
    sig = requests.get(f"{server.url}/data/releases/{new['release_id']}.json.sig",
                       timeout=10).json()
    assert sig["key_id"] == keys["current"]
    assert not (data_dir / "private" / "signing" / f"{old_key}.key").exists()
    old_pem = requests.get(f"{server.url}/data/keys/{old_key}.pem", timeout=10)
    assert old_pem.status_code == 200 and "immutable" in old_pem.headers["Cache-Control"]
    current_pem = requests.get(f"{server.url}/data/public-key.pem", timeout=10).text
    assert current_pem != old_pem.text
    for rid in (old["release_id"], new["release_id"]):
        result = _verifier(f"{server.url}/data/releases/{rid}.json")
        assert result.returncode == 0, result.stdout + result.stderr
    report = _cli(storage_backend, data_dir, "verify")
    assert report.returncode == 0 and json.loads(report.stdout)["unsigned"] == []


def test_a_data_directory_from_before_signing_is_upgraded(tmp_path):
    """Releases committed before signing existed are listed as unsigned (not
    damaged); the next start makes the key and the feed, the next release is
    signed."""
    from covidmaps_publish.app import create_app
    from covidmaps_publish.config import Config
    from covidmaps_publish.storage.local import LocalStorage
    from covidmaps_publish.verify import verify

    config = Config(data_dir=tmp_path / "data", fsync=False)
    create_app(config).storage.close()
    public = tmp_path / "data" / "public" / "data"
    for old in [*public.glob("releases/*.sig"), public / "feed.atom"]:
        old.unlink()  # as an older version left it
    app = create_app(config)  # the next start
    try:
        assert (public / "feed.atom").is_file()
        report = verify(LocalStorage(tmp_path / "data", fsync=False))
        assert report["damaged"] == [] and len(report["unsigned"]) == 1
        manifest, _ = app.publisher.rollback("cli", app.reader.current_release_id,
                                            {"release_id": app.reader.current_release_id},
                                            None, "")
        report = verify(LocalStorage(tmp_path / "data", fsync=False))
        assert report["signed"] == 1 and report["damaged"] == []
        assert (public / "releases" / f"{manifest['release_id']}.json.sig").is_file()
    finally:
        app.storage.close()
