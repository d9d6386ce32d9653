"""The publish as QGIS background tasks: QGIS never freezes, the task
manager shows progress and a cancel button.

``PreviewTask`` validates, exports and compares with the public map (it
sends nothing); ``PublishTask`` uploads what the preview exported (so the
officer publishes exactly what was shown) and commits with ``If-Match`` on
the previewed release. A cancel before the commit leaves the public map as
it was; once the commit is sent the publish completes.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from qgis.core import QgsFeedback, QgsTask

from ..errors import WorkspaceError
from .errors import PublishCancelledError, PublishError
from .pipeline import (
    Prepared,
    PublishRequest,
    PublishResult,
    make_client,
    prepare,
    upload_and_commit,
)

DoneCallback = Callable[["PipelineTask"], None]


class PipelineTask(QgsTask):
    """Runs one stage of the pipeline in a worker thread; ``on_done(task)``
    runs in the main thread with ``task.error`` set on failure."""

    def __init__(self, description: str, request: PublishRequest, lang: str,
                 on_done: Optional[DoneCallback] = None) -> None:
        super().__init__(description, QgsTask.Flag.CanCancel)
        self.request = request
        self.lang = lang
        self.on_done = on_done
        self.error: Optional[PublishError] = None
        self._feedback: Optional[QgsFeedback] = None

    def work(self, feedback: QgsFeedback) -> None:
        raise NotImplementedError

    def run(self) -> bool:  # worker thread
        feedback = QgsFeedback()
        feedback.progressChanged.connect(self.setProgress)
        self._feedback = feedback
        if self.isCanceled():
            feedback.cancel()
        try:
            self.work(feedback)
            return True
        except PublishError as exc:
            self.error = exc
        except WorkspaceError as exc:
            self.error = PublishError(exc.message_vi, exc.message_en)
        except Exception as exc:  # noqa: BLE001 - shown to the officer, never lost
            self.error = PublishError(f"Lỗi không mong đợi khi công bố: {exc!r}",
                                      f"Unexpected error while publishing: {exc!r}")
        return False

    def cancel(self) -> None:
        if self._feedback is not None:
            self._feedback.cancel()
        super().cancel()

    def finished(self, result: bool) -> None:  # main thread
        if not result and self.error is None:
            self.error = PublishCancelledError()
        if self.on_done is not None:
            self.on_done(self)


class PreviewTask(PipelineTask):
    """Validate + export + compare; ``prepared`` holds the outcome."""

    def __init__(self, request: PublishRequest, lang: str = "vi",
                 on_done: Optional[DoneCallback] = None) -> None:
        super().__init__("CovidMaps: kiểm tra trước khi công bố / checking before publishing",
                         request, lang, on_done)
        self.prepared: Optional[Prepared] = None

    def work(self, feedback: QgsFeedback) -> None:
        client = make_client(self.request, feedback)
        try:
            self.prepared = prepare(self.request, client, self.lang, feedback)
        finally:
            client.close()


class PublishTask(PipelineTask):
    """Upload + commit; ``prepared`` from a PreviewTask, or exported here."""

    def __init__(self, request: PublishRequest, prepared: Optional[Prepared] = None,
                 lang: str = "vi", on_done: Optional[DoneCallback] = None) -> None:
        super().__init__("CovidMaps: công bố bản đồ / publishing the map", request, lang,
                         on_done)
        self.prepared = prepared
        self.result: Optional[PublishResult] = None

    def work(self, feedback: QgsFeedback) -> None:
        client = make_client(self.request, feedback)
        try:
            prepared = self.prepared or prepare(self.request, client, self.lang, feedback,
                                                with_changes=False)
            self.result = upload_and_commit(self.request, prepared, client, feedback)
        finally:
            client.close()


class CallTask(PipelineTask):
    """A small API call (history, rollback) off the main thread;
    ``value`` holds what ``call(client)`` returned."""

    def __init__(self, description: str, request: PublishRequest,
                 call: Callable[[Any], Any], on_done: Optional[DoneCallback] = None) -> None:
        super().__init__(description, request, "vi", on_done)
        self.call = call
        self.value: Any = None

    def work(self, feedback: QgsFeedback) -> None:
        client = make_client(self.request, feedback)
        try:
            self.value = self.call(client)
        finally:
            client.close()
