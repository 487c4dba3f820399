"""`--data-dir` before the command or after it (docs/sync.md: every command takes it); after it
wins, so `hymy-sync --data-dir A status --data-dir B` reads B."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.outbox import OUTBOX_FILE, Outbox
from sync.cli import main


@pytest.fixture
def two_kiosks(tmp_path: Path) -> tuple[Path, Path]:
    dirs = tmp_path / "a", tmp_path / "b"
    for data_dir in dirs:
        data_dir.mkdir()
        Outbox.open(data_dir / OUTBOX_FILE).close()
    return dirs


@pytest.mark.parametrize("command", [["status"], ["requeue", "--all"]])
def test_the_data_dir_after_the_command_is_used(
    two_kiosks: tuple[Path, Path], tmp_path: Path, command: list[str]
) -> None:
    _, b = two_kiosks
    after = CliRunner().invoke(main, [*command, "--data-dir", str(b)])
    assert after.exit_code == 0, after.output
    both = CliRunner().invoke(
        main, ["--data-dir", str(tmp_path / "none"), *command, "--data-dir", str(b)]
    )
    assert both.exit_code == 0, both.output
    before = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "none"), *command])
    assert before.exit_code == 1 and "No outbox at" in before.output


def test_status_reads_the_outbox_of_the_data_dir_given_after_it(
    two_kiosks: tuple[Path, Path],
) -> None:
    a, b = two_kiosks
    with Outbox.open(a / OUTBOX_FILE) as outbox:
        first = outbox.outbox_id
    shown = CliRunner().invoke(main, ["status", "--data-dir", str(a)])
    assert f"Outbox {first}" in shown.output
    assert (
        f"Outbox {first}" not in CliRunner().invoke(main, ["status", "--data-dir", str(b)]).output
    )


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan"])
def test_a_wait_that_is_not_seconds_is_named_in_a_sentence(
    two_kiosks: tuple[Path, Path], value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYMY_SYNC_RETRY_BASE_S", value)
    result = CliRunner().invoke(main, ["once", "--data-dir", str(two_kiosks[0])])
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, ValueError)
    assert "HYMY_SYNC_RETRY_BASE_S must be a number of seconds above 0" in result.output
    assert repr(value) in result.output
