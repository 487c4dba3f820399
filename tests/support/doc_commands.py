"""How the docs test runs every command the docs show, as printed (tests/docs/).

Every `$ ` line of a ```console block in README.md and in every other Markdown file of the
repository (docs/*.md, deploy/...) is run, in the order of the document, in one sandbox per
document: a temporary HOME, data dirs of its own for the central and the kiosk, the package's
commands on PATH from this venv (this tree's code first), a real central (`hymy-central serve`
on 127.0.0.1 on SQLite, started when a command needs one; PostgreSQL from the tests' throwaway
cluster where a command names postgresql://), and Xvfb for the kiosk. So `site add`, then
`enroll-code`, then `hymy-sync enroll --code NUG6-C29D-MFKT` enrols with the code printed just
before. The "Example:" line of every command's --help is run the same way.

A command must exit 0 (or as EXPECTED_EXIT says), and where the doc prints output below it, the
first line's fixed words must match what the command printed: a word holding a digit or "..."
is variable (codes, ids, times, counts), the sandbox's paths and URLs are put back as the doc
wrote them, and for JSON the keys the doc shows must be there. A long-running command (serve,
`hymy-sync run`, the kiosk) must come up (the server answers /healthz, the agent's heartbeat
reaches the central, the kiosk logs "ready") and is then stopped.

Adding a command to the docs: nothing to do when it is a command of hymy-central, hymy-sync,
hymy-kiosk, curl or python whose placeholders are in PLACEHOLDERS. Otherwise the test fails and
says so; then either make it runnable here (a PLACEHOLDERS entry, a sandbox file in FILES,
STDIN, EXPECTED_EXIT, PREPARE) or list it, by the start of the command, in NOT_RUNNABLE (a
Pi, a fleet, a person at a keyboard) or SERVER_ONLY (a real server's systemd, nginx,
PostgreSQL superuser: docs/operations.md), each with the reason. A listed entry that no doc
shows any more fails the test too, so nothing is skipped silently.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click

from hymy_dev.local_central import LocalCentral, LocalCentralError, free_port
from tests.support.deploy import INSTALL_SH
from tests.support.paths import EXAMPLE_CONFIG, EXAMPLE_SITE, ROOT, child_pythonpath
from tests.support.postgres import PostgresCluster
from tests.support.smtp import smtp_server

VENV_BIN = Path(sys.executable).parent
RUN_TIMEOUT_S = 90
UP_TIMEOUT_S = 45

log = logging.getLogger(__name__)

# --- what cannot run here, by the start of the command, and why --------------------------------

NOT_RUNNABLE: dict[str, str] = {
    "make demo": "sets up .venv with pip first; the demo itself (python -m hymy_dev.demo) runs the "
    "commands this test runs one by one",
    "make test": "the whole test suite, this test among it",
    ".venv/bin/python bench/": "a benchmark at full size takes minutes; "
    "tests/test_benchmarks.py runs each one at a small size",
    "sudo deploy/raspberrypi/install.sh": "turns a Raspberry Pi into a kiosk (apt, users, "
    "boot config, systemd); tests/deploy runs install.sh in a staging root",
    "sudo hymy-0.1.0/deploy/raspberrypi/install.sh": "the same, from the release archive on a Pi",
    "ssh hymyadmin@": "logs in to a Pi",
    "curl -fsSL https://tiedostot.example.fi/": "the team's own release server",
    "sudo nano ": "a person editing a file",
    "sudo reboot": "reboots the Pi",
    "sudo hymy-install --upgrade": "pip-installs another version and restarts the Pi's "
    "services; tests/deploy covers upgrades in a staging root",
    "sudo hymy-install --rollback": "restarts the Pi's services on the previous version; "
    "tests/deploy covers it",
    "pip wheel ": "builds into dist/ of the repository; tests/test_packaging.py builds the wheel",
    "cd deploy/raspberrypi/ansible": "only to run the playbook below",
    "ansible-playbook ": "runs on the kiosks of an inventory over SSH",
    "ls -l /dev/serial/by-id/": "needs USB-serial devices plugged in",
}

# Commands that need a real server (docs/operations.md): its packages, users, systemd, nginx,
# TLS certificates, the PostgreSQL superuser. Same rules as NOT_RUNNABLE, by the start of the
# command. (docs/operations.md comes from another branch: until it is there, these entries are
# not checked for being shown.) The central's own commands in it run here: `sudo
# hymy-central-admin CMD` is `hymy-central CMD` with the service's settings (PLACEHOLDERS).
SERVER_DOC = "docs/operations.md"
SERVER_ONLY: dict[str, str] = {
    "sudo apt-get ": "installs Debian packages on the server",
    "tar xzf hymy-": "the release archive the team publishes; tests/test_packaging.py builds "
    "the sdist and installs it into a fresh venv",
    "sudo python3 -m venv /opt/hymy-central": "the server's own venv (tests/test_packaging.py "
    "makes one from the sdist)",
    "sudo /opt/hymy-central/bin/pip install": "pip into the server's venv with the pinned "
    "constraints (tests/test_packaging.py installs the same)",
    "sudo adduser ": "the service's system user on the server",
    "sudo install ": "puts the release's files in the server's /etc, /usr/local and /var with "
    "their owners; tests/deploy checks the unit, the nginx site and the scripts",
    "sudo systemctl ": "the server's systemd; tests/deploy checks the unit",
    "sudo journalctl ": "the server's journal",
    "sudo -u postgres ": "the PostgreSQL superuser of the server",
    "sudo -u hymy-central pg_dump": "peer authentication as the service's user on the server's "
    "PostgreSQL",
    "sudo -u hymy-central pg_restore": "the same, restoring",
    "sudo certbot ": "a certificate from Let's Encrypt for a public name",
    "sudo ln -s ../sites-available/": "enables the site in the server's nginx; tests/deploy runs "
    "nginx with the site",
    "sudo rm /etc/nginx/": "the server's nginx",
    "sudo rm -f /var/lib/hymy-central/": "a restore on the server, after `systemctl stop`",
    "sudo nginx -t": "the server's nginx; tests/deploy runs nginx with the site",
}

# --- how to run the rest ------------------------------------------------------------------------

# (document, command as printed) -> its exit status, when the doc shows a failure.
EXPECTED_EXIT: dict[tuple[str, str], int] = {
    ("docs/central.md", "hymy-central site add kolkata.toml"): 1,
    ("docs/kiosk-config.md", "hymy-kiosk --config /etc/hymy/kiosk.toml"): 2,
}

# Start of a command -> what it reads on its standard input (a person typing).
STDIN: dict[str, str] = {
    "hymy-kiosk --hash-pin": "2468\n2468\n",
    "/opt/hymy/current/bin/hymy-kiosk --hash-pin": "2468\n2468\n",
    "python -m kiosk.devices.simulate printer": "paper_out\n",
    "python -m kiosk.devices.simulate scanner": "LAB-2026-0042\n",
    "python -m kiosk.devices.simulate buttons": "3\n",
    # A new password, asked twice at the prompt.
    "hymy-central user add": "kolme sanaa peräkkäin\nkolme sanaa peräkkäin\n",
    "hymy-central user reset-password": "neljä uutta sanaa tässä\nneljä uutta sanaa tässä\n",
}

# A command (regular expression) -> how to tell it came up; it runs until then and is stopped.
LONG_RUNNING: dict[str, str] = {
    r"^hymy-central\b.* serve\b": "healthz",
    r"^hymy-sync\b.* run\b": "heartbeat",
    r"^hymy-kiosk (?!.*--hash-pin)": "kiosk ready",
}

# (document, command) -> output the sandbox does not make (a fleet in a certain state): the
# command runs and must succeed, its output is an illustration and not compared.
STATE_OUTPUT: dict[tuple[str, str], str] = {
    ("docs/central.md", "hymy-central devices"): "a kiosk with 7 events missing",
    ("docs/it-guide.md", "hymy-central devices"): "a silent kiosk among others",
    ("docs/sync.md", "hymy-sync status"): "a central refusing the uploads (403), and a quarantine",
    ("docs/sync.md", "hymy-sync once"): "a central that quarantines 10 of 210 events",
    ("docs/sync.md", "hymy-sync requeue --all"): "the 10 quarantined events",
}

# (document, command) -> what the sandbox has before that command: "site" (the example site at
# the central), "kiosk" (a kiosk of it enrolled, its events uploaded, its heartbeat sent).
PREPARE: dict[tuple[str, str], tuple[str, ...]] = {
    ("docs/it-guide.md", "hymy-central enroll-code --site kaleva"): ("site",),
    ("docs/it-guide.md", "hymy-central devices --site kaleva"): ("kiosk",),
    ("docs/sync.md", "hymy-sync status --data-dir /var/lib/hymy"): ("site", "kiosk"),
    # The IT person's session: the kiosk enrolled in it has run meanwhile.
    ("docs/central.md", "hymy-central --data-dir /var/lib/hymy-central devices"): ("kiosk",),
}


def _example_kiosk_with(old: str, new: str) -> str:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    assert old in text, f"the example kiosk config has no {old!r}"
    return text.replace(old, new, 1)


# Files the docs name, made in the sandbox: (document or "*", name as printed) -> its text.
FILES: dict[tuple[str, str], Callable[[], str]] = {
    ("*", "/etc/hymy/kiosk.toml"): lambda: EXAMPLE_CONFIG.read_text(encoding="utf-8"),
    # kiosk-config.md shows the message of a config whose second service point reuses "L".
    ("docs/kiosk-config.md", "/etc/hymy/kiosk.toml"): lambda: _example_kiosk_with(
        'prefix = "A"', 'prefix = "L"'
    ),
    ("*", "kaleva.toml"): lambda: EXAMPLE_SITE.read_text(encoding="utf-8"),
    ("*", "site.toml"): lambda: EXAMPLE_SITE.read_text(encoding="utf-8"),
    ("*", "kolkata.toml"): lambda: EXAMPLE_SITE.read_text(encoding="utf-8").replace(
        'timezone = "Europe/Helsinki"', 'timezone = "Asia/Kolkata"'
    ),
}


@dataclass(frozen=True)
class Placeholder:
    """Text of the docs (a regular expression) and what stands for it in the sandbox."""

    pattern: str
    value: Callable[[Sandbox], str]
    back: bool = True  # the sandbox's value in the output is written as the doc wrote it

    def __post_init__(self) -> None:
        re.compile(self.pattern)


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder(r"^(python|\.venv/bin/python)(?= )", lambda box: sys.executable, back=False),
    # The venv of an installed version (/opt/hymy/current/bin/hymy-kiosk on a Pi): this one.
    Placeholder(
        r"^/opt/hymy[\w-]*/(?:[\w.-]+/)*bin/(?=hymy-)", lambda box: f"{VENV_BIN}/", back=False
    ),
    # The service's user on a server (sudo -u hymy-central CMD): the sandbox's own.
    Placeholder(r"^sudo -u hymy[\w-]* ", lambda box: "", back=False),
    # hymy-central as the service runs it (deploy/central/hymy-central-admin): the sandbox's.
    Placeholder(r"^sudo hymy-central-admin(?= )", lambda box: "hymy-central", back=False),
    Placeholder(r"/var/backups/hymy-central(?![\w-])", lambda box: box.folder("backups")),
    Placeholder(r"^sudo hymy-install(?= )", lambda box: box.staged_installer(), back=False),
    Placeholder(
        r"https://hymy\.example\.fi|http://(?:localhost|127\.0\.0\.1):8080",
        lambda box: box.central_url(),
    ),
    Placeholder(r"(?<=--central )URL\b", lambda box: box.central_url()),
    Placeholder(
        r"\bNUG6-C29D-MFKT\b|\bK7QD-92XM-HB4T\b|(?<=--code )CODE\b", lambda box: box.code()
    ),
    Placeholder(
        r"4f0c2a9e-6a55-4d0e-9d61-0f0b8f3f4c11|4f0c2a9e-\.\.\.(?!\S)", lambda box: box.device_id()
    ),
    Placeholder(r"postgresql(?:\+psycopg)?://[^\s'\"]+", lambda box: box.postgres_url()),
    Placeholder(r"(?<=api-key revoke )\S+", lambda box: box.key_id()),
    Placeholder(r"(?<=comment delete )\S+", lambda box: box.comment_id()),
    Placeholder(r"/var/lib/hymy-central|/tmp/central(?![\w-])", lambda box: str(box.central_dir)),
    Placeholder(r"/var/lib/hymy(?![\w-])", lambda box: str(box.kiosk_dir)),
    Placeholder(r"/tmp/k(?![\w-])", lambda box: str(box.root / "kiosk-window")),
    Placeholder(r"/etc/hymy/kiosk\.toml", lambda box: box.file("/etc/hymy/kiosk.toml")),
    # A file the command writes (> kaleva.toml) is not made beforehand; one it reads is.
    Placeholder(
        r"(?<=> )(kaleva|kolkata|site)\.toml\b", lambda box: box.file(box.match, make=False)
    ),
    Placeholder(r"(?<![\w/.-])(kaleva|kolkata|site)\.toml\b", lambda box: box.file(box.match)),
    Placeholder(r"(?<=--port )8080\b", lambda box: str(box.port())),
    Placeholder(r"(?<=--host )0\.0\.0\.0\b", lambda box: "127.0.0.1", back=False),
    Placeholder(r"(?<=--workers )\d+\b", lambda box: "2", back=False),  # 2 cores here
    Placeholder(r"\$KEY\b|\$HYMY_API_KEY\b", lambda box: box.api_key(), back=False),
)

# The programs this test runs (after the placeholders); anything else must be listed above.
RUNNABLE = (
    "hymy-central",
    "hymy-sync",
    "hymy-kiosk",
    "curl ",
    "sqlite3 ",
    sys.executable,
    str(VENV_BIN),
    f"bash {INSTALL_SH}",
)

# --- the docs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocCommand:
    doc: str  # path from the repository's root
    line: int
    text: str  # as printed, without "$ " and a trailing "# comment"
    output: tuple[str, ...]  # the lines printed below it


def doc_files() -> list[Path]:
    skip = {"node_modules", "static", "build", "dist"}
    return sorted(
        path
        for path in ROOT.rglob("*.md")
        if not any(part.startswith(".") or part in skip for part in path.relative_to(ROOT).parts)
    )


def _without_comment(line: str) -> str:
    """The command without a trailing `# comment` (a # outside quotes, after a space)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and i > 0 and line[i - 1] == " ":
            return line[:i].rstrip()
    return line.rstrip()


def console_commands(path: Path) -> list[DocCommand]:
    """The `$ ` lines of the ```console blocks of a Markdown file, with the output below each."""
    doc = str(path.relative_to(ROOT))
    commands: list[DocCommand] = []
    fence: str | None = None
    current: tuple[int, str, list[str]] | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            commands.append(DocCommand(doc, current[0], current[1], tuple(current[2])))
            current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("```"):
            if fence is None:
                fence = line[3:].strip()
            else:
                close()
                fence = None
            continue
        if fence != "console":
            continue
        if line.startswith("$ "):
            close()
            current = (number, _without_comment(line[2:]), [])
        elif current is not None:
            current[2].append(line)
    return commands


ALL_COMMANDS = [command for path in doc_files() for command in console_commands(path)]
DOCS = sorted({command.doc for command in ALL_COMMANDS})


def bare(text: str) -> str:
    """The command without the environment variables set before it (HYMY_CENTRAL_DB=... cmd)
    or `sudo -u USER`: what LONG_RUNNING and RUNNABLE look at."""
    return re.sub(r"^(?:sudo -u [\w-]+ )?(?:[A-Z_][A-Z0-9_]*=\S+\s+)*", "", text)


def listed_reason(text: str) -> str | None:
    for table in (NOT_RUNNABLE, SERVER_ONLY):
        for prefix, reason in table.items():
            if text.startswith(prefix):
                return reason
    return None


def _starts(text: str, table: dict[str, str]) -> str | None:
    return next((value for prefix, value in table.items() if text.startswith(prefix)), None)


# --- the sandbox --------------------------------------------------------------------------------

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d+ [A-Z]+ ")


@dataclass
class Ran:
    status: int
    stdout: str
    stderr: str

    def first_line(self) -> str:
        """The first line a person sees: of stdout, else the first of stderr that is no log line
        (click's "Error: ...", the kiosk's config message)."""
        for text in (self.stdout, self.stderr):
            for line in text.splitlines():
                if line.strip() and not LOG_LINE.match(line):
                    return line.strip()
        return ""


@dataclass
class Sandbox:
    """One document's world: its own HOME, central and kiosk data dirs, and a real central."""

    doc: str
    display: str
    cluster: Callable[[], PostgresCluster]  # the tests' one cluster, started when first asked
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hymy-docs-")))
    match: str = ""  # the text the placeholder being resolved matched
    _central: LocalCentral | None = None
    _codes: list[str] = field(default_factory=list)  # printed by enroll-code, not yet used
    _key: str | None = None
    _postgres_url: str | None = None
    _installer: str | None = None
    _back: dict[str, str] = field(default_factory=dict)  # sandbox value -> the doc's text
    _prepared: set[str] = field(default_factory=set)
    _key_ids: list[str] = field(default_factory=list)  # printed by api-key create
    _comment_id: str | None = None

    def __post_init__(self) -> None:
        self.root.chmod(0o755)
        self.central_dir = self.root / "central"
        self.kiosk_dir = self.root / "kiosk"
        for path in (self.central_dir, self.kiosk_dir, self.root / "home"):
            path.mkdir()
        # The working directory: the repository's files (assets/config/..., bench/, deploy/) by
        # symbolic links, so relative paths work as printed and `> site.toml` stays here.
        self.work = self.root / "work"
        self.work.mkdir()
        for entry in ROOT.iterdir():
            if not entry.name.startswith("."):
                (self.work / entry.name).symlink_to(entry)
        # Paths the commands print without being given them (the defaults come from the env).
        self._back.update(
            {str(self.central_dir): "/var/lib/hymy-central", str(self.kiosk_dir): "/var/lib/hymy"}
        )
        self.env = {
            "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "PYTHONPATH": child_pythonpath(),
            "HOME": str(self.root / "home"),
            "LANG": "C.UTF-8",
            "DISPLAY": self.display,
            "HYMY_CENTRAL_DATA_DIR": str(self.central_dir),
            "HYMY_DATA_DIR": str(self.kiosk_dir),
            "HYMY_SYNC_RETRY_BASE_S": "0.2",
            "HYMY_SYNC_RETRY_CAP_S": "1",
            "KIVY_NO_ARGS": "1",
            "HYMY_CENTRAL_PORT": str(free_port()),  # for a serve without --port
        }
        # A mail server on 127.0.0.1 (plain SMTP) for the e-mails the commands send
        # (`hymy-central mail test`, the deliveries of a serve).
        self._mail = contextlib.ExitStack()
        self.mailbox = self._mail.enter_context(smtp_server())
        self.env |= {
            "HYMY_CENTRAL_SMTP_HOST": "127.0.0.1",
            "HYMY_CENTRAL_SMTP_PORT": str(self.mailbox.port),
            "HYMY_CENTRAL_SMTP_STARTTLS": "false",
        }
        self.env["HYMY_CONFIG"] = self.file("/etc/hymy/kiosk.toml")  # for one without --config

    # the sandbox's values for the placeholders

    def central(self) -> LocalCentral:
        if self._central is None:
            self._central = LocalCentral(self.central_dir)
            self._central._env.update(self.env)
            self._central.start()
            self._back.setdefault(self._central.url, "https://hymy.example.fi")
        return self._central

    def central_url(self) -> str:
        return self.central().url

    def code(self) -> str:
        """The code enroll-code printed last and not yet used, else a new one."""
        if self._codes:
            return self._codes.pop()
        return self.central().enroll_code("kaleva")

    def device_id(self) -> str:
        """The kiosk's device id (it is enrolled first when it is not yet)."""
        device = self.kiosk_dir / "device.json"
        if not device.exists():
            self.prepare("kiosk")
        return json.loads(device.read_text())["device_id"]

    def api_key(self) -> str:
        if self._key is None:
            out = self.central().command("api-key", "create", "--role", "admin")
            self._key = out.split()[0]
            self._key_ids.append(re.search(r"\(key (\S+?),", out).group(1))
        return self._key

    def key_id(self) -> str:
        """The id of the API key made last (`api-key create` prints it), else of a new one."""
        if not self._key_ids:
            self.api_key()
        return self._key_ids[-1]

    def comment_id(self) -> str:
        """The id of the comment the sandbox's kiosk gave (it runs first when it has not)."""
        self.prepare("kiosk")
        assert self._comment_id is not None
        return self._comment_id

    def port(self) -> int:
        return free_port()

    def postgres_url(self) -> str:
        """A database of its own for this sandbox, on the tests' one cluster of this process."""
        if self._postgres_url is None:
            self._postgres_url = self.cluster().create_database()
        return self._postgres_url

    def file(self, name: str, *, make: bool = True) -> str:
        """The sandbox's file for a name the doc uses, made from FILES when it is not there yet
        (unless `make` is false: the command writes it)."""
        text = FILES.get((self.doc, name)) or FILES.get(("*", name))
        assert text is not None, f"no FILES entry for {name!r} in {self.doc}"
        path = self.root / "files" / name.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if make and not path.exists():
            path.write_text(text(), encoding="utf-8")
        return str(path)

    def folder(self, name: str) -> str:
        path = self.root / name
        path.mkdir(exist_ok=True)
        return str(path)

    def staged_installer(self) -> str:
        """install.sh into a staging root of this sandbox (a fake virtual environment, no
        packages, nothing started), as `sudo hymy-install` runs it on a Pi; installed once."""
        if self._installer is None:
            from tests.support.deploy import make_fake_venv, make_os_root
            from tests.support.host import require_root

            require_root()
            base = self.root / "pi"
            base.mkdir()
            root = make_os_root(base / "root")
            venv = make_fake_venv(base / "venv")
            self._installer = (
                f"bash {INSTALL_SH} --root {root} --no-packages --venv-from {venv} --version 0.1.0"
            )
            self.run_checked(self._installer)  # the kiosk as step 5 of the IT guide leaves it
        return self._installer

    # what the sandbox has before a command

    def prepare(self, step: str) -> None:
        if step in self._prepared:
            return
        self._prepared.add(step)
        if step == "site":
            self.central().command("site", "add", str(EXAMPLE_SITE))
        elif step == "kiosk":
            self._enrolled_kiosk()
        else:
            raise AssertionError(f"no preparation {step!r}")

    def _enrolled_kiosk(self) -> None:
        """A kiosk of the example site that has run: enrolled, a few visits in its outbox
        uploaded, its heartbeat sent (all by the real agent)."""
        from datetime import UTC, datetime

        from kiosk.clock import Stamp
        from kiosk.events import feedback_event
        from kiosk.outbox import OUTBOX_FILE, Outbox
        from sync.agent import AgentSettings, SyncAgent

        if not (self.kiosk_dir / "device.json").exists():
            code = self.central().enroll_code("kaleva")
            self.run_checked(
                f"hymy-sync enroll --central {self.central_url()} --code {code} --kiosk-id aula-1"
            )
        visits = ((4, None), (2, "Odotin pitkään"), (3, None))
        with Outbox.open(self.kiosk_dir / OUTBOX_FILE) as outbox:
            for rating, comment in visits:
                stamp = Stamp(datetime.now(UTC), "docs-test-boot", 1000 * rating)
                event = feedback_event(
                    stamp=stamp,
                    language="fi",
                    rating=rating,
                    reason="waiting-time" if comment else None,
                    comment=comment,
                    misuse=False,
                )
                outbox.append(event)
                if comment:
                    self._comment_id = event["id"]
        agent = SyncAgent(AgentSettings(data_dir=self.kiosk_dir))
        try:
            assert agent.drain(give_up_after_s=20) == 0, "the sandbox kiosk's events stayed"
            agent.heartbeat_step()
        finally:
            agent.close()

    # running commands

    def substitute(self, text: str) -> str:
        """The command with the sandbox's values for the docs' placeholders."""
        for placeholder in PLACEHOLDERS:

            def value(found: re.Match[str], placeholder: Placeholder = placeholder) -> str:
                self.match = found.group(0)
                new = placeholder.value(self)
                if placeholder.back and new:
                    self._back[new] = found.group(0)
                return new

            text = re.sub(placeholder.pattern, value, text)
        return text

    def back(self, output: str) -> str:
        """Output with the sandbox's values written as the docs write them."""
        for new, old in sorted(self._back.items(), key=lambda item: -len(item[0])):
            output = output.replace(new, old)
        return output

    def run_checked(self, command: str) -> Ran:
        ran = self.run(command)
        assert ran.status == 0, f"{command} failed ({ran.status}):\n{ran.stderr[-3000:]}"
        return ran

    def run(self, command: str, stdin: str | None = None) -> Ran:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=self.work,
            env=self.env,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
        )
        ran = Ran(done.returncode, self.back(done.stdout), self.back(done.stderr))
        if " enroll-code" in command and ran.status == 0:
            self._codes = [done.stdout.split()[0]]
        if " api-key create" in command and ran.status == 0:
            self._key_ids += re.findall(r"\(key (\S+?),", done.stdout)
        return ran

    def run_until_up(self, command: str, how: str) -> Ran:
        """Start a long-running command, wait until it is up, stop it; what it printed."""
        out, err = self.root / "long.out", self.root / "long.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen(
                ["bash", "-c", f"exec {command}"],
                cwd=self.work,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
        up, why, stopped = False, "", False
        try:
            deadline = time.monotonic() + UP_TIMEOUT_S
            while time.monotonic() < deadline and process.poll() is None:
                up, why = self._is_up(how, command, err.read_text(errors="replace"))
                if up:
                    break
                time.sleep(0.3)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                    stopped = True
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        ran = Ran(process.returncode, self.back(out.read_text()), self.back(err.read_text()))
        if not up:
            ran.status = ran.status or -1
            ran.stderr = f"did not come up ({how}{': ' + why if why else ''}):\n{ran.stderr}"
        elif not stopped or process.returncode not in (0, -signal.SIGTERM):
            ran.status = ran.status or -1
            ran.stderr = f"came up but did not stop on SIGTERM within 20 s:\n{ran.stderr}"
        else:
            ran.status = 0  # as a person's Ctrl+C or systemctl stop ends it
        return ran

    def _is_up(self, how: str, command: str, log: str) -> tuple[bool, str]:
        if how == "kiosk ready":
            return bool(re.search(r"kiosk \S+ ready", log)), ""
        if how == "healthz":
            found = re.search(r"--port (\d+)", command)
            port = found.group(1) if found else self.env["HYMY_CENTRAL_PORT"]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    return r.status == 200, ""
            except (urllib.error.URLError, OSError) as err:
                return False, str(err)
        if how == "heartbeat":
            device = json.loads((self.kiosk_dir / "device.json").read_text())["device_id"]
            request = urllib.request.Request(
                f"{self.central_url()}/api/v1/devices",
                headers={"Authorization": f"Bearer {self.api_key()}"},
            )
            with urllib.request.urlopen(request, timeout=5) as answer:
                devices = json.load(answer)
            seen = [d for d in devices if d["device_id"] == device and d["last_seen"]]
            return bool(seen), "no heartbeat at the central yet"
        raise AssertionError(f"no way {how!r} to tell a command is up")

    def close(self) -> None:
        if self._central is not None:
            self._central.stop()
        self._mail.close()
        shutil.rmtree(self.root, ignore_errors=True)


