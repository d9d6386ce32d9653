"""Epidemic levels in a real QGIS window (Vietnamese) and through a real
endpoint: the sample district levels are published (the server accepts the
fifth layer through the shared model), the officer announces level 3 for
two districts selected on the map, the history stays consistent for the
validator, the daily list names the level that ends soon, and the next
publish carries the new records with public fields only.
Screenshots: tests/artifacts/levels_vi_*.png."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Dict

import pytest
import requests
from qgis.core import QgsProject, QgsVectorLayer

from covidmaps_plugin.core.publishing.auth import auth_headers
from covidmaps_plugin.core.publishing.pipeline import PublishRequest, publish
from covidmaps_plugin.core.sample_data import province_today
from covidmaps_plugin.core.validation import validate_workspace
from covidmaps_plugin.core.workspace import create_workspace, open_workspace
from covidmaps_plugin.model import MODEL, PROVINCE_TZ

from .installed_plugin import ROOT, install
from .qgis_window import run_in_qgis_window

pytestmark = pytest.mark.gui

SCRIPT = Path(__file__).resolve().parent / "levels_desktop_script.py"
ARTIFACTS = ROOT / "tests" / "artifacts"
DECISION = "QĐ 1900/QĐ-BCĐ"


def _records(gpkg: Path):
    layer = QgsVectorLayer(f"{gpkg}|layername=epidemic_levels", "levels", "ogr")
    assert layer.isValid()
    return sorted(((f["unit_code"], f["level"], f["effective_from"].toString("yyyy-MM-dd"),
                    f["effective_until"].toString("yyyy-MM-dd") if f["effective_until"] else None,
                    f["status"]) for f in layer.getFeatures()), key=lambda r: (r[0], r[2]))


def _published(url: str) -> Dict[str, Any]:
    manifest = requests.get(url + "data/manifest.json", timeout=10).json()
    entry = next(item for item in manifest["layers"] if item["id"] == "epidemic_levels")
    blob = requests.get(url + "data/" + entry["blob"]["href"], timeout=10).json()
    return {"entry": entry, "features": blob["features"]}


@pytest.fixture
def scene(qgis_app, tmp_path):
    from covidmaps_publish.config import Config
    from covidmaps_publish.server import ServerThread
    from covidmaps_publish.tokens import TokenStore

    config = Config(data_dir=tmp_path / "endpoint", fsync=False)
    token = TokenStore(config.state_dir).create("officer-1")
    server = ServerThread(config).start()
    url = server.url + "/"
    gpkg = tmp_path / "ws" / "bac_kan.gpkg"
    gpkg.parent.mkdir()
    project = QgsProject()
    create_workspace(gpkg, with_sample=True, project=project)
    project.clear()
    publish(PublishRequest(gpkg, url, auth_headers(token=token), validate=False))
    try:
        yield {"url": url, "token": token, "gpkg": gpkg}
    finally:
        server.stop()


def test_officer_announces_levels_in_qgis_and_they_reach_the_map(tmp_path, plugin_zip, scene):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    url, gpkg = scene["url"], scene["gpkg"]
    first = _published(url)
    # the sample's 11 district records went through the server's checks
    assert len(first["features"]) == 11
    assert first["entry"]["levels"]["schemes"]["nq128"]["levels"]["3"]["meaning"]["vi"] == (
        "nguy cơ cao")
    public = {f.name for f in MODEL.layer("epidemic_levels").public_fields}
    assert all(set(f["properties"]) <= public for f in first["features"])
    assert all("internal_note" not in f["properties"] for f in first["features"])

    today = dt.datetime.now(PROVINCE_TZ).date()
    tomorrow = today + dt.timedelta(days=1)
    plan = {"selected": ["061", "062"], "from": tomorrow.isoformat(), "decision": DECISION,
            "authority": "Ban chỉ đạo tỉnh", "measures": "Dừng hoạt động karaoke, quán bar."}
    profiles = tmp_path / "profiles"
    install(plugin_zip, profiles, "vi")
    result_path = tmp_path / "result.json"
    steps = Path(str(result_path) + ".steps")
    print("steps file:", steps)
    result = run_in_qgis_window(
        SCRIPT, profiles, result_path, ARTIFACTS / "qgis_stuck_levels.png", "1600x900x24",
        COVIDMAPS_LEVELS_RESULT=str(result_path), COVIDMAPS_LEVELS_WORKSPACE=str(gpkg),
        COVIDMAPS_LEVELS_SHOTS=str(ARTIFACTS / "levels_vi"),
        COVIDMAPS_LEVELS_PLAN=json.dumps(plan, ensure_ascii=False))
    (ARTIFACTS / "levels_desktop_result.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    assert result["python_errors"] == [] and result["critical_messages"] == []
    # Vietnamese tool; the units come from the profile with their level now
    assert result["title"] == "Cấp độ dịch theo địa bàn"
    assert any(r.startswith("Ba Bể (061) — cấp 1 từ ") for r in result["unit_rows"])
    assert result["ticked_from_map"] == ["061", "062"]
    assert result["level_text"] == "Cấp 3 — nguy cơ cao"
    assert "số quyết định" in result["refusal"]
    assert result["added"] == 2 and result["saved"]
    assert result["bar"] and result["bar"][0].startswith("Đã công bố cấp 3 cho 2 đơn vị")
    # the daily list: Bạch Thông's level 3 ends in two days with no successor
    assert result["ending_title"] == "Cấp độ dịch sắp hết hiệu lực"
    assert len(result["ending_lines"]) == 1 and result["ending_lines"][0].startswith(
        "Bạch Thông: cấp 3 hết hiệu lực ngày ")
    assert result["next_ticked"] == ["063"]
    assert all(result["shots"].values())

    # the history is kept: the old level ends today, the new one starts tomorrow
    first_day = (province_today() - dt.timedelta(days=20)).isoformat()
    assert [r for r in _records(gpkg) if r[0] in ("061", "062")] == [
        (code, level, start, end, "announced") for code in ("061", "062")
        for level, start, end in ((1, first_day, today.isoformat()),
                                  (3, tomorrow.isoformat(), None))]
    # and the validator finds no overlap, gap or missing unit
    project = QgsProject()
    workspace = open_workspace(gpkg, project=project)
    report = validate_workspace(workspace)
    project.clear()
    assert [f.code.value for f in report.findings if f.layer == "epidemic_levels"] == []

    # the next publish carries the two new records
    publish(PublishRequest(gpkg, url, auth_headers(token=scene["token"]), validate=False))
    second = _published(url)
    assert len(second["features"]) == 13
    new = [f for f in second["features"] if f["properties"]["decision_no"] == DECISION]
    assert sorted(f["properties"]["unit_code"] for f in new) == ["061", "062"]
    assert all(f["properties"]["effective_from"] == tomorrow.isoformat() for f in new)
