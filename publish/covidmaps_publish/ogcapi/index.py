"""One layer blob parsed once into what the items queries need.

Blobs are content-addressed, so the index of a blob never goes stale: it is
cached by SHA-256 (bounded LRU) and shared by every release that references
the same bytes. Each feature is re-serialized once, so a page of items is a
join of ready-made byte strings, not a ``json.dumps`` of dictionaries.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from covidmaps_plugin.model import MODEL, FieldType, LayerDef, RuleKind, parse_instant
from covidmaps_plugin.model.geojson import bbox_of

from ..checks.jsonparse import loads_stored

BBox = Tuple[float, float, float, float]
# An open end of an interval is None.
Interval = Tuple[Optional[dt.datetime], Optional[dt.datetime]]

_TEMPORAL_TYPES = (FieldType.DATE, FieldType.DATETIME)


def temporal_fields(layer: LayerDef) -> Optional[Tuple[str, str]]:
    """The (start, end) fields of a layer's validity interval.

    Derived from the model, not listed here: it is the first "not after"
    rule between two date/datetime fields (risk points: exposure_start ..
    exposure_end; zones: effective_from .. effective_until; facilities and
    checkpoints: opened_on .. closed_on).
    """
    for rule in layer.rules:
        if rule.kind is not RuleKind.NOT_AFTER or not rule.upper:
            continue
        if (layer.has_field(rule.lower) and layer.has_field(rule.upper)
                and layer.field(rule.lower).type in _TEMPORAL_TYPES
                and layer.field(rule.upper).type in _TEMPORAL_TYPES):
            return rule.lower, rule.upper
    return None


def _instant(value: Any, field_type: FieldType, end: bool) -> Optional[dt.datetime]:
    """A property value as an aware datetime; a date's interval covers the
    whole day in the province's time zone."""
    moment = parse_instant(value)
    if moment is None:
        return None
    if end and field_type is FieldType.DATE:
        try:
            moment = moment + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
        except OverflowError:  # 9999-12-31 as a whole day: open-ended in practice
            return dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return moment


def union(boxes: Sequence[BBox]) -> Optional[BBox]:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass(frozen=True)
class Feature:
    id: str
    bbox: Optional[BBox]
    interval: Interval
    properties: Dict[str, Any]
    json: bytes  # the feature, compact, as it appears in responses


class LayerIndex:
    """The features of one blob with their bboxes and time intervals."""

    def __init__(self, layer_id: str, data: bytes) -> None:
        self.layer_id = layer_id
        collection = loads_stored(data)  # a blob of the release: lets reads run
        layer = MODEL.layer(layer_id) if layer_id in MODEL.layer_names else None
        self.temporal = temporal_fields(layer) if layer is not None else None
        start_type = end_type = FieldType.DATETIME
        if self.temporal and layer is not None:
            start_type = layer.field(self.temporal[0]).type
            end_type = layer.field(self.temporal[1]).type
        self.features: List[Feature] = []
        self.by_id: Dict[str, Feature] = {}
        for raw in collection.get("features", ()):
            props = raw.get("properties") or {}
            fid = str(raw.get("id", props.get("uid", "")))
            interval: Interval = (None, None)
            if self.temporal:
                interval = (_instant(props.get(self.temporal[0]), start_type, end=False),
                            _instant(props.get(self.temporal[1]), end_type, end=True))
            box = bbox_of([raw])
            feature = Feature(fid, tuple(box) if box else None, interval, props,  # type: ignore[arg-type]
                              json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
                              .encode("utf-8"))
            self.features.append(feature)
            self.by_id[fid] = feature
        self.bbox = union([f.bbox for f in self.features if f.bbox])
        self.extent_interval = self._extent_interval()

    def _extent_interval(self) -> Interval:
        if not self.temporal or not self.features:
            return None, None
        starts = [f.interval[0] for f in self.features]
        ends = [f.interval[1] for f in self.features]
        start = None if any(s is None for s in starts) else min(starts)  # type: ignore[type-var]
        end = None if any(e is None for e in ends) else max(ends)  # type: ignore[type-var]
        return start, end

    def select(self, bbox: Optional[BBox], interval: Optional[Interval],
               equals: Dict[str, str]) -> Iterator[Feature]:
        """Features that intersect ``bbox`` and ``interval`` and whose
        properties equal ``equals`` (compared as text), in blob order."""
        for feature in self.features:
            if bbox is not None and not bbox_intersects(feature.bbox, bbox):
                continue
            if interval is not None and not interval_intersects(feature.interval, interval):
                continue
            if equals and not all(_as_text(feature.properties.get(k)) == v
                                  for k, v in equals.items()):
                continue
            yield feature


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def bbox_intersects(feature: Optional[BBox], query: BBox) -> bool:
    """Whether two boxes intersect; a query with min lon > max lon crosses
    the antimeridian (OGC API – Features, bbox parameter)."""
    if feature is None:
        return False
    fx0, fy0, fx1, fy1 = feature
    qx0, qy0, qx1, qy1 = query
    if fy1 < qy0 or fy0 > qy1:
        return False
    if qx0 <= qx1:
        return not (fx1 < qx0 or fx0 > qx1)
    return fx1 >= qx0 or fx0 <= qx1


def interval_intersects(feature: Interval, query: Interval) -> bool:
    f_start, f_end = feature
    q_start, q_end = query
    if q_end is not None and f_start is not None and f_start > q_end:
        return False
    return not (q_start is not None and f_end is not None and f_end < q_start)


def finite_bbox(box: Optional[BBox]) -> Optional[List[float]]:
    if box is None or not all(math.isfinite(v) for v in box):
        return None
    return [round(v, 6) for v in box]


class IndexCache:
    """Bounded LRU of ``LayerIndex`` by blob SHA-256 (thread-safe)."""

    def __init__(self, max_entries: int = 32) -> None:
        self._entries: OrderedDict[str, LayerIndex] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, sha256: str) -> Optional[LayerIndex]:
        with self._lock:
            index = self._entries.get(sha256)
            if index is not None:
                self._entries.move_to_end(sha256)
            return index

    def put(self, sha256: str, index: LayerIndex) -> None:
        with self._lock:
            self._entries[sha256] = index
            self._entries.move_to_end(sha256)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
