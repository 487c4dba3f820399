"""Kiosk app benchmark: cold start to the first interactive frame, resident memory after start,
and touch-to-thank-you latency (the touch that ends a feedback until the frame showing the thank-you
screen has been drawn), in the real app under Xvfb (Mesa llvmpipe) with the example config.
Then the same visits in speech mode (switched on by a keypad key; espeak-ng writing WAV files, or
the recording fake with --speech fake): touch -> thank-you with speech on, keypad key -> the
focus frame drawn, and screen change -> start of speech (say() called; espeak-ng's process
started). Then a third as many visits answering the national question set (the example set):
each answer's touch -> the next question drawn, and the last touch -> the thank-you drawn.

    .venv/bin/python bench/bench_kiosk.py [--visits 60] [--window 1280x720] [--speech fake]

Prints figures; asserts nothing. Targets on a 2-core machine: start <= 2 s, RSS <= 120 MB,
touch->thank-you p99 <= 50 ms (with speech on too), key -> focus drawn p99 <= 50 ms, screen
change -> speech <= 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _common import ROOT, percentile, scratch

# Mesa's software renderer (llvmpipe) and the LLVM it compiles shaders with: what Xvfb needs here
# and a Pi's V3D GPU driver does not load.
SOFTWARE_GL = ("libLLVM", "swrast_dri", "libgallium", "kms_swrast", "llvmpipe")


def software_gl_rss(process) -> int:
    return sum(m.rss for m in process.memory_maps() if any(s in m.path for s in SOFTWARE_GL))


def _figure(name: str, values: list[float], target: str) -> str:
    if not values:
        return f"{name}: no samples"
    return (
        f"{name} over {len(values)}: p50 {statistics.median(values):.1f} ms, "
        f"p99 {percentile(values, 99):.1f} ms, max {max(values):.1f} ms   (target {target})"
    )


def speech_visits(pilot, visits: int, results: dict):
    """The visits in speech mode: a keypad key starts it; the keys move the focus (key -> frame
    drawn); a choice changes the screen (screen change -> say(), -> espeak-ng started); the
    feedback ends with a touch (touch -> thank-you drawn, speech on)."""
    from dataclasses import replace

    from kivy.core.window import Window

    app = pilot.app
    speech = app.devices.speech
    process_started: list[float] = []
    if hasattr(speech, "engine"):  # espeak-ng: note when each of its processes is started
        engine = speech.engine

        def argv(*args):
            process_started.append(time.monotonic())
            return engine.argv(*args)

        speech.engine = replace(engine, argv=argv)
    for key in ("speech_touch_ms", "key_focus_ms", "screen_say_ms", "screen_process_ms"):
        results[key] = []
    seen: dict = {}
    switched: list[float] = []
    app.manager.bind(current=lambda *_: switched.append(time.monotonic()))

    def on_flip(*_):
        now = time.monotonic()
        if app.manager.current == "thanks" and "thanks" not in seen:
            seen["thanks"] = now
        drawn = app.assisted.focus_drawn_at
        if drawn is not None and "focus" not in seen and drawn >= seen.get("key", now + 1):
            seen["focus"] = now

    Window.bind(on_flip=on_flip)

    def screen_to_speech(before: int) -> None:
        if len(switched) > before and app.assisted.speaker.said_at is not None:
            at = switched[-1]
            results["screen_say_ms"].append((app.assisted.speaker.said_at - at) * 1000)
            later = [t for t in process_started if t >= at]
            if later:
                results["screen_process_ms"].append((later[0] - at) * 1000)

    for _ in range(visits):
        pilot.key("numpad7")  # any keypad key: speech mode on
        yield from pilot.settle()
        for _step in range(3):  # keypad key -> the focus frame on the next control drawn
            seen.clear()
            seen["key"] = time.monotonic()
            pilot.key("numpad2")
            yield 0.15
            if "focus" in seen:
                results["key_focus_ms"].append((seen["focus"] - seen["key"]) * 1000)
        count = len(switched)
        yield from pilot.touch("start-feedback")
        yield 0.3  # espeak-ng's process starts on its own thread
        screen_to_speech(count)
        count = len(switched)
        yield from pilot.touch("smiley-4")
        yield 0.3
        screen_to_speech(count)
        latency = yield from _skip_to_thanks(pilot, seen, "thanks", time.monotonic)
        if latency is not None:
            results["speech_touch_ms"].append(latency)


def national_visits(pilot, visits: int, national_config, results: dict):
    """Visits answering the national question set (the kiosk's config swapped for one asking
    it, as a new config from the central is applied at rest): each answer's touch until the
    frame showing the next question is drawn, and the comment's Skip (which stores the visit's
    answers) until the thank-you is drawn."""
    from kivy.core.window import Window

    app = pilot.app
    app._use_config(national_config)
    yield from pilot.settle()
    results["answer_ms"], results["answers_thanks_ms"] = [], []
    seen: dict = {}

    def shown() -> tuple[str, str]:
        return app.manager.current, getattr(app.manager.current_screen, "question", "")

    def on_flip(*_):
        if "touched" in seen and "drawn" not in seen and shown() != seen["before"]:
            seen["drawn"] = time.perf_counter()

    Window.bind(on_flip=on_flip)

    def measured(control: str) -> Iterator[float]:
        seen.clear()
        seen["before"] = shown()
        seen["touched"] = time.perf_counter()
        pilot.tap(control)
        yield from pilot.settle()
        return (seen["drawn"] - seen["touched"]) * 1000 if "drawn" in seen else None

    statements = len(national_config.questions.asked) - 1
    results["national_questions"] = statements + 1
    for _ in range(visits):
        yield from pilot.touch("start-feedback")
        for control in ("recommend-9", *["agree-4"] * statements):
            latency = yield from measured(control)
            if latency is not None:
                results["answer_ms"].append(latency)
        latency = yield from measured("skip")  # the comment skipped: the answers are stored
        if latency is not None:
            results["answers_thanks_ms"].append(latency)
        pilot.tap_center()
        yield from pilot.settle()


def _skip_to_thanks(pilot, seen: dict, key: str, clock) -> Iterator[float]:
    """Skip the follow-up questions; the last Skip ends the feedback. Returns the ms from that
    touch to `seen[key]` (set by a frame handler, on `clock`), or None; then back to the start."""
    while pilot.screen == "reason":
        yield from pilot.touch("skip")
    seen.clear()
    touched = clock()
    pilot.tap("skip")  # the comment's skip: this touch ends the feedback
    yield from pilot.settle()
    latency = (seen[key] - touched) * 1000 if key in seen else None
    pilot.tap_center()
    yield from pilot.settle()
    return latency


def child(
    visits: int, window: tuple[int, int], data_dir: Path, out: Path, speech: str = "espeak-ng"
) -> None:
    """Runs inside the measured process: the app plus a script that measures it."""
    import psutil

    from hymy_dev.autopilot import play
    from hymy_dev.kiosk_demo import example_config_path
    from hymy_dev.tour_national import example_questions
    from kiosk.config import SpeechSection, load_config, validate_config
    from kiosk.i18n import available_languages
    from kiosk.outbox import OUTBOX_FILE, Outbox

    results: dict = {"latencies_ms": []}

    def script(pilot):
        from kivy.core.window import Window

        app = pilot.app
        results["first_frame_at"] = app.first_frame_at
        yield 1.5
        results["rss_after_start"] = psutil.Process().memory_info().rss
        results["software_gl"] = software_gl_rss(psutil.Process())
        seen: dict = {}

        def on_flip(*_):
            if app.manager.current == "thanks" and "drawn" not in seen:
                seen["drawn"] = time.perf_counter()

        Window.bind(on_flip=on_flip)
        for _ in range(visits):
            # Every touch waits until the kiosk has answered it and its screen has settled: on a
            # loaded machine a fixed pause can end before the next screen is there.
            yield from pilot.touch("start-feedback")
            yield from pilot.touch("smiley-4")
            latency = yield from _skip_to_thanks(pilot, seen, "drawn", time.perf_counter)
            if latency is not None:
                results["latencies_ms"].append(latency)
        results["rss_after_visits"] = psutil.Process().memory_info().rss
        yield from speech_visits(pilot, visits, results)
        yield from national_visits(pilot, max(1, visits // 3), national, results)

    config = load_config(example_config_path(), available_languages=available_languages())
    wav_dir = str(data_dir / "said") if speech == "espeak-ng" else None
    config = config.model_copy(
        update={"speech": SpeechSection(engine=speech, wav_dir=wav_dir)}  # type: ignore[arg-type]
    )
    results["speech"] = speech
    data = config.model_dump(by_alias=True)
    data["questions"] = example_questions()
    national = validate_config(
        data, source=config.source, available_languages=available_languages()
    )
    play(config, Outbox.open(data_dir / OUTBOX_FILE), script, window=window)
    out.write_text(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=60)
    parser.add_argument("--window", default="1280x720")
    parser.add_argument("--speech", choices=("espeak-ng", "fake"), default="espeak-ng")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    window = tuple(int(n) for n in args.window.split("x"))
    if args.child:
        child(args.visits, window, args.data_dir, args.out, args.speech)
        return

    from hymy_dev.xvfb import VirtualDisplay

    with tempfile.TemporaryDirectory(dir=scratch()) as tmp, VirtualDisplay():
        out = Path(tmp) / "results.json"
        started = time.monotonic()
        child_run = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--visits",
                str(args.visits),
                "--window",
                args.window,
                "--speech",
                args.speech,
                "--data-dir",
                tmp,
                "--out",
                str(out),
            ],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        if child_run.returncode != 0 or not out.exists():
            sys.stderr.write(child_run.stderr[-4000:])
            sys.exit(f"kiosk benchmark failed: the kiosk exited with {child_run.returncode}")
        results = json.loads(out.read_text())
    latencies = results["latencies_ms"]
    lines = [
        f"kiosk benchmark, window {args.window}, Xvfb + Mesa llvmpipe, {os.cpu_count()} cores",
        f"cold start to first interactive frame: {results['first_frame_at'] - started:.2f} s"
        "   (target <= 2 s)",
        f"resident memory after start:  {results['rss_after_start'] / 1e6:.0f} MB"
        "   (target <= 120 MB)",
        f"  of which Mesa's software renderer (llvmpipe/LLVM, not loaded on a Pi's GPU): "
        f"{results['software_gl'] / 1e6:.0f} MB; without it: "
        f"{(results['rss_after_start'] - results['software_gl']) / 1e6:.0f} MB",
        f"resident memory after visits: {results['rss_after_visits'] / 1e6:.0f} MB",
        f"touch -> thank-you drawn over {len(latencies)} visits: "
        f"p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
        f"max {max(latencies):.1f} ms   (target p99 <= 50 ms)",
        f"speech mode, {len(results['speech_touch_ms'])} visits ({results['speech']}"
        + (", into WAV files):" if results["speech"] == "espeak-ng" else "):"),
        _figure(
            "  touch -> thank-you drawn, speech on", results["speech_touch_ms"], "p99 <= 50 ms"
        ),
        _figure("  keypad key -> focus frame drawn", results["key_focus_ms"], "p99 <= 50 ms"),
        _figure("  screen change -> say() called", results["screen_say_ms"], "<= 300 ms"),
        _figure("  screen change -> espeak-ng started", results["screen_process_ms"], "<= 300 ms")
        if results["speech"] == "espeak-ng"
        else "",
        f"the national question set, {results['national_questions']} questions a visit:",
        _figure("  answer touch -> next question drawn", results["answer_ms"], "p99 <= 50 ms"),
        _figure(
            "  last touch -> thank-you drawn (answers stored)",
            results["answers_thanks_ms"],
            "p99 <= 50 ms",
        ),
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
