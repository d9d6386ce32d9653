"""``make demo``: the whole chain on this machine, loopback only.

1. starts the publishing endpoint with embedded storage on 127.0.0.1
   (data under ``.demo/endpoint``; kept between runs, so a rerun adds a
   release to the same map);
2. creates a publishing token (the old demo token is revoked first; the
   token only travels in the environment of the one QGIS process that uses it);
3. creates the Bắc Kạn sample workspace with ``covidmaps:createworkspace``
   (``.demo/bac_kan_sample.gpkg``; made anew when the sample day, today in
   the province, has moved on since it was made);
4. publishes it with ``covidmaps:publish`` in real headless QGIS
   (``qgis_process.bin``, the plugin installed from its zip into a
   throw-away profile under ``.demo/qgis``);
5. prints the URL of the public map and serves it until Ctrl-C.

    .venv/bin/python tools/demo.py [--dir .demo] [--port 8765] [--no-wait]

``--no-wait`` stops the endpoint after publishing (used by the tests).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess  # nosec B404
import sys
import threading
from pathlib import Path
from typing import List, Optional

# subprocess runs this repository's own tools and QGIS, never user input
ROOT = Path(__file__).resolve().parent.parent
# the plugin's QGIS-side packages (core, gui) from this checkout; the model
# and the endpoint are installed distributions (make setup)
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
QGIS_PROCESS = "/usr/bin/qgis_process.bin"  # /usr/bin/qgis_process fails on Debian 12
WEB_DIST = ROOT / "publish" / "web" / "dist"
# the token's label, not a token
TOKEN_NAME = "demo"  # noqa: S105  # nosec B105
DEFAULT_PORT = 8765


class DemoError(RuntimeError):
    pass


def say(text: str) -> None:
    print(f"[demo] {text}", flush=True)


def publish_cli() -> List[str]:
    exe = VENV_BIN / "covidmaps-publish"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "covidmaps_publish.cli"]


def _installer():
    """The plugin installer the plugin tests use (zip built by
    tools/package_plugin.py, unzipped into a fresh profile and enabled)."""
    path = ROOT / "tests" / "plugin" / "installed_plugin.py"
    spec = importlib.util.spec_from_file_location("covidmaps_installed_plugin", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def install_plugin(demo_dir: Path) -> Path:
    """A fresh QGIS config dir with the current plugin installed; its path."""
    installer = _installer()
    config = demo_dir / "qgis"
    shutil.rmtree(config, ignore_errors=True)
    dist = demo_dir / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True)
    installer.install(installer.build_zip(dist), config)
    return config


def qgis_process(config: Path, algorithm: str, params: dict,
                 token: str = "") -> dict:  # nosec B107
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(config), QT_QPA_PLATFORM="offscreen",
               XDG_RUNTIME_DIR=str(config))
    env.pop("COVIDMAPS_TOKEN", None)
    if token:
        env["COVIDMAPS_TOKEN"] = token
    args = [QGIS_PROCESS, "--json", "run", algorithm, "--"]
    args += [f"{k}={v}" for k, v in params.items()]
    done = subprocess.run(args, env=env, capture_output=True, text=True,  # nosec B603
                          timeout=300, check=False)
    if done.returncode != 0:
        raise DemoError(f"{algorithm} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def create_token(data_dir: Path) -> str:
    cli = publish_cli()
    revoke = [*cli, "token", "revoke", TOKEN_NAME, "--data", str(data_dir)]
    subprocess.run(revoke, capture_output=True, check=False)  # nosec B603
    done = subprocess.run(  # nosec B603
        [*cli, "token", "create", TOKEN_NAME, "--data", str(data_dir)],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DemoError(f"token create failed: {done.stderr}")
    return done.stdout.strip().splitlines()[0]


class Endpoint:
    """``covidmaps-publish serve`` as a child process."""

    def __init__(self, data_dir: Path, port: int) -> None:
        args = [*publish_cli(), "serve", "--data", str(data_dir), "--host", "127.0.0.1",
                "--port", str(port)]
        if (WEB_DIST / "index.html").is_file():
            args += ["--web-dir", str(WEB_DIST)]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE,  # nosec B603
                                        text=True, start_new_session=True)
        line = self.process.stdout.readline() if self.process.stdout else ""
        match = re.search(r"http://[\w.:\[\]-]+", line)
        if match is None:
            self.stop()
            raise DemoError(f"the endpoint did not start (port {port} busy?): {line!r}")
        self.url = match.group(0) + "/"
        # keep reading its output so a full pipe never blocks it
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.process.stdout or ():
            print(f"[endpoint] {line.rstrip()}", flush=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_endpoint(data_dir: Path, port: int) -> Endpoint:
    try:
        return Endpoint(data_dir, port)
    except DemoError:
        if port == 0:
            raise
        say(f"port {port} is busy; using a free port instead")
        return Endpoint(data_dir, 0)


def run(demo_dir: Path, port: int, wait: bool) -> int:
    demo_dir = demo_dir.resolve()
    data_dir = demo_dir / "endpoint"
    workspace = demo_dir / "bac_kan_sample.gpkg"
    data_dir.mkdir(parents=True, exist_ok=True)
    say("installing the plugin into a demo QGIS profile")
    config = install_plugin(demo_dir)
    # PyQGIS only here: the rest of the driver runs QGIS through qgis_process
    from covidmaps_plugin.core.sample_data import province_today
    from covidmaps_plugin.core.workspace import remove_gpkg_files

    sample_day = province_today().isoformat()
    made_for = demo_dir / "sample_day.txt"
    if workspace.exists() and (not made_for.exists()
                               or made_for.read_text(encoding="utf-8").strip() != sample_day):
        # The sample's dates are relative to the day it is made for: a
        # workspace from an earlier day would publish yesterday's map (and
        # after a few days, one where every record has expired).
        say(f"the sample workspace is not from {sample_day}; making it anew")
        remove_gpkg_files(workspace)
    if not workspace.exists():
        say(f"creating the sample workspace {workspace}")
        qgis_process(config, "covidmaps:createworkspace", {
            "OUTPUT": workspace, "PROFILE": "bac_kan_2020", "WITH_SAMPLE": "true",
            "OPEN": "false"})
        made_for.write_text(sample_day + "\n", encoding="utf-8")
    token = create_token(data_dir)
    endpoint = start_endpoint(data_dir, port)
    interrupted = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    signal.signal(signal.SIGTERM, lambda *_: interrupted.set())
    try:
        say(f"endpoint running at {endpoint.url}")
        say("publishing with covidmaps:publish (qgis_process)")
        result = qgis_process(config, "covidmaps:publish", {
            "WORKSPACE": workspace, "ENDPOINT": endpoint.url,
            "CONFIRM_WARNINGS": "true", "MESSAGE": "make demo"}, token)
        outputs = result["results"]
        say(f"published release {outputs['RELEASE_ID']}")
        print(f"Public map: {outputs['MAP_URL']}", flush=True)
        print(f"Manifest:   {endpoint.url}data/manifest.json", flush=True)
        print(f"OGC API:    {endpoint.url}ogcapi/", flush=True)
        if wait:
            say("serving; press Ctrl-C to stop")
            while not interrupted.wait(0.5) and endpoint.process.poll() is None:
                pass
    finally:
        endpoint.stop()
        say("endpoint stopped")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=str(ROOT / ".demo"), help="demo state directory")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--no-wait", action="store_true", help="stop after publishing")
    args = parser.parse_args(argv)
    try:
        return run(Path(args.dir), args.port, not args.no_wait)
    except DemoError as exc:
        print(f"[demo] error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
