""""Cập nhật" on the public map is when the published data was last
updated, not when someone pressed Publish: the sample workspace published by
the plugin's pipeline (real QGIS, real endpoint, real Chromium) shows the
newest ``updated_at`` among the features actually published; a newer edit
of a feature that is not published does not count."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, Tuple

import pytest
from qgis.core import QgsProject, QgsVectorLayer
from webmap_browser import open_map
from webmap_expect import vn_datetime
from webmap_publish import endpoint

from covidmaps_plugin.core.fields import to_stored_value
from covidmaps_plugin.model import MODEL, PROVINCE_TZ


def set_updated_at(gpkg: Path, layer_name: str, uid: str, when: dt.datetime) -> None:
    """One feature last updated at ``when``, in the workspace file. Written
    through the provider: an edit in QGIS would stamp "now" (the workspace's
    on-update default), and the test needs distinct, known times."""
    layer = QgsVectorLayer(f"{gpkg}|layername={layer_name}", layer_name, "ogr")
    assert layer.isValid()
    fld = MODEL.layer(layer_name).field("updated_at")
    (feature,) = [f for f in layer.getFeatures() if f["uid"] == uid]
    index = layer.fields().indexOf("updated_at")
    assert layer.dataProvider().changeAttributeValues(
        {feature.id(): {index: to_stored_value(fld, when.isoformat())}})


def published_and_hidden(gpkg: Path, now: dt.datetime) -> Tuple[Dict[str, str], Dict[str, str]]:
    """One published and one hidden feature uid per layer that has them."""
    from covidmaps_plugin.core.export import export_layers
    from covidmaps_plugin.core.publishing.source import open_source

    exports = export_layers(open_source(gpkg).layers, now)
    shown = {name: e.uids[0] for name, e in exports.items() if e.uids}
    hidden = {name: next(iter(e.hidden)) for name, e in exports.items() if e.hidden}
    return shown, hidden


@pytest.fixture(scope="module")
def published(qgis_app, tmp_path_factory, web_dist) -> Iterator[dict]:
    from covidmaps_plugin.core.publishing.auth import auth_headers
    from covidmaps_plugin.core.publishing.pipeline import PublishRequest, publish
    from covidmaps_plugin.core.workspace import create_workspace

    root = tmp_path_factory.mktemp("freshness")
    gpkg = root / "workspace.gpkg"
    project = QgsProject()
    create_workspace(gpkg, with_sample=True, project=project)
    project.clear()
    now = dt.datetime.now(PROVINCE_TZ).replace(microsecond=0)
    shown, hidden = published_and_hidden(gpkg, now)
    assert shown and hidden, "the sample has published and hidden features"
    # The sample's own times are on the sample day and never later than now;
    # seconds before now is newer than all of them at any time of day.
    newest_shown = now - dt.timedelta(seconds=2)
    (shown_layer, shown_uid), (hidden_layer, hidden_uid) = (next(iter(shown.items())),
                                                            next(iter(hidden.items())))
    set_updated_at(gpkg, shown_layer, shown_uid, newest_shown)
    # edited later still, but not on the public map: it must not count
    set_updated_at(gpkg, hidden_layer, hidden_uid, now - dt.timedelta(seconds=1))

    with endpoint(root / "data", web_dist) as server:
        request = PublishRequest(gpkg, server.base + "/", auth_headers(token=server.token),
                                 validate=False, now=now)
        result = publish(request)
        with urllib.request.urlopen(f"{server.base}/data/manifest.json",  # noqa: S310
                                    timeout=30) as resp:
            manifest = json.loads(resp.read())
        yield {"base": server.base, "manifest": manifest, "expected": newest_shown,
               "release_id": result.release_id, "now": now}


def test_manifest_says_when_the_published_data_was_last_updated(published):
    manifest = published["manifest"]
    assert manifest["release_id"] == published["release_id"]
    expected = published["expected"]
    assert dt.datetime.fromisoformat(manifest["data_updated_at"]) == expected
    assert manifest["data_updated_at"] == expected.isoformat(timespec="seconds")
    # not the publish time
    assert dt.datetime.fromisoformat(manifest["created_at"]) > expected


def test_the_map_shows_the_data_time(page, published):
    open_map(page, published["base"] + "/")
    assert page.text_content("#updated-time") == vn_datetime(
        published["manifest"]["data_updated_at"])
    assert page.get_attribute("#updated-time", "datetime") == published["manifest"][
        "data_updated_at"]
