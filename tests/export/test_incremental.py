"""A republish re-reads, re-validates and re-encodes only the rows that
changed (core/rows.py, the validator's table, export_cache.py), and gives
exactly what the full path gives: the same findings and the same bytes,
after an edit, an addition, a deletion, a geometry move, a value made
invalid, a cross-feature rule broken by an edit elsewhere, and a file
replaced by another workspace's."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProject, QgsVectorLayer

from covidmaps_plugin.core.export import export_layer
from covidmaps_plugin.core.export_cache import ExportCache
from covidmaps_plugin.core.publishing.freshness import latest_update
from covidmaps_plugin.core.publishing.source import open_source
from covidmaps_plugin.core.rows import ROWS
from covidmaps_plugin.core.validation import ValidationOptions, validate_workspace
from covidmaps_plugin.model import MODEL, PROVINCE_TZ, parse_instant

NOW = dt.datetime(2021, 6, 10, 9, 0, tzinfo=PROVINCE_TZ)


def _workspace(path: Path) -> Path:
    from covidmaps_plugin.core.workspace import create_workspace

    project = QgsProject()
    create_workspace(path, with_sample=True, project=project)
    project.clear()
    return path


@pytest.fixture
def workspace(qgis_app, tmp_path) -> Path:
    return _workspace(tmp_path / "sample.gpkg")


# findings, bytes and hidden features by layer, and the release's freshness
Outcome = Tuple[List[Any], Dict[str, bytes], Dict[str, Dict[str, str]], Optional[dt.datetime]]


def incremental(gpkg: Path, cache: ExportCache) -> Outcome:
    """What a publish checks and exports, through the session's caches;
    the freshness is the one each export carries from its rows."""
    source = open_source(gpkg)
    report = validate_workspace(source, now=NOW)
    exports = cache.export_layers(source.layers, NOW)
    assert all(e.newest_update_known for e in exports.values())
    return (report.findings, {n: e.data for n, e in exports.items()},
            {n: dict(e.hidden) for n, e in exports.items()}, latest_update(exports.values()))


def full(gpkg: Path) -> Outcome:
    """The same through QGIS feature by feature: no cache at all, and the
    freshness read from the exported bytes."""
    source = open_source(gpkg)
    report = validate_workspace(source, now=NOW, options=ValidationOptions(allow_arrow=False))
    exports = {d.name: export_layer(d, source.layers[d.name], NOW, bulk=False)
               for d in MODEL.layers}
    assert not any(e.newest_update_known for e in exports.values())
    return (report.findings, {n: e.data for n, e in exports.items()},
            {n: dict(e.hidden) for n, e in exports.items()}, latest_update(exports.values()))


def edit(gpkg: Path, layer_name: str, change: Callable[[QgsVectorLayer], None]) -> None:
    layer = QgsVectorLayer(f"{gpkg}|layername={layer_name}", layer_name, "ogr")
    layer.startEditing()
    change(layer)
    assert layer.commitChanges(), layer.commitErrors()


def shown(layer: QgsVectorLayer) -> QgsFeature:
    """A feature the public map shows."""
    return next(f for f in layer.getFeatures() if f["approved"] and f["status"] in (
        "active", "in_force", "operating") and not f["name"].startswith("Bench"))


def set_value(name: str, value: Any, pick: Callable = shown) -> Callable:
    def change(layer: QgsVectorLayer) -> None:
        layer.changeAttributeValue(pick(layer).id(), layer.fields().indexOf(name), value)
    return change


def _codes(outcome: Outcome) -> List[str]:
    return [f.code.value for f in outcome[0]]


def republished(gpkg: Path, cache: ExportCache) -> Tuple[Outcome, int]:
    before = ROWS.rows_read
    result = incremental(gpkg, cache)
    return result, ROWS.rows_read - before


def test_each_kind_of_change_gives_what_the_full_path_gives(workspace: Path) -> None:
    cache = ExportCache()
    first = incremental(workspace, cache)
    assert first == full(workspace)

    # an attribute edited: one row read again, one feature encoded again
    edit(workspace, "risk_points", set_value("name", "Chợ Phường Sông Cầu"))
    encoded = cache.features_encoded
    result, read = republished(workspace, cache)
    assert read == 1 and cache.features_encoded - encoded == 1
    assert "Chợ Phường Sông Cầu" in result[1]["risk_points"].decode("utf-8")
    assert result == full(workspace)

    # an edit stamps its row's updated_at (the workspace's default on
    # update): the freshness follows it, and goes back when it is hidden
    stamped = QgsVectorLayer(f"{workspace}|layername=risk_points", "r", "ogr")
    edited = next(f for f in stamped.getFeatures() if f["name"] == "Chợ Phường Sông Cầu")
    assert result[3] == parse_instant(edited["updated_at"])
    edit(workspace, "risk_points", set_value("approved", False, pick=lambda layer: next(
        f for f in layer.getFeatures() if f["name"] == "Chợ Phường Sông Cầu")))
    result, read = republished(workspace, cache)
    assert read == 1 and result == full(workspace)

    # a feature added (a copy with its own uid) and another deleted
    def add(layer: QgsVectorLayer) -> None:
        copy = QgsFeature(shown(layer))
        copy.setAttribute(layer.fields().indexOf("uid"), str(uuid.uuid4()))
        copy.setAttribute(layer.fields().indexOf("fid"), None)
        copy.setAttribute(layer.fields().indexOf("name"), "Điểm mới")
        assert layer.addFeature(copy)

    edit(workspace, "risk_points", add)
    result, read = republished(workspace, cache)
    assert read == 1 and "Điểm mới" in result[1]["risk_points"].decode("utf-8")
    assert result == full(workspace)
    gone = shown(QgsVectorLayer(f"{workspace}|layername=checkpoints", "c", "ogr"))["uid"]
    edit(workspace, "checkpoints", lambda layer: layer.deleteFeature(shown(layer).id()))
    result, read = republished(workspace, cache)
    assert read == 0 and gone not in result[1]["checkpoints"].decode("utf-8")
    assert result == full(workspace)

    # a geometry moved
    def move(layer: QgsVectorLayer) -> None:
        feature = shown(layer)
        point = feature.geometry().asPoint()
        layer.changeGeometry(feature.id(), QgsGeometry.fromPointXY(
            QgsPointXY(point.x() + 0.001, point.y())))

    edit(workspace, "quarantine_facilities", move)
    result, read = republished(workspace, cache)
    assert read == 1 and result == full(workspace)
    assert result[1]["quarantine_facilities"] != first[1]["quarantine_facilities"]


def test_findings_appear_and_go_with_the_rows_that_cause_them(workspace: Path) -> None:
    cache = ExportCache()
    clean = incremental(workspace, cache)
    # a value made invalid: its finding appears
    edit(workspace, "risk_points", set_value("place_type", "casino"))
    result, read = republished(workspace, cache)
    assert read == 1 and "ATTR_NOT_IN_LIST" in _codes(result)
    assert "ATTR_NOT_IN_LIST" not in _codes(clean)
    assert result == full(workspace)
    # a cross-feature rule broken by an edit elsewhere: a zone's uid changes,
    # the checkpoints referring to it (rows not edited) lose their zone
    zones = QgsVectorLayer(f"{workspace}|layername=isolation_zones", "z", "ogr")
    checkpoints = QgsVectorLayer(f"{workspace}|layername=checkpoints", "c", "ogr")
    referred = {f["zone_uid"] for f in checkpoints.getFeatures() if f["zone_uid"]}
    zone = next(f for f in zones.getFeatures() if f["uid"] in referred)
    edit(workspace, "isolation_zones", lambda layer: layer.changeAttributeValue(
        zone.id(), layer.fields().indexOf("uid"), str(uuid.uuid4())))
    result, read = republished(workspace, cache)
    assert read == 1 and "ATTR_ZONE_REF_MISSING" in _codes(result)
    assert result == full(workspace)
    # two rows with one uid: both reported, though only one was edited
    twin = next(f for f in checkpoints.getFeatures() if f["uid"])
    edit(workspace, "checkpoints", lambda layer: layer.changeAttributeValue(
        next(f for f in layer.getFeatures() if f.id() != twin.id()).id(),
        layer.fields().indexOf("uid"), twin["uid"]))
    result, _read = republished(workspace, cache)
    assert _codes(result).count("UID_DUPLICATE") == 2
    assert result == full(workspace)
    # and fixed again: the findings go
    edit(workspace, "risk_points", set_value("place_type", "market",
                                             pick=lambda layer: next(
                                                 f for f in layer.getFeatures()
                                                 if f["place_type"] == "casino")))
    result, _read = republished(workspace, cache)
    assert "ATTR_NOT_IN_LIST" not in _codes(result)
    assert result == full(workspace)


def test_a_file_replaced_by_another_workspace_is_read_whole(workspace: Path,
                                                            tmp_path: Path) -> None:
    cache = ExportCache()
    incremental(workspace, cache)
    other = _workspace(tmp_path / "other.gpkg")
    edit(other, "risk_points", set_value("name", "Một tỉnh khác"))
    shutil.copyfile(other, workspace)
    result, read = republished(workspace, cache)
    assert "Một tỉnh khác" in result[1]["risk_points"].decode("utf-8")
    assert result == full(workspace)
    # the sample's uids are fixed: the other file holds the same uids and
    # fids, and only its edited row is read again
    assert read == 1


def test_a_changed_table_definition_is_read_whole(workspace: Path) -> None:
    cache = ExportCache()
    incremental(workspace, cache)
    layer = QgsVectorLayer(f"{workspace}|layername=checkpoints", "c", "ogr")
    from qgis.core import QgsField
    from qgis.PyQt.QtCore import QVariant

    assert layer.dataProvider().addAttributes([QgsField("extra", QVariant.String)])
    count = layer.featureCount()
    result, read = republished(workspace, cache)
    assert read >= count
    assert result == full(workspace)


def test_the_kept_parts_are_offsets_into_the_exports_bytes(workspace: Path) -> None:
    from covidmaps_plugin.core.export import bulk_rows, export_rows
    from covidmaps_plugin.model import geojson as cgj

    layer_def = MODEL.layer("risk_points")
    layer = open_source(workspace).layers["risk_points"]
    first, parts = export_rows(layer_def, bulk_rows(layer_def, layer), NOW)
    assert parts.data is first.data  # one copy of the layer, not a second one in parts
    cut = cgj.canonical_feature_parts(first.data)
    assert cut and [first.data[s:e] for s, e in zip(parts.starts, parts.ends)] == cut
    assert parts.reused == 0
    edit(workspace, "risk_points", set_value("name", "Chợ Đồn mới"))
    again, later = export_rows(layer_def, bulk_rows(layer_def, layer), NOW, reuse=parts)
    assert later.reused == len(cut) - 1  # every feature but the edited one spliced in
    assert again.data == export_layer(layer_def, layer, NOW, bulk=False).data
    assert [again.data[s:e] for s, e in zip(later.starts, later.ends)] == (
        cgj.canonical_feature_parts(again.data))


def test_scratch_copies_go_at_close_and_with_their_dead_process(workspace: Path,
                                                               tmp_path: Path) -> None:
    import subprocess  # nosec B404 - this interpreter, a fixed one-liner
    import sys

    from covidmaps_plugin.core.rows import RowCache, remove_orphaned_scratch

    cache = RowCache()
    layer_def = MODEL.layer("risk_points")
    layer = open_source(workspace).layers["risk_points"]
    assert cache.read(layer, layer_def, ["uid", "name"], True) is not None
    scratch = cache._scratch
    assert scratch is not None and scratch.exists()
    cache.close()  # what the plugin's unload and the interpreter's exit call
    assert not scratch.exists()
    assert cache.read(layer, layer_def, ["uid", "name"], True).reread > 0  # afresh
    cache.close()
    # a QGIS that died before its exit cleanup: its pid is gone, its copy too
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],  # noqa: S603  # nosec B603
                          capture_output=True, text=True, check=True).stdout.strip()
    orphan = tmp_path / f"covidmaps_rows_{dead}_x.sqlite"
    mine = tmp_path / "covidmaps_rows_1_x.sqlite"  # pid 1 is alive
    orphan.write_bytes(b"")
    mine.write_bytes(b"")
    if sys.platform.startswith("win"):
        assert remove_orphaned_scratch(tmp_path) == 0
    else:
        assert remove_orphaned_scratch(tmp_path) == 1
        assert not orphan.exists() and mine.exists()


def test_the_plugins_unload_removes_the_sessions_scratch_copy(workspace: Path) -> None:
    from covidmaps_plugin.plugin import CovidMapsPlugin

    plugin = CovidMapsPlugin(None)  # as qgis_process loads it: no window
    plugin.initProcessing()
    layer_def = MODEL.layer("risk_points")
    assert ROWS.read(open_source(workspace).layers["risk_points"], layer_def, ["uid"],
                     False) is not None
    scratch = ROWS._scratch
    assert scratch is not None and scratch.exists()
    plugin.unload()
    assert not scratch.exists() and ROWS._scratch is None


def test_duplicates_are_checked_again_only_for_the_names_that_changed(workspace: Path) -> None:
    """Likely duplicates (the same name a few metres apart) are found name
    by name: a republish checks again only the names of the changed rows
    (before and after the change) and gives the full path's findings when
    a pair is made by a rename, undone by a move, made by an addition and
    undone by a deletion."""
    from covidmaps_plugin.core.validation.reuse import GroupFindings

    cache = ExportCache()
    clean = incremental(workspace, cache)
    assert clean == full(workspace)
    layer = QgsVectorLayer(f"{workspace}|layername=risk_points", "r", "ogr")
    first, second = [f for f in layer.getFeatures() if f["name"]][:2]
    spot = first.geometry().asPoint()
    name = first["name"]

    def twin(layer: QgsVectorLayer) -> None:  # the second point renamed, moved 5 m away
        layer.changeAttributeValue(second.id(), layer.fields().indexOf("name"), name)
        layer.changeGeometry(second.id(), QgsGeometry.fromPointXY(
            QgsPointXY(spot.x() + 0.00005, spot.y())))

    def away(layer: QgsVectorLayer) -> None:
        layer.changeGeometry(second.id(), QgsGeometry.fromPointXY(
            QgsPointXY(spot.x() + 0.2, spot.y())))  # 20 km

    def add(layer: QgsVectorLayer) -> None:
        copy = QgsFeature(first)
        copy.setAttribute(layer.fields().indexOf("uid"), str(uuid.uuid4()))
        copy.setAttribute(layer.fields().indexOf("fid"), None)
        copy.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(spot.x(), spot.y() + 0.00003)))
        assert layer.addFeature(copy)

    def delete(layer: QgsVectorLayer) -> None:
        layer.deleteFeature(max(f.id() for f in layer.getFeatures()))

    assert layer.crs().authid() == "EPSG:4326"  # the moves above are in degrees
    del layer
    for change, pairs in ((twin, 1), (away, 0), (add, 1), (delete, 0)):
        edit(workspace, "risk_points", change)
        checked = GroupFindings.checked_total
        result = incremental(workspace, cache)
        assert _codes(result).count("ATTR_DUPLICATE") - _codes(clean).count(
            "ATTR_DUPLICATE") == pairs
        # one changed row's names (the other layers' groups are all kept)
        assert GroupFindings.checked_total - checked <= 2
        assert result == full(workspace)
    # an edit that leaves names and places alone checks no group again
    edit(workspace, "risk_points", set_value("address", "Tổ 3"))
    checked = GroupFindings.checked_total
    result = incremental(workspace, cache)
    assert GroupFindings.checked_total - checked <= 1  # the edited row's name, if shared
    assert result == full(workspace)


def test_zone_overlaps_are_checked_again_only_around_the_changed_zones(workspace: Path) -> None:
    """Overlapping zones (one measure, in force together) are found zone by
    zone among the zones each one's box meets: a republish checks again
    only the changed zones and those whose neighbours changed, and gives
    the full path's findings when an overlap is made by a move, undone by
    a move, made by an addition, undone by another measure and by a
    deletion."""
    from covidmaps_plugin.core.validation.reuse import OverlapFindings

    cache = ExportCache()
    clean = incremental(workspace, cache)
    layer = QgsVectorLayer(f"{workspace}|layername=isolation_zones", "z", "ogr")
    zones = {f["name"]: f for f in layer.getFeatures()}
    target = next(f for name, f in zones.items() if name.startswith("Phố Trường Chinh"))
    mover = next(f for name, f in zones.items() if name.startswith("Thôn Nà Làng"))
    assert target["measure"] == mover["measure"]
    del layer, zones
    shape = QgsGeometry(target.geometry())
    shifted = QgsGeometry(shape)
    shifted.translate(0.001, 0.001)  # about 100 m: most of the area shared

    def onto(layer: QgsVectorLayer) -> None:
        layer.changeGeometry(mover.id(), shifted)

    def away(layer: QgsVectorLayer) -> None:
        far = QgsGeometry(shape)
        far.translate(0.2, 0.2)
        layer.changeGeometry(mover.id(), far)

    def add(layer: QgsVectorLayer) -> None:
        copy = QgsFeature(target)
        copy.setAttribute(layer.fields().indexOf("uid"), str(uuid.uuid4()))
        copy.setAttribute(layer.fields().indexOf("fid"), None)
        copy.setAttribute(layer.fields().indexOf("name"), "Bản sao")
        copy.setGeometry(shifted)
        assert layer.addFeature(copy)

    def newest(layer: QgsVectorLayer) -> int:
        return max(f.id() for f in layer.getFeatures())

    def other_measure(layer: QgsVectorLayer) -> None:
        layer.changeAttributeValue(newest(layer), layer.fields().indexOf("measure"), "lockdown")

    def delete(layer: QgsVectorLayer) -> None:
        layer.deleteFeature(newest(layer))

    base = _codes(clean).count("GEOM_ZONE_OVERLAP")
    for change, overlaps in ((onto, 2), (away, 0), (add, 2), (other_measure, 0), (delete, 0)):
        edit(workspace, "isolation_zones", change)
        checked = OverlapFindings.checked_total
        result = incremental(workspace, cache)
        assert _codes(result).count("GEOM_ZONE_OVERLAP") - base == overlaps
        # the changed zone and the zones whose box meets its old or new box
        assert OverlapFindings.checked_total - checked <= 3
        assert result == full(workspace)


def test_findings_about_now_follow_the_clock_on_unchanged_rows(workspace: Path) -> None:
    """A rule about "now" (expired points the release hides) runs on every
    row each time; an unchanged row that it reports again gets the finding
    made before (not rendered and located again), and as the clock moves
    past a row's end the findings follow it exactly as the full path's."""

    def checked(now: dt.datetime, cached: bool) -> List[Any]:
        options = None if cached else ValidationOptions(allow_arrow=False)
        return validate_workspace(open_source(workspace), now=now, options=options).findings

    def expired(findings: List[Any]) -> List[Any]:
        return [f for f in findings if f.code.value == "TIME_EXPIRED_HIDDEN"]

    ends = sorted(parse_instant(str(f["visible_until"])) for f in QgsVectorLayer(
        f"{workspace}|layername=risk_points", "r", "ogr").getFeatures()
        if f["approved"] and f["visible_until"])
    assert ends
    before = ends[0] - dt.timedelta(hours=1)
    after = ends[-1] + dt.timedelta(days=1)
    later = after + dt.timedelta(days=1)
    counts = []
    previous = None
    for now in (before, after, later, before, after):
        first, again = checked(now, True), checked(now, True)
        assert first == checked(now, False) and again == first
        counts.append(len(expired(first)))
        # the same finding objects for the same unchanged rows
        assert all(a is b for a, b in zip(expired(again), expired(first)))
        # and at another time, for the rows reported at both
        kept = {f.fid: f for f in previous or ()}
        common = [f for f in expired(first) if f.fid in kept]
        assert all(kept[f.fid] is f for f in common)
        if now == later:
            assert common  # after -> later: the same rows, other clocks
        previous = expired(first)
    assert counts == [counts[0], counts[1], counts[1], counts[0], counts[1]]
    assert counts[0] < counts[1]


def test_rules_about_now_check_again_only_the_rows_the_clock_passed(workspace: Path) -> None:
    """As the clock moves, a rule about "now" runs again on the rows whose
    times lie between the two clocks (their verdict can turn), not on every
    row; an unchanged row elsewhere keeps its findings, and the findings are
    the full path's at every step, the clock going back included."""
    from covidmaps_plugin.core.validation.reuse import RowFindings

    def checked(now: dt.datetime, cached: bool) -> List[Any]:
        options = None if cached else ValidationOptions(allow_arrow=False)
        return validate_workspace(open_source(workspace), now=now, options=options).findings

    layer = QgsVectorLayer(f"{workspace}|layername=risk_points", "r", "ogr")
    ends = sorted({parse_instant(str(f["visible_until"])) for f in layer.getFeatures()
                   if f["visible_until"]})
    assert len(ends) >= 2
    # a step across the first end only, then back
    start = ends[0] - dt.timedelta(minutes=1)
    step = ends[0] + (ends[1] - ends[0]) / 2
    assert checked(start, True) == checked(start, False)
    checked(start, True)  # everything kept at this clock
    counts = []
    for now in (start, step, step, start):
        before = RowFindings.rows_checked_total
        assert checked(now, True) == checked(now, False)
        counts.append(RowFindings.rows_checked_total - before)
    # the same clock: nothing checked again; a step across one end: the rows
    # ending then, for each rule about them (far fewer than every row)
    assert counts[0] == 0 and counts[2] == 0
    assert 0 < counts[1] == counts[3] < layer.featureCount()


def test_a_date_too_far_names_the_limit_of_the_day_it_is_checked(workspace: Path) -> None:
    """The too-far-ahead check compares dates with a limit that moves a day
    at a time and quotes it: a row kept from yesterday's check gets today's
    limit in its finding, as the full path gives it."""
    far = (NOW + dt.timedelta(days=400)).date().isoformat()
    edit(workspace, "risk_points", set_value("disinfected_on", far))

    def checked(now: dt.datetime, cached: bool) -> List[str]:
        options = None if cached else ValidationOptions(allow_arrow=False)
        findings = validate_workspace(open_source(workspace), now=now, options=options).findings
        return [f.described("en") for f in findings if f.code.value == "ATTR_DATE_TOO_FAR"]

    today = checked(NOW, True)
    assert today and today == checked(NOW, False)
    tomorrow = NOW + dt.timedelta(days=1)
    assert checked(tomorrow, True) == checked(tomorrow, False) != today
