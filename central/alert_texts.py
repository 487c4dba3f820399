"""What an alert and its all-clear say, in the recipient's language (pure: the caller passes
the catalog's gettext). English msgids; `scripts/extract_messages.py` finds them here.

`notice_parts` gives the one-line title, a few sentences, the facts (label, value) and the
machine-readable data of a webhook's JSON. Small numbers: the unhappy share of fewer ratings
than the site's minimum (central.fairness) is never put in words or facts, only that the rule's
limit was reached.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from central.fairness import guard

Gettext = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 - the catalogs' marker for a message kept for later
    return message


# The kinds' names, for the console and the e-mails.
KIND_NAMES = {
    "unhappy": N_("Unhappy visitors"),
    "quiet": N_("Quiet kiosk"),
    "printer": N_("Printer"),
    "backlog": N_("Events delayed or missing"),
    "refused": N_("Refused events"),
}
KIND_HELP = {
    "unhappy": N_(
        "The share of ratings 1-2 (the two unhappy faces) in the last minutes reaches the limit, "
        "from at least the given number of ratings. Ratings marked as misuse are left out."
    ),
    "quiet": N_(
        "No feedback and no heartbeat from a kiosk for the given minutes of opening hours. "
        "Time while the station is closed does not count."
    ),
    "printer": N_("A kiosk's receipt printer is out of paper or offline."),
    "backlog": N_(
        "Events have waited on a kiosk longer than the given minutes, or events are missing "
        "at the central."
    ),
    "refused": N_(
        "The central refuses a kiosk's uploads, or rejected events wait in its quarantine."
    ),
}
PARAM_NAMES = {
    "share_percent": N_("Limit of the unhappy share, percent"),
    "window_minutes": N_("Window (minutes)"),
    "min_answers": N_("At least this many ratings"),
    "quiet_minutes": N_("Quiet for (minutes of opening hours)"),
    "backlog_minutes": N_("Waiting longer than (minutes)"),
    "cooldown_minutes": N_("Pause before a new alert (minutes)"),
}
PRINTER_WORDS = {
    "paper_out": N_("out of paper"),
    "offline": N_("offline"),
    "paper_near_end": N_("paper running out"),
    "ok": N_("working"),
    "none": N_("no printer"),
}


def local_time(moment: datetime | str | None, zone: ZoneInfo) -> str:
    """'3.12.2026 10:05' in the site's time zone."""
    if moment is None:
        return "-"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    wall = moment.astimezone(zone)
    return f"{wall.day}.{wall.month}.{wall.year} {wall.hour:02d}:{wall.minute:02d}"


