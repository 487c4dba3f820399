"""Lifecycle commands through the real CLI on SQLite and PostgreSQL: `api-key list|revoke`,
`site list|show|update|retire`, `example site|kiosk`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select

from central import cli
from central.db import write_transaction
from central.site_store import load_site
from central.sites import parse_site
from central.tables import api_keys
from tests.support.central import make_code, send, stored
from tests.support.events import feedback
from tests.support.paths import EXAMPLE_SITE, ROOT


def run(client, *args: str, ok: bool = True) -> Result:
    settings = client.app.state.settings
    result = CliRunner().invoke(
        cli.main, ["--db", settings.db_url, "--data-dir", str(settings.data_dir), *args]
    )
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1, result.output
    return result


def key_of(created: Result) -> tuple[str, str]:
    """The key and its id from `api-key create`'s output."""
    key, rest = created.output.split("\n", 1)
    return key, rest.split("(key ", 1)[1].split(",", 1)[0]


# --- api-key list | revoke ---------------------------------------------------------------


def test_api_keys_are_listed_without_the_key_and_a_revoked_one_is_refused_at_once(
    client, enrolment
):
    admin, admin_id = key_of(run(client, "api-key", "create", "--role", "admin"))
    manager, manager_id = key_of(
        run(client, "api-key", "create", "--role", "manager", "--site", "kaleva")
    )
    listed = run(client, "api-key", "list").output
    assert admin not in listed and manager not in listed  # never the key
    lines = {line.split()[0]: line for line in listed.splitlines()[1:]}
    assert set(lines) == {admin_id, manager_id}
    assert "admin" in lines[admin_id] and "every site" in lines[admin_id]
    assert "manager" in lines[manager_id] and "kaleva" in lines[manager_id]
    assert lines[admin_id].rstrip().endswith("live")
    assert lines[admin_id].count(" - ") == 1  # never used yet

    headers = {"Authorization": f"Bearer {admin}"}
    assert client.get("/api/v1/devices", headers=headers).status_code == 200
    used = run(client, "api-key", "list").output
    assert next(line for line in used.splitlines() if line.startswith(admin_id)).count(" - ") == 0

    revoked = run(client, "api-key", "revoke", admin_id)
    assert "Revoked API key" in revoked.output
    answer = client.get("/api/v1/devices", headers=headers)  # the same server, no restart
    assert answer.status_code == 401
    assert (
        client.get(
            "/api/v1/reports/feedback",
            params={"site": "kaleva", "from": "2026-01-01", "to": "2026-01-02"},
            headers={"Authorization": f"Bearer {manager}"},
        ).status_code
        == 200
    )  # the other key still works
    after = run(client, "api-key", "list").output
    assert "revoked 20" in next(line for line in after.splitlines() if line.startswith(admin_id))
    again = run(client, "api-key", "revoke", admin_id)
    assert "was revoked already" in again.output
    with client.app.state.engine.connect() as conn:
        first_time = conn.execute(
            select(api_keys.c.revoked_at).where(api_keys.c.id == admin_id)
        ).scalar_one()
    assert first_time is not None


def test_revoking_an_unknown_key_says_where_the_ids_are(client):
    result = run(client, "api-key", "revoke", "no-such-key", ok=False)
    assert "No API key 'no-such-key'" in result.output and "api-key list" in result.output
    assert "No API keys yet" in run(client, "api-key", "list").output


# --- example site | kiosk ----------------------------------------------------------------


