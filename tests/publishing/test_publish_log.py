"""The headless ``covidmaps:publish`` logs each validation finding the way
the dialog and the validation dock name it: layer title, the feature's name,
the message with dates as dd/mm/yyyy HH:MM."""

from __future__ import annotations

import datetime as dt
import re

from covidmaps_plugin.core.i18n import current_language
from covidmaps_plugin.core.publishing.pipeline import validate_source
from covidmaps_plugin.core.publishing.source import open_source
from covidmaps_plugin.model import PROVINCE_TZ

from .test_processing_publish import run


def test_the_log_names_each_warning_s_feature(provider, endpoint, workspace_copy, monkeypatch):
    lang = current_language()
    expected = validate_source(open_source(workspace_copy), dt.datetime.now(PROVINCE_TZ), lang)
    assert expected.warnings and len(expected.findings) == len(expected.warnings)
    monkeypatch.setenv("COVIDMAPS_TOKEN", endpoint.token)
    _, ok, feedback = run({"WORKSPACE": str(workspace_copy), "ENDPOINT": endpoint.url,
                           "CONFIRM_WARNINGS": True})
    assert ok, feedback.errors
    logged = [line[2:] for line in feedback.infos if line.startswith("! ")]
    assert logged == list(expected.warnings)
    for finding, line in zip(expected.findings, logged):
        assert line.startswith(f"{finding.layer_title(lang)} «{finding.feature_name}»: ")
        if finding.code.value.startswith("TIME_"):  # the date that passed, as officers write
            assert re.search(r"\(\d\d/\d\d/\d{4} \d\d:\d\d\)", line), line
