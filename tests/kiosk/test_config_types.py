"""Strict types in the kiosk config: a value of the wrong type is a mistake with its file, key and
what to write instead, never guessed at (`"yes"` is not true, `"30"` is not 30); TOML's whole
numbers still do for seconds and dpi."""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.central_config import ConfigSource
from kiosk.config import ConfigError, parse_config, validate_config
from tests.support.paths import EXAMPLE_CONFIG

EXAMPLE = EXAMPLE_CONFIG.read_text(encoding="utf-8")
SOURCE = "/etc/hymy/kiosk.toml"

# Optional keys the example leaves out, so that the walk below reaches every key there is.
OPTIONAL_KEYS: dict[str, Any] = {
    "timeouts.admin": 60,
    "devices.printer.port": "/dev/ttyUSB0",
    "devices.printer.baudrate": 19200,
    "devices.printer.code_page": "CP858",
    "devices.scanner.port": "/dev/ttyACM0",
    "devices.scanner.baudrate": 9600,
    "service_points[0].booking_pattern": "^L\\d{6}$",
    "speech.wav_dir": "/var/lib/hymy/said",
}


def problems_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        validate_config(data, source=SOURCE)
    message = str(caught.value)
    assert SOURCE in message and "Fix the file" in message
    return {p.key: p.message for p in caught.value.problems}


def toml_problems(old: str, new: str) -> dict[str, str]:
    assert old in EXAMPLE, old
    with pytest.raises(ConfigError) as caught:
        parse_config(EXAMPLE.replace(old, new, 1), source=SOURCE)
    assert SOURCE in str(caught.value)
    return {p.key: p.message for p in caught.value.problems}


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = _parts(key)
    node: Any = data
    for part in parents:
        node = node[part]
    node[last] = value


def _parts(key: str) -> list[str | int]:
    parts: list[str | int] = []
    for dotted in key.split("."):
        name, *indexes = dotted.replace("]", "").split("[")
        parts.append(name)
        parts += [int(i) for i in indexes]
    return parts


