"""Run a Processing algorithm from the GUI: the one task wrapper.

Everything the toolbar does runs a ``covidmaps:`` algorithm, the same one
the toolbox and ``qgis_process`` run. Long work runs as a background task
(:func:`run_algorithm_task`: the QGIS task manager shows progress and a
cancel button); a quick one that the officer waits for anyway (checking a
small map after an edit) may run in place (:func:`run_algorithm`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set

from qgis.core import (
    QgsApplication,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
)

from ..i18n import tr
from .context import PluginContext


@dataclass
class TaskOutcome:
    ok: bool  # False when the algorithm failed or was cancelled
    results: Dict[str, Any] = field(default_factory=dict)
    # what the algorithm reported as errors: why it failed, or (when it ran
    # through) errors it found, e.g. the validator's first findings
    errors: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    cancelled: bool = False


DoneCallback = Callable[[TaskOutcome], None]


class CollectingFeedback(QgsProcessingFeedback):
    """Feedback that keeps the errors and warnings the algorithm reported, to show them after."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: List[str] = []
        self.warnings: List[str] = []

    def reportError(self, error: str, fatalError: bool = False) -> None:  # noqa: N802,N803
        self.errors.append(error)
        super().reportError(error, fatalError)

    def pushWarning(self, warning: str) -> None:  # noqa: N802
        self.warnings.append(warning)
        super().pushWarning(warning)


# tasks started without a plugin context (e.g. by a dock made in a test):
# their Python objects are kept here until they finish
_RUNNING: Set[Any] = set()


def _prepared(algorithm_id: str, parameters: Dict[str, Any]):
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(algorithm_id)
    if algorithm is None:
        raise ValueError(tr("Processing algorithm {0} is not available.").format(algorithm_id))
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    ok, message = algorithm.checkParameterValues(parameters, context)
    if not ok:
        raise ValueError(message)
    return algorithm, context


def run_algorithm(algorithm_id: str, parameters: Dict[str, Any],
                  feedback: Optional[QgsProcessingFeedback] = None) -> TaskOutcome:
    """Run ``algorithm_id`` now, in this thread (for quick work only).

    Raises ValueError (translated) when the parameters are invalid."""
    algorithm, context = _prepared(algorithm_id, parameters)
    collecting = CollectingFeedback()
    if feedback is not None:
        feedback.canceled.connect(collecting.cancel)
        collecting.progressChanged.connect(feedback.setProgress)
    results, ok = algorithm.run(parameters, context, collecting)
    cancelled = collecting.isCanceled()
    errors = list(collecting.errors) + ([tr("Cancelled.")] if cancelled else [])
    return TaskOutcome(bool(ok) and not cancelled, dict(results or {}), errors,
                       list(collecting.warnings), cancelled)


def run_algorithm_task(
    ctx: Optional[PluginContext], algorithm_id: str, parameters: Dict[str, Any],
    on_done: DoneCallback, description: str = "",
) -> QgsProcessingAlgRunnerTask:
    """Start ``algorithm_id`` as a task; ``on_done`` runs in the main thread.

    Raises ValueError (with a translated message) when the parameters are
    invalid, before any task starts.
    """
    algorithm, context = _prepared(algorithm_id, parameters)
    feedback = CollectingFeedback()
    task = QgsProcessingAlgRunnerTask(algorithm, parameters, context, feedback)
    if description:
        task.setDescription(description)
    keep = (task, algorithm, context, feedback)

    def finished(ok: bool, results: Dict[str, Any]) -> None:
        if ctx is not None:
            ctx.release(*keep)
        _RUNNING.discard(keep)
        if ctx is not None and ctx.unloading:
            return
        cancelled = feedback.isCanceled()
        errors = list(feedback.errors) + ([tr("Cancelled.")] if cancelled else [])
        on_done(TaskOutcome(bool(ok) and not cancelled, dict(results or {}), errors,
                            list(feedback.warnings), cancelled))

    task.executed.connect(finished)
    if ctx is not None:
        ctx.keep_alive(*keep)
    else:
        _RUNNING.add(keep)
    QgsApplication.taskManager().addTask(task)
    return task
