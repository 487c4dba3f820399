"""The `[oidc]` setting: single sign-on to the console through the county's own identity
provider (Entra ID, Keycloak, any OpenID Connect provider), and the rules that give a person
their role and sites from a claim of their ID token.

The file is named by HYMY_CENTRAL_OIDC_FILE (or `serve --oidc-file`):

    [oidc]
    issuer = "https://login.microsoftonline.com/TENANT-ID/v2.0"
    client_id = "APPLICATION-ID"
    client_secret_file = "/etc/hymy-central/oidc-secret"   # mode 0600: never the secret here
    display_name = { fi = "Pirkanmaan hyvinvointialue", sv = "...", en = "..." }
    claim = "groups"                # or "roles" (Entra's app roles)
    email_claim = "preferred_username"

    [[oidc.map]]
    value = "GROUP-OBJECT-ID"
    role = "manager"
    sites = ["kaleva", "hervanta"]

`load_oidc_file` reads it (and the secret file) and `parse_oidc` checks it; both raise
central.settings.SettingsError whose message names the file, the key and what to write. The
rest is pure: `OidcConfig.access_for(claims)` says which role and sites a person's claims give
(the highest role of every matching entry; a manager's sites are the union), or None.
"""

from __future__ import annotations

import ipaddress
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from central.access import ROLES
from central.settings import SettingsError

LANGUAGES = ("fi", "sv", "en")
DEFAULT_SCOPES = ("openid", "email", "profile")
# admin > it > manager: with several matching entries, the highest wins.
RANK = {"admin": 3, "it": 2, "manager": 1}
_KEYS = {
    "issuer",
    "client_id",
    "client_secret_file",
    "display_name",
    "scopes",
    "claim",
    "email_claim",
    "map",
}
_MAP_KEYS = {"value", "role", "sites"}
_LOCAL_HOSTS = ("localhost",)


@dataclass(frozen=True)
class RoleMapping:
    """One `[[oidc.map]]` entry: a person whose claim holds `value` gets `role` (and `sites`)."""

    value: str
    role: str
    sites: tuple[str, ...] = ()  # empty: every site (admin; it without a scope)


@dataclass(frozen=True)
class SsoAccess:
    """What a person's claims give: a role, its sites (empty: every site) and the claim values
    that gave it (for the audit line)."""

    role: str
    sites: tuple[str, ...]
    matched: tuple[str, ...]


@dataclass(frozen=True)
class OidcConfig:
    path: Path  # the TOML file, for messages
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    display_names: tuple[tuple[str, str], ...]  # (language, name); a plain name is ("", name)
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    claim: str = "groups"
    email_claim: str = "email"
    mappings: tuple[RoleMapping, ...] = ()

    @property
    def metadata_url(self) -> str:
        """The provider's discovery document (OpenID Connect Discovery 1.0)."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @property
    def display_name(self) -> str:
        """The button's text when no language is known: English, else Finnish, else the one."""
        return self.display_name_for("en")

    def display_name_for(self, language: str) -> str:
        """The provider's name in `language`, else in English, Finnish, Swedish, else any."""
        names = dict(self.display_names)
        for wanted in (language, "", "en", "fi", "sv"):
            if names.get(wanted):
                return names[wanted]
        return self.display_names[0][1]

    @property
    def sites(self) -> tuple[str, ...]:
        """Every site the entries name (checked to exist at start)."""
        return tuple(sorted({site for entry in self.mappings for site in entry.sites}))

    def claim_values(self, claims: Mapping[str, Any]) -> tuple[str, ...]:
        """The values of the configured claim: a string, or the strings of a list; a dotted
        name ("realm_access.roles", Keycloak's) is followed into nested objects."""
        value: Any = claims.get(self.claim)
        if value is None and "." in self.claim:
            value = claims
            for part in self.claim.split("."):
                value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list | tuple):
            return tuple(item for item in value if isinstance(item, str))
        return ()

    def groups_overage(self, claims: Mapping[str, Any]) -> bool:
        """Entra ID leaves `groups` out of the token of a person in more than 200 groups and
        points to Microsoft Graph instead (`_claim_names`): then no mapping can be read."""
        names = claims.get("_claim_names")
        return isinstance(names, Mapping) and self.claim in names and self.claim not in claims

    def access_for(self, claims: Mapping[str, Any]) -> SsoAccess | None:
        """The role and sites these claims give, or None when no entry matches.

        Several matches: the highest role wins (admin > it > manager); the sites are the union
        of that role's entries, and an `it` entry without sites gives every site.
        """
        values = set(self.claim_values(claims))
        matched = [entry for entry in self.mappings if entry.value in values]
        if not matched:
            return None
        role = max((entry.role for entry in matched), key=RANK.__getitem__)
        winners = [entry for entry in matched if entry.role == role]
        if role == "admin" or any(not entry.sites for entry in winners):
            sites: tuple[str, ...] = ()
        else:
            sites = tuple(sorted({site for entry in winners for site in entry.sites}))
        return SsoAccess(role, sites, tuple(sorted({entry.value for entry in matched})))


