"""The documentation keeps up with the code: every ``python -m bot`` command and option it
shows exists in the parser, every setting of the old README's table is still documented, every
repository path it names exists, and every link between its pages lands on a heading."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bench.__main__ import build_parser as bench_parser
from bot.commands import BENCHMARKS_FORWARDED, build_parser
from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The settings table of the README before it became a front door (issue 23): each must stay
# documented somewhere.
SETTINGS = [
    "PORT", "HOST", "DATABASE_URL", "FLOWS_DIR", "NLU", "RASA_URL", "RASA_TOKEN",
    "DIGIGUIDE_COMMUNE", "DIGIGUIDE_TEAM_NAME", "DIGIGUIDE_TEAM_PHONE", "COMMUNES_DIR",
    "TELEGRAM_BOT_TOKEN", "ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_SECRET",
    "ZALO_REFRESH_TOKEN", "PUBLIC_URL", "WORKERS", "DIGIGUIDE_INSTANCE_ID",
    "LEADER_TTL_SECONDS", "METRICS_TOKEN", "LOG_FORMAT", "MESSAGE_RETENTION_DAYS",
    "NLU_CACHE_SIZE", "TEST_DATABASE_URL",
]
# Its commands table, likewise.
COMMANDS = [
    "serve", "db upgrade", "db backup", "db restore", "residents export", "residents delete",
    "flows validate", "flows list", "flows schema", "flows export", "flows import",
    "admin create-user", "admin link", "admin disable-user", "admin enable-user", "nlu train",
    "nlu evaluate", "nlu compare", "nlu export-examples", "bench", "bench-reports",
    "zalo-connect", "share-codes", "teams import", "teams export", "teams link-code",
    "teams join-code",
]
# Made at run time, not in the repository.
GENERATED = {"flows/images", "flows/images/", "nlu/training/console.yml"}
INVOCATION = re.compile(r"python -m bot ([a-z][a-z-]*)((?: +(?:[a-z][a-z-]*|--[a-z-]+|\S+))*)")
PATH = re.compile(r"`((?:bot|tests|flows|bench|nlu|docs|\.ci)/[^`\s]*)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def text() -> str:
    return "\n".join(page.read_text(encoding="utf-8") for page in PAGES)


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for action in parser._actions for o in action.option_strings}


def resolve(words: list[str]) -> tuple[argparse.ArgumentParser | None, list[str]]:
    """The parser of a documented command line, and the words left after its sub-commands."""
    parser: argparse.ArgumentParser | None = build_parser()
    if words and words[0] in BENCHMARKS_FORWARDED:
        parser = bench_parser()
    while parser is not None and words and (choices := subparsers(parser)):
        if not re.fullmatch(r"[a-z][a-z-]*", words[0]):
            break  # "bench …": an argument or an ellipsis, not a sub-command's name
        parser, words = choices.get(words[0]), words[1:]
    return parser, words


def alternatives(words: list[str]) -> list[list[str]]:
    """``residents export\\|delete ID`` is two command lines."""
    for i, word in enumerate(words[:2]):
        if "\\|" in word:
            return [line for choice in word.split("\\|")
                    for line in alternatives([*words[:i], choice, *words[i + 1:]])]
    return [words]


def documented_lines() -> list[list[str]]:
    lines = []
    for match in INVOCATION.finditer(text()):
        words = [match[1], *match[2].split()]
        lines.append([w.strip("`,.;:)") for w in words])
    first = {c.split()[0] for c in COMMANDS}
    for row in re.findall(r"^\| (`.*?`) \| ", text(), re.M):  # a table's first cell
        for cell in re.findall(r"`([a-z][^`]*)`", row):
            if cell.split()[0] in first:
                lines.append(cell.split())
    return [line for words in lines for line in alternatives(words)]


def test_every_documented_command_exists() -> None:
    lines = documented_lines()
    assert len(lines) > 30
    for words in lines:
        parser, rest = resolve(words)
        assert parser is not None, f"documented but not a command: python -m bot {' '.join(words)}"
        unknown = {w.split("=")[0] for w in rest if w.startswith("--")} - options(parser)
        assert not unknown, f"python -m bot {' '.join(words)}: no option {sorted(unknown)}"


@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_documented_before_was_lost(command: str) -> None:
    parser, rest = resolve(command.split())
    assert parser is not None and not rest
    documented = {" ".join(words[:len(command.split())]) for words in documented_lines()}
    assert command in documented, f"{command} is no longer documented"


@pytest.mark.parametrize("setting", SETTINGS)
def test_no_setting_documented_before_was_lost(setting: str) -> None:
    assert re.search(rf"`{setting}`|`{setting}=|\b{setting}=", text())


def test_every_path_the_documentation_names_exists() -> None:
    missing = []
    for page in PAGES:
        # The table of old paths (docs/architecture.md) names files that are gone on purpose.
        body = re.sub(r"### Where things moved[^\n]*\n\n(?:\|[^\n]*\n)+", "",
                      page.read_text(encoding="utf-8"))
        for name in PATH.findall(body):
            name = name.rstrip(".,:;)")
            if name in GENERATED or any(c in name for c in "<{…"):
                continue
            if not (any(ROOT.glob(name)) if "*" in name else (ROOT / name).exists()):
                missing.append(f"{page.name}: {name}")
    assert not missing


def anchors(page: Path) -> set[str]:
    found = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower())
            found.add(title.replace(" ", "-"))
    return found


def test_every_link_between_pages_lands() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            landing = (page.parent / file).resolve() if file else page
            if not landing.exists() or (anchor and anchor not in anchors(landing)):
                broken.append(f"{page.name}: {target}")
    assert not broken


def test_the_front_door_stays_short() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250
