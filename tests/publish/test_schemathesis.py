"""Property-based run of schemathesis against the served OpenAPI document:
no 5xx, no undocumented status code, responses conform to their schemas."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_schemathesis_finds_no_server_error_and_no_undocumented_status(server, token, tmp_path):
    if not SCHEMATHESIS.exists():
        pytest.fail("schemathesis is missing: pip install -r requirements-dev.txt")
    cmd = [str(SCHEMATHESIS), "run", f"{server.url}/api/v1/openapi.json",
           "--url", server.url,
           "-H", f"Authorization: Bearer {token}",
           "--checks", "not_a_server_error,status_code_conformance,"
                       "content_type_conformance,response_schema_conformance",
           "--max-examples", "15", "--seed", "7", "--generation-deterministic",
           "--phases", "examples,coverage,fuzzing",
           "--request-timeout", "20", "--suppress-health-check", "all"]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="", HOME=str(tmp_path),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=240,
                            cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Tested: 6" in result.stdout, result.stdout[-3000:]  # every operation ran
