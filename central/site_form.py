"""The console's site form: the fields an admin edits (names, time zone, service points and
reasons added, changed, retired or back in service) turned into site-file data, which then goes
through the very rules of `hymy-central site add` (central.sites.checked_site); and each
problem's key in that data turned back into the form field it came from.

Field names: `site-name-fi`, `site-timezone`; a service point offered `sp-N-id` (hidden),
`sp-N-prefix`, `sp-N-name-fi|sv|en`, `sp-N-retire`; a new one `sp-new-...`; a retired one
`rsp-N-id`, `rsp-N-restore`. Reasons alike with `rs-`, `rs-new-`, `rrs-`, and `rs-N-ratings`
(repeated). Entries are found by their id, not their place, so a form made before someone else
changed the site still changes the entries it shows, and leaves the others as they are.

The kiosks' start-screen message `message-fi|sv|en` (a language left empty has none; its line
breaks become spaces) and the public results `public-results` (a hidden empty value before the
checkbox, so an unticked box is told apart from a form without it). A form without these fields
leaves them as they were.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from central.site_questions import example_questions
from central.sites import SiteDefinition
from hymy_domain.site_message import MESSAGE_LANGUAGES, message_problem_kind

FORM_LANGUAGES = ("fi", "sv", "en")
Form = Mapping[str, Sequence[str]]
# (part, index in the data) -> the form row it came from, e.g. ("service_points", 2) -> "sp-new"
Sources = dict[tuple[str, int], str]


class SiteFormError(ValueError):
    """A problem the form has before the site rules are asked: `field` says where, `kind` what
    (no_name, or message_ and a kind of hymy_domain.site_message.message_problem_kind)."""

    def __init__(self, field: str, kind: str) -> None:
        super().__init__(kind)
        self.field, self.kind = field, kind


def _first(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return str(values[0]).strip()


def _names(existing: Mapping[str, str], form: Form, prefix: str) -> dict[str, str]:
    """The names of the form's languages from the form; other languages' names as they were."""
    names = {k: v for k, v in existing.items() if k not in FORM_LANGUAGES}
    for language in FORM_LANGUAGES:
        value = _first(form, f"{prefix}-name-{language}")
        if value:
            names[language] = value
    return names


def _rows(form: Form, kind: str) -> list[tuple[str, str]]:
    """(row prefix, id) of the form's rows of one kind ("sp", "rsp", "rs", "rrs"), in order."""
    found = []
    for name in form:
        match = re.fullmatch(rf"({kind}-(\d+))-id", name)
        if match:
            found.append((int(match.group(2)), match.group(1), _first(form, name)))
    return [(prefix, value) for _, prefix, value in sorted(found)]


def _has_new(form: Form, prefix: str) -> bool:
    return any(
        _first(form, f"{prefix}-{field}")
        for field in ("id", "prefix", *(f"name-{lang}" for lang in FORM_LANGUAGES))
    ) or bool(form.get(f"{prefix}-ratings"))


def _ratings(form: Form, prefix: str) -> list[Any]:
    return [int(v) if str(v).isdigit() else v for v in form.get(f"{prefix}-ratings", [])]


