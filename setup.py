"""Build hook: compile the gettext catalogs (.po → .mo) whenever the package is built or installed.

Everything else about the distribution lives in pyproject.toml. The compiler is
scripts/compile_catalogs.py (scripts/setup.sh runs it too); MANIFEST.in puts it in the sdist, from
which `python -m build` and `pip install hymy-*.tar.gz` build the wheel.
"""

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent / "scripts"))
from compile_catalogs import compile_catalogs


class BuildPyWithCatalogs(build_py):
    def run(self) -> None:
        compile_catalogs()
        super().run()


setup(cmdclass={"build_py": BuildPyWithCatalogs})
