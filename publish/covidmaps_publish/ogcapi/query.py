"""Query parameters of OGC API – Features, validated into plain values.

Every malformed value raises a 400 ``ProblemError`` that says what was wrong and
what a correct value looks like; nothing here can raise anything else.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qsl

from covidmaps_plugin.model import parse_instant

from ..boundary import input_stage
from ..grammar import DATE_ONLY, query_int
from ..problems import ProblemError
from .index import BBox, Interval

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
# Parameters every items request may carry; public property names are added
# per layer (simple equality filters, OGC API – Features Part 1 §7.15.8).
ITEMS_PARAMS = ("f", "bbox", "bbox-crs", "crs", "limit", "offset", "datetime")
FORMATS = ("json", "geojson")


def bad_request(parameter: str, detail: str) -> ProblemError:
    return ProblemError(400, "invalid-parameter", f"Invalid value of parameter '{parameter}'",
                   detail, extra={"parameter": parameter})


@input_stage("ogc-query", 400)
def parse_query(raw: bytes) -> Dict[str, str]:
    """The query string as a dict; a repeated parameter is an error (which
    of two bboxes would the client mean?)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProblemError(400, "invalid-query", "The query string is not valid UTF-8") from None
    params: Dict[str, str] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        if name in params:
            raise bad_request(name, f"'{name}' is given more than once; give it once.")
        params[name] = value
    return params


@input_stage("ogc-known-params", 400)
def check_known(params: Dict[str, str], allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ProblemError(400, "unknown-parameter", "Unknown query parameter",
                      f"Unknown parameter(s): {', '.join(unknown)}. "
                      f"Allowed here: {', '.join(allowed)}.",
                      extra={"parameters": unknown})


@input_stage("ogc-format", 400)
def check_format(params: Dict[str, str]) -> None:
    """Only JSON is served; ``f=json`` (or ``geojson``) may be stated."""
    value = params.get("f")
    if value is not None and value.lower() not in FORMATS:
        raise bad_request("f", f"Format {value!r} is not offered; use f=json.")


def parse_int(params: Dict[str, str], name: str, default: int, minimum: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    value = query_int(text.strip())
    if value is None:
        raise bad_request(name, f"'{name}' must be a whole number >= {minimum} (digits 0-9), "
                          f"got {text[:40]!r}.")
    if value < minimum:
        raise bad_request(name, f"'{name}' must be >= {minimum}, got {value}.")
    return value


def parse_limit(params: Dict[str, str]) -> int:
    """1..MAX_LIMIT; a larger limit is clamped to MAX_LIMIT (the standard
    lets the server return fewer items than asked, with a ``next`` link)."""
    return min(parse_int(params, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)


def parse_bbox(params: Dict[str, str]) -> Optional[BBox]:
    crs = params.get("bbox-crs")
    if crs is not None and crs != CRS84:
        raise bad_request("bbox-crs", f"Only {CRS84} is supported.")
    text = params.get("bbox")
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) not in (4, 6):
        raise bad_request("bbox", "bbox needs 4 numbers: min lon,min lat,max lon,max lat "
                          f"(WGS 84), got {text!r}.")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise bad_request("bbox", f"bbox must hold numbers only, got {text!r}.") from None
    if not all(math.isfinite(n) for n in numbers):
        raise bad_request("bbox", "bbox numbers must be finite.")
    if len(numbers) == 6:  # min x, min y, min z, max x, max y, max z: heights ignored
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    x0, y0, x1, y1 = numbers
    if not (-180 <= x0 <= 180 and -180 <= x1 <= 180 and -90 <= y0 <= 90 and -90 <= y1 <= 90):
        raise bad_request("bbox", "bbox is lon/lat in degrees: longitudes within -180..180, "
                          "latitudes within -90..90.")
    if y0 > y1:
        raise bad_request("bbox", "bbox min lat is greater than max lat.")
    return x0, y0, x1, y1


def _moment(text: str, end: bool) -> Optional[dt.datetime]:
    text = text.strip()
    if text in ("..", ""):
        return None
    moment = parse_instant(text)
    if moment is None:
        raise bad_request("datetime", f"{text[:60]!r} is not an RFC 3339 date-time "
                          "(e.g. 2021-06-01T08:00:00+07:00) or date (2021-06-01).")
    try:
        if end and DATE_ONLY.fullmatch(text):  # a date as an end means the whole day
            moment = moment + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
        # in UTC from here on, so no later comparison or conversion can overflow
        return moment.astimezone(dt.timezone.utc)
    except OverflowError:
        # an instant at the edge of the calendar (0001-01-01 with a positive
        # offset, 9999-12-31 as a whole day) is before or after every feature
        edge = dt.datetime.min if moment.year == 1 else dt.datetime.max
        return edge.replace(tzinfo=dt.timezone.utc)


def parse_datetime(params: Dict[str, str]) -> Optional[Interval]:
    """An instant (a date means the whole day) or ``start/end`` with ``..``
    or an empty string for an open end. Naive values are province time."""
    text = params.get("datetime")
    if text is None:
        return None
    pieces = text.split("/")
    if len(pieces) == 1:
        if pieces[0].strip() in ("..", ""):
            raise bad_request("datetime", "An instant cannot be open; use start/end.")
        return _moment(pieces[0], end=False), _moment(pieces[0], end=True)
    if len(pieces) != 2:
        raise bad_request("datetime", "Use an instant or an interval start/end.")
    start, end = _moment(pieces[0], end=False), _moment(pieces[1], end=True)
    if start is None and end is None and pieces[0].strip() == pieces[1].strip() == "":
        raise bad_request("datetime", "Both ends are empty; use ../.. for all times.")
    if start is not None and end is not None and start > end:
        raise bad_request("datetime", "The interval ends before it starts.")
    return start, end


@dataclass
class ItemsQuery:
    bbox: Optional[BBox]
    interval: Optional[Interval]
    limit: int
    offset: int
    equals: Dict[str, str] = field(default_factory=dict)


@input_stage("ogc-items-query", 400)
def parse_items_query(params: Dict[str, str], property_names: List[str]) -> ItemsQuery:
    check_known(params, ITEMS_PARAMS + tuple(property_names))
    check_format(params)
    crs = params.get("crs")
    if crs is not None and crs != CRS84:
        raise bad_request("crs", f"Only {CRS84} is supported.")
    equals = {name: params[name] for name in property_names if name in params}
    return ItemsQuery(parse_bbox(params), parse_datetime(params), parse_limit(params),
                      parse_int(params, "offset", 0, 0), equals)


def page_params(params: Dict[str, str], offset: int, limit: int) -> List[Tuple[str, str]]:
    """The query of another page: same filters, new offset/limit."""
    kept = [(k, v) for k, v in params.items() if k not in ("offset", "limit")]
    return kept + [("limit", str(limit)), ("offset", str(offset))]
