"""Configuration of one endpoint instance (CLI flags map onto this)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from covidmaps_plugin.model import ProvinceProfile, load_profile

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on what one upload may cost the server (checked before work)."""

    max_blob_bytes: int = 20 * MB  # one layer's GeoJSON
    max_request_bytes: int = 256 * 1024  # JSON bodies of the other write routes
    max_depth: int = 16  # JSON nesting (a MultiPolygon needs 7 below the collection)
    max_features: int = 20_000  # per layer
    max_vertices_per_feature: int = 200_000  # before any GEOS call
    max_vertices_total: int = 1_000_000  # per layer
    max_errors: int = 100  # problem details list at most this many errors
    # layers from this size on also get a PMTiles archive (vectortiles.py)
    tiles_min_features: int = 1000
    tiles_min_bytes: int = 2 * MB
    # layers from this size on are checked, compressed and turned into CSV in
    # worker processes (offload.py), not in the one that answers reads
    offload_min_bytes: int = 4 * MB
    # the connection itself (guarded.py): what a slow or hostile client may hold
    max_header_bytes: int = 64 * 1024  # request line + headers; more: 431
    header_timeout_s: float = 10.0  # from the first byte of a request to its last header
    body_timeout_s: float = 10.0  # the longest pause between two parts of a body: 408
    # the audit log (audit.py): rotated at this size, this many old files kept
    audit_max_bytes: int = 8 * MB
    audit_keep: int = 4


@dataclass(frozen=True)
class Config:
    data_dir: Path  # private state (tokens, audit, idempotency) and, by default, the storage
    storage_url: Optional[str] = None  # "s3://bucket/prefix"; None: DATA_DIR/public/data
    web_dir: Optional[Path] = None  # the built web map (publish/web/dist)
    profile_id: str = "bac_kan_2020"  # id shipped with the model, or a JSON path
    basemap_origin: Optional[str] = None  # e.g. "https://tile.openstreetmap.org" for the CSP
    poll_interval_s: float = 0.2  # how often the reader checks the pointer
    fsync: bool = True
    limits: Limits = field(default_factory=Limits)
    # serve the public side only (/data/, /, /ogcapi/, /healthz): a read
    # replica beside the publishing instance, sharing its storage. It never
    # loads the write side (checks, numpy, tile building).
    read_only: bool = False

    def profile(self) -> ProvinceProfile:
        return load_profile(self.profile_id)

    @property
    def state_dir(self) -> Path:
        return Path(self.data_dir) / "private"
