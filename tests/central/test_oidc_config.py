"""The [oidc] setting: each mistake in the file gets its own sentence naming the file, the key
and what to write; and the rules that turn a person's claims into a role and sites."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from central.oidc_config import OidcConfig, RoleMapping, load_oidc_file, parse_oidc
from central.settings import Settings, SettingsError

GOOD = """
[oidc]
issuer = "https://login.microsoftonline.com/0000-tenant/v2.0"
client_id = "11111111-2222-3333-4444-555555555555"
client_secret_file = "oidc-secret"
display_name = { fi = "Pirkanmaan hyvinvointialue", sv = "Birkalands välfärdsområde" }
claim = "roles"
email_claim = "preferred_username"

[[oidc.map]]
value = "Hymy.Admin"
role = "admin"

[[oidc.map]]
value = "Hymy.Kaleva"
role = "manager"
sites = ["kaleva"]

[[oidc.map]]
value = "Hymy.Hervanta"
role = "manager"
sites = ["hervanta", "kaleva"]

[[oidc.map]]
value = "Hymy.IT"
role = "it"
"""


def write(tmp_path: Path, text: str, secret: str | None = "s3cret\n", mode: int = 0o600) -> Path:
    path = tmp_path / "oidc.toml"
    path.write_text(text, encoding="utf-8")
    if secret is not None:
        secret_path = tmp_path / "oidc-secret"
        secret_path.write_text(secret, encoding="utf-8")
        secret_path.chmod(mode)
    return path


def refused(tmp_path: Path, text: str, **kwargs: object) -> str:
    path = write(tmp_path, text, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(SettingsError) as caught:
        load_oidc_file(path)
    message = str(caught.value)
    assert str(path) in message or "secret" in message
    return message


def config(*mappings: RoleMapping, claim: str = "groups") -> OidcConfig:
    return OidcConfig(
        path=Path("oidc.toml"),
        issuer="https://idp.example.fi",
        client_id="hymy",
        client_secret="x",
        display_names=(("", "IdP"),),
        claim=claim,
        mappings=mappings,
    )


def test_a_good_file_is_read_with_its_secret_and_defaults(tmp_path: Path) -> None:
    loaded = load_oidc_file(write(tmp_path, GOOD))
    assert loaded.issuer == "https://login.microsoftonline.com/0000-tenant/v2.0"
    assert loaded.client_secret == "s3cret"
    assert "s3cret" not in repr(loaded)
    assert loaded.scopes == ("openid", "email", "profile")
    assert (loaded.claim, loaded.email_claim) == ("roles", "preferred_username")
    assert loaded.metadata_url == (
        "https://login.microsoftonline.com/0000-tenant/v2.0/.well-known/openid-configuration"
    )
    assert loaded.display_name_for("sv") == "Birkalands välfärdsområde"
    assert loaded.display_name_for("en") == "Pirkanmaan hyvinvointialue"  # no en: Finnish
    assert loaded.sites == ("hervanta", "kaleva")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (('issuer = "https://login', 'issuer = "http://login'), "[oidc] issuer is 'http://"),
        (("client_id = ", "clientid = "), "[oidc] clientid is not a key of [oidc]"),
        (('claim = "roles"', 'claim = ""'), "[oidc] claim is '', not a text"),
        (('role = "it"', 'role = "boss"'), "role is 'boss': write one of admin, it, manager"),
        (('sites = ["kaleva"]', "sites = []"), "a manager reads only the sites named"),
        (('role = "admin"', 'role = "admin"\nsites = ["kaleva"]'), "an admin, who reads every"),
        (('sv = "Birkalands', 'de = "Birkalands'), "display_name has the language 'de'"),
        (('value = "Hymy.IT"', "value = 5"), "value is missing"),
        (
            ('claim = "roles"', 'claim = "roles"\nscopes = ["email"]'),
            "without 'openid', so no ID token would come",
        ),
        (
            ('claim = "roles"', 'claim = "roles"\nclient_secret = "hunter2"'),
            "[oidc] client_secret is the secret itself, which must never be in this file",
        ),
    ],
)
def test_each_mistake_has_its_own_message(
    tmp_path: Path, change: tuple[str, str], words: str
) -> None:
    assert change[0] in GOOD
    message = refused(tmp_path, GOOD.replace(change[0], change[1], 1))
    assert words in message, message


def test_missing_keys_and_tables_say_what_to_write(tmp_path: Path) -> None:
    assert "has no [oidc] table" in refused(tmp_path, "[odic]\nissuer = 'x'\n")
    no_map = GOOD.split("[[oidc.map]]")[0]
    assert "[[oidc.map]] is missing, so nobody could sign in" in refused(tmp_path, no_map)
    no_name = GOOD.replace("display_name = {", "# display_name = {")
    assert "[oidc] display_name is missing" in refused(tmp_path, no_name)
    no_id = GOOD.replace("client_id =", "# client_id =")
    assert "[oidc] client_id is missing: write e.g. client_id = " in refused(tmp_path, no_id)
    assert "is not valid TOML" in refused(tmp_path, "[oidc\n")


def test_http_is_allowed_only_on_this_machine(tmp_path: Path) -> None:
    for issuer in ("http://127.0.0.1:9000", "http://localhost:9000/realms/x", "http://[::1]:1"):
        loaded = load_oidc_file(write(tmp_path, GOOD.replace(GOOD.split('"')[1], issuer, 1)))
        assert loaded.issuer == issuer
    message = refused(tmp_path, GOOD.replace(GOOD.split('"')[1], "http://idp.example.fi", 1))
    assert "over https" in message


def test_the_secret_file_must_exist_be_filled_and_be_the_services_alone(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD, secret=None)
    assert "oidc-secret, which does not exist" in message
    assert "install -m 0600 -o hymy-central" in message
    assert "which is empty" in refused(tmp_path, GOOD, secret="\n")
    readable = refused(tmp_path, GOOD, mode=0o644)
    assert "which every user of this machine may read" in readable
    assert "chmod 0600" in readable
    # The group may read it (root:hymy-central 0640, as the env file is).
    assert load_oidc_file(write(tmp_path, GOOD, mode=0o640)).client_secret == "s3cret"


def test_a_missing_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="HYMY_CENTRAL_OIDC_FILE or --oidc-file"):
        load_oidc_file(tmp_path / "nowhere.toml")


def test_the_highest_role_wins_and_a_managers_sites_are_the_union() -> None:
    rules = config(
        RoleMapping("kaleva", "manager", ("kaleva",)),
        RoleMapping("hervanta", "manager", ("hervanta", "kaleva")),
        RoleMapping("it-tampere", "it", ("kaleva",)),
        RoleMapping("it-all", "it"),
        RoleMapping("admins", "admin"),
    )
    manager = rules.access_for({"groups": ["kaleva", "hervanta", "other"]})
    assert manager is not None
    assert (manager.role, manager.sites) == ("manager", ("hervanta", "kaleva"))
    assert manager.matched == ("hervanta", "kaleva")
    it = rules.access_for({"groups": ["kaleva", "it-tampere"]})
    assert it is not None and (it.role, it.sites) == ("it", ("kaleva",))
    it_all = rules.access_for({"groups": ["it-tampere", "it-all"]})
    assert it_all is not None and (it_all.role, it_all.sites) == ("it", ())
    admin = rules.access_for({"groups": ["kaleva", "admins"]})
    assert admin is not None and (admin.role, admin.sites) == ("admin", ())
    assert rules.access_for({"groups": ["other"]}) is None
    assert rules.access_for({}) is None


def test_claims_as_a_string_a_list_or_nested() -> None:
    rules = config(RoleMapping("admin", "admin"), claim="roles")
    assert rules.access_for({"roles": "admin"}) is not None
    assert rules.access_for({"roles": ["x", 3, "admin"]}) is not None
    assert rules.access_for({"roles": {"admin": True}}) is None
    nested = config(RoleMapping("admin", "admin"), claim="realm_access.roles")
    assert nested.access_for({"realm_access": {"roles": ["admin"]}}) is not None


def test_entras_groups_overage_is_told_apart() -> None:
    rules = config(RoleMapping("g", "admin"))
    overage = {"_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {}}}
    assert rules.groups_overage(overage)
    assert not rules.groups_overage({"groups": []})


def test_settings_carry_the_file_to_the_workers(tmp_path: Path, monkeypatch) -> None:
    settings = Settings(data_dir=tmp_path, oidc_file=tmp_path / "oidc.toml")
    env = settings.environment()
    assert env["HYMY_CENTRAL_OIDC_FILE"] == str(tmp_path / "oidc.toml")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings.from_env().oidc_file == tmp_path / "oidc.toml"
    monkeypatch.setenv("HYMY_CENTRAL_OIDC_FILE", "")
    assert Settings.from_env().oidc_file is None
    assert Settings(data_dir=tmp_path).environment()["HYMY_CENTRAL_OIDC_FILE"] == ""


def test_serve_stops_in_one_line_for_a_broken_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('role = "it"', 'role = "boss"'))
    run = subprocess.run(
        [sys.executable, "-m", "central.cli", "--data-dir", str(tmp_path), "serve"],
        env={**os.environ, "HYMY_CENTRAL_OIDC_FILE": str(path), "HYMY_CENTRAL_PORT": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert lines[-1].startswith(f"Error: {path}: [[oidc.map]] number 4 (Hymy.IT): role is")
    assert "Traceback" not in run.stderr


def test_the_example_in_deploy_is_a_valid_setting() -> None:
    import tomllib

    path = Path(__file__).resolve().parents[2] / "deploy" / "central" / "oidc.toml.example"
    example = parse_oidc(tomllib.loads(path.read_text(encoding="utf-8")), path, secret="x")
    assert example.claim == "roles" and example.email_claim == "preferred_username"
    assert example.display_name_for("sv") == "Birkalands välfärdsområde"
    access = example.access_for({"roles": ["Hymy.Manager.Kaleva", "Hymy.Manager.Hervanta"]})
    assert access is not None
    assert (access.role, access.sites) == ("manager", ("hervanta", "kaleva", "tesoma"))
