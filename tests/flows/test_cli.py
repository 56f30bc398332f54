"""``flows export`` and ``flows import`` from the command line, on a database never served."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import main

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def test_export_on_a_fresh_database_writes_every_guide(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    assert main(["flows", "export", str(tmp_path / "out")]) == 0
    written = sorted(path.name for path in (tmp_path / "out").glob("*.yml"))
    assert written == sorted(path.name for path in FLOWS.glob("*.yml"))
    assert f"exported {len(written)} guide(s)" in capsys.readouterr().out

    assert main(["flows", "import", str(tmp_path / "out")]) == 0
    assert "0 guide(s) and 0 commune(s) changed" in capsys.readouterr().out


def test_import_reports_a_broken_file_and_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    source = tmp_path / "in"
    source.mkdir()
    (source / "broken.yml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    assert main(["flows", "import", str(source)]) == 1
    err = capsys.readouterr().err
    assert "broken.yml" in err
    assert "Traceback" not in err
