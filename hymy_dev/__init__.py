"""Development tools: what the demo, the screenshots, the tests and the benchmarks run around
the product. Never in the wheel (pyproject.toml lists no hymy_dev), so neither a Pi nor a server
carries it; it may import kiosk, sync and central, and they never import it.

Run its programs from the repository root, where `python -m` finds it (the cwd is on sys.path):

- `python -m hymy_dev.demo` (`make demo`): the whole system on this machine.
- `python -m hymy_dev.kiosk_demo` (`make screenshots` with `--tour DIR`): the kiosk alone.
- `python -m hymy_dev.console_tour` (`make console-screenshots`): the console's screenshots.

Its modules: local_central (a `hymy-central serve` child process), xvfb (a virtual X display),
autopilot (scripted touches and `play`), tour (the scripted visits), demo_history (six weeks of
console history).
"""
