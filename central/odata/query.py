"""The system query options of one request (pure): checked, then applied to rows.

`$filter` is checked and evaluated by central.odata.filter; `narrowing` reads from its AST
what bounds the database query: the days of the set's period property and the sites.

Supported: $filter (central.odata.filter), $select, $orderby, $top, $skip, $count, $skiptoken
(from @odata.nextLink), $format (json). Anything else that starts with $ is refused with an
ODataError that says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from odata_query import ast

from central.odata import ODataError
from central.odata.filter import matcher, parse_filter
from central.odata.model import PYTHON_TYPES, EntitySet, json_value

SUPPORTED = ("$filter", "$select", "$orderby", "$top", "$skip", "$count", "$skiptoken", "$format")
SUPPORTED_TEXT = ", ".join(SUPPORTED)
PAGE_SIZE = 1000  # rows per page; a client may ask for fewer (Prefer: odata.maxpagesize)
LARGEST_NUMBER = 10**9  # $top and $skip beyond this are typing mistakes


@dataclass(frozen=True)
class Options:
    """A request's system query options, checked against its entity set."""

    filter_text: str | None = None
    filter: ast._Node | None = None
    select: tuple[str, ...] | None = None  # None: every property
    orderby: tuple[tuple[str, bool], ...] = ()  # (property, descending)
    top: int | None = None
    skip: int = 0
    count: bool = False
    skiptoken: int = 0  # rows of the $skip/$top window already sent
    given: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # for the next link


@dataclass(frozen=True)
class Narrowing:
    """What of a filter bounds the database query: the period property's first and last day
    (None: open) and the sites (None: every site the caller may read). A row outside them can
    never match the filter; the filter itself is still applied to every row."""

    first: date | None = None
    last: date | None = None
    sites: frozenset[str] | None = None


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]  # as JSON writes them, only the selected properties
    count: int | None  # every match ($count=true), else None
    next_skiptoken: int | None  # where the next page starts; None: this is the last


def parse_options(params: Sequence[tuple[str, str]], entity_set: EntitySet) -> Options:
    """The query options of `params` (the query string's pairs, in order) for the set.

    Raises ODataError for an option the feed does not support, one given twice, or a value
    it cannot use. Parameters without a leading $ are custom options and left alone.
    """
    seen: dict[str, str] = {}
    for name, value in params:
        if name.startswith("@"):
            raise ODataError(
                "UnsupportedQueryOption", "Parameter aliases (@name) are not supported.", name
            )
        if not name.startswith("$"):
            continue
        if name not in SUPPORTED:
            raise ODataError(
                "UnsupportedQueryOption",
                f"{name} is not supported by this feed; it supports {SUPPORTED_TEXT}.",
                name,
            )
        if name in seen:
            raise ODataError("DuplicateQueryOption", f"{name} is given twice: give it once.", name)
        seen[name] = value
    if "$format" in seen:
        _check_format(seen["$format"])
    filter_text = seen.get("$filter")
    return Options(
        filter_text=filter_text,
        filter=parse_filter(filter_text, entity_set) if filter_text is not None else None,
        select=_select(seen["$select"], entity_set) if "$select" in seen else None,
        orderby=_orderby(seen["$orderby"], entity_set) if "$orderby" in seen else (),
        top=_number("$top", seen["$top"]) if "$top" in seen else None,
        skip=_number("$skip", seen["$skip"]) if "$skip" in seen else 0,
        count=_boolean("$count", seen["$count"]) if "$count" in seen else False,
        skiptoken=_skiptoken(seen["$skiptoken"]) if "$skiptoken" in seen else 0,
        given=tuple((k, v) for k, v in seen.items() if k != "$skiptoken"),
    )


def _check_format(value: str) -> None:
    kind = value.split(";")[0].strip().lower()
    if kind not in ("json", "application/json"):
        raise ODataError(
            "UnsupportedFormat",
            f"$format={value}: this feed answers in JSON only ($format=json).",
            "$format",
        )


def _number(name: str, value: str) -> int:
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) > LARGEST_NUMBER:
        raise ODataError(
            "InvalidQueryOption",
            f"{name}={value}: give a whole number from 0 to {LARGEST_NUMBER}.",
            name,
        )
    return int(text)


def _boolean(name: str, value: str) -> bool:
    if value not in ("true", "false"):
        raise ODataError("InvalidQueryOption", f"{name}={value}: give true or false.", name)
    return value == "true"


def _skiptoken(value: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) > LARGEST_NUMBER:
        raise ODataError(
            "InvalidSkipToken",
            f"$skiptoken={value} is not one this feed made: follow @odata.nextLink as given.",
            "$skiptoken",
        )
    return int(value)


def _known(name: str, entity_set: EntitySet, option: str) -> str:
    if entity_set.property(name) is None:
        raise ODataError(
            "UnknownProperty",
            f"{option}: {entity_set.name} has no property {name!r}; it has "
            f"{', '.join(entity_set.names)}.",
            option,
        )
    return name