def _problem(path: Path, key: str, problem: str) -> SettingsError:
    return SettingsError(f"{path}: {key} {problem}.")


def _text(table: Mapping[str, Any], key: str, path: Path, *, example: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        shown = "missing" if value is None else f"{value!r}, not a text"
        raise _problem(path, f"{where}{key}", f"is {shown}: write e.g. {key} = {example!r}")
    return value.strip()


def _check_issuer(issuer: str, path: Path) -> str:
    parts = urlsplit(issuer)
    host = parts.hostname or ""
    try:
        loopback = host in _LOCAL_HOSTS or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    secure = parts.scheme == "https" or (parts.scheme == "http" and loopback)
    if not host or not secure or parts.query or parts.fragment:
        raise _problem(
            path,
            "[oidc] issuer",
            f"is {issuer!r}: give the provider's issuer URL over https, as its "
            "/.well-known/openid-configuration names it, e.g. issuer = "
            "'https://login.microsoftonline.com/TENANT-ID/v2.0' (http only for 127.0.0.1 or "
            "localhost)",
        )
    return issuer


def _display_names(value: Any, path: Path) -> tuple[tuple[str, str], ...]:
    example = "display_name = { fi = 'Pirkanmaan hyvinvointialue', sv = '...', en = '...' }"
    if isinstance(value, str) and value.strip():
        return (("", value.strip()),)
    if isinstance(value, Mapping) and value:
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise _problem(
                path,
                "[oidc] display_name",
                f"has the language {unknown[0]!r}: give fi, sv or en, e.g. {example}",
            )
        names = []
        for language in LANGUAGES:
            name = value.get(language)
            if name is None:
                continue
            if not isinstance(name, str) or not name.strip():
                raise _problem(
                    path, f"[oidc] display_name.{language}", f"is empty: write e.g. {example}"
                )
            names.append((language, name.strip()))
        return tuple(names)
    shown = "missing" if value is None else f"{value!r}"
    raise _problem(
        path,
        "[oidc] display_name",
        f"is {shown}: give the name people know their sign-in by (the button says 'Sign in "
        f"with NAME'), e.g. display_name = 'Pirkanmaan hyvinvointialue' or {example}",
    )


def _scopes(value: Any, path: Path) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_SCOPES
    scopes = value.split() if isinstance(value, str) else value
    if not isinstance(scopes, list | tuple) or not all(
        isinstance(s, str) and s.strip() for s in scopes
    ):
        raise _problem(
            path,
            "[oidc] scopes",
            f"is {value!r}: write e.g. scopes = ['openid', 'email', 'profile']",
        )
    if "openid" not in scopes:
        raise _problem(
            path,
            "[oidc] scopes",
            f"is {value!r} without 'openid', so no ID token would come: write e.g. "
            "scopes = ['openid', 'email', 'profile']",
        )
    return tuple(dict.fromkeys(s.strip() for s in scopes))


def _mapping(entry: Any, number: int, path: Path) -> RoleMapping:
    where = f"[[oidc.map]] number {number}"
    if not isinstance(entry, Mapping):
        raise _problem(path, where, "is not a table: write [[oidc.map]] with value and role")
    unknown = sorted(set(entry) - _MAP_KEYS)
    if unknown:
        raise _problem(
            path, where, f"has the key {unknown[0]!r}: an entry has value, role and sites only"
        )
    value = entry.get("value")
    if not isinstance(value, str) or not value.strip():
        raise _problem(
            path,
            f"{where}: value",
            "is missing: write the claim value that gives this role (a group's object id, an "
            "app role's value), e.g. value = 'hymy-managers'",
        )
    role = entry.get("role")
    if role not in ROLES:
        raise _problem(
            path,
            f"{where} ({value}): role",
            f"is {role!r}: write one of {', '.join(ROLES)}, e.g. role = 'manager'",
        )
    sites = entry.get("sites", [])
    if not isinstance(sites, list) or not all(isinstance(s, str) and s.strip() for s in sites):
        raise _problem(
            path, f"{where} ({value}): sites", f"is {sites!r}: write e.g. sites = ['kaleva']"
        )
    if role == "manager" and not sites:
        raise _problem(
            path,
            f"{where} ({value}): sites",
            "is missing: a manager reads only the sites named, e.g. sites = ['kaleva', 'hervanta']",
        )
    if role == "admin" and sites:
        raise _problem(
            path,
            f"{where} ({value}): sites",
            "is given for an admin, who reads every site: remove it, or make the role it or "
            "manager",
        )
    return RoleMapping(value.strip(), role, tuple(sorted({s.strip() for s in sites})))


def read_secret(secret_path: Path, path: Path) -> str:
    """The client secret from its own file (first line, blanks stripped).

    Raises SettingsError for a file that is missing, empty, or readable or writable by every
    user of the machine (the secret signs the central in at the provider).
    """
    key = "[oidc] client_secret_file"
    try:
        info = secret_path.stat()
    except FileNotFoundError:
        raise _problem(
            path,
            key,
            f"names {secret_path}, which does not exist: put the client secret there, e.g. "
            f"sudo install -m 0600 -o hymy-central /dev/null {secret_path}, then write it in",
        ) from None
    except OSError as err:
        raise _problem(
            path, key, f"names {secret_path}, which cannot be read ({err.strerror})"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise _problem(path, key, f"names {secret_path}, which is not a file")
    if info.st_mode & (stat.S_IROTH | stat.S_IWOTH):
        raise _problem(
            path,
            key,
            f"names {secret_path}, which every user of this machine may read: make it the "
            f"service's alone, e.g. sudo chmod 0600 {secret_path} and sudo chown hymy-central "
            f"{secret_path}",
        )
    try:
        text = secret_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or "not UTF-8 text"
        raise _problem(
            path,
            key,
            f"names {secret_path}, which cannot be read ({reason}): make it readable by the "
            f"service, e.g. sudo chown hymy-central {secret_path}",
        ) from None
    secret = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not secret:
        raise _problem(
            path,
            key,
            f"names {secret_path}, which is empty: write the client secret from the provider "
            "into it (one line)",
        )
    return secret


def parse_oidc(data: Mapping[str, Any], path: Path, secret: str | None = None) -> OidcConfig:
    """The checked setting of a parsed TOML document. `secret` is the client secret (read by
    load_oidc_file); None reads client_secret_file now.

    Raises SettingsError naming the file, the key and what to write.
    """
    table = data.get("oidc")
    if not isinstance(table, Mapping):
        raise SettingsError(
            f"{path} has no [oidc] table: start it with [oidc], then issuer, client_id, "
            "client_secret_file, display_name and [[oidc.map]] entries (see "
            "deploy/central/oidc.toml.example)."
        )
    others = sorted(set(data) - {"oidc"})
    if others:
        raise _problem(path, repr(others[0]), "is not a setting here: only [oidc] is read")
    if "client_secret" in table:
        raise _problem(
            path,
            "[oidc] client_secret",
            "is the secret itself, which must never be in this file (it may be readable by "
            "others): put it in a file of its own, mode 0600, owned by hymy-central, and name "
            "that file with client_secret_file = '/etc/hymy-central/oidc-secret'",
        )
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise _problem(
            path,
            f"[oidc] {unknown[0]}",
            f"is not a key of [oidc]: the keys are {', '.join(sorted(_KEYS))}",
        )
    issuer = _check_issuer(
        _text(
            table,
            "issuer",
            path,
            example="https://login.microsoftonline.com/TENANT-ID/v2.0",
            where="[oidc] ",
        ),
        path,
    )
    client_id = _text(table, "client_id", path, example="APPLICATION-ID", where="[oidc] ")
    secret_name = _text(
        table,
        "client_secret_file",
        path,
        example="/etc/hymy-central/oidc-secret",
        where="[oidc] ",
    )
    secret_path = Path(secret_name)
    if not secret_path.is_absolute():
        secret_path = path.parent / secret_path
    names = _display_names(table.get("display_name"), path)
    scopes = _scopes(table.get("scopes"), path)
    claim = (
        _text(table, "claim", path, example="groups", where="[oidc] ")
        if "claim" in table
        else "groups"
    )
    email_claim = (
        _text(table, "email_claim", path, example="preferred_username", where="[oidc] ")
        if "email_claim" in table
        else "email"
    )
    entries = table.get("map")
    if not isinstance(entries, list) or not entries:
        raise _problem(
            path,
            "[[oidc.map]]",
            "is missing, so nobody could sign in: add an entry per group or app role, e.g. "
            "[[oidc.map]] value = 'hymy-admins' role = 'admin'",
        )
    mappings = tuple(_mapping(entry, number, path) for number, entry in enumerate(entries, 1))
    return OidcConfig(
        path=path,
        issuer=issuer,
        client_id=client_id,
        client_secret=read_secret(secret_path, path) if secret is None else secret,
        display_names=names,
        scopes=scopes,
        claim=claim,
        email_claim=email_claim,
        mappings=mappings,
    )


def load_oidc_file(path: Path) -> OidcConfig:
    """The setting of the TOML file at `path`, with its client secret.

    Raises SettingsError for a file that is missing, not TOML or not a valid setting.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(
            f"The single sign-on file {path} (HYMY_CENTRAL_OIDC_FILE or --oidc-file) does not "
            "exist: give the path of the [oidc] file, or unset it to sign in with passwords "
            "only."
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or "not UTF-8 text"
        raise SettingsError(
            f"The single sign-on file {path} cannot be read ({reason}): make it readable by "
            "the service (e.g. sudo chgrp hymy-central FILE; sudo chmod 0640 FILE)."
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"{path} is not valid TOML ({err}): fix that line.") from None
    return parse_oidc(data, path)
