"""The central's config over the local file: what each owns, and a central mistake that never
stops a kiosk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.central_config import ConfigSource, merge_central
from kiosk.config import ConfigError
from tests.support.paths import EXAMPLE_CONFIG

CENTRAL = {
    "kiosk": {
        "site": "kaleva",
        "kiosk_id": "kaleva-aula-7",
        "station_name": {
            "fi": "Kalevan sote-keskus",
            "sv": "Kalevas social- och hälsocentral",
            "en": "Kaleva Health and Social Services Centre",
        },
        "timezone": "Europe/Helsinki",
    },
    "service_points": [
        {
            "id": "laboratorio",
            "name": {"fi": "Laboratorio", "sv": "Laboratoriet", "en": "Laboratory"},
            "prefix": "L",
            "range": [601, 700],
        },
    ],
    "feedback": {
        "reasons": [
            {
                "id": "other",
                "ratings": [1, 2],
                "name": {"fi": "Muu syy", "sv": "Annat", "en": "Other"},
            }
        ]
    },
}


def test_the_central_owns_the_station_the_points_and_the_reasons() -> None:
    local = {
        "kiosk": {
            "site": "x",
            "kiosk_id": "y",
            "station_name": {"fi": "Vanha"},
            "languages": ["fi"],
        },
        "service_points": [
            {"id": "laboratorio", "guidance": {"fi": "2. krs"}, "range": [1, 9]},
            {"id": "poistettu"},
        ],
        "feedback": {"comments": False, "reasons": []},
        "admin": {"pin_hash": "h"},
    }
    merged = merge_central(local, CENTRAL)
    assert merged["kiosk"]["kiosk_id"] == "kaleva-aula-7" and merged["kiosk"]["languages"] == ["fi"]
    assert merged["service_points"] == [
        {**CENTRAL["service_points"][0], "guidance": {"fi": "2. krs"}}
    ]
    assert merged["feedback"] == {"comments": False, "reasons": CENTRAL["feedback"]["reasons"]}
    assert merged["admin"] == {"pin_hash": "h"}
    assert local["kiosk"]["kiosk_id"] == "y"  # the inputs are left as they were


def test_the_kiosk_runs_with_the_central_config(tmp_path: Path) -> None:
    central = tmp_path / "central-config.json"
    central.write_text(json.dumps(CENTRAL))
    config = ConfigSource(EXAMPLE_CONFIG, central).load()
    assert config.kiosk.kiosk_id == "kaleva-aula-7"
    assert [p.range for p in config.service_points] == [(601, 700)]
    assert config.admin.pin_hash  # still the local file's


@pytest.mark.parametrize("content", ["{not json", json.dumps({"service_points": []})])
def test_a_central_config_that_does_not_fit_is_left_out(tmp_path: Path, content: str, caplog):
    central = tmp_path / "central-config.json"
    central.write_text(content)
    config = ConfigSource(EXAMPLE_CONFIG, central).load()
    assert config.kiosk.kiosk_id == "kaleva-aula-1"
    assert "central" in caplog.text


def test_a_broken_local_file_still_stops_the_kiosk(tmp_path: Path) -> None:
    local = tmp_path / "kiosk.toml"
    local.write_text("[kiosk]\nsite = 'kaleva'\n")
    (tmp_path / "central-config.json").write_text(json.dumps(CENTRAL))
    with pytest.raises(ConfigError) as raised:
        ConfigSource(local, tmp_path / "central-config.json").load()
    assert "admin" in str(raised.value)


@pytest.mark.parametrize(
    "central",
    [
        {**CENTRAL, "feedback": None},
        {**CENTRAL, "feedback": "reasons"},
        {**CENTRAL, "feedback": {"reasons": {"id": "other"}}},
        {**CENTRAL, "kiosk": None},
        {**CENTRAL, "kiosk": 5},
        {**CENTRAL, "service_points": 5},
        {**CENTRAL, "service_points": [5]},
        {**CENTRAL, "service_points": {"id": "laboratorio"}},
        [CENTRAL],
        "kaleva",
    ],
)
def test_a_central_config_of_the_wrong_shape_is_left_out(tmp_path: Path, central, caplog):
    """An older agent's file, or one written by hand: the kiosk runs on its own file, it never
    stops on a TypeError."""
    path = tmp_path / "central-config.json"
    path.write_text(json.dumps(central))
    config = ConfigSource(EXAMPLE_CONFIG, path).load()
    assert config.kiosk.kiosk_id == "kaleva-aula-1"
    assert "ignoring the central's config" in caplog.text


@pytest.mark.parametrize(
    ("key", "value"),
    [("kiosk", '"kaleva"'), ("feedback", "5")],
)
def test_a_local_part_of_the_wrong_type_is_named_with_a_central_config(
    tmp_path: Path, key: str, value: str
) -> None:
    local = tmp_path / "kiosk.toml"
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    local.write_text(f"{key} = {value}\n" + _without_table(text, key), encoding="utf-8")
    (tmp_path / "central-config.json").write_text(json.dumps(CENTRAL))
    with pytest.raises(ConfigError) as raised:
        ConfigSource(local, tmp_path / "central-config.json").load()
    assert f"{key}: " in str(raised.value)


def _without_table(text: str, key: str) -> str:
    """The TOML text without the table `key` ([key], [key.x] or [[key]] and their lines)."""
    kept, skipping = [], False
    for line in text.splitlines():
        header = line.strip().strip("[]").split(".")[0] if line.startswith("[") else None
        if header is not None:
            skipping = header == key
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + "\n"


def test_the_central_owns_the_question_set(tmp_path: Path, caplog) -> None:
    from central.site_questions import Questions as SiteQuestions
    from tests.support.national import national_questions

    # What the central sends for a national site, as it sends it (its own model's dump).
    sent = SiteQuestions.model_validate({"set": "national", **national_questions()})
    central = tmp_path / "central-config.json"
    central.write_text(json.dumps({**CENTRAL, "questions": sent.for_kiosk("kaleva").model_dump()}))
    config = ConfigSource(EXAMPLE_CONFIG, central).load()
    assert config.questions.id == "kansallinen" and config.questions.agreement_scale == "agree-5"
    assert [q.id for q in config.questions.asked][:2] == ["suosittelu", "kohtelu"]
    # A site back on the smileys sends none: a set in the local file gives way too.
    local = merge_central({"questions": {"id": "vanha"}}, CENTRAL)
    assert "questions" not in local
    # A set this kiosk cannot ask (a newer central's rule) is left out; the rest is used.
    wrong = {**CENTRAL, "questions": {**national_questions(), "steps": 9}}
    central.write_text(json.dumps(wrong))
    config = ConfigSource(EXAMPLE_CONFIG, central).load()
    assert config.questions is None and config.kiosk.kiosk_id == "kaleva-aula-7"
    assert "questions left out" in caplog.text
