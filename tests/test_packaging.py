"""The distribution as an IT person gets it: `python -m build` makes the sdist and, from it, the
wheel; the sdist installs into a fresh venv with the central's pinned dependencies; each role's
install runs its own commands and says which extra the other role's commands need.

The build and the venvs come from the package index (as pip is configured here) and take a minute
or two; the build is made once per test run, shared by the xdist workers.
"""

from __future__ import annotations

import ast
import fcntl
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.support.paths import ROOT

pytestmark = pytest.mark.packaging

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
VERSION = PROJECT["version"]
CENTRAL_PINS = ROOT / "deploy" / "central" / "constraints.txt"
PI_PINS = ROOT / "deploy" / "raspberrypi" / "constraints.txt"
# The source tree's packages and where each lands in the wheel.
PACKAGES = {
    "hymy_domain": "hymy_domain",
    "hymy_entry": "hymy_entry",
    "kiosk": "kiosk",
    "sync": "sync",
    "central": "central",
    "assets": "hymy_assets",
}
# The development tools (hymy_dev: the local central, the demos, Xvfb, the autopilot, the tours)
# that neither a Pi nor a server runs: never in the wheel or the sdist, by package or by module.
DEV_PACKAGE = "hymy_dev"
DEV_MODULE = re.compile(
    r"(^|/)(local|local_central|demo|kiosk_demo|demo_history|xvfb|autopilot|tour|tour_modes"
    r"|console_tour|face_palette|simulate_vision)\.py$"
)
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
    ".demo", ".bench", "*.mo",
)  # fmt: skip


