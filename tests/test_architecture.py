"""The dependency direction of docs/architecture.md, checked on the source: the layers and the
absence of cycles (import-linter's contracts in pyproject.toml), the engine and the flow
format stay pure, and each outside library is imported by one layer only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(folder: str) -> list[Path]:
    return sorted((BOT / folder).rglob("*.py")) if folder else sorted(BOT.rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", modules("engine") + modules("flowspec") + modules("safety"),
                         ids=lambda p: str(p.relative_to(BOT)))
def test_engine_and_flowspec_do_no_io(path: Path) -> None:
    forbidden = {"telegram", "httpx", "sqlalchemy", "starlette", "uvicorn", "asyncio",
                 "alembic"}
    found = {top(n) for n in imports_of(path)} & forbidden
    found |= {n for n in imports_of(path)
              if n.startswith(("bot.channels", "bot.storage", "bot.conversation"))}
    assert not found, f"{path.name} imports {sorted(found)}"


@pytest.mark.parametrize(("library", "allowed"), [
    ("telegram", "channels/telegram"),
    ("sqlalchemy", "storage"),
    ("alembic", "storage"),
    ("starlette", ("channels", "admin")),
    ("jinja2", "admin"),
    ("argon2", "accounts"),
])
def test_each_library_belongs_to_one_layer(library: str, allowed: str | tuple[str, ...]
                                           ) -> None:
    offenders = [str(p.relative_to(BOT)) for p in modules("")
                 if library in {top(n) for n in imports_of(p)}
                 and not str(p.relative_to(BOT)).startswith(allowed)]
    assert not offenders, f"{library} imported outside bot/{allowed}: {offenders}"


def test_the_console_never_reaches_into_the_engine_or_storage() -> None:
    """The console is a channel: it calls services (accounts, flows), never the engine's
    internals or SQL."""
    offenders = [str(p.relative_to(BOT)) for p in modules("admin")
                 if {n for n in imports_of(p)
                     if n.startswith(("bot.engine", "bot.storage.database", "sqlalchemy"))}]
    assert not offenders


def test_the_bot_never_imports_rasa() -> None:
    offenders = [p.name for p in modules("") if "rasa" in {top(n) for n in imports_of(p)}]
    assert not offenders


def test_the_layers_contract_holds() -> None:
    """No unit imports from a floor above its own, no capability imports the composition
    root, the console, a channel or a command, and no two units import each other. The
    contract is exhaustive: a new package or module of ``bot`` fails it until given a floor."""
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "3 kept, 0 broken" in done.stdout


def test_no_cli_or_wiring_module_inside_a_capability() -> None:
    """Sub-commands live in bot/commands, composition in bot/app.py alone."""
    strays = [str(p.relative_to(BOT)) for p in BOT.rglob("*.py")
              if p.stem in ("cli", "wiring") or (p.parent != BOT / "commands"
                                                 and "add_subparsers" in p.read_text("utf-8"))]
    assert not strays
