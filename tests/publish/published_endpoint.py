"""A real endpoint on 127.0.0.1 with a release published through its write
API (shared by the OGC API and nginx tests).

The sample is small but varied: risk points spread over the province with
staggered exposure windows, and isolation zones, so bbox, datetime and
paging have something to select.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

from covidmaps_publish.config import Config
from covidmaps_publish.server import ServerThread
from covidmaps_publish.tokens import TokenStore
from publish_client import Api
from publish_samples import collection, risk_point, zone

from covidmaps_plugin.model import PROVINCE_TZ

RISK_POINTS = 25
ZONES = 4
FIRST_DAY = dt.datetime(2021, 6, 1, 8, 0, tzinfo=PROVINCE_TZ)


def risk_points() -> List[Dict[str, Any]]:
    """Point i lies at (105.50 + 0.03 i, 21.90 + 0.03 i); its exposure runs
    from day i 08:00 to day i+2 08:00 (province time)."""
    features = []
    for i in range(RISK_POINTS):
        start = FIRST_DAY + dt.timedelta(days=i)
        features.append(risk_point(
            i, lon=round(105.50 + 0.03 * i, 6), lat=round(21.90 + 0.03 * i, 6),
            exposure_start=start.isoformat(),
            exposure_end=(start + dt.timedelta(days=2)).isoformat(),
            announced_on=(start + dt.timedelta(days=2)).date().isoformat(),
            visible_until="2099-01-01T00:00:00+07:00"))
    return features


def zones() -> List[Dict[str, Any]]:
    return [zone(i, effective_from=(FIRST_DAY + dt.timedelta(days=10 * i)).isoformat())
            for i in range(ZONES)]


@dataclass
class Published:
    server: ServerThread
    api: Api
    data_dir: Path
    features: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.api.session.close()
        self.server.stop()

    def publish(self, layers: Dict[str, List[Dict[str, Any]]]) -> str:
        """Upload and publish ``layers``; returns the new release id."""
        hashes = {}
        for name, feats in layers.items():
            put = self.api.put_layer(name, collection(feats))
            assert put.status_code in (200, 201), put.text
            hashes[name] = put.json()["sha256"]
        response = self.api.publish(hashes, self.api.current_id())
        assert response.status_code == 201, response.text
        self.features.update(layers)
        return response.json()["release_id"]


def start_published(data_dir: Path, **config: Any) -> Published:
    """Start the endpoint on ``data_dir`` and publish the sample."""
    token = TokenStore(data_dir / "private").create("officer-ogc")
    server = ServerThread(Config(data_dir=data_dir, fsync=False, poll_interval_s=0.05,
                                 **config)).start()
    published = Published(server, Api(server.url, token), data_dir)
    published.publish({"risk_points": risk_points(), "isolation_zones": zones()})
    return published
