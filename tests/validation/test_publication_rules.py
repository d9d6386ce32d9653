"""Publication rule: every feature left off the map only for want of an
approval is named (a feature the officer added never vanishes silently)."""

from __future__ import annotations

from validation_helpers import make_layer, point, run, sound_attributes

from covidmaps_plugin.core.validation import FindingCode, Severity
from covidmaps_plugin.model import MODEL


def _layer(layer_name: str, **overrides):
    return {layer_name: make_layer(layer_name, [(point(),
                                                 sound_attributes(layer_name, **overrides))])}


def test_every_unapproved_feature_that_would_show_is_named():
    for layer in ("risk_points", "quarantine_facilities", "checkpoints"):
        report = run(_layer(layer, approved=False, name="Điểm chưa duyệt"))
        found = [f for f in report.findings if f.code is FindingCode.PUBLISH_NOT_APPROVED]
        assert len(found) == 1, (layer, [f.code for f in report.findings])
        finding = found[0]
        assert finding.severity is Severity.WARNING
        assert finding.feature_name == "Điểm chưa duyệt" and finding.field == "approved"
        assert "KHÔNG" in finding.message_vi and "will NOT be published" in finding.message_en
        assert "«Điểm chưa duyệt»" in finding.described("vi")


def test_approved_or_hidden_for_another_reason_is_not_reported():
    assert FindingCode.PUBLISH_NOT_APPROVED not in run(_layer("risk_points")).by_code()
    withdrawn = run(_layer("risk_points", approved=False, status="withdrawn"))
    assert FindingCode.PUBLISH_NOT_APPROVED not in withdrawn.by_code()
    expired = run(_layer("risk_points", approved=False,
                         visible_until="2021-06-09T11:00:00+07:00"))
    assert FindingCode.PUBLISH_NOT_APPROVED not in expired.by_code()


def test_null_approval_counts_as_not_approved():
    report = run(_layer("quarantine_facilities", approved=None))
    assert FindingCode.PUBLISH_NOT_APPROVED in report.by_code()


def test_every_layer_has_the_approval_field_the_rule_reads():
    assert all("approved" in layer.field_names for layer in MODEL.layers)
