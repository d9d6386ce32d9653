"""Action handlers used by test_workspace_gui.py to extend the toolbar registry."""

from typing import Callable, List

clicks: List[bool] = []


def record_clicks(ctx) -> Callable[[bool], None]:
    return clicks.append
