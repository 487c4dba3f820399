"""The periods a person picks on the console's report pages (pure, no I/O): the quick choices
(this week, the last 4 weeks, this month, last month, this year) and the default periods, as
(first, last) local days counted from a site's today.

Why "the last 28 days" rather than a calendar month by default: four whole weeks hold every
weekday four times, so a busy Monday weighs the same in every default view.
"""

from __future__ import annotations

from datetime import date, timedelta

QUICK = ("this_week", "last_4_weeks", "this_month", "last_month", "this_year")


def last_days(today: date, days: int) -> tuple[date, date]:
    """The `days` local days up to and including today."""
    return today - timedelta(days=days - 1), today


def quick_period(choice: str, today: date) -> tuple[date, date]:
    """The days of a quick choice (one of QUICK) up to today. Raises ValueError for another."""
    if choice == "this_week":
        return today - timedelta(days=today.weekday()), today
    if choice == "last_4_weeks":
        return last_days(today, 28)
    if choice == "this_month":
        return today.replace(day=1), today
    if choice == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if choice == "this_year":
        return today.replace(month=1, day=1), today
    raise ValueError(f"A quick period is one of {', '.join(QUICK)}, not {choice!r}.")
