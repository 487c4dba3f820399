"""Runs the real kiosk app with one scripted visit in a process of its own (Kivy opens one
window per process), then writes what the script noted as JSON. Used by tests/kiosk/conftest.py:

    python -m tests.kiosk.ui_runner --config C --data-dir D --window 800x480 \
        --script tests.kiosk.ui_scripts:rate_in_each_language --notes notes.json
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
from functools import partial
from pathlib import Path

from hymy_dev.autopilot import play
from kiosk.i18n import available_languages
from kiosk.settings import KioskSettings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--window", required=True)
    parser.add_argument("--script", required=True)
    parser.add_argument("--notes", type=Path, required=True)
    parser.add_argument("--shots", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    module, name = args.script.split(":")
    script = getattr(importlib.import_module(module), name)
    if args.shots is not None:
        script = partial(script, shots=args.shots)
    settings = KioskSettings.read(
        config_path=args.config, data_dir=args.data_dir, window=args.window
    )
    source = settings.config_source(available_languages())
    config = source.load()

    notes: dict = {}
    try:
        # The path, not an open outbox: the app opens it as hymy-kiosk does (out of order
        # while it cannot).
        play(
            config, settings.outbox_path, script, window=settings.window, notes=notes, source=source
        )
    finally:
        args.notes.write_text(json.dumps(notes, default=str))


if __name__ == "__main__":
    main()
