"""docs/deploy.md, "1. Install", followed as written: its ``python3 -m venv``
and ``pip install`` lines, read from the document itself, build both
distributions from the repository into a new virtualenv without system site
packages; the installed ``covidmaps-publish`` then runs from an empty
directory (no repository on its path), starts on 127.0.0.1 and takes a
release. pip uses its cache; the only network is the package registry.

Before issue 14 the same steps gave an endpoint that died with
``ModuleNotFoundError: No module named 'covidmaps_plugin'``; the last test
keeps showing why the model must be a dependency: the endpoint's wheel alone
does not carry it.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests
from publish_client import Api
from publish_samples import collection, risk_point

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy.md"
DOC_VENV = "/opt/covidmaps/venv"  # the virtualenv docs/deploy.md installs into


def _clean_env() -> Dict[str, str]:
    """The caller's environment without anything that puts code on the path;
    Debian's python3 first, as on the server the document describes."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env["PATH"] = "/usr/bin:/bin:" + env.get("PATH", "")
    return env


def install_commands() -> List[str]:
    """The virtualenv and pip lines of the first code block of "1. Install"."""
    section = DEPLOY.read_text(encoding="utf-8").split("## 1. Install", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        command = line.split("  #", 1)[0].strip()  # a comment after two spaces
        if command.startswith(("python3 -m venv ", f"{DOC_VENV}/bin/pip ")):
            commands.append(command)
    return commands


def _run(command: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=_clean_env(),
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def build_dirs_removed() -> Iterator[None]:
    """setuptools builds in the source tree (``build/``): leave the checkout
    as it was."""
    made = [d / "build" for d in (ROOT / "covidmaps_plugin" / "model", ROOT / "publish")
            if not (d / "build").exists()]
    yield
    for directory in made:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def deployed_venv(tmp_path_factory: pytest.TempPathFactory, build_dirs_removed: None) -> Path:
    venv = tmp_path_factory.mktemp("deploy") / "venv"
    commands = install_commands()
    assert [c.split()[0] for c in commands] == ["python3", f"{DOC_VENV}/bin/pip"], commands
    for command in commands:
        done = _run(command.replace(DOC_VENV, str(venv)), ROOT)
        assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    return venv


def test_the_documented_install_runs_and_takes_a_release(deployed_venv: Path, tmp_path: Path):
    venv = deployed_venv
    # a plain virtualenv: nothing of Debian's or the repository's is visible
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    empty = tmp_path / "cwd"
    empty.mkdir()
    where = _run(f"{venv}/bin/python -c " + shlex.quote(
        "import json, sys, importlib.metadata as md, covidmaps_plugin.model as m, "
        "covidmaps_publish as p; print(json.dumps({'model': m.__file__, 'publish': p.__file__,"
        " 'path': sys.path, 'requires': md.requires('covidmaps-publish')}))"), empty)
    assert where.returncode == 0, where.stderr
    found = json.loads(where.stdout)
    site = str(venv / "lib")
    assert found["model"].startswith(site) and found["publish"].startswith(site), found
    assert not any(str(ROOT) in entry for entry in found["path"]), found["path"]
    # the endpoint asks for exactly the model it was built with
    model_version = json.loads(_run(f"{venv}/bin/python -c " + shlex.quote(
        "import json, importlib.metadata as md; print(json.dumps(md.version('covidmaps-model')))"),
        empty).stdout)
    assert f"covidmaps-model=={model_version}" in found["requires"], found["requires"]

    data = tmp_path / "data"
    created = _run(f"{venv}/bin/covidmaps-publish token create officer-1 --data {data}", empty,
                   timeout=120)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    server = subprocess.Popen(  # the console script as systemd starts it, on loopback
        [str(venv / "bin" / "covidmaps-publish"), "serve", "--data", str(data),
         "--host", "127.0.0.1", "--port", "0"],
        cwd=empty, env=_clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline() if server.stdout else ""
        if "listening on" not in line:
            server.kill()
            _, err = server.communicate(timeout=30)
            pytest.fail(f"the installed endpoint did not start: {line!r}\n{err[-3000:]}")
        url = line.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:")
        api = Api(url, token)
        published = api.publish_layer("risk_points", collection([risk_point(1), risk_point(2)]))
        api.session.close()
        assert published.status_code == 201, published.text
        manifest = requests.get(f"{url}/data/manifest.json", timeout=10).json()
        assert manifest["release_id"] == published.json()["release_id"]
        entry = next(e for e in manifest["layers"] if e["id"] == "risk_points")
        assert entry["feature_count"] == 2
        blob = requests.get(f"{url}/data/{entry['blob']['href']}", timeout=10)
        assert blob.status_code == 200 and len(json.loads(blob.content)["features"]) == 2
    finally:
        server.terminate()
        server.wait(30)
        for pipe in (server.stdout, server.stderr):
            if pipe is not None:
                pipe.close()


def test_the_endpoint_wheel_alone_lacks_the_model(tmp_path: Path, build_dirs_removed: None):
    """``pip install --no-deps ./publish``: the endpoint without its model
    dependency fails as the documented install did before the model became
    a distribution. So the release above can only have come from the
    installed ``covidmaps-model``."""
    venv = tmp_path / "venv"
    for command in (f"python3 -m venv {venv}", f"{venv}/bin/pip install -q --no-deps ./publish"):
        done = _run(command, ROOT)
        assert done.returncode == 0, done.stderr[-3000:]
    empty = tmp_path / "cwd"
    empty.mkdir()
    failed = _run(f"{venv}/bin/python -c 'import covidmaps_publish.config'", empty)
    assert failed.returncode != 0
    assert "ModuleNotFoundError: No module named 'covidmaps_plugin'" in failed.stderr
