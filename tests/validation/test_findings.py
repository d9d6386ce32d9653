"""Every code has a severity, a Vietnamese and an English message, and a
registered rule that can emit it."""

from __future__ import annotations

import string

from covidmaps_plugin.core.validation import CATALOG, RULES, FindingCode, Severity
from covidmaps_plugin.core.validation.findings import (
    Bilingual,
    ValidationReport,
    geos_reason_vi,
    make_finding,
)


def _placeholders(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_code_has_messages_in_both_languages():
    for code in FindingCode:
        spec = CATALOG[code]
        assert isinstance(spec.severity, Severity)
        assert spec.message_vi.strip() and spec.message_en.strip()
        assert spec.message_vi != spec.message_en, code
        # the same facts in both languages (except GEOS's reason, translated)
        assert _placeholders(spec.message_vi) - {"reason_vi"} == _placeholders(
            spec.message_en) - {"reason"}, code


def test_every_code_renders_with_bilingual_parameters():
    for code in FindingCode:
        names = _placeholders(CATALOG[code].message_vi) | _placeholders(CATALOG[code].message_en)
        params = {n: Bilingual(f"<{n} vi>", f"<{n} en>") for n in names}
        finding = make_finding(code, "risk_points", 1, "u", **params)
        for n in names:
            if n not in ("reason", "reason_vi"):
                assert f"<{n} vi>" in finding.message_vi
                assert f"<{n} en>" in finding.message_en
        assert finding.severity is CATALOG[code].severity
        assert finding.message("vi") == finding.message_vi


def test_every_code_is_emitted_by_a_registered_rule():
    declared = {code for registered in RULES for code in registered.codes}
    # SERVER_REJECTED: no rule here, the endpoint's 422 (server_findings)
    assert declared == set(FindingCode) - {FindingCode.SERVER_REJECTED}
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert {r.theme for r in RULES} == {"geometry", "attributes", "time", "privacy",
                                             "publication", "levels"}


def test_codes_are_stable_strings():
    for code in FindingCode:
        assert code.value == code.name and code.value.isupper()


def test_report_counts_and_blocking():
    report = ValidationReport()
    assert not report.blocking
    report.extend([make_finding(FindingCode.ATTR_DUPLICATE, "risk_points", 1, "u",
                                value="x", distance="3", other="y")])
    assert not report.blocking and report.counts[Severity.WARNING] == 1
    report.extend([make_finding(FindingCode.UID_MISSING, "risk_points", 2)])
    assert report.blocking
    data = report.to_dict()
    assert data["counts"] == {"error": 1, "warning": 1, "info": 0}
    assert data["findings"][1]["code"] == "UID_MISSING"


def test_geos_reasons_are_translated():
    assert geos_reason_vi("Self-intersection") == "các cạnh cắt nhau"
    assert geos_reason_vi("Ring Self-intersection") == "đường bao tự cắt hoặc tự chạm"
    assert geos_reason_vi("Something new") == "Something new"