def _keys(node: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """(key as the config's messages write it, value) for every table, array and value in the
    data: sections, service points, names and each of their texts alike."""
    if key:
        yield key, node
    if isinstance(node, dict):
        for name, value in node.items():
            yield from _keys(value, f"{key}.{name}" if key else name)
    elif isinstance(node, list) and node and isinstance(node[0], dict):
        for i, value in enumerate(node[:2]):  # two of each kind are enough
            yield from _keys(value, f"{key}[{i}]")


def full_example() -> dict[str, Any]:
    data = tomllib.loads(EXAMPLE)
    for key, value in OPTIONAL_KEYS.items():
        _set(data, key, value)
    return data


def wrong_values(value: Any) -> list[Any]:
    """Values of another type than this one, as people write them by mistake."""
    if isinstance(value, bool):
        return ["yes", "true", 1]
    if isinstance(value, int | float):
        return [str(value), True]
    if isinstance(value, str):
        return [1, True, [value]]
    if isinstance(value, list):
        return [json.dumps(value), 1]
    if isinstance(value, dict):
        return ["Laboratorio", 1]
    raise AssertionError(f"no wrong values for {value!r}")


KEYS = list(_keys(full_example()))


def test_the_full_example_is_valid_and_reaches_every_section():
    config = validate_config(full_example(), source=SOURCE)
    assert config.timeouts.admin == 60.0 and config.devices.printer.port == "/dev/ttyUSB0"
    sections = {key.split(".")[0].split("[")[0] for key, _ in KEYS}
    assert sections == {
        "kiosk",
        "timeouts",
        "misuse",
        "feedback",
        "service_points",
        "devices",
        "admin",
        "outbox",
        "display",
        "speech",
    }


@pytest.mark.parametrize(("key", "value"), KEYS, ids=[key for key, _ in KEYS])
def test_every_key_refuses_a_value_of_the_wrong_type(key, value):
    for wrong in wrong_values(value):
        data = full_example()
        _set(data, key, wrong)
        found = problems_of(data)
        named = [k for k in found if k == key or k.startswith((f"{key}.", f"{key}["))]
        assert named, f"{key} = {wrong!r} was accepted or not named: {found}"
        assert all("(got " in found[k] for k in named), found


@pytest.mark.parametrize(
    ("old", "new", "key", "says"),
    [
        ("fullscreen = true", 'fullscreen = "yes"', "display.fullscreen", "true or false"),
        ("fullscreen = true", "fullscreen = 1", "display.fullscreen", "true or false"),
        ("inactivity = 30", "inactivity = true", "timeouts.inactivity", "a number without quotes"),
        ("inactivity = 30", 'inactivity = "30"', "timeouts.inactivity", '(got "30")'),
        ("comments = true", "comments = 1", "feedback.comments", "true or false"),
        ("comments = true", 'comments = "false"', "feedback.comments", '(got "false")'),
        ("max_ratings = 5", "max_ratings = 5.0", "misuse.max_ratings", "whole number"),
        ("max_ratings = 5", "max_ratings = true", "misuse.max_ratings", "whole number"),
        ("bounce_ms = 300", 'bounce_ms = "300"', "misuse.bounce_ms", "whole number"),
        ("retention_days = 30", "retention_days = 30.5", "outbox.retention_days", "whole number"),
        ('site = "kaleva"', "site = 7", "kiosk.site", "text in double quotes"),
        ('prefix = "L"', "prefix = 1", "service_points[0].prefix", "text in double quotes"),
        ("range = [1, 499]", 'range = ["1", 499]', "service_points[0].range[0]", "whole number"),
        ("range = [1, 499]", "range = [1.0, 499]", "service_points[0].range[0]", "whole number"),
        ("range = [1, 499]", "range = 499", "service_points[0].range", "square brackets"),
        ("ratings = [1, 2]\n", 'ratings = ["1", 2]\n', "feedback.reasons[0].ratings[0]", "whole"),
        ("ratings = [1, 2]\n", "ratings = [true]\n", "feedback.reasons[0].ratings[0]", "whole"),
        ("ratings = [1, 2]\n", "ratings = [[1], 2]\n", "feedback.reasons[0].ratings[0]", "whole"),
        ('languages = ["fi", "sv", "en"]', 'languages = "fi"', "kiosk.languages", "brackets"),
        ('languages = ["fi", "sv", "en"]', "languages = [1]", "kiosk.languages[0]", "quotes"),
        (
            'booking_prefixes = ["LAB-"]',
            'booking_prefixes = "LAB-"',
            "service_points[0].booking_prefixes",
            "square brackets",
        ),
        ("long_press_seconds = 3", 'long_press_seconds = "3"', "admin.long_press_seconds", "num"),
        ("dpi = 133", 'dpi = "133"', "display.dpi", "a number without quotes"),
        ('kind = "none"', "kind = false", "devices.printer.kind", "'none', 'fake'"),
        ("[timeouts]", "timeouts = 30\n[timeoutz]", "kiosk.timeouts", "not a known key"),
        (
            'station_name = { fi = "Kalevan terveysasema", sv = "Kalevas hälsostation", '
            'en = "Kaleva Health Station" }',
            'station_name = "Kalevan terveysasema"',
            "kiosk.station_name",
            "must be a table",
        ),
    ],
)
def test_the_wrong_types_people_write(old, new, key, says):
    found = toml_problems(old, new)
    assert key in found, found
    assert says in found[key], found[key]


def test_the_message_shows_the_value_as_it_is_written_in_the_file():
    found = toml_problems("fullscreen = true", 'fullscreen = "yes"')
    assert found["display.fullscreen"] == 'must be true or false, without quotes (got "yes")'
    found = toml_problems("inactivity = 30", "inactivity = true")
    assert found["timeouts.inactivity"].endswith("(got true)")


def test_whole_numbers_are_fine_where_seconds_or_a_dpi_are_asked():
    text = (
        EXAMPLE.replace("inactivity = 30", "inactivity = 45")
        .replace("thanks = 4", "thanks = 2.5")
        .replace("dpi = 133", "dpi = 102")
        .replace("[timeouts]", "[timeouts]\nadmin = 40")
    )
    config = parse_config(text, source=SOURCE)
    assert config.timeouts.inactivity == 45.0 and isinstance(config.timeouts.inactivity, float)
    assert config.timeouts.thanks == 2.5 and config.timeouts.admin == 40.0
    assert config.display.dpi == 102.0 and isinstance(config.display.dpi, float)
    assert config.admin.long_press_seconds == 3.0
    assert config.misuse.window_seconds == 60.0 and isinstance(config.misuse.max_ratings, int)


def test_every_wrong_type_at_once():
    text = (
        EXAMPLE.replace("fullscreen = true", 'fullscreen = "yes"')
        .replace("inactivity = 30", 'inactivity = "30"')
        .replace("comments = true", "comments = 1")
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(text, source=SOURCE)
    found = {p.key for p in caught.value.problems}
    assert {"display.fullscreen", "timeouts.inactivity", "feedback.comments"} <= found


def test_the_centrals_part_is_typed_as_strictly(tmp_path):
    """A central config of the wrong types is left out, as every other central mistake: the kiosk
    runs on its own file."""
    central = {
        "kiosk": {"station_name": {"fi": "Uusi", "sv": "Ny", "en": "New"}},
        "service_points": [
            {
                "id": "laboratorio",
                "name": {"fi": "Laboratorio", "sv": "Laboratoriet", "en": "Laboratory"},
                "prefix": "L",
                "range": ["1", 100],
            }
        ],
    }
    (tmp_path / "central-config.json").write_text(json.dumps(central), encoding="utf-8")
    config = ConfigSource(EXAMPLE_CONFIG, tmp_path / "central-config.json").load()
    assert config.kiosk.station_name["fi"] == "Kalevan terveysasema"
    fixed = copy.deepcopy(central)
    fixed["service_points"][0]["range"] = [1, 100]
    (tmp_path / "central-config.json").write_text(json.dumps(fixed), encoding="utf-8")
    config = ConfigSource(EXAMPLE_CONFIG, tmp_path / "central-config.json").load()
    assert config.kiosk.station_name["fi"] == "Uusi"
    assert config.service_point("laboratorio").range == (1, 100)


@pytest.mark.parametrize("name", ["Europe", "America/", "x" * 300, "Europe/Helsinki/", "\x00"])
def test_a_time_zone_that_is_a_folder_or_too_long_is_a_config_mistake(name):
    data = tomllib.loads(EXAMPLE)
    data["kiosk"]["timezone"] = name
    problems = problems_of(data)
    assert "is not a time zone name" in problems["kiosk.timezone"], problems
