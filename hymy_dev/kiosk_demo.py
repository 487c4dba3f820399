"""The kiosk alone with the example config (`make demo` runs the whole system around it).

With a display it opens the kiosk in a window to try by hand. Without one it starts Xvfb, plays a
short scripted visit, and prints where the screenshots and the outbox are. `--tour DIR` saves a
screenshot of every screen at the three reference window sizes instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
from collections import Counter
from functools import partial
from importlib.resources import files
from pathlib import Path

from hymy_dev.xvfb import VirtualDisplay, has_display
from kiosk.central_config import ConfigSource
from kiosk.cli import setup_logging
from kiosk.config import load_config, parse_toml, read_config_file, validate_config
from kiosk.i18n import available_languages
from kiosk.outbox import OUTBOX_FILE, Outbox
from kiosk.settings import KioskSettings, parse_window

# The official 7" Pi display, a 10" HD panel, and a portrait HD totem.
WINDOW_SIZES = ((800, 480), (1280, 720), (1080, 1920))
DEMO_WINDOW = (1280, 720)
# The tour's runs, one per process: every screen, then the visitor screens in each other mode.
TOUR_MODES = {"tour": "normal", "tour-large": "large", "tour-speech": "speech",
              "tour-warning": "warning", "tour-national": "national"}  # fmt: skip
PLAYS = ("visit", *TOUR_MODES)

log = logging.getLogger("hymy-demo")


def example_config_path() -> Path:
    return Path(str(files("hymy_assets").joinpath("config/example-kiosk.toml")))


def config_source(data_dir: Path) -> ConfigSource:
    """The example config, with the central's part once the data dir is enrolled."""
    return KioskSettings(example_config_path(), data_dir).config_source(available_languages())


def run_visit(data_dir: Path, shots: Path, window: tuple[int, int]) -> None:
    from hymy_dev.autopilot import play
    from hymy_dev.tour import demo_visit

    source = config_source(data_dir)
    play(
        source.load(),
        Outbox.open(data_dir / OUTBOX_FILE),
        partial(demo_visit, shots=shots),
        window=window,
        source=source,
    )


def run_tour(data_dir: Path, shots: Path, window: tuple[int, int], mode: str = "normal") -> None:
    """Every screen (`mode` "normal"), or the visitor screens in large text, in speech mode, or
    the time warning, or the national question set's: one mode per process."""
    from hymy_dev import tour_modes
    from hymy_dev.autopilot import play
    from hymy_dev.tour import screen_tour
    from hymy_dev.tour_national import example_questions, national_tour

    tours = {
        "normal": screen_tour,
        "large": tour_modes.large_text_tour,
        "speech": tour_modes.speech_tour,
        "warning": tour_modes.time_warning_tour,
        "national": national_tour,
    }
    path = example_config_path()
    config = load_config(path, available_languages=available_languages())
    if mode == "national":  # as a kiosk of a site on the national model runs
        data = parse_toml(read_config_file(path), source=path)
        data["questions"] = example_questions()
        config = validate_config(data, source=path, available_languages=available_languages())
    prefix = f"{window[0]}x{window[1]}"
    play(
        config,
        Outbox.open(data_dir / OUTBOX_FILE),
        partial(tours[mode], shots=shots, prefix=prefix),
        window=window,
    )


def run_out_of_order(data_dir: Path, shots: Path, window: tuple[int, int]) -> None:
    """The out-of-order screen, as a kiosk whose outbox file was emptied shows it."""
    from hymy_dev.autopilot import play
    from hymy_dev.tour import out_of_order_tour

    broken = data_dir / "out-of-order" / OUTBOX_FILE
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(b"")  # 0 bytes: never an outbox
    config = load_config(example_config_path(), available_languages=available_languages())
    prefix = f"{window[0]}x{window[1]}"
    play(config, broken, partial(out_of_order_tour, shots=shots, prefix=prefix), window=window)


def summarize(outbox_path: Path) -> str:
    """A few lines on what the outbox holds, with its newest events as JSON."""
    with Outbox.open(outbox_path) as outbox:
        events = outbox.pending(limit=100_000)
        sent = outbox.stats().sent
    if not events:
        return f"outbox: {outbox_path}  ({sent} events, all uploaded by the sync agent)"
    kinds = Counter(event.payload["type"] for event in events)
    lines = [
        f"outbox: {outbox_path}  ({len(events)} events waiting to upload: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        + ")"
    ]
    lines += ["  " + json.dumps(event.payload, ensure_ascii=False) for event in events[-3:]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hymy_dev.kiosk_demo", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path(".demo"))
    parser.add_argument(
        "--tour",
        type=Path,
        metavar="DIR",
        help="save a screenshot of every screen at 800x480, 1280x720, 1080x1920",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="play the scripted visit under Xvfb even where there is a display",
    )
    parser.add_argument("--play", choices=(*PLAYS, "out-of-order"), help=argparse.SUPPRESS)
    parser.add_argument("--window", help=argparse.SUPPRESS)
    parser.add_argument("--shots", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    setup_logging()
    data_dir = args.data_dir.resolve()

    if args.play:  # one app run in this process, started by the code below
        window = parse_window(args.window)
        runs = {"visit": run_visit, "out-of-order": run_out_of_order}
        runs.update({play: partial(run_tour, mode=mode) for play, mode in TOUR_MODES.items()})
        runs[args.play](data_dir, args.shots, window)
        return 0

    def child(play: str, window: tuple[int, int], shots: Path) -> None:
        # Kivy opens one window per process: each run gets a process of its own.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "hymy_dev.kiosk_demo",
                "--play",
                play,
                "--data-dir",
                str(data_dir),
                "--window",
                f"{window[0]}x{window[1]}",
                "--shots",
                str(shots),
            ],
            check=True,
        )

    if args.tour:
        shots = args.tour.resolve()
        with VirtualDisplay():
            for window in WINDOW_SIZES:
                for play in (*TOUR_MODES, "out-of-order"):
                    child(play, window, shots)
        log.info("screenshots of every screen: %s", shots)
        return 0

    if has_display() and not args.headless:
        from kiosk.ui.launch import build_app

        source = config_source(data_dir)
        build_app(
            source.load(), Outbox.open(data_dir / OUTBOX_FILE), window=DEMO_WINDOW, source=source
        ).run()
        return 0

    shots = data_dir / "screenshots"
    with VirtualDisplay():
        child("visit", DEMO_WINDOW, shots)
    sys.stdout.write(
        "\nThe kiosk ran under Xvfb and played a scripted visit (Finnish feedback, Swedish "
        f"check-in, English feedback).\nscreenshots: {shots}\n{summarize(data_dir / OUTBOX_FILE)}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