def _part(
    form: Form,
    offered: Sequence[dict[str, Any]],
    retired: Sequence[dict[str, Any]],
    short: str,
    part: str,
    edit: Any,
    sources: Sources,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The offered and retired entries of one part (service points or reasons) after the form."""
    by_id = {entry["id"]: entry for entry in offered}
    retired_by_id = {entry["id"]: entry for entry in retired}
    now_on: list[dict[str, Any]] = []
    now_off: list[dict[str, Any]] = []
    seen: set[str] = set()
    for prefix, entry_id in _rows(form, short):
        if entry_id not in by_id or entry_id in seen:
            continue  # retired or removed meanwhile: this form no longer speaks for it
        seen.add(entry_id)
        entry = edit(dict(by_id[entry_id]), prefix)
        if form.get(f"{prefix}-retire"):
            now_off.append(entry)
        else:
            sources[(part, len(now_on))] = prefix
            now_on.append(entry)
    now_on += [e for i, e in by_id.items() if i not in seen]  # added meanwhile: kept
    restored = set()
    for prefix, entry_id in _rows(form, f"r{short}"):
        if entry_id in retired_by_id and form.get(f"{prefix}-restore") and entry_id not in seen:
            restored.add(entry_id)
            sources[(part, len(now_on))] = prefix
            now_on.append(retired_by_id[entry_id])
    now_off = [e for i, e in retired_by_id.items() if i not in restored] + now_off
    new = f"{short}-new"
    if _has_new(form, new):
        entry = edit({"id": _first(form, f"{new}-id")}, new, fresh=True)
        if not entry["name"]:
            raise SiteFormError(f"{new}-name-fi", "no_name")
        sources[(part, len(now_on))] = new
        now_on.append(entry)
    return now_on, now_off


def edited_site(old: SiteDefinition, form: Form) -> tuple[dict[str, Any], Sources]:
    """The site-file data of `old` as the form changes it, and where each entry came from (for
    field_for). Check the data with central.sites.checked_site.

    Raises SiteFormError for a name left empty in every language (the site rules allow no name,
    but a kiosk must show one).
    """
    data = old.model_dump(mode="json", exclude_none=True)
    sources: Sources = {}
    data["site"]["name"] = _names(data["site"]["name"], form, "site")
    if not data["site"]["name"]:
        raise SiteFormError("site-name-fi", "no_name")
    data["site"]["timezone"] = _first(form, "site-timezone")

    def point(entry: dict[str, Any], prefix: str, fresh: bool = False) -> dict[str, Any]:
        entry["prefix"] = _first(form, f"{prefix}-prefix")
        entry["name"] = _names({} if fresh else entry.get("name", {}), form, prefix)
        if not entry["name"]:
            raise SiteFormError(f"{prefix}-name-fi", "no_name")
        return entry

    def reason(entry: dict[str, Any], prefix: str, fresh: bool = False) -> dict[str, Any]:
        entry["ratings"] = _ratings(form, prefix)
        entry["name"] = _names({} if fresh else entry.get("name", {}), form, prefix)
        if not entry["name"]:
            raise SiteFormError(f"{prefix}-name-fi", "no_name")
        return entry

    points, retired_points = _part(
        form,
        data["service_points"],
        data["retired"]["service_points"],
        "sp",
        "service_points",
        point,
        sources,
    )
    reasons, retired_reasons = _part(
        form,
        data["feedback"]["reasons"],
        data["retired"]["reasons"],
        "rs",
        "reasons",
        reason,
        sources,
    )
    data["service_points"] = points
    data["feedback"]["reasons"] = reasons
    data["retired"] = {"service_points": retired_points, "reasons": retired_reasons}
    data["message"] = _message(data.get("message", {}), form)
    if "public-results" in form:
        data.setdefault("public", {})["results"] = any(v for v in form["public-results"])
    if _first(form, "question-set") in ("smileys", "national"):
        data["questions"] = _questions(data.get("questions", {}), _first(form, "question-set"))
    return data, sources


def _questions(old: Mapping[str, Any], chosen: str) -> dict[str, Any]:
    """The site's question set after the form's choice: the smileys keep the national set's
    questions for a later switch back; a site switched to the national set without questions
    of its own gets the example set's (Hymy's wording, to be replaced by the region's)."""
    questions = dict(old)
    if chosen == "national" and "recommendation" not in questions:
        questions = example_questions()  # the old table had only defaults: nothing to keep
    questions["set"] = chosen
    return questions


def _message(old: Mapping[str, str], form: Form) -> dict[str, str]:
    """The start-screen message after the form: each language's text as one paragraph.

    Raises SiteFormError for a text the kiosks may not show (too long, personal data)."""
    message = dict(old)
    for language in MESSAGE_LANGUAGES:
        field = f"message-{language}"
        if field not in form:
            continue
        text = " ".join(_first(form, field).split())
        if not text:
            message.pop(language, None)
            continue
        kind = message_problem_kind(text)
        if kind is not None:
            raise SiteFormError(field, f"message_{kind}")
        message[language] = text
    return message


def field_for(location: Sequence[str | int], sources: Sources) -> str | None:
    """The form field a problem's key (central.sites.SiteError.problems) came from; None for
    a problem of the whole form (no service point left, say)."""
    loc = list(location)
    if loc[:1] == ["message"] and len(loc) >= 2:
        return f"message-{loc[1]}"
    if loc[:1] == ["public"]:
        return "public-results"
    if loc[:1] == ["site"] and len(loc) >= 2:
        return "site-" + "-".join(str(p) for p in loc[1:3])
    if loc[:1] == ["service_points"] and len(loc) >= 3:
        source, rest = sources.get(("service_points", int(loc[1]))), loc[2:]
    elif loc[:2] == ["feedback", "reasons"] and len(loc) >= 4:
        source, rest = sources.get(("reasons", int(loc[2]))), loc[3:]
    else:
        return None
    if source is None or source.startswith(("rsp-", "rrs-")):  # back in service, not edited
        return None
    field = str(rest[0])
    if field == "name" and len(rest) > 1:
        return f"{source}-name-{rest[1]}"
    if field == "name":
        return f"{source}-name-fi"
    return f"{source}-{field}"
