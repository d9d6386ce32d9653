"""A thin HTTP client of the write API for the tests."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import requests
from publish_samples import sha


class Api:
    def __init__(self, base: str, token: Optional[str]) -> None:
        self.base = base
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def current_id(self) -> str:
        return requests.get(f"{self.base}/data/manifest.json", timeout=10).json()["release_id"]

    def put_layer(self, layer: str, data: bytes) -> requests.Response:
        return self.session.put(f"{self.base}/api/v1/layers/{layer}/blobs/{sha(data)}",
                                data=data, headers={"Content-Type": "application/geo+json"},
                                timeout=30)

    def put_patch(self, layer: str, target: str, base: str, upsert: List[Dict[str, Any]],
                  delete: Optional[List[str]] = None) -> requests.Response:
        """PUT the blob ``target`` (sha256) as a patch of the stored ``base``."""
        body = {"base": base, "upsert": upsert, "delete": delete or []}
        return self.session.put(
            f"{self.base}/api/v1/layers/{layer}/blobs/{target}",
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/vnd.covidmaps.patch+json"}, timeout=30)

    def publish(self, layers: Dict[str, str], if_match: Optional[str], key: Optional[str] = None,
                message: str = "test", **extra: Any) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        if key is not None:
            headers["Idempotency-Key"] = key
        body = {"layers": layers, "message": message, **extra}
        return self.session.post(f"{self.base}/api/v1/releases", data=json.dumps(body),
                                 headers=headers, timeout=30)

    def publish_layer(self, layer: str, data: bytes, **kw: Any) -> requests.Response:
        put = self.put_layer(layer, data)
        assert put.status_code in (200, 201), put.text
        return self.publish({layer: put.json()["sha256"]}, self.current_id(), **kw)
