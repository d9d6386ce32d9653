# CovidMaps — the two commands first:
#   make demo   install what is needed, start the endpoint, publish the sample province
#   make test   install what is needed, run every test
SHELL := /bin/bash
.DEFAULT_GOAL := help

ROOT := $(abspath .)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
SYS_PY := /usr/bin/python3
PLUGIN := covidmaps_plugin
# the data model's own distribution, covidmaps-model (the endpoint depends on it)
MODEL_DIST := $(PLUGIN)/model
DIST := $(ROOT)/dist

# Debian packages the project needs (installed only when missing).
APT_PACKAGES := python3-qgis qgis qgis-providers python3-venv python3-pip \
	xvfb xauth x11-utils xdotool chromium nginx libnginx-mod-http-brotli-static \
	tinyproxy wrk gdal-bin qttools5-dev-tools pyqt5-dev-tools imagemagick git python3-pil
# Node.js and npm build the web map. The machine image may already carry a
# newer Node.js than Debian's (whose npm package would conflict with it), so
# Debian's are installed only when there is no node at all.
NODE_PACKAGES := $(if $(shell command -v node),,nodejs npm)

.PHONY: help setup apt venv i18n web test test-other test-debian demo package lint clean

help:
	@echo "make demo     start the endpoint on 127.0.0.1 and publish the sample province"
	@echo "make test     run every test"
	@echo "make test-other             the whole suite in a root of the other Debian release"
	@echo "make test-debian RELEASE=…  the same for bookworm, trixie or unstable"
	@echo "make setup | package | lint | clean"

setup: apt venv i18n web

apt:
	@missing=$$(for p in $(APT_PACKAGES) $(NODE_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq $$missing; \
	fi

venv: $(VENV)/.deps-stamp

$(VENV)/.deps-stamp: requirements-dev.txt tools/pick_pytest_qgis.py $(MODEL_DIST)/pyproject.toml publish/pyproject.toml
	@test -x $(PY) || $(SYS_PY) -m venv --system-site-packages $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt "$$($(PY) tools/pick_pytest_qgis.py)"
	@# a venv of an older checkout put the whole repository on the path; the
	@# endpoint now finds the model as the installed distribution it depends on
	rm -f "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/covidmaps_repo.pth"
	@# both distributions, editable (docs/deploy.md installs them for production)
	$(PY) -m pip install -q -e $(MODEL_DIST) -e publish
	touch $@

i18n:
	@for ts in $(PLUGIN)/i18n/*.ts; do \
		[ -f "$$ts" ] || continue; qm="$${ts%.ts}.qm"; \
		if [ ! -f "$$qm" ] || [ "$$ts" -nt "$$qm" ]; then lrelease -silent "$$ts" -qm "$$qm"; fi; \
	done

web: venv
	@# the service worker's copy of the wire grammars, generated from the model
	$(PY) -m covidmaps_plugin.model.wire > publish/web/src/generated/wire.json.tmp
	@cmp -s publish/web/src/generated/wire.json.tmp publish/web/src/generated/wire.json \
		&& rm publish/web/src/generated/wire.json.tmp \
		|| mv publish/web/src/generated/wire.json.tmp publish/web/src/generated/wire.json
	@if [ -f publish/web/package.json ]; then $(MAKE) -C publish/web build; fi

test: setup
	$(PY) tools/run_tests.py $(TEST_ARGS)

# The suite on the other Debian release (bookworm <-> trixie), or on a named
# one, in a root built once with mmdebstrap and cached (tools/debian_root.sh).
# TEST_ARGS passes through: make test-other TEST_ARGS="plugin -- -k desktop"
test-other:
	tools/debian_root.sh other test $(if $(TEST_ARGS),TEST_ARGS="$(TEST_ARGS)")

test-debian:
	@test -n "$(RELEASE)" || { echo "make test-debian RELEASE=bookworm|trixie|unstable"; exit 2; }
	tools/debian_root.sh $(RELEASE) test $(if $(TEST_ARGS),TEST_ARGS="$(TEST_ARGS)")

demo: setup
	$(PY) tools/demo.py $(DEMO_ARGS)

package: setup
	$(PY) tools/package_plugin.py --out $(DIST)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r $(PLUGIN) publish tools
	$(VENV)/bin/detect-secrets-hook --baseline .secrets.baseline $$(git ls-files)

clean:
	rm -rf $(DIST) tests/artifacts .pytest_cache
	find . -name '__pycache__' -prune -exec rm -rf {} +
	find $(PLUGIN) -name '*.qm' -delete
