"""The example kiosk config, changed where a test says: `example_config(**changes)`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.paths import EXAMPLE_CONFIG

_HEADER = re.compile(r"^\s*\[\[?\s*([\w.-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([\w-]+)\s*=")


def toml_value(value: object) -> str:
    """A Python value as a TOML value (bool, number, string, list, inline table)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def _set(lines: list[str], table: str, key: str, value: object) -> None:
    """Set `key` in the first table `table`: its line replaced, or a line added after the
    table's last key."""
    headers = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    starts = [i for i in headers if _HEADER.match(lines[i]).group(1) == table]
    assert starts, f"the example config has no table [{table}]"
    start = starts[0]
    end = next((i for i in headers if i > start), len(lines))
    line = f"{key} = {toml_value(value)}"
    for i in range(start + 1, end):
        match = _KEY.match(lines[i])
        if match and match.group(1) == key:
            lines[i] = line
            return
    last = max((i for i in range(start + 1, end) if _KEY.match(lines[i])), default=start)
    lines.insert(last + 1, line)


def example_config(**changes: object) -> str:
    """The example kiosk config (assets/config/example-kiosk.toml) as TOML text, with changes;
    every other line, comments included, as the example has it. A `__` in a name is a dot:

        example_config(timeouts__inactivity=2)  # one key (added if the example leaves it out)
        example_config(devices__printer={"kind": "serial", "port": "/dev/ttyUSB0"})  # keys
    """
    lines = EXAMPLE_CONFIG.read_text(encoding="utf-8").splitlines()
    for name, value in changes.items():
        dotted = name.replace("__", ".")
        if isinstance(value, dict) and any(
            (m := _HEADER.match(line)) and m.group(1) == dotted for line in lines
        ):
            for key, item in value.items():
                _set(lines, dotted, key, item)
        else:
            table, _, key = dotted.rpartition(".")
            _set(lines, table, key, value)
    return "\n".join(lines) + "\n"


def example_config_file(directory: Path, **changes: object) -> Path:
    """`example_config(**changes)` written to directory/kiosk.toml; its path."""
    path = directory / "kiosk.toml"
    path.write_text(example_config(**changes), encoding="utf-8")
    return path


# "You said, we did" as long as the central lets it be (MESSAGE_MAX_CHARS), in each language.
LONG_MESSAGE = {
    "fi": "Toivoitte lyhyempää odotusta laboratorioon. Nyt näytteenotto alkaa arkisin jo "
    "kello 7.00, ja aamun ajanvarausaikoja on kaksi kertaa enemmän kuin viime syksynä. "
    "Kiitos palautteesta!",
    "sv": "Ni önskade kortare väntetid till laboratoriet. Nu börjar provtagningen redan "
    "klockan 7.00 på vardagar, och det finns dubbelt så många morgontider som i höstas. "
    "Tack för svaren!",
    "en": "You asked for shorter waits at the laboratory. Samples are now taken from 7.00 on "
    "weekdays, and there are twice as many morning appointments as last autumn. Thank you!",
}


def config_with_message(directory: Path, message: dict[str, str] = LONG_MESSAGE) -> Path:
    """The example kiosk config with a site's message (as the central sends it) as its
    [message] table, written to directory/kiosk.toml (its logo still found); its path."""
    table = "".join(f"{lang} = {toml_value(text)}\n" for lang, text in message.items())
    logo = (EXAMPLE_CONFIG.parent / "../images/example-logo.png").resolve()
    path = directory / "kiosk.toml"
    text = example_config(display__logo=str(logo)) + "\n[message]\n" + table
    path.write_text(text, encoding="utf-8")
    return path
