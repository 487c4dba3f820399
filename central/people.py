"""People who sign in to the web console: accounts with an e-mail address, a role and sites
(the API keys' own rules, central.access), a password hashed with argon2, and the lockout after
repeated failed sign-ins.

A lockout counts failures per e-mail address whether or not it has an account, so the answer
to a guess never tells who has one; and per client address, so one machine cannot try many
addresses. Passwords are checked against a dummy hash for unknown addresses, so the time of the
answer tells nothing either.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, select, update

from central.access import Caller, checked_scope
from central.tables import people, signin_failures, web_sessions

LOCKOUT_WINDOW = timedelta(minutes=15)
FAILURES_PER_EMAIL = 5  # then that address is locked for the rest of the window
FAILURES_PER_ADDRESS = 20  # then that client is
MIN_PASSWORD = 12  # characters; a passphrase of a few words is the advice
MAX_PASSWORD = 1024  # argon2 takes any length; this only bounds the work per request
LANGUAGES = ("fi", "sv", "en")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash("not a password anyone has")


class PeopleError(ValueError):
    """An account that cannot be made or changed as asked; the message says what to change."""


class SigninRefused(Exception):  # noqa: N818 - a refusal, not an error of the program
    """A sign-in refused: `reason` is "wrong" (unknown address or wrong password: one answer
    for both), "locked" or "disabled"; `person` is the account when there is one (for the
    audit line, never for the page)."""

    def __init__(self, reason: str, person: Person | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.person = person


@dataclass(frozen=True)
class Person:
    id: str
    email: str
    role: str
    sites: tuple[str, ...]  # empty: every site
    language: str | None
    has_password: bool
    oidc_subject: str | None
    created_at: datetime
    disabled_at: datetime | None
    last_signin_at: datetime | None

    @property
    def caller(self) -> Caller:
        """What this person may read: exactly what an API key of the same role and sites may."""
        return Caller(self.id, self.role, self.sites)


def normal_email(email: str) -> str:
    """The address as stored: without surrounding blanks, in lower case.

    Raises PeopleError for something that is not an e-mail address.
    """
    value = email.strip().lower()
    if len(value) > 320 or not _EMAIL.match(value):
        raise PeopleError(f"{email!r} is not an e-mail address: give one like name@example.fi.")
    return value


def check_password(password: str) -> str:
    """Raises PeopleError for a password too short or too long to use."""
    if len(password) < MIN_PASSWORD:
        raise PeopleError(
            f"A password needs at least {MIN_PASSWORD} characters: a few words in a row are "
            "easy to remember and hard to guess."
        )
    if len(password) > MAX_PASSWORD:
        raise PeopleError(f"A password has at most {MAX_PASSWORD} characters.")
    return password


def _person(row: object) -> Person:
    r = row._mapping  # type: ignore[attr-defined]
    return Person(
        r["id"],
        r["email"],
        r["role"],
        tuple(json.loads(r["sites"])),
        r["language"],
        r["password_hash"] is not None,
        r["oidc_subject"],
        _aware(r["created_at"]),
        _aware(r["disabled_at"]),
        _aware(r["last_signin_at"]),
    )


def add_person(
    conn: Connection,
    email: str,
    role: str,
    sites: list[str],
    password: str | None,
    *,
    oidc_subject: str | None = None,
    now: datetime | None = None,
) -> Person:
    """A new account. `password` None: the person signs in only through single sign-on.

    Raises PeopleError for a bad address or password or an address that has an account;
    central.access.ApiKeyError for a role or sites the API keys' rules refuse.
    """
    email = normal_email(email)
    scope = checked_scope(conn, role, sites, "account")
    if password is not None:
        check_password(password)
    if find_person(conn, email) is not None:
        raise PeopleError(
            f"{email} has an account already: `hymy-central user list` shows it; "
            "`user reset-password` gives it a new password."
        )
    person_id = str(uuid.uuid4())
    conn.execute(
        insert(people).values(
            id=person_id,
            email=email,
            password_hash=None if password is None else _hasher.hash(password),
            role=role,
            sites=json.dumps(scope),
            oidc_subject=oidc_subject,
            created_at=now or datetime.now(UTC),
        )
    )
    found = find_person(conn, email)
    assert found is not None
    return found


def find_person(conn: Connection, email: str) -> Person | None:
    row = conn.execute(select(people).where(people.c.email == email.strip().lower())).first()
    return None if row is None else _person(row)


def person_by_id(conn: Connection, person_id: str) -> Person | None:
    row = conn.execute(select(people).where(people.c.id == person_id)).first()
    return None if row is None else _person(row)


def person_by_subject(conn: Connection, subject: str) -> Person | None:
    row = conn.execute(select(people).where(people.c.oidc_subject == subject)).first()
    return None if row is None else _person(row)


def list_people(conn: Connection) -> list[Person]:
    """Every account, enabled or not, by address."""
    return [_person(row) for row in conn.execute(select(people).order_by(people.c.email))]


def _existing(conn: Connection, email: str) -> Person:
    person = find_person(conn, normal_email(email))
    if person is None:
        raise PeopleError(f"No account {email.strip()!r}: `hymy-central user list` shows them.")
    return person


def end_sessions(conn: Connection, person_id: str) -> int:
    """Sign the person out of every browser; how many sessions ended."""
    return conn.execute(delete(web_sessions).where(web_sessions.c.person_id == person_id)).rowcount


def disable_person(conn: Connection, email: str, now: datetime | None = None) -> bool:
    """Disable the account and end its sessions at once. True when this call disabled it,
    False when it was disabled already. Raises PeopleError for an unknown address."""
    person = _existing(conn, email)
    end_sessions(conn, person.id)
    if person.disabled_at is not None:
        return False
    conn.execute(
        update(people).where(people.c.id == person.id).values(disabled_at=now or datetime.now(UTC))
    )
    return True


def enable_person(conn: Connection, email: str) -> bool:
    """Enable a disabled account again; True when it was disabled. Raises PeopleError."""
    person = _existing(conn, email)
    conn.execute(update(people).where(people.c.id == person.id).values(disabled_at=None))
    return person.disabled_at is not None


def reset_password(conn: Connection, email: str, password: str) -> Person:
    """Give the account a new password, end its sessions and lift its lockout.

    Raises PeopleError for an unknown address or a password too short or long.
    """
    person = _existing(conn, email)
    check_password(password)
    conn.execute(
        update(people).where(people.c.id == person.id).values(password_hash=_hasher.hash(password))
    )
    end_sessions(conn, person.id)
    conn.execute(delete(signin_failures).where(signin_failures.c.email == person.email))
    return person


def change_access(conn: Connection, email: str, role: str, sites: list[str]) -> Person:
    """A new role and sites for the account (from the next page it opens on).

    Raises PeopleError for an unknown address, ApiKeyError for a role or sites refused.
    """
    person = _existing(conn, email)
    scope = checked_scope(conn, role, sites, "account")
    conn.execute(
        update(people).where(people.c.id == person.id).values(role=role, sites=json.dumps(scope))
    )
    return person_by_id(conn, person.id)  # type: ignore[return-value]


def set_language(conn: Connection, person_id: str, language: str | None) -> None:
    """The person's own choice of language (None: the browser's)."""
    if language is not None and language not in LANGUAGES:
        raise PeopleError(f"A language is one of {', '.join(LANGUAGES)}, not {language!r}.")
    conn.execute(update(people).where(people.c.id == person_id).values(language=language))


def _failures_since(conn: Connection, column: object, value: str, since: datetime) -> int:
    query = select(func.count()).where(column == value, signin_failures.c.at >= since)  # type: ignore[operator]
    return int(conn.execute(query).scalar_one())


def is_locked(conn: Connection, email: str, address: str, now: datetime) -> bool:
    """Too many failed sign-ins for this address or from this client within the window."""
    since = now - LOCKOUT_WINDOW
    return (
        _failures_since(conn, signin_failures.c.email, email, since) >= FAILURES_PER_EMAIL
        or _failures_since(conn, signin_failures.c.address, address, since) >= FAILURES_PER_ADDRESS
    )


def verify_signin(
    conn: Connection, email: str, password: str, address: str, now: datetime | None = None
) -> Person:
    """The account whose address and password these are, its sign-in recorded; call it in a
    write transaction.

    Raises SigninRefused: "locked" while too many sign-ins failed within the window (nothing is
    checked then, so guessing on is pointless), "wrong" for an unknown address or a wrong
    password (recorded as a failure), "disabled" for a disabled account with the right password.
    """
    now = now or datetime.now(UTC)
    email = email.strip().lower()[:320]
    address = address[:64]
    conn.execute(delete(signin_failures).where(signin_failures.c.at < now - LOCKOUT_WINDOW))
    person = find_person(conn, email)
    if is_locked(conn, email, address, now):
        raise SigninRefused("locked", person)
    row = conn.execute(select(people.c.password_hash).where(people.c.email == email)).first()
    stored = row.password_hash if row else None
    try:
        _hasher.verify(stored or _DUMMY_HASH, password[:MAX_PASSWORD])
        good = stored is not None
    except (VerificationError, InvalidHashError):
        good = False
    if not good or person is None:
        conn.execute(insert(signin_failures).values(at=now, email=email, address=address))
        raise SigninRefused("wrong", person)
    if person.disabled_at is not None:
        raise SigninRefused("disabled", person)
    conn.execute(delete(signin_failures).where(signin_failures.c.email == email))
    values: dict[str, object] = {"last_signin_at": now}
    if stored and _hasher.check_needs_rehash(stored):
        values["password_hash"] = _hasher.hash(password)
    conn.execute(update(people).where(people.c.id == person.id).values(**values))
    return person


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; they were stored in UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
