"""The example national question set (assets/config/example-questions.toml) as a kiosk gets
it in its config's `questions`, and the example kiosk config asking it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hymy_dev.tour_national import example_questions
from kiosk.config import KioskConfig, parse_toml, read_config_file, validate_config
from tests.support.paths import EXAMPLE_CONFIG


def national_questions(**changes: Any) -> dict[str, Any]:
    """The example set's keys (without the site file's `set`), with changes."""
    return {**example_questions(), **changes}


def national_config(path: Path = EXAMPLE_CONFIG, **changes: Any) -> KioskConfig:
    """The kiosk config at `path` with the example set in its `questions`."""
    data = parse_toml(read_config_file(path), source=path)
    return validate_config({**data, "questions": national_questions(**changes)}, source=path)


def national_config_file(
    directory: Path, questions: dict[str, Any] | None = None, **changes: Any
) -> Path:
    """The example kiosk config (with `example_config(**changes)`) and the example set (or
    `questions`) as its [questions] table, as the central sends it, written to
    directory/kiosk.toml; its path."""
    from tests.support.kiosk_config import example_config, toml_value

    questions = questions or national_questions()
    lines = ["[questions]"]
    tables = []
    for key, value in questions.items():
        if key == "recommendation":
            tables.append(f"[questions.recommendation]\nid = {toml_value(value['id'])}\n"
                          f"text = {toml_value(value['text'])}")  # fmt: skip
        elif key in ("statements", "own"):
            for item in value:
                tables.append(f"[[questions.{key}]]\nid = {toml_value(item['id'])}\n"
                              f"text = {toml_value(item['text'])}")  # fmt: skip
        else:
            lines.append(f"{key} = {toml_value(value)}")
    path = directory / "kiosk.toml"
    text = example_config(**changes) + "\n" + "\n".join(lines) + "\n" + "\n".join(tables) + "\n"
    path.write_text(text, encoding="utf-8")
    return path
