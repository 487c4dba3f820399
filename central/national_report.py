"""The national question set's report: per site and question, the recommendation's NPS and
the statements' agreement figures over local days (from daily_answer_rollups), each with its
own n and guarded by the site's minimum (central.fairness.guard): never mixed with the
smileys' satisfaction score, which has its own report (central.reports).

The maths are hymy_domain.national's. Answers are kept apart per question set version: a
statement reworded in a new version is a new question, and a report never adds the two.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from central.downloads import Table
from central.fairness import guard, is_hidden
from central.report_queries import checked_request, site_definitions
from central.sites import SiteDefinition
from central.tables import NO_ANSWER, daily_answer_rollups
from hymy_domain.national import RECOMMEND_SCALE, agreement, agreement_steps, nps

QuestionKey = tuple[str, int, str, str]  # question set, version, question, scale


def _counts(
    conn: Connection,
    sites: list[str],
    first: date,
    last: date,
    service_point: str | None,
    include_misuse: bool,
) -> dict[str, dict[QuestionKey, Counter]]:
    table = daily_answer_rollups
    query = select(
        table.c.site_id, table.c.question_set, table.c.set_version, table.c.question,
        table.c.scale, table.c.answer, table.c.count,
    ).where(table.c.site_id.in_(sites), table.c.day.between(first, last))  # fmt: skip
    if service_point is not None:
        query = query.where(table.c.service_point == service_point)
    if not include_misuse:
        query = query.where(table.c.misuse.is_(False))
    found: dict[str, dict[QuestionKey, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for row in conn.execute(query):
        key = (row.question_set, row.set_version, row.question, row.scale)
        found[row.site_id][key][None if row.answer == NO_ANSWER else row.answer] += row.count
    return found


def question_figures(scale: str, counts: Counter, minimum: int) -> dict[str, Any]:
    """One question's figures from its answers' counts, as they may be shown."""
    values = list(counts.elements())
    if scale == RECOMMEND_SCALE:
        found = nps(v for v in values if v is not None)
        return guard(
            found.n,
            minimum,
            {
                "nps": found.nps,
                "promoters": found.promoters,
                "passives": found.passives,
                "detractors": found.detractors,
                "distribution": {str(v): c for v, c in enumerate(found.distribution)},
            },
        )
    steps = agreement_steps(scale)
    if steps is None:
        raise ValueError(f"no figures for the scale {scale!r}")
    found_a = agreement(values, steps)
    figures = guard(
        found_a.n,
        minimum,
        {
            "mean": found_a.mean,
            "agree_share": found_a.agree_share,
            "disagree_share": found_a.disagree_share,
            "distribution": {str(s + 1): c for s, c in enumerate(found_a.distribution)},
        },
    )
    # "I cannot say" is one of the statement's answers, beside the steps: its count is shown
    # when the statement has the minimum of answers in all, so a statement that nobody took a
    # stand on says so (n 0 and its count who could not say; no mean, no shares). Below that
    # minimum in all, neither count is shown, not even a 0: with the row there, it would say
    # how the few answered.
    if is_hidden(found_a.n + found_a.cannot_say, minimum):
        figures.update(n=None, fewer_than=minimum, cannot_say=None)
    else:
        figures["cannot_say"] = found_a.cannot_say
    return figures


def _question_order(definition: SiteDefinition) -> Any:
    """A set's newest version first; in it the recommendation, then the statements in the
    order the site's set asks them (ones it no longer asks after, by id)."""
    order = [q.id for q in definition.questions.asked]

    def key(question: QuestionKey) -> tuple:
        question_set, version, question_id, scale = question
        place = order.index(question_id) if question_id in order else len(order)
        return (question_set, -version, scale != RECOMMEND_SCALE, place, question_id)

    return key


