"""data_updated_at from the published features' ``updated_at`` (the
end-to-end check through the endpoint and the web map is in
tests/web/test_map_freshness_from_plugin.py)."""

from __future__ import annotations

import datetime as dt
import json

from covidmaps_plugin.core.export import LayerExport
from covidmaps_plugin.core.publishing.freshness import data_updated_at, latest_update
from covidmaps_plugin.model import PROVINCE_TZ

NOW = dt.datetime(2021, 6, 10, 10, 0, tzinfo=PROVINCE_TZ)


def _export(layer: str, *updated: str, **extra: str) -> LayerExport:
    features = [{"type": "Feature", "id": f"{layer}-{i}", "geometry": None,
                 "properties": {"name": extra.get("name", "x"), "updated_at": when}}
                for i, when in enumerate(updated)]
    return LayerExport.of_features(layer, features)


def test_the_newest_update_of_any_layer_in_any_offset():
    exports = [_export("risk_points", "2021-06-09T08:00:00+07:00", "2021-06-10T01:30:00Z"),
               _export("checkpoints", "2021-06-10T08:15:00+07:00")]
    assert latest_update(exports) == dt.datetime(2021, 6, 10, 8, 30, tzinfo=PROVINCE_TZ)
    assert data_updated_at(exports, NOW) == "2021-06-10T08:30:00+07:00"


def test_text_that_looks_like_the_field_inside_a_value_is_not_read():
    sneaky = json.dumps({"updated_at": "2021-06-10T09:59:00+07:00"}, separators=(",", ":"))
    exports = [_export("risk_points", "2021-06-09T08:00:00+07:00", name=sneaky)]
    assert b"2021-06-10T09:59" in exports[0].data
    assert data_updated_at(exports, NOW) == "2021-06-09T08:00:00+07:00"


def test_nothing_published_means_now_and_the_future_is_capped():
    assert data_updated_at([_export("risk_points")], NOW) == NOW.isoformat()
    future = [_export("risk_points", "2031-06-09T08:00:00+07:00")]  # a typo in the year
    assert data_updated_at(future, NOW) == NOW.isoformat()
