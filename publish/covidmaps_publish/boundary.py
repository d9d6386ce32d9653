"""The one place where an input's parse or check turns into an answer.

Every parser and check of client input is an *input stage*
(``@input_stage(name, status)``). A stage refuses bad input by raising a
``ProblemError`` (the answer, as written). Anything else it raises is a bug
in the stage, met on some input nobody foresaw: the request is still
refused as a 4xx problem (the input was not proven good, so nothing may be
stored, and the client can act on the answer), but the bug is not hidden:
it is logged at ERROR with its traceback and counted in ``bug_count()``,
and the fuzz suite (tests/publish/test_fuzz.py) fails when the count moves.
Storage and other server faults are outside the stages and stay 5xx.

``STAGES`` lists every stage; tests/publish/test_input_guard.py reaches each
one through a real route, makes it raise, and checks the answer.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any, Callable, Dict, TypeVar

from .problems import ProblemError

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

STAGES: Dict[str, Callable[..., Any]] = {}
_bugs = 0
_lock = threading.Lock()


def bug_count() -> int:
    """How many times a stage raised something other than a ProblemError."""
    return _bugs


def input_stage(name: str, status: int) -> Callable[[F], F]:
    """Mark ``func`` as the parse or check of client input named ``name``;
    an unexpected exception inside it becomes a ``status`` problem."""
    def decorate(func: F) -> F:
        @functools.wraps(func)
        def stage(*args: Any, **kwargs: Any) -> Any:
            try:
                # looked up at call time, so a test can make the stage fail
                return stage.__wrapped__(*args, **kwargs)  # type: ignore[attr-defined]
            except ProblemError:
                raise
            except Exception as exc:  # noqa: BLE001 - a stage bug: refused, logged, counted
                _record(name, exc)
                raise ProblemError(
                    status, "input-not-checkable", "The input could not be checked",
                    f"Checking this request ({name}) failed on something in it that the "
                    f"checks do not handle ({type(exc).__name__}). It was refused and nothing "
                    "was stored. Check it against docs/api.md; the failure is logged for "
                    "the maintainers.", extra={"stage": name}) from None

        if name in STAGES:
            raise ValueError(f"input stage {name!r} defined twice")
        STAGES[name] = stage
        return stage  # type: ignore[return-value]

    return decorate


def _record(name: str, exc: BaseException) -> None:
    global _bugs
    with _lock:
        _bugs += 1
    log.error("input stage %r raised %s: a bug in the checks (the request was refused)",
              name, type(exc).__name__, exc_info=exc)
