"""The publish as QGIS tasks in the real task manager: progress, the result
or a typed error in the main thread, cancel before the commit."""

from __future__ import annotations

import time
from dataclasses import replace

from qgis.core import QgsApplication

from covidmaps_plugin.core.publishing.auth import auth_headers
from covidmaps_plugin.core.publishing.errors import (
    NotAuthenticatedError,
    PublishCancelledError,
)
from covidmaps_plugin.core.publishing.task import PreviewTask, PublishTask


def run_task(task, cancel: bool = False, timeout_s: float = 60):
    done = []
    task.on_done = done.append
    progress = []
    task.progressChanged.connect(progress.append)
    QgsApplication.taskManager().addTask(task)
    if cancel:
        task.cancel()
    deadline = time.monotonic() + timeout_s
    while not done and time.monotonic() < deadline:
        QgsApplication.processEvents()
        time.sleep(0.01)
    assert done == [task], "the task did not finish"
    return progress


def test_preview_then_publish_what_was_previewed(endpoint, workspace_copy):
    request = endpoint.request(workspace_copy)
    preview = PreviewTask(request)
    run_task(preview)
    assert preview.error is None
    prepared = preview.prepared
    assert prepared.base_release == endpoint.manifest()["release_id"]
    assert any("điểm nguy cơ mới" in s for s in prepared.changes.sentences("vi"))

    publish = PublishTask(request, prepared)
    progress = run_task(publish)
    assert publish.error is None, publish.error
    assert publish.result.release_id == endpoint.manifest()["release_id"]
    assert publish.result.parent_id == prepared.base_release
    assert max(progress) == 100 and any(50 < p < 100 for p in progress)


def test_a_failure_comes_back_as_a_typed_error(endpoint, workspace_copy):
    before = endpoint.manifest()
    request = replace(endpoint.request(workspace_copy),
                      auth_headers=auth_headers(token="cmp_revoked"))
    task = PublishTask(request)
    run_task(task)
    assert isinstance(task.error, NotAuthenticatedError) and task.result is None
    assert endpoint.manifest() == before


def test_cancel_publishes_nothing(endpoint, workspace_copy):
    before = endpoint.manifest()
    task = PublishTask(endpoint.request(workspace_copy))
    run_task(task, cancel=True)
    assert isinstance(task.error, PublishCancelledError)
    assert "không thay đổi" in task.error.message("vi")
    assert endpoint.manifest() == before
