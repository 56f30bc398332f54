"""Models are named by a content hash of their inputs, so changed data means a new model."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.intents.rasa_server import model_hash, model_path
from bot.config import NluPaths


def test_the_model_name_follows_the_training_data(tmp_path: Path) -> None:
    nlu_paths = NluPaths()
    shutil.copytree(nlu_paths.training, tmp_path / "training")
    shutil.copy(nlu_paths.config, tmp_path / "config.yml")
    copy = NluPaths(
        root=tmp_path,
        config=tmp_path / "config.yml",
        training=tmp_path / "training",
        components=nlu_paths.components,
        lock=nlu_paths.lock,
        models=tmp_path / "models",
    )
    before = model_hash(copy)
    assert model_hash(copy) == before
    with (tmp_path / "training" / "general.yml").open("a") as extra:
        extra.write("    - chào trợ lý nhé\n")
    assert model_hash(copy) != before
    assert model_path(copy).name == f"nlu-{model_hash(copy)}.tar.gz"
    assert model_path(copy).parent == tmp_path / "models"
