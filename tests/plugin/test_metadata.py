"""metadata.txt holds what the QGIS plugin repository and QGIS itself need."""

from __future__ import annotations

import configparser
import re

import pytest

from .installed_plugin import PLUGIN, ROOT

# plugins.qgis.org rejects an upload without these
REQUIRED = ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email",
            "repository")
RECOMMENDED = ("tracker", "homepage", "tags", "category", "icon", "experimental", "deprecated",
               "hasProcessingProvider", "changelog", "supportsQt6")


@pytest.fixture(scope="module")
def general() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive for QGIS
    with open(ROOT / "metadata.txt", encoding="utf-8") as fh:
        parser.read_file(fh)
    return parser["general"]


@pytest.mark.parametrize("key", REQUIRED + RECOMMENDED)
def test_key_present_and_not_empty(general, key):
    assert general.get(key, "").strip(), f"metadata.txt lacks {key}"


def test_versions(general):
    assert re.fullmatch(r"\d+\.\d+\.\d+", general["version"])
    assert general["qgisMinimumVersion"] == "3.22"
    assert tuple(map(int, general["qgisMaximumVersion"].split("."))) >= (3, 22)


def test_contact_and_links(general):
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", general["email"])
    for key in ("repository", "tracker", "homepage"):
        assert general[key].startswith("https://"), key


def test_flags(general):
    for key in ("experimental", "deprecated", "supportsQt6"):
        assert general[key] in ("True", "False"), key
    assert general["deprecated"] == "False"
    assert general["hasProcessingProvider"] == "yes"


def test_icon_exists_in_the_package(general):
    assert (ROOT / PLUGIN / general["icon"]).is_file()


def test_texts_are_one_line_and_tags_are_lowercase(general):
    assert "\n" not in general["description"].strip()
    tags = [t.strip() for t in general["tags"].split(",")]
    assert all(t and t == t.lower() for t in tags)
