"""hymy-kiosk's settings: a flag wins over its variable, the variable over the default, and a bad
window is named in a sentence before anything is opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.settings import DEFAULT_CONFIG, KioskSettings, SettingsError, parse_window


def test_defaults_without_flags_or_variables() -> None:
    settings = KioskSettings.read(environ={})
    assert settings.config_path == DEFAULT_CONFIG
    assert settings.data_dir == Path("/var/lib/hymy")
    assert settings.window is None
    assert settings.outbox_path == Path("/var/lib/hymy/outbox.sqlite")
    assert settings.central_config_path == Path("/var/lib/hymy/central-config.json")


def test_a_variable_wins_over_the_default_and_a_flag_over_the_variable(tmp_path: Path) -> None:
    env = {"HYMY_CONFIG": str(tmp_path / "env.toml"), "HYMY_DATA_DIR": str(tmp_path / "env")}
    from_env = KioskSettings.read(environ=env)
    assert from_env.config_path == tmp_path / "env.toml"
    assert from_env.data_dir == tmp_path / "env"
    from_flags = KioskSettings.read(
        config_path=tmp_path / "flag.toml", data_dir=tmp_path / "flag", environ=env
    )
    assert from_flags.config_path == tmp_path / "flag.toml"
    assert from_flags.outbox_path == tmp_path / "flag" / "outbox.sqlite"


def test_a_blank_variable_is_not_a_path() -> None:
    assert KioskSettings.read(environ={"HYMY_DATA_DIR": "  "}).data_dir == Path("/var/lib/hymy")


@pytest.mark.parametrize(
    ("value", "words"),
    [("big", "is not WIDTHxHEIGHT"), ("100x480", "200 to 8000"), ("800x480x2", "WIDTHxHEIGHT")],
)
def test_a_bad_window_is_named(value: str, words: str) -> None:
    with pytest.raises(SettingsError, match=words) as caught:
        parse_window(value)
    assert "--window" in str(caught.value) and value in str(caught.value)


def test_the_command_refuses_a_bad_window_before_reading_the_config(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["--config", str(tmp_path / "none.toml"), "--data-dir", str(tmp_path), "--window", "x"],
    )
    assert result.exit_code == 2
    assert "--window 'x' is not WIDTHxHEIGHT, e.g. 1280x720." in result.output
    assert list(tmp_path.iterdir()) == []  # nothing opened, nothing written
