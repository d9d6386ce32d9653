"""The ASGI application: a raw dispatcher with a fast public read path.

``/data/...`` and ``/`` are answered from memory (``ReleaseReader`` and
``web.load_web``): a dictionary lookup, a precomputed header list and one
``send``. ``/api/v1/...`` goes to the write API, ``/ogcapi/...`` to the OGC
API – Features module when it is installed.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import re
from typing import Any, Optional

from .config import Config
from .grammar import BLOB_PATH, OPEN_DATA_PATH, RELEASE_PATH, TILE_PATH
from .http import Receive, Scope, Send, send_json, send_problem, send_representation
from .problems import ProblemError
from .reader import ReleaseReader
from .storage import Storage, open_storage
from .web import load_web

log = logging.getLogger(__name__)

_READ_METHODS = ("GET", "HEAD")


def _not_found(path: str) -> ProblemError:
    return ProblemError(404, "not-found", "Not found", f"There is nothing at {path[:200]!r}.")


class CovidMapsApp:
    """Callable ASGI app; ``create_app`` builds it."""

    def __init__(self, config: Config, storage: Optional[Storage] = None) -> None:
        from .api import WriteApi
        from .publisher import Publisher  # the write side (imports the checks)

        self.config = config
        self.storage = storage if storage is not None else open_storage(
            config.storage_url or str(config.data_dir), **(
                {"fsync": config.fsync} if not config.storage_url else {}))
        self.reader = ReleaseReader(self.storage, config.poll_interval_s)
        self.publisher = Publisher(config, self.storage, self.reader)
        self.api = WriteApi(config, self.publisher)
        self.web = load_web(config.web_dir, config.basemap_origin)
        self._ogcapi: Any = None
        self._poller: Optional[asyncio.Task] = None
        self.publisher.ensure_initial_release()
        self.reader.refresh()
        self.publisher.open_data.startup(self.reader.current_manifest())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    # -- dispatch ----------------------------------------------------------------
    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        head = method == "HEAD"
        try:
            if path.startswith("/data/"):
                if method not in _READ_METHODS:
                    raise _method_not_allowed("GET, HEAD")
                await send_representation(scope, send, await self._data(path), head)
            elif path.startswith("/api/"):
                await self.api.handle(scope, receive, send)
            elif path == "/ogcapi" or path.startswith("/ogcapi/"):
                await self._ogc(scope, receive, send)
            elif path == "/healthz":
                if method not in _READ_METHODS:
                    raise _method_not_allowed("GET, HEAD")
                await send_json(send, 200, {"status": "ok",
                                            "release_id": self.reader.current_release_id}, head)
            else:
                if method not in _READ_METHODS:
                    raise _method_not_allowed("GET, HEAD")
                rep = self.web.get(path[1:]) if ".." not in path else None
                if rep is None:
                    raise _not_found(path)
                await send_representation(scope, send, rep, head)
        except ProblemError as problem:
            await send_problem(send, problem, head)
        except Exception:  # noqa: BLE001 - a server fault (storage, a bug): a 500 problem
            # input never gets here: the checks are input stages (checks/boundary.py)
            log.exception("failure on %s %s", method, path[:200])
            try:
                await send_problem(send, ProblemError(
                    500, "internal-error", "Internal error",
                    "The server could not answer; try again shortly."), head)
            except RuntimeError:  # the answer had begun: uvicorn closes the connection
                pass

    async def _data(self, path: str) -> Any:
        reader = self.reader
        if path == "/data/manifest.json":
            rep = reader.pointer_representation()
        elif (m := BLOB_PATH.fullmatch(path)) is not None:
            rep = reader.cached_blob(m.group(1))
            if rep is None:  # an older release's blob: a storage read, off the loop
                rep = await asyncio.get_running_loop().run_in_executor(
                    None, reader.blob_representation, m.group(1))
        elif (m := TILE_PATH.fullmatch(path)) is not None:
            rep = reader.cached_tile(path[len("/data/"):])
            if rep is None:  # a storage read (checked against tiles.json), off the loop
                rep = await asyncio.get_running_loop().run_in_executor(None, _tile, reader, m)
        elif (m := RELEASE_PATH.fullmatch(path)) is not None:
            rep = reader.cached_release(m.group(1))
            if rep is None:
                rep = await asyncio.get_running_loop().run_in_executor(
                    None, reader.release_representation, m.group(1))
        elif (m := OPEN_DATA_PATH.fullmatch(path)) is not None:  # feed, keys, CSV (opendata.py)
            from .opendata import representation

            rep = await asyncio.get_running_loop().run_in_executor(
                None, representation, reader, m.group(1))
        else:
            rep = None
        if rep is None:
            raise _not_found(path)
        return rep

    async def _ogc(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._ogcapi is None:
            try:
                self._ogcapi = importlib.import_module("covidmaps_publish.ogcapi")
            except ModuleNotFoundError as exc:
                if exc.name != "covidmaps_publish.ogcapi":
                    raise
                self._ogcapi = False
        if not self._ogcapi:
            raise _not_found(scope["path"])
        await self._ogcapi.handle(scope, receive, send, self.reader)

    # -- lifespan: poll the pointer so other writers' releases show up --------
    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._poller = asyncio.create_task(self._poll())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._poller is not None:
                    self._poller.cancel()
                self.publisher.audit.flush(everything=True)
                self.storage.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _poll(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.config.poll_interval_s)
            try:
                await loop.run_in_executor(None, self.reader.refresh)
            except Exception:  # noqa: BLE001 - keep serving the last good release
                log.exception("could not refresh the current release")
            try:  # summaries of coalesced anonymous rejections (audit.py)
                self.publisher.audit.flush()
            except OSError:
                log.exception("could not write the audit log")


def _tile(reader: ReleaseReader, match: re.Match) -> Any:
    sha, z, x, y = match.groups()
    if z is None:
        return reader.tilejson_representation(sha)
    if any(len(part) > 1 and part.startswith("0") for part in (z, x, y)):
        return None  # one tile, one URL: no aliases with leading zeros
    if int(z) > 16 or max(int(x), int(y)) >= 2 ** int(z):
        return None
    return reader.tile_representation(sha, int(z), int(x), int(y))


def _method_not_allowed(allow: str) -> ProblemError:
    return ProblemError(405, "method-not-allowed", "Method not allowed",
                   f"This URL accepts {allow} only.", headers={"Allow": allow})


def create_app(config: Config, storage: Optional[Storage] = None) -> CovidMapsApp:
    """The ASGI app for ``config`` (``storage`` overrides the configured backend)."""
    return CovidMapsApp(config, storage)