def _select(value: str, entity_set: EntitySet) -> tuple[str, ...] | None:
    names = [part.strip() for part in value.split(",")]
    if names == ["*"]:
        return None
    if not all(names):
        raise ODataError(
            "InvalidQueryOption",
            f"$select={value}: list properties separated by commas.",
            "$select",
        )
    return tuple(dict.fromkeys(_known(n, entity_set, "$select") for n in names))


def _orderby(value: str, entity_set: EntitySet) -> tuple[tuple[str, bool], ...]:
    order = []
    for part in value.split(","):
        words = part.split()
        if not 1 <= len(words) <= 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise ODataError(
                "InvalidQueryOption",
                f"$orderby={value}: give properties, each optionally followed by asc or desc, "
                "separated by commas (e.g. day desc,site_id).",
                "$orderby",
            )
        name = _known(words[0], entity_set, "$orderby")
        order.append((name, len(words) == 2 and words[1] == "desc"))
    return tuple(order)


# --- what bounds the database query --------------------------------------------------------


def narrowing(tree: ast._Node | None, entity_set: EntitySet) -> Narrowing:
    """The days and sites the filter's top-level `and` conditions allow (comparisons of the
    period property with a date, `site eq '...'`, `site in (...)`); anything else (an `or`, a
    `not`, a function) narrows nothing here and is left to the filter itself."""
    first = last = None
    sites: set[str] | None = None
    for condition in _conjuncts(tree):
        if not isinstance(condition, ast.Compare) or not isinstance(condition.left, ast.Identifier):
            continue
        name, right, op = condition.left.name, condition.right, type(condition.comparator)
        if name == entity_set.period and isinstance(right, ast.Date):
            try:
                day = date.fromisoformat(right.val)
            except ValueError:
                continue
            low = {ast.Eq: day, ast.GtE: day, ast.Gt: day}.get(op)
            high = {ast.Eq: day, ast.LtE: day, ast.Lt: day}.get(op)
            # strict bounds stay inclusive here: the filter itself drops the edge day
            if low is not None:
                first = low if first is None else max(first, low)
            if high is not None:
                last = high if last is None else min(last, high)
        elif name == entity_set.site:
            allowed: set[str] | None = None
            if op is ast.Eq and isinstance(right, ast.String):
                allowed = {right.val}
            elif (
                op is ast.In
                and isinstance(right, ast.List)
                and all(isinstance(v, ast.String) for v in right.val)
            ):
                allowed = {v.val for v in right.val}
            if allowed is not None:
                sites = allowed if sites is None else sites & allowed
    return Narrowing(first, last, None if sites is None else frozenset(sites))


def _conjuncts(tree: ast._Node | None) -> Iterable[ast._Node]:
    if tree is None:
        return
    if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And):
        yield from _conjuncts(tree.left)
        yield from _conjuncts(tree.right)
    else:
        yield tree


# --- one page ------------------------------------------------------------------------------


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, 0) if value is None else (1, value)  # null first, as SQL Server and OData do


def page(
    rows: Iterable[Mapping[str, Any]],
    options: Options,
    entity_set: EntitySet,
    page_size: int = PAGE_SIZE,
) -> Page:
    """The rows that match, in order ($orderby, then the key), windowed by $skip and $top, and
    the page of them that starts at $skiptoken; values as JSON writes them, only $select's."""
    if page_size < 1:
        raise ValueError("page_size is at least 1")
    matches = matcher(options.filter, entity_set) if options.filter is not None else None
    found = [row for row in rows if matches is None or matches(row)]
    found.sort(key=lambda row: tuple(_sort_key(row.get(k)) for k in entity_set.keys))
    for name, descending in reversed(options.orderby):
        found.sort(key=lambda row, n=name: _sort_key(row.get(n)), reverse=descending)
    end = len(found) if options.top is None else min(len(found), options.skip + options.top)
    window = found[options.skip : end]
    start = options.skiptoken
    chunk = window[start : start + page_size]
    names = options.select or entity_set.names
    return Page(
        rows=[{n: json_value(row.get(n)) for n in names} for row in chunk],
        count=len(found) if options.count else None,
        next_skiptoken=start + page_size if start + page_size < len(window) else None,
    )


def count_matches(
    rows: Iterable[Mapping[str, Any]], options: Options, entity_set: EntitySet
) -> int:
    """How many rows match the filter (`NAME/$count`)."""
    if options.filter is None:
        return sum(1 for _ in rows)
    matches = matcher(options.filter, entity_set)
    return sum(1 for row in rows if matches(row))


def next_link(entity_url: str, options: Options, skiptoken: int) -> str:
    """The absolute URL of the next page: the same options and the new $skiptoken."""
    return f"{entity_url}?{urlencode([*options.given, ('$skiptoken', str(skiptoken))])}"


def context_url(service_root: str, entity_set: EntitySet, options: Options) -> str:
    """`@odata.context`: the metadata URL and the set, with its $select when there is one."""
    selected = f"({','.join(options.select)})" if options.select else ""
    return f"{service_root}$metadata#{entity_set.name}{selected}"


def check_python_type(value: Any, edm_type: str) -> bool:
    """Whether a row's value fits its property's Edm type (None always fits a nullable)."""
    expected = PYTHON_TYPES[edm_type]
    if edm_type != "Edm.Boolean" and isinstance(value, bool):
        return False
    return isinstance(value, expected)
