"""Run a Processing algorithm from the GUI as a background task.

The task shows in the QGIS task manager with progress and a cancel button;
the algorithm is the same one the toolbox and ``qgis_process`` run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List

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
    errors: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)


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


def run_algorithm_task(
    ctx: PluginContext, algorithm_id: str, parameters: Dict[str, Any], on_done: DoneCallback
) -> QgsProcessingAlgRunnerTask:
    """Start ``algorithm_id`` as a task; ``on_done`` runs in the main thread.

    Raises ValueError (with a translated message) when the parameters are
    invalid, before any task starts.
    """
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(algorithm_id)
    if algorithm is None:
        raise ValueError(tr("Processing algorithm {0} is not available.").format(algorithm_id))
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    ok, message = algorithm.checkParameterValues(parameters, context)
    if not ok:
        raise ValueError(message)
    feedback = CollectingFeedback()
    task = QgsProcessingAlgRunnerTask(algorithm, parameters, context, feedback)
    keep = (task, algorithm, context, feedback)

    def finished(ok: bool, results: Dict[str, Any]) -> None:
        ctx.release(*keep)
        if ctx.unloading:
            return
        errors = list(feedback.errors)
        if feedback.isCanceled():
            errors.append(tr("Cancelled."))
        ok = bool(ok) and not errors
        on_done(TaskOutcome(ok, dict(results or {}), errors, list(feedback.warnings)))

    task.executed.connect(finished)
    ctx.keep_alive(*keep)
    QgsApplication.taskManager().addTask(task)
    return task