# --- comparing output ---------------------------------------------------------------------------


def _variable(word: str) -> bool:
    return any(char.isdigit() for char in word) or "..." in word


def output_differs(shown: tuple[str, ...], ran: Ran) -> str | None:
    """Why the output does not match the doc's (None when it does): the first line's fixed
    words, or for JSON the keys shown."""
    lines = [line for line in shown if line.strip()]
    if not lines or lines[0].strip() == "...":
        return None
    first = lines[0].strip()
    printed = ran.stdout + ran.stderr
    if first.startswith(("{", "[")):
        keys = set(re.findall(r'"(\w+)":', "\n".join(lines)))
        missing = keys - set(re.findall(r'"(\w+)":', printed))
        return f"the keys {sorted(missing)} are missing in:\n{printed[:2000]}" if missing else None
    actual = ran.first_line()
    want, got = first.split(), actual.split()
    if len(want) == len(got) and all(
        _variable(w) or w == g for w, g in zip(want, got, strict=True)
    ):
        return None
    return f"the doc shows\n    {first}\nbut it printed\n    {actual}"


# --- running a command as the doc shows it ------------------------------------------------------


def why_it_fails(box: Sandbox, command: DocCommand) -> str | None:
    """run_doc_command, with a sandbox that could not be made ready counted as the failure."""
    try:
        return run_doc_command(box, command)
    except (LocalCentralError, AssertionError, subprocess.TimeoutExpired) as err:
        return f"the sandbox could not be made ready for it: {err}"