def notice_parts(
    kind: str,
    severity: str,
    facts: Mapping[str, Any],
    *,
    site: str,
    kiosk: str | None,
    min_answers: int,
    zone: ZoneInfo,
    gettext: Gettext,
) -> tuple[str, str, list[tuple[str, str]]]:
    """(title, text, facts) of an alert (severity "alert") or its all-clear ("clear")."""
    _ = gettext
    words = {"site": site, "kiosk": kiosk or ""}
    shown: list[tuple[str, str]] = []
    opened = severity == "alert"
    if kind == "unhappy":
        counted = {"unhappy": facts.get("unhappy"), "share": facts.get("share_percent")}
        figures = guard(int(facts.get("answers") or 0), min_answers, counted)
        words |= {"threshold": facts.get("threshold_percent"),
                  "minutes": facts.get("window_minutes")}  # fmt: skip
        if opened:
            title = _("Unhappy visitors at %(site)s") % words
            if figures["hidden"]:
                text = _(
                    "In the last %(minutes)s minutes at least %(threshold)s %% of the ratings "
                    "were unhappy (1 or 2). There were fewer than %(fewer)s ratings, so no "
                    "figures are shown."
                ) % (words | {"fewer": min_answers})
            else:
                text = _(
                    "In the last %(minutes)s minutes %(share)s %% of %(n)s ratings were unhappy "
                    "(1 or 2); the alert's limit is %(threshold)s %%."
                ) % (words | {"share": figures["share"], "n": figures["n"]})
        else:
            title = _("All clear: visitors at %(site)s are no longer unhappy") % words
            text = (
                _(
                    "The unhappy share of the last %(minutes)s minutes is below the limit of "
                    "%(threshold)s %% again."
                )
                % words
            )
        if not figures["hidden"]:
            shown += [
                (_("Ratings"), str(figures["n"])),
                (_("Unhappy (1-2)"), str(figures["unhappy"])),
                (_("Unhappy share"), f"{figures['share']} %"),
            ]
        else:
            shown.append((_("Ratings"), _("fewer than %(n)s") % {"n": min_answers}))
        shown += [(_("Limit"), f"{words['threshold']} %"),
                  (_("Window"), _("%(n)s min") % {"n": words["minutes"]})]  # fmt: skip
    elif kind == "quiet":
        words |= {"minutes": facts.get("quiet_minutes"),
                  "last": local_time(facts.get("last_heard"), zone)}  # fmt: skip
        if opened:
            title = _("Kiosk %(kiosk)s at %(site)s is quiet") % words
            text = (
                _(
                    "Kiosk %(kiosk)s has sent no feedback and no heartbeat for %(minutes)s minutes "
                    "of opening hours; it was last heard from %(last)s. Check that it is on and "
                    "connected."
                )
                % words
            )
        else:
            title = _("All clear: kiosk %(kiosk)s at %(site)s is heard from again") % words
            text = _("Kiosk %(kiosk)s sends its heartbeat again.") % words
        shown += [(_("Last heard"), words["last"]),
                  (_("Silent during opening hours"),
                   _("%(n)s min") % {"n": facts.get("silent_open_minutes", 0)})]  # fmt: skip
    elif kind == "printer":
        state = str(facts.get("printer") or "none")
        words |= {"state": _(PRINTER_WORDS.get(state, state))}
        if opened:
            title = _("The printer of kiosk %(kiosk)s at %(site)s is %(state)s") % words
            text = (
                _(
                    "The receipt printer of kiosk %(kiosk)s is %(state)s: visitors get their queue "
                    "number on the screen only. Add paper or check the printer's cable."
                )
                % words
            )
        else:
            title = _("All clear: the printer of kiosk %(kiosk)s at %(site)s works again") % words
            text = _("The receipt printer of kiosk %(kiosk)s is %(state)s.") % words
        shown.append((_("Printer"), words["state"]))
    elif kind == "backlog":
        words |= {"backlog": facts.get("backlog", 0), "missing": facts.get("missing", 0),
                  "minutes": facts.get("oldest_minutes", 0)}  # fmt: skip
        if opened:
            title = _("Events of kiosk %(kiosk)s at %(site)s are delayed or missing") % words
            text = (
                _(
                    "%(backlog)s events wait on kiosk %(kiosk)s, the oldest for %(minutes)s "
                    "minutes, and %(missing)s events are missing at the central. Check the kiosk's "
                    "network connection."
                )
                % words
            )
        else:
            title = _("All clear: the events of kiosk %(kiosk)s at %(site)s have arrived") % words
            text = _("Kiosk %(kiosk)s has no delayed or missing events any more.") % words
        shown += [(_("Waiting on the kiosk"), str(words["backlog"])),
                  (_("Oldest waiting"), _("%(n)s min") % {"n": words["minutes"]}),
                  (_("Missing"), str(words["missing"]))]  # fmt: skip
    else:  # refused
        words |= {
            "quarantined": facts.get("quarantined", 0),
            "error": facts.get("refused_error") or "-",
            "waiting": facts.get("waiting") or 0,
        }
        if opened:
            title = _("The central refuses events of kiosk %(kiosk)s at %(site)s") % words
            text = (
                _(
                    "The central has refused what kiosk %(kiosk)s sends (%(error)s); %(waiting)s "
                    "events wait, and %(quarantined)s are in its quarantine. IT staff can see why "
                    "with `hymy-sync status` on the kiosk."
                )
                % words
            )
        else:
            title = (
                _("All clear: the central takes the events of kiosk %(kiosk)s at %(site)s") % words
            )
            text = _("Kiosk %(kiosk)s uploads again and holds no refused events.") % words
        shown += [(_("Quarantined"), str(words["quarantined"])),
                  (_("Refusal"), str(words["error"]))]  # fmt: skip
    return title, text, shown