def test_the_examples_are_the_packaged_files_and_work_outside_the_repository(client, tmp_path):
    assert run(client, "example", "site").output == EXAMPLE_SITE.read_text(encoding="utf-8")
    kiosk_file = ROOT / "assets" / "config" / "example-kiosk.toml"
    assert run(client, "example", "kiosk").output == kiosk_file.read_text(encoding="utf-8")
    questions_file = ROOT / "assets" / "config" / "example-questions.toml"
    assert run(client, "example", "questions").output == questions_file.read_text("utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    settings = client.app.state.settings
    command = [sys.executable, "-m", "central.cli", "--db", settings.db_url]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    printed = subprocess.run(
        [*command, "example", "site"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    (elsewhere / "site.toml").write_text(printed.stdout, encoding="utf-8")
    added = subprocess.run(
        [*command, "site", "add", "site.toml"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert added.returncode == 0, added.stderr
    assert "Added site kaleva" in added.stdout
    refused = CliRunner().invoke(cli.main, ["example", "nothing"])
    assert refused.exit_code == 2 and "'kiosk', 'questions', 'site'" in refused.output


# --- site list | show | update | retire --------------------------------------------------


def test_site_list_show_and_a_show_given_back_to_update_changes_nothing(
    client, enrolment, tmp_path
):
    listed = run(client, "site", "list").output.splitlines()
    assert listed[0].split()[:2] == ["site", "time"]
    row = listed[1]
    assert row.startswith("kaleva") and "Europe/Helsinki" in row and "1 live" in row
    assert "in service" in row and "laboratorio, laakarin-vastaanotto" in row

    shown = run(client, "site", "show", "kaleva").output
    with client.app.state.engine.connect() as conn:
        held = load_site(conn, "kaleva")
    assert parse_site(shown) == held
    site_file = tmp_path / "kaleva.toml"
    site_file.write_text(shown, encoding="utf-8")
    updated = run(client, "site", "update", str(site_file)).output
    assert "nothing changed" in updated

    unknown = run(client, "site", "show", "nowhere", ok=False).output
    assert "No site 'nowhere'" in unknown


def test_site_update_says_what_changed_and_needs_an_existing_site(client, enrolment, tmp_path):
    text = EXAMPLE_SITE.read_text(encoding="utf-8")
    # neuvola left out, a new service point, a reason's name changed
    without = text.split('[[service_points]]\nid = "neuvola"')[0]
    rest = text.split('prefix = "N"\n', 1)[1]
    changed = (
        without
        + '[[service_points]]\nid = "rokotukset"\n'
        + 'name = { fi = "Rokotukset", sv = "Vaccinationer", en = "Vaccinations" }\n'
        + 'prefix = "R"\n'
        + rest.replace('en = "Waiting time"', 'en = "The waiting time"')
    )
    site_file = tmp_path / "site.toml"
    site_file.write_text(changed, encoding="utf-8")
    out = run(client, "site", "update", str(site_file)).output
    assert "service point added: rokotukset" in out
    assert "service point retired: neuvola" in out and "reports label it retired" in out
    assert "reason changed: waiting-time (name)" in out
    shown = run(client, "site", "show", "kaleva").output
    assert '[[retired.service_points]]\nid = "neuvola"' in shown
    # the file given back with neuvola again: back in service
    site_file.write_text(text, encoding="utf-8")
    again = run(client, "site", "update", str(site_file)).output
    assert "service point back in service: neuvola" in again
    assert "service point retired: rokotukset" in again

    other = tmp_path / "other.toml"
    other.write_text(text.replace('id = "kaleva"', 'id = "tuira"'), encoding="utf-8")
    refused = run(client, "site", "update", str(other), ok=False).output
    assert "No site 'tuira'" in refused and "site add" in refused


def test_a_retired_service_point_and_reason_are_no_longer_offered_but_their_events_count(
    client, enrolment
):
    out = run(
        client,
        "site",
        "retire",
        "kaleva",
        "--service-point",
        "neuvola",
        "--reason",
        "friendly-staff",
    ).output
    assert "service point retired: neuvola" in out and "reason retired: friendly-staff" in out
    headers = {"Authorization": f"Bearer {enrolment['token']}"}
    config = client.get("/api/v1/config", headers=headers).json()
    assert "neuvola" not in [p["id"] for p in config["service_points"]]
    assert [r["id"] for r in config["feedback"]["reasons"]] == ["waiting-time"]
    late = feedback(4, reason="friendly-staff", service_point="neuvola", boot_id="old")
    answer = send(client, enrolment["token"], [late]).json()
    assert answer["accepted"] == 1 and answer["rejected"] == []
    assert stored(client)[late["id"]]["flag"] is None  # an ordinary event, not "unknown"
    listed = run(client, "site", "list").output
    assert "retired: neuvola" in listed

    back = run(client, "site", "retire", "kaleva", "--service-point", "neuvola", "--undo").output
    assert "service point back in service: neuvola" in back
    config = client.get("/api/v1/config", headers=headers).json()
    assert "neuvola" in [p["id"] for p in config["service_points"]]

    unknown = run(client, "site", "retire", "kaleva", "--reason", "mystery", ok=False).output
    assert "no offered reason 'mystery'" in unknown


def test_the_last_service_point_cannot_be_retired_alone(client, enrolment):
    points = ["laboratorio", "laakarin-vastaanotto", "hoitajan-vastaanotto"]
    points += ["suun-terveydenhuolto", "neuvola"]
    args = [a for p in points for a in ("--service-point", p)]
    out = run(client, "site", "retire", "kaleva", *args, ok=False).output
    assert "no service point left" in out and "hymy-central site retire kaleva" in out
    with client.app.state.engine.connect() as conn:
        assert len(load_site(conn, "kaleva").service_points) == 5  # nothing changed


def test_a_retired_site_takes_no_new_kiosks_but_its_kiosks_uploads_still_count(
    client, enrolment, tmp_path
):
    code = make_code(client)  # made before the site was retired
    headers = {"Authorization": f"Bearer {enrolment['token']}"}
    before = client.get("/api/v1/config", headers=headers)
    out = run(client, "site", "retire", "kaleva").output
    assert "Retired site kaleva" in out and "uploads are still accepted" in out
    assert "retired 20" in run(client, "site", "list").output

    refused = run(client, "enroll-code", "--site", "kaleva", ok=False).output
    assert "Site kaleva is retired" in refused and "--undo" in refused
    enrol = client.post("/api/v1/enroll", json={"code": code, "kiosk_id": "aula-2"})
    assert enrol.status_code == 400 and "retired" in enrol.json()["detail"]

    event = feedback(3)
    answer = send(client, enrolment["token"], [event]).json()
    assert answer["accepted"] == 1  # nothing a kiosk of it still holds is lost
    after = client.get("/api/v1/config", headers=headers)
    assert after.status_code == 200 and after.headers["ETag"] == before.headers["ETag"]
    site_file = tmp_path / "site.toml"
    site_file.write_text(EXAMPLE_SITE.read_text(encoding="utf-8"), encoding="utf-8")
    frozen = run(client, "site", "update", str(site_file), ok=False).output
    assert "Site kaleva is retired: its definition cannot change" in frozen
    shown = run(client, "site", "show", "kaleva").output
    assert "# The site is retired since" in shown
    assert "was retired already" in run(client, "site", "retire", "kaleva").output

    assert "in service again" in run(client, "site", "retire", "kaleva", "--undo").output
    assert run(client, "enroll-code", "--site", "kaleva").exit_code == 0
    code = make_code(client)
    enrol = client.post("/api/v1/enroll", json={"code": code, "kiosk_id": "aula-2"})
    assert enrol.status_code == 200


def test_site_commands_on_an_empty_central(client, tmp_path: Path):
    assert "No sites yet" in run(client, "site", "list").output
    assert "No site 'kaleva'" in run(client, "site", "retire", "kaleva", ok=False).output


def test_a_site_file_written_back_reads_the_same_with_every_field():
    from central.sites import retiring, site_toml

    text = EXAMPLE_SITE.read_text(encoding="utf-8").replace(
        'prefix = "L"\n',
        'prefix = "L"\n'
        'guidance = { fi = "Ota \\"vuoronumero\\"\\nja odota", en = "Wait \\\\ sit" }\n',
    )
    definition = retiring(parse_site(text), ["neuvola"], ["waiting-time"])
    written = site_toml(definition)
    assert parse_site(written) == definition
    assert definition.service_points[0].guidance == {
        "fi": 'Ota "vuoronumero"\nja odota',
        "en": "Wait \\ sit",
    }


def test_migration_0007_keeps_what_was_there(db_url):
    from datetime import UTC, datetime

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import insert, text

    from central.db import make_engine, upgrade

    engine = make_engine(db_url)
    config = Config()
    config.set_main_option("script_location", "central:migrations")
    with write_transaction(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006")
        conn.execute(
            text(
                "INSERT INTO api_keys (id, key_hash, role, sites, created_at) "
                "VALUES ('k1', 'h1', 'admin', '[]', :now)"
            ),
            {"now": datetime.now(UTC)},
        )
    upgrade(engine)
    upgrade(engine)  # idempotent
    with engine.connect() as conn:
        row = conn.execute(select(api_keys)).one()
        assert row.id == "k1" and row.last_used_at is None and row.revoked_at is None
        kinds = conn.execute(text("SELECT kind, kept_from FROM retention_horizons")).all()
    assert sorted(kinds) == [("daily-run", None), ("events", None)]
    with write_transaction(engine) as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
    with write_transaction(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.execute(
            insert(api_keys).values(
                id="k2", key_hash="h2", role="it", sites="[]", created_at=datetime.now(UTC)
            )
        )
    engine.dispose()


def test_an_id_longer_than_its_column_is_refused_by_the_site_file_check(client, tmp_path):
    # Before: a site id of 65+ characters was taken on SQLite (which does not check a
    # VARCHAR's length) and ended in a StringDataRightTruncation traceback on PostgreSQL.
    long_id = "a" * 65
    for key, old in (
        ("site.id", 'id = "kaleva"'),
        ("service_points.0.id", 'id = "laboratorio"'),
        ("feedback.reasons.0.id", 'id = "waiting-time"'),
    ):
        site_file = tmp_path / "site.toml"
        site_file.write_text(
            EXAMPLE_SITE.read_text(encoding="utf-8").replace(old, f'id = "{long_id}"', 1)
        )
        result = run(client, "site", "add", str(site_file), ok=False)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert f"{key}: String should have at most 64 characters" in result.output