def clean_env() -> dict[str, str]:
    """The environment for the venvs' commands: nothing that points into this checkout or into
    the test run's own interpreter."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not k.startswith("HYMY_")
    }


def run(*args: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=timeout,
    )


def checked(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, (
        f"{result.args}\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    )
    return result


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel of a copy of this checkout (the build writes egg-info beside the sources),
    made by `python -m build` once for all xdist workers."""
    if importlib.util.find_spec("build") is None:
        pytest.fail("The build package is missing: scripts/setup.sh installs it (the test extra).")
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    out = shared / "hymy-dist"
    with (shared / "hymy-dist.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "done").exists():
            shutil.rmtree(out, ignore_errors=True)
            source = out / "source"
            shutil.copytree(ROOT, source, ignore=NOT_SOURCES, symlinks=True)
            # A fleet's own files, as an IT person's checkout has them: never in the release.
            ansible = source / "deploy/raspberrypi/ansible"
            (ansible / "inventory.yml").write_text("kiosks: {hosts: {a: {enroll_code: X}}}\n")
            (ansible / "status").mkdir(exist_ok=True)
            (ansible / "status/a.json").write_text("{}\n")
            env = {**clean_env(), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
            checked(
                subprocess.run(
                    [sys.executable, "-m", "build", "--outdir", str(out), str(source)],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=out,
                    timeout=600,
                )
            )
            (out / "done").touch()
    return out


def sdist_of(dist: Path) -> Path:
    return dist / f"hymy-{VERSION}.tar.gz"


def wheel_of(dist: Path) -> Path:
    return dist / f"hymy-{VERSION}-py3-none-any.whl"


def fresh_venv(where: Path) -> Path:
    """A venv of the Python that runs the tests (3.11 here and on Debian 12), with nothing in it."""
    checked(run(sys.executable, "-m", "venv", where, cwd=where.parent))
    return where / "bin"


def test_the_wheel_holds_every_module_and_every_file_the_programs_read(dist):
    names = set(zipfile.ZipFile(wheel_of(dist)).namelist())
    info = f"hymy-{VERSION}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    assert (
        "MIT License" in zipfile.ZipFile(wheel_of(dist)).read(f"{info}/licenses/LICENSE").decode()
    )
    metadata = zipfile.ZipFile(wheel_of(dist)).read(f"{info}/METADATA").decode()
    assert "License-Expression: MIT" in metadata
    wanted = set()
    for folder, package in PACKAGES.items():
        for path in (ROOT / folder).rglob("*"):
            if "__pycache__" in path.parts or path.is_dir():
                continue
            # .js/.css/.png: the vendored Swagger UI that /docs serves from the package.
            if path.suffix in (".py", ".kv", ".mako", ".toml", ".po", ".js", ".css", ".png"):
                wanted.add(f"{package}/{path.relative_to(ROOT / folder).as_posix()}")
    # Every catalog compiled by the build, though .mo files are no sources.
    for po in (ROOT / "assets" / "locale").glob("*/LC_MESSAGES/*.po"):
        wanted.add(f"hymy_assets/{po.with_suffix('.mo').relative_to(ROOT / 'assets').as_posix()}")
    assert {"hymy_assets/locale/fi/LC_MESSAGES/hymy.mo", "kiosk/ui/screens/start.kv"} <= wanted
    assert "hymy_assets/config/example-site.toml" in wanted
    assert "central/static/swagger-ui/swagger-ui-bundle.js" in wanted
    assert "central/migrations/versions/0001_initial.py" in wanted
    assert sorted(wanted - names) == []
    assert [name for name in names if name.startswith(f"{DEV_PACKAGE}/")] == []
    assert [name for name in names if DEV_MODULE.search(name)] == []
    entry_points = zipfile.ZipFile(wheel_of(dist)).read(f"{info}/entry_points.txt").decode()
    for command in ("kiosk", "sync", "central"):
        assert f"hymy-{command} = hymy_entry:{command}" in entry_points


def test_the_sdist_holds_what_the_wheel_is_built_from_and_no_tests(dist):
    with tarfile.open(sdist_of(dist)) as sdist:
        names = {name.removeprefix(f"hymy-{VERSION}/") for name in sdist.getnames()}
    assert {
        "LICENSE",
        "setup.py",
        "pyproject.toml",
        "scripts/compile_catalogs.py",
        "deploy/central/constraints.txt",
        "deploy/raspberrypi/constraints.txt",
        "assets/locale/sv/LC_MESSAGES/hymy.po",
        "deploy/central/hymy-central.service",
        "deploy/central/hymy-central.nginx",
        "deploy/central/env.example",
        "deploy/raspberrypi/install.sh",
    } <= names
    assert not [name for name in names if name.startswith("tests/")]
    assert not [name for name in names if name.startswith(f"{DEV_PACKAGE}/")]
    assert not [name for name in names if DEV_MODULE.search(name)]
    assert "deploy/raspberrypi/ansible/inventory.yml" not in names
    assert not [name for name in names if "/ansible/status/" in name]


def dev_imports(path: Path) -> list[str]:
    """The hymy_dev modules a source file imports, or names as a module (import_module, -m)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value] if re.fullmatch(r"hymy_dev(\.\w+)*", node.value) else []
        else:
            continue
        found += [name for name in names if name.split(".")[0] == DEV_PACKAGE]
    return found


def test_the_product_never_imports_the_development_tools():
    """kiosk, sync, central and their shared modules run on a Pi or a server without hymy_dev."""
    assert dev_imports(ROOT / DEV_PACKAGE / "demo.py")  # the check sees an import when there is one
    sources = [
        path
        for package in ("kiosk", "sync", "central", "hymy_domain", "hymy_entry")
        for path in sorted((ROOT / package).rglob("*.py"))
    ]
    assert len(sources) > 50
    imports = {str(path.relative_to(ROOT)): dev_imports(path) for path in sources}
    assert {path: found for path, found in imports.items() if found} == {}


def test_every_central_dependency_is_pinned_to_a_version_its_extra_allows():
    from packaging.requirements import Requirement

    pins = {}
    for line in CENTRAL_PINS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            assert str(requirement.specifier).startswith("=="), line
            pins[re.sub(r"[-_.]+", "-", requirement.name).lower()] = requirement
    wanted = PROJECT["dependencies"] + PROJECT["optional-dependencies"]["central"]
    assert any(r.startswith("prometheus-client") for r in wanted)
    for requirement in map(Requirement, wanted):
        pin = pins.get(re.sub(r"[-_.]+", "-", requirement.name).lower())
        assert pin is not None, f"{requirement.name} is not pinned in {CENTRAL_PINS}"
        assert requirement.specifier.contains(str(pin.specifier).removeprefix("==")), (
            requirement,
            pin,
        )
    header = CENTRAL_PINS.read_text(encoding="utf-8").split("\n\n")[0]
    assert "bash scripts/pin_central_constraints.sh" in header


def test_the_sdist_installs_on_a_server_with_the_pinned_dependencies(dist, tmp_path):
    """pip builds the wheel from the sdist itself; the central's commands work from the venv (its
    migrations and example files from the installed package), the kiosk's say what to install."""
    bin_dir = fresh_venv(tmp_path / "venv")
    checked(
        run(
            bin_dir / "pip",
            "install",
            f"{sdist_of(dist)}[central]",
            "-c",
            CENTRAL_PINS,
            cwd=tmp_path,
        )
    )
    checked(run(bin_dir / "pip", "check", cwd=tmp_path))
    # The pins are complete: nothing was installed at a version the file does not fix.
    pinned = {
        line.strip().lower().replace("_", "-")
        for line in CENTRAL_PINS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    frozen = checked(run(bin_dir / "pip", "freeze", "--exclude", "hymy", cwd=tmp_path)).stdout
    unpinned = [
        line for line in frozen.splitlines() if line.lower().replace("_", "-") not in pinned
    ]
    assert unpinned == []

    version = checked(run(bin_dir / "hymy-central", "--version", cwd=tmp_path))
    assert version.stdout.strip() == f"hymy-central {VERSION}"
    helped = checked(run(bin_dir / "hymy-central", "--help", cwd=tmp_path))
    assert "serve" in helped.stdout and "--version" in helped.stdout

    data = tmp_path / "data"
    checked(run(bin_dir / "hymy-central", "--data-dir", data, "db", "upgrade", cwd=tmp_path))
    example = next((tmp_path / "venv").glob("lib/python*/site-packages/hymy_assets/config"))
    added = run(
        bin_dir / "hymy-central", "--data-dir", data, "site", "add",
        example / "example-site.toml", cwd=tmp_path,
    )  # fmt: skip
    assert checked(added).stdout.startswith("Added site kaleva")

    for command in ("hymy-kiosk", "hymy-sync"):
        for args in (["--help"], [], ["run"]):
            refused = run(bin_dir / command, *args, cwd=tmp_path)
            assert "Traceback" not in refused.stderr + refused.stdout
            assert refused.returncode == 1 and refused.stdout == ""
            assert refused.stderr.count("\n") == 1, refused.stderr
            assert refused.stderr.startswith(f"{command} runs on the kiosk"), refused.stderr
            assert refused.stderr.rstrip().endswith("install them with pip install 'hymy[pi]'.")
        assert "sqlite-utils" in refused.stderr
        version = checked(run(bin_dir / command, "--version", cwd=tmp_path))
        assert version.stdout.strip() == f"{command} {VERSION}"


def test_the_wheel_on_a_kiosk_without_the_server_parts(dist, tmp_path):
    """The sync agent's extra only (the Pi's app would bring Kivy): hymy-sync runs, hymy-central
    says to install hymy[central]."""
    bin_dir = fresh_venv(tmp_path / "venv")
    checked(run(bin_dir / "pip", "install", f"{wheel_of(dist)}[sync]", "-c", PI_PINS, cwd=tmp_path))
    helped = checked(run(bin_dir / "hymy-sync", "--help", cwd=tmp_path))
    assert "enroll" in helped.stdout
    status = run(bin_dir / "hymy-sync", "--data-dir", tmp_path / "pi", "status", cwd=tmp_path)
    assert "Traceback" not in status.stderr
    for args in (["--help"], ["serve"], ["db", "upgrade"]):
        refused = run(bin_dir / "hymy-central", *args, cwd=tmp_path)
        assert "Traceback" not in refused.stderr
        assert refused.returncode == 1 and refused.stderr.count("\n") == 1, refused.stderr
        assert refused.stderr.startswith("hymy-central runs on the central server")
        assert "fastapi" in refused.stderr and "hymy[central]" in refused.stderr
    version = checked(run(bin_dir / "hymy-central", "--version", cwd=tmp_path))
    assert version.stdout.strip() == f"hymy-central {VERSION}"
