"""What a new site definition changes of the old one, a line each (`site_changes`): for
`hymy-central site update`, the console's preview and the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from central.sites import SiteDefinition
from hymy_domain.site_message import MESSAGE_LANGUAGES


def _names(values: Iterable[BaseModel], fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    return {v.id: {f: getattr(v, f) for f in fields} for v in values}  # type: ignore[attr-defined]


def site_changes(
    old: SiteDefinition, new: SiteDefinition, gettext: Callable[[str], str] = str
) -> list[str]:
    """What `new` changes of `old`, a line each: service points and reasons added, retired,
    back in service or changed, and the site's own settings. Empty: nothing changed.
    `gettext` translates the lines for the console's admin (English msgids; the CLI and the
    audit lines keep the English). Field names stay the site file's keys."""
    _ = gettext
    lines = []
    for key in ("name", "timezone", "numbers_per_kiosk"):
        before, after = getattr(old.site, key), getattr(new.site, key)
        if before != after:
            shown = {"key": key, "before": _show(before), "after": _show(after)}
            lines.append(_("site %(key)s: %(before)s -> %(after)s") % shown)
    if old.reports.min_answers != new.reports.min_answers:
        shown = {"before": old.reports.min_answers, "after": new.reports.min_answers}
        lines.append(_("reports min_answers: %(before)s -> %(after)s") % shown)
    if old.questions.set != new.questions.set:
        lines.append(
            _("the kiosks ask: the national feedback model (version %(version)s)")
            % {"version": new.questions.version}
            if new.questions.set == "national"
            else _("the kiosks ask: the four smileys")
        )
    elif new.questions.set == "national" and old.questions != new.questions:
        lines.append(
            _("national question set changed: version %(before)s -> %(after)s")
            % {"before": old.questions.version, "after": new.questions.version}
        )
    if old.public.results != new.public.results:
        lines.append(
            _("public results: on (a page and a widget without sign-in)")
            if new.public.results
            else _("public results: off")
        )
    for language in MESSAGE_LANGUAGES:
        before, after = getattr(old.message, language), getattr(new.message, language)
        if before != after:
            shown = {"language": language, "text": after or ""}
            lines.append(
                _("kiosk message in %(language)s: %(text)s") % shown
                if after
                else _("kiosk message in %(language)s removed") % shown
            )
    # One sentence per kind of change and part, so that each language words it whole.
    point_words = {
        "back": _("service point back in service: %(key)s"),
        "added": _("service point added: %(key)s"),
        "changed": _("service point changed: %(key)s (%(fields)s)"),
        "retired": _(
            "service point retired: %(key)s (kiosks no longer offer it; its events still "
            "count and reports label it retired)"
        ),
        "added_retired": _("service point added as retired: %(key)s"),
    }
    reason_words = {
        "back": _("reason back in service: %(key)s"),
        "added": _("reason added: %(key)s"),
        "changed": _("reason changed: %(key)s (%(fields)s)"),
        "retired": _(
            "reason retired: %(key)s (kiosks no longer offer it; its events still "
            "count and reports label it retired)"
        ),
        "added_retired": _("reason added as retired: %(key)s"),
    }
    parts = (
        (point_words, old.service_points, old.retired.service_points, new.service_points,
         new.retired.service_points, ("name", "prefix", "guidance")),
        (reason_words, old.feedback.reasons, old.retired.reasons, new.feedback.reasons,
         new.retired.reasons, ("name", "ratings")),
    )  # fmt: skip
    for words, was_on, was_off, now_on, now_off, fields in parts:
        before_on, before_off = _names(was_on, fields), _names(was_off, fields)
        after_on, after_off = _names(now_on, fields), _names(now_off, fields)
        for key, value in after_on.items():
            if key in before_off:
                lines.append(words["back"] % {"key": key})
            elif key not in before_on:
                lines.append(words["added"] % {"key": key})
            elif before_on[key] != value:
                changed = [f for f in fields if before_on[key][f] != value[f]]
                lines.append(words["changed"] % {"key": key, "fields": ", ".join(changed)})
        for key in after_off:
            if key in before_on:
                lines.append(words["retired"] % {"key": key})
            elif key not in before_off:
                lines.append(words["added_retired"] % {"key": key})
    return lines


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)
