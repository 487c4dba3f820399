"""The example national question set (assets/config/example-questions.toml) as a kiosk gets
it in its config's `questions`, and the example kiosk config asking it."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfig, parse_toml, read_config_file, validate_config
from tests.support.paths import EXAMPLE_CONFIG, EXAMPLE_QUESTIONS


def national_questions(**changes: Any) -> dict[str, Any]:
    """The example set's keys (without the site file's `set`), with changes."""
    questions = tomllib.loads(EXAMPLE_QUESTIONS.read_text(encoding="utf-8"))["questions"]
    questions.pop("set")
    return {**questions, **changes}


def national_config(path: Path = EXAMPLE_CONFIG, **changes: Any) -> KioskConfig:
    """The kiosk config at `path` with the example set in its `questions`."""
    data = parse_toml(read_config_file(path), source=path)
    return validate_config({**data, "questions": national_questions(**changes)}, source=path)