def run_doc_command(box: Sandbox, command: DocCommand) -> str | None:
    """Run one command in the sandbox; why it failed, or None."""
    for step in PREPARE.get((command.doc, command.text), ()):
        box.prepare(step)
    real = box.substitute(command.text)
    if not bare(real).startswith(RUNNABLE):
        return (
            "this test does not know how to run it: make it runnable (PLACEHOLDERS, FILES, "
            "STDIN...) or list it in NOT_RUNNABLE / SERVER_ONLY with the reason"
        )
    expected = EXPECTED_EXIT.get((command.doc, command.text), 0)
    # curl exits 0 on an HTTP error: where the doc shows no answer, its status must be a success.
    http_status = bare(real).startswith("curl ") and not any(
        line.strip() for line in command.output
    )
    if http_status:
        real += " -o /dev/null -w '%{http_code}'"
    how = next((v for k, v in LONG_RUNNING.items() if re.search(k, bare(command.text))), None)
    started = time.monotonic()
    if how and expected == 0:
        ran = box.run_until_up(real, how)
    else:
        ran = box.run(real, stdin=_starts(command.text, STDIN))
    log.info("%.1f s  %s: $ %s", time.monotonic() - started, command.doc, command.text)
    if ran.status != expected:
        return (
            f"exit {ran.status}, the doc expects {expected} (ran: {real})\n"
            f"{(ran.stdout + ran.stderr)[-3000:]}"
        )
    if http_status and not re.fullmatch(r"[23]\d\d", ran.stdout.strip()):
        return f"the central answered HTTP {ran.stdout.strip()} (ran: {real})"
    if (command.doc, command.text) in STATE_OUTPUT:
        return None
    return output_differs(command.output, ran)


