"""The ASGI application: a raw dispatcher with a fast public read path.

``/data/...`` and ``/`` are answered from memory (``ReleaseReader`` and
``web.load_web``): a dictionary lookup, a precomputed header list and one
``send``. ``/api/v1/...`` goes to the write API, ``/ogcapi/...`` to the OGC
API – Features module when it is installed. A read-only app
(``Config.read_only``, ``serve --read-only``) has no write API and never
imports the write side.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from typing import Any, Optional

from covidmaps_plugin.model.wire import BLOB_PATH, OPEN_DATA_PATH, PMTILES_PATH, RELEASE_PATH

from .config import Config
from .http import Receive, Scope, Send, send_json, send_problem, send_representation
from .problems import ProblemError
from .ranges import send_ranged
from .reader import ReleaseReader
from .storage import Storage, open_storage
from .web import load_web

log = logging.getLogger(__name__)

_READ_METHODS = ("GET", "HEAD")
SWITCH_INTERVAL_S = 0.001


def _not_found(path: str) -> ProblemError:
    return ProblemError(404, "not-found", "Not found", f"There is nothing at {path[:200]!r}.")


class CovidMapsApp:
    """Callable ASGI app; ``create_app`` builds it."""

    def __init__(self, config: Config, storage: Optional[Storage] = None) -> None:
        self.config = config
        # Worker threads check, encode and compress layers of tens of MB while
        # the event loop answers public reads. A thread waiting for the
        # interpreter lock gets it after the switch interval; 1 ms instead of
        # 5 keeps a read behind a busy check in the low milliseconds.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        self.storage = storage if storage is not None else open_storage(
            config.storage_url or str(config.data_dir), **(
                {"fsync": config.fsync} if not config.storage_url else {}))
        self.reader = ReleaseReader(self.storage, config.poll_interval_s)
        self.publisher: Any = None
        self.api: Any = None
        if not config.read_only:
            # the write side, imported only here: it brings the checks, numpy
            # and the tile builder, which a read-only instance never loads
            from .api import WriteApi
            from .publisher import Publisher

            self.publisher = Publisher(config, self.storage, self.reader)
            self.api = WriteApi(config, self.publisher)
            self.publisher.ensure_initial_release()
        self.web = load_web(config.web_dir, config.basemap_origin)
        self._ogcapi: Any = None
        self._poller: Optional[asyncio.Task] = None
        self.reader.refresh()
        if self.publisher is not None:
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
                if (m := PMTILES_PATH.fullmatch(path)) is not None:  # byte ranges
                    await send_ranged(scope, send, await self._pmtiles(path, m.group(1)), head)
                else:
                    await send_representation(scope, send, await self._data(path), head)
            elif path.startswith("/api/"):
                if self.api is None:
                    raise ProblemError(404, "read-only", "Read-only instance",
                                       "This instance serves the public map only; publish "
                                       "through the endpoint that has the write API.")
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
            # input never gets here: the checks are input stages (boundary.py)
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
        elif (m := RELEASE_PATH.fullmatch(path)) is not None:
            rep = reader.cached_release(m.group(1))
            if rep is None:
                rep = await asyncio.get_running_loop().run_in_executor(
                    None, reader.release_representation, m.group(1))
        elif (m := OPEN_DATA_PATH.fullmatch(path)) is not None:  # feed, keys, CSV (opendata.py)
            rep = await asyncio.get_running_loop().run_in_executor(
                None, reader.open_data_representation, m.group(1))
        else:
            rep = None
        if rep is None:
            raise _not_found(path)
        return rep

    async def _pmtiles(self, path: str, sha: str) -> Any:
        rep = self.reader.cached_pmtiles(sha)
        if rep is None:  # an older release's archive: a storage read, off the loop
            rep = await asyncio.get_running_loop().run_in_executor(
                None, self.reader.pmtiles_representation, sha)
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
                # serving only (not the CLI's other commands, which make an app too)
                if self.publisher is not None:
                    self.publisher.warm_tiles()
                self._poller = asyncio.create_task(self._poll())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._poller is not None:
                    self._poller.cancel()
                if self.publisher is not None:
                    self.publisher.audit.flush(everything=True)
                    self.publisher.close()
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
                if self.publisher is not None:
                    self.publisher.audit.flush()
            except OSError:
                log.exception("could not write the audit log")


def _method_not_allowed(allow: str) -> ProblemError:
    return ProblemError(405, "method-not-allowed", "Method not allowed",
                   f"This URL accepts {allow} only.", headers={"Allow": allow})


def create_app(config: Config, storage: Optional[Storage] = None) -> CovidMapsApp:
    """The ASGI app for ``config`` (``storage`` overrides the configured backend)."""
    return CovidMapsApp(config, storage)
