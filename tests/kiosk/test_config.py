"""The kiosk config: the example loads; every kind of mistake is named with file, key and fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config, parse_config
from kiosk.pin import hash_pin, is_pin_hash, verify_pin
from tests.support.kiosk_config import example_config
from tests.support.paths import EXAMPLE_CONFIG, ROOT

EXAMPLE = EXAMPLE_CONFIG.read_text(encoding="utf-8")


def test_the_example_config_is_a_real_health_station():
    config = load_config(EXAMPLE_CONFIG)
    assert config.kiosk.site == "kaleva" and str(config.kiosk.timezone) == "Europe/Helsinki"
    ids = [p.id for p in config.service_points]
    assert {
        "laboratorio",
        "laakarin-vastaanotto",
        "hoitajan-vastaanotto",
        "suun-terveydenhuolto",
        "neuvola",
    } <= set(ids)
    assert config.service_point("neuvola").name["sv"] == "Rådgivningen"
    assert config.reasons_for_rating(1)[0] == "waiting-time"
    assert "friendly-staff" in config.reasons_for_rating(4)
    assert verify_pin("2468", config.admin.pin_hash)
    assert config.source == EXAMPLE_CONFIG


def problems(text: str) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, source="/etc/hymy/kiosk.toml")
    assert "/etc/hymy/kiosk.toml" in str(caught.value)
    return {p.key: p.message for p in caught.value.problems}


def replace(old: str, new: str) -> str:
    assert old in EXAMPLE, old
    return EXAMPLE.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        (
            replace('default_language = "fi"', 'default_langauge = "fi"'),
            "kiosk.default_langauge",
            "spelling",
        ),
        (replace('prefix = "A"', 'prefix = "L"'), "service_points[1].prefix", "already used"),
        (
            replace("range = [1, 499]", "range = [0, 499]"),
            "service_points[0].range[0]",
            "greater than or equal to 1",
        ),
        (
            replace("range = [1, 499]", "range = [1, 1000]"),
            "service_points[0].range[1]",
            "less than or equal to 999",
        ),
        (
            replace("range = [1, 499]", "range = [400, 10]"),
            "service_points[0].range",
            "write [first, last]",
        ),
        (replace('prefix = "L"', 'prefix = "lab"'), "service_points[0].prefix", "capital letter"),
        (
            replace(
                'name = { fi = "Laboratorio", sv = "Laboratoriet", en = "Laboratory" }',
                'name = { fi = "Laboratorio", en = "Laboratory" }',
            ),
            "service_points[0].name",
            "no text for sv",
        ),
        (
            replace('default_language = "fi"', 'default_language = "de"'),
            "kiosk.default_language",
            "must be one of",
        ),
        (
            replace('languages = ["fi", "sv", "en"]', 'languages = ["fi", "sv", "en", "se"]'),
            "kiosk.languages",
            "no translation",
        ),
        (
            replace('timezone = "Europe/Helsinki"', 'timezone = "Europe/Helsingfors"'),
            "kiosk.timezone",
            "time zone",
        ),
        (
            replace(EXAMPLE[EXAMPLE.index('pin_hash = "') :].split("\n")[0], 'pin_hash = "2468"'),
            "admin.pin_hash",
            "hymy-kiosk --hash-pin",
        ),
        (
            replace(
                '[devices.printer]                # "none", "fake" or "serial"\nkind = "none"',
                '[devices.printer]\nkind = "serial"',
            ),
            "devices.printer.port",
            "/dev/ttyUSB0",
        ),
        (replace('kind = "none"', 'kind = "usb"'), "devices.printer.kind", "'none', 'fake'"),
        (replace("inactivity = 30", "inactivity = -1"), "timeouts.inactivity", "greater than 0"),
        (
            replace('kiosk_id = "kaleva-aula-1"', 'kiosk_id = "Kaleva Aula 1"'),
            "kiosk.kiosk_id",
            "lowercase",
        ),
    ],
)
def test_each_mistake_names_its_key_and_what_to_do(text, key, says):
    found = problems(text)
    assert key in found, found
    assert says in found[key]


def test_missing_sections_and_every_problem_at_once():
    text = replace("[kiosk]", "[kiosq]").replace('prefix = "A"', 'prefix = "a"')
    found = problems(text)
    assert found["kiosk"] == "is missing; add it"
    assert "kiosq" in found
    assert "service_points[1].prefix" in found


def test_bad_toml_says_where():
    found = problems(EXAMPLE.replace("thanks = 4", "thanks = = 4"))
    (message,) = found.values()
    assert "line" in message and "not valid TOML" in message


def test_a_missing_or_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "kiosk.toml")
    (tmp_path / "latin1.toml").write_bytes("nimi = 'Hyvää'".encode("latin-1"))
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(tmp_path / "latin1.toml")


def test_the_app_refuses_a_bad_config_before_touching_the_outbox(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(replace('prefix = "A"', 'prefix = "L"'), encoding="utf-8")
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(config), "--data-dir", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert str(config) in done.stderr and "service_points[1].prefix" in done.stderr
    assert "Traceback" not in done.stderr
    assert not data.exists()


def test_pin_hashes():
    pin_hash = hash_pin("1234", iterations=1000)
    assert is_pin_hash(pin_hash) and not is_pin_hash("1234")
    assert verify_pin("1234", pin_hash) and not verify_pin("1235", pin_hash)
    assert hash_pin("1234", iterations=1000) != pin_hash  # salted
    assert not verify_pin("1234", "plain text")
    with pytest.raises(ValueError, match="4 to 8 digits"):
        hash_pin("12a4")


def test_hash_pin_command_prints_a_usable_hash(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--hash-pin"],
        input="97531\n97531\n",
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert verify_pin("97531", done.stdout.strip().splitlines()[-1])


def test_a_printer_section_without_a_baudrate_keeps_the_printers_speed(tmp_path) -> None:
    text = example_config(devices__printer={"kind": "serial", "port": "/dev/ttyUSB0"})
    config = parse_config(text, source="kiosk.toml")
    assert (config.devices.printer.port, config.devices.printer.baudrate) == ("/dev/ttyUSB0", 19200)
    assert config.devices.scanner.baudrate == 9600