def national_report(
    conn: Connection,
    sites: list[str],
    first: date,
    last: date,
    *,
    service_point: str | None = None,
    include_misuse: bool = False,
) -> dict[str, Any]:
    """Each site's answers to its national question set over the local days first..last:
    per question (set, version, question, scale) its figures with n, the recommendation first.

    Raises ReportError or LimitError for a request no query should run, NotFoundError for an
    unknown site.
    """
    sites = checked_request(sites, first, last, "day", service_point)
    definitions = site_definitions(conn, sites)
    counts = _counts(conn, sites, first, last, service_point, include_misuse)
    answer_sites = []
    for site in sites:
        minimum = definitions[site].reports.min_answers
        order = _question_order(definitions[site])
        found = counts.get(site, {})
        questions = [
            {
                "question_set": key[0],
                "set_version": key[1],
                "question": key[2],
                "scale": key[3],
                **question_figures(key[3], found[key], minimum),
            }
            for key in sorted(found, key=order)
        ]
        answer_sites.append({"site": site, "questions": questions})
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "service_point": service_point,
        "include_misuse": include_misuse,
        "sites": answer_sites,
    }


ROW_KEYS = ("site", "question_set", "set_version", "question", "scale", "n", "nps", "mean",
            "agree_share", "cannot_say")  # fmt: skip


def withheld_counts(question: dict[str, Any], marker: str = "<{}") -> tuple[Any, Any]:
    """A question's n (who took a stand) and, for a statement, its count who could not say, as
    shown: a count withheld below the minimum as `marker` with the minimum ("<5"); None for
    the recommendation's "I cannot say", which it does not have."""
    withheld = marker.format(question["fewer_than"]) if question["fewer_than"] else None
    n = question["n"] if question["n"] is not None else withheld
    if question["scale"] == RECOMMEND_SCALE:
        return n, None
    cannot_say = question["cannot_say"]
    return n, cannot_say if cannot_say is not None else withheld


def national_rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The report as flat rows (a question of a site each), for a table or CSV; a withheld
    figure is empty and a withheld count says "<5". A statement nobody took a stand on has n 0
    and its count who could not say, and no mean or shares."""
    rows = []
    for site in answer["sites"]:
        for q in site["questions"]:
            n, cannot_say = withheld_counts(q)
            rows.append({"site": site["site"], **{k: q.get(k) for k in ROW_KEYS[1:]}, "n": n,
                         "cannot_say": cannot_say})  # fmt: skip
    return rows


def national_text(answer: dict[str, Any]) -> str:
    """The report as a text table, a question a line (`hymy-central report national`); a
    figure that is not there (none for the question, or withheld) is "-"."""
    rows = national_rows(answer)
    if not rows:
        return f"No answers to a national question set from {answer['from']} to {answer['to']}."
    shown = [["-" if r[k] is None else str(r[k]) for k in ROW_KEYS] for r in rows]
    cells = [list(ROW_KEYS), *shown]
    widths = [max(len(row[i]) for row in cells) for i in range(len(ROW_KEYS))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    )


def question_text(definition: SiteDefinition, question: str, language: str) -> str:
    """A question's words in the language as the site's set has them now; its id for one the
    set no longer has (an older version's)."""
    for q in definition.questions.asked:
        if q.id == question:
            return q.text.get(language) or next(iter(q.text.values()))
    return question


def national_section(
    conn: Connection,
    definition: SiteDefinition,
    first: date,
    last: date,
    language: str,
    gettext: Any = str,
    **filters: Any,
) -> tuple[list[dict[str, Any]], Table | None]:
    """One site's national questions over the period (national_report's) and their table for
    the console's site page and the PDF; no table when the site has no national answers."""
    (site,) = national_report(conn, [definition.site.id], first, last, **filters)["sites"]
    questions = site["questions"]
    table = national_site_table(questions, definition, language, gettext) if questions else None
    return questions, table


def national_site_table(
    questions: list[dict[str, Any]],
    definition: SiteDefinition,
    language: str,
    gettext: Any = str,
) -> Table:
    """The console's table of a site's national answers: a question a row, each with its own
    n, those who took a stand (withheld figures empty, and the counts "< 5" when withheld), and
    for a statement its count who could not say apart: a statement nobody took a stand on
    shows 0 and that count, with no mean or shares."""
    _ = gettext
    table = Table(
        _("National feedback model"),
        [_("Question"), _("Version"), _("Took a stand (n)"), _("NPS"), _("Mean"),
         _("Agree"), _("I cannot say")],
    )  # fmt: skip
    for q in questions:
        n, cannot_say = withheld_counts(q, "< {}")
        table.rows.append(
            [
                question_text(definition, q["question"], language),
                q["set_version"],
                n,
                q.get("nps"),
                q.get("mean"),
                q.get("agree_share"),
                cannot_say,
            ]
        )
    return table