# --- the examples of --help ---------------------------------------------------------------------


# Help examples that need others first (a site before its codes, an enrolment before uploads),
# and those that end what others need (a retired site takes no enrolment): run first and last.
HELP_FIRST = ("hymy-central site add", "hymy-central enroll-code", "hymy-sync enroll")
HELP_LAST = (
    "hymy-central comment delete",  # the comment of the sandbox's kiosk, which must upload it
    "hymy-central api-key revoke",
    "hymy-central device revoke",
    "hymy-central site retire",
)


def examples_in(help_text: str) -> list[str]:
    """The commands of a --help text: after "Example:" on its line, or on the indented lines
    below "Example:" / "Examples:", each without a note in brackets ("(then edit it)")."""
    found: list[str] = []
    below = False
    for line in help_text.splitlines():
        text = line.strip()
        heading = re.match(r"Examples?:\s*(.*)$", text)
        if heading:
            below = not heading.group(1)
            if heading.group(1):
                found.append(heading.group(1))
        elif below and line.startswith((" ", "\t")) and text:
            found.append(re.sub(r"\s{2,}\(.*\)$", "", text))
        else:
            below = False
    return found


def help_examples() -> list[tuple[str, str]]:
    """(command path, example) of every command of the three programs, in the order HELP_FIRST
    and HELP_LAST make (the rest in between, as click lists them)."""
    from central.cli import main as central_main
    from kiosk.cli import main as kiosk_main
    from sync.cli import main as sync_main

    found: list[tuple[str, str]] = []

    def walk(name: str, command: click.Command) -> None:
        found.extend((name, example) for example in examples_in(command.help or ""))
        if isinstance(command, click.Group):
            for sub_name, sub in sorted(command.commands.items()):
                walk(f"{name} {sub_name}", sub)

    for name, command in (
        ("hymy-central", central_main),
        ("hymy-sync", sync_main),
        ("hymy-kiosk", kiosk_main),
    ):
        walk(name, command)

    def order(item: tuple[str, str]) -> int:
        name = item[0]
        if name in HELP_FIRST:
            return HELP_FIRST.index(name)
        return 100 + HELP_LAST.index(name) if name in HELP_LAST else 50

    return sorted(found, key=order)


def without_data_dir(text: str) -> str:
    return re.sub(r" --data-dir \S+", "", text)
