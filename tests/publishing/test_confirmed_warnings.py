"""Warnings confirmed at a publish are not asked about again for the same
workspace, the same feature and the same sentence, and only those."""

from __future__ import annotations

from dataclasses import replace

import pytest
from qgis.core import QgsSettings

from covidmaps_plugin.core.publishing.confirmed import (
    SETTINGS_KEY,
    confirmed_warnings,
    remember_confirmed,
    warning_key,
)
from covidmaps_plugin.core.validation import Finding, FindingCode, Severity


def _warning(uid: str, sentence: str) -> Finding:
    return Finding(FindingCode.PUBLISH_NOT_APPROVED, Severity.WARNING, "risk_points", 1, uid,
                   "approved", "vi " + sentence, sentence)


@pytest.fixture
def clean_settings(qgis_app):
    QgsSettings().remove(SETTINGS_KEY)
    yield
    QgsSettings().remove(SETTINGS_KEY)


def test_remembered_per_workspace_feature_and_sentence(clean_settings, tmp_path):
    first, second = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    shown = _warning("u-1", "will not be published")
    remember_confirmed(first, [shown])
    assert warning_key(shown) in confirmed_warnings(first)
    assert not confirmed_warnings(second)  # another workspace asks again
    # the same check on another feature, or a sentence that now reads otherwise
    assert warning_key(replace(shown, uid="u-2")) not in confirmed_warnings(first)
    assert warning_key(replace(shown, message_en="visible until 30/11 has passed")) \
        not in confirmed_warnings(first)
    # the next publish keeps what it went out with, and only that
    remember_confirmed(first, [replace(shown, uid="u-2")])
    assert warning_key(shown) not in confirmed_warnings(first)
