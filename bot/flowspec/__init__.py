"""The flow file format: models, loading with line numbers, and static checks."""

from __future__ import annotations

from pathlib import Path

from bot.flowspec.checks import check_flows
from bot.flowspec.loader import LoadedFlow, Problem, flow_files, read_flow_file
from bot.flowspec.model import Flow

__all__ = ["Flow", "LoadedFlow", "Problem", "load_flows"]


def load_flows(paths: list[Path]) -> tuple[list[LoadedFlow], list[Problem]]:
    """Load and check every flow file under ``paths``; valid flows come back even when others
    have problems, so one broken file never hides the rest."""
    loaded: list[LoadedFlow] = []
    problems: list[Problem] = []
    for path in flow_files(paths):
        item, found = read_flow_file(path)
        problems.extend(found)
        if item is not None:
            loaded.append(item)
    problems.extend(check_flows(loaded))
    return loaded, sorted(set(problems))
