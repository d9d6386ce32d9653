"""``covidmaps:publish`` through the Processing framework (the same path the
toolbox, models and qgis_process take; qgis_process itself runs in
test_demo.py)."""

from __future__ import annotations

from typing import List

from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback

ALGORITHM = "covidmaps:publish"


class Feedback(QgsProcessingFeedback):
    def __init__(self) -> None:
        super().__init__()
        self.errors: List[str] = []
        self.infos: List[str] = []

    def reportError(self, error, fatalError=False):  # noqa: N802, N803
        self.errors.append(error)

    def pushInfo(self, info):  # noqa: N802
        self.infos.append(info)


def run(parameters):
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
    feedback = Feedback()
    results, ok = algorithm.run(parameters, QgsProcessingContext(), feedback)
    return results, ok, feedback


def test_publishes_with_the_environment_token(provider, endpoint, workspace_copy,
                                              monkeypatch):
    monkeypatch.setenv("COVIDMAPS_TOKEN", endpoint.token)
    results, ok, feedback = run({"WORKSPACE": str(workspace_copy), "ENDPOINT": endpoint.url,
                                 "CONFIRM_WARNINGS": True, "MESSAGE": "từ Processing"})
    assert ok, feedback.errors
    manifest = endpoint.manifest()
    assert results["RELEASE_ID"] == manifest["release_id"]
    assert results["MAP_URL"] == endpoint.url
    assert manifest["message"] == "từ Processing"
    assert any("uploaded" in line for line in feedback.infos)


def test_warnings_need_confirmation(provider, endpoint, workspace_copy, monkeypatch):
    monkeypatch.setenv("COVIDMAPS_TOKEN", endpoint.token)
    before = endpoint.manifest()
    _, ok, feedback = run({"WORKSPACE": str(workspace_copy), "ENDPOINT": endpoint.url})
    assert not ok
    assert any("warning" in e or "cảnh báo" in e for e in feedback.errors), feedback.errors
    assert endpoint.manifest() == before


def test_no_token_says_how_to_give_one(provider, endpoint, workspace_copy, monkeypatch):
    monkeypatch.delenv("COVIDMAPS_TOKEN", raising=False)
    _, ok, feedback = run({"WORKSPACE": str(workspace_copy), "ENDPOINT": endpoint.url})
    assert not ok and any("COVIDMAPS_TOKEN" in e for e in feedback.errors), feedback.errors
