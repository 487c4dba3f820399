"""Accessibility checks of a page in the browser with axe-core (Deque's rules for WCAG 2.x).

axe runs inside the page: its script is evaluated through Playwright, which the page's
Content-Security-Policy does not govern, so the console's strict CSP needs no exception for it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from playwright.sync_api import Page

from tests.support.browser_tools import NODE_MODULES, unavailable

AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


@cache
def _axe_source() -> str:
    if not AXE_JS.is_file():
        unavailable(f"{AXE_JS} is missing: run scripts/setup.sh (it runs npm ci).")
    return AXE_JS.read_text(encoding="utf-8")


def axe_check(
    page: Page,
    *,
    context: str | dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (axe.run's `violations`: each with id, impact,
    help, helpUrl and nodes, whose `target` lists CSS selectors).

    `context` narrows the check (a selector, or axe's {include, exclude}); `options` are axe.run's
    (e.g. {"runOnly": ["wcag2a", "wcag2aa"]}). Without axe-core it fails on CI and
    skips elsewhere.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "async ([context, options]) => await axe.run(context ?? document, options ?? {})",
        [context, options],
    )
    return result["violations"]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and one per offending element, for a failure message or a log."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {' '.join(map(str, node['target']))}" for node in violation["nodes"])
    return "\n".join(lines)


def assert_accessible(
    page: Page,
    *,
    impacts: tuple[str, ...] = BLOCKING_IMPACTS,
    context: str | dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Fail when axe finds a violation of one of `impacts` (serious or critical by default),
    listing each one's id, impact, help and offending elements; the whole list otherwise (the
    minor and moderate findings, for a test that wants to report them)."""
    violations = axe_check(page, context=context, options=options)
    blocking = [v for v in violations if v["impact"] in impacts]
    if blocking:
        raise AssertionError(
            f"axe found {len(blocking)} {'/'.join(impacts)} accessibility problem(s) on "
            f"{page.url}:\n{describe(blocking)}"
        )
    return violations
