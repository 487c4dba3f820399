"""`$filter` (pure): parsed by the odata-query library into its AST, checked against the
entity set's properties and Edm types, and evaluated on the rows as they may be shown (after
central.fairness has withheld small numbers), so a filter can never find out a withheld figure.

Supported: eq ne lt le gt ge in, and or not, parentheses, null, literals of the set's types
(a date as 2026-11-01, without quotes), and the functions in FUNCTIONS. OData's null rules:
a comparison with null is null (not true), `eq null` finds nulls, `and`/`or` are three-valued.
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from odata_query import ast
from odata_query.exceptions import ODataException
from odata_query.grammar import ODataLexer, ODataParser

from central.odata import ODataError
from central.odata.model import EntitySet

LONGEST_FILTER = 4000  # characters; Power Query's URLs stop at 2048 by default
COMPARATORS: dict[type, tuple[str, Callable[[Any, Any], bool]]] = {
    ast.Eq: ("eq", operator.eq),
    ast.NotEq: ("ne", operator.ne),
    ast.Lt: ("lt", operator.lt),
    ast.LtE: ("le", operator.le),
    ast.Gt: ("gt", operator.gt),
    ast.GtE: ("ge", operator.ge),
}
ORDERED_TYPES = ("Edm.String", "Edm.Int32", "Edm.Double", "Edm.Date")
NUMBERS = ("Edm.Int32", "Edm.Double")


def _text(fn: Callable[..., Any], result: str, *args: str) -> tuple[str, tuple[str, ...], Any]:
    return result, args, fn


# name -> (result type, argument types, function); None in, None out (OData's null rule).
FUNCTIONS: dict[str, tuple[str, tuple[str, ...], Callable[..., Any]]] = {
    "contains": _text(lambda a, b: b in a, "Edm.Boolean", "Edm.String", "Edm.String"),
    "startswith": _text(str.startswith, "Edm.Boolean", "Edm.String", "Edm.String"),
    "endswith": _text(str.endswith, "Edm.Boolean", "Edm.String", "Edm.String"),
    "tolower": _text(str.lower, "Edm.String", "Edm.String"),
    "toupper": _text(str.upper, "Edm.String", "Edm.String"),
    "trim": _text(str.strip, "Edm.String", "Edm.String"),
    "length": _text(len, "Edm.Int32", "Edm.String"),
    "year": _text(lambda d: d.year, "Edm.Int32", "Edm.Date"),
    "month": _text(lambda d: d.month, "Edm.Int32", "Edm.Date"),
    "day": _text(lambda d: d.day, "Edm.Int32", "Edm.Date"),
}
FUNCTIONS_TEXT = ", ".join(FUNCTIONS)


Compiled = tuple[str | None, Callable[[Mapping[str, Any]], Any]]  # (Edm type or None=null, fn)


def parse_filter(text: str, entity_set: EntitySet) -> ast._Node:
    """The filter's AST, checked: every property known, every comparison of like types, only
    supported operators and functions. Raises ODataError."""
    if len(text) > LONGEST_FILTER:
        raise ODataError(
            "InvalidFilter", f"$filter is over {LONGEST_FILTER} characters: narrow it.", "$filter"
        )
    if not text.strip():
        raise ODataError("InvalidFilter", "$filter is empty: give a condition.", "$filter")
    try:
        tree = ODataParser().parse(_one_item_lists(list(ODataLexer().tokenize(text))))
    except ODataException as err:
        raise ODataError(
            "InvalidFilter",
            f"$filter={text} cannot be read ({err}). Write conditions such as "
            "day ge 2026-11-01 and day lt 2026-12-01 and site_id eq 'kaleva'.",
            "$filter",
        ) from None
    kind, _ = _compile(tree, entity_set)
    if kind not in ("Edm.Boolean", None):
        raise ODataError(
            "InvalidFilter", f"$filter={text} is not a condition (true or false).", "$filter"
        )
    return tree


def _one_item_lists(tokens: list[Any]) -> Iterator[Any]:
    """The tokens, with `in (x)` as `in (x, x)` (the same condition): odata-query's grammar
    reads a one-item list as a parenthesized value and fails, though OData allows it."""
    solid = [i for i, token in enumerate(tokens) if token.type != "WS"]
    one_items: dict[int, int] = {}  # the index of an IN -> the index of its list's one item
    for n, i in enumerate(solid[:-3]):
        opening, item, closing = (tokens[j] for j in solid[n + 1 : n + 4])
        if (tokens[i].type, opening.type, closing.type) == ("IN", "(", ")") and item.type not in (
            "(",
            ",",
        ):
            one_items[solid[n + 2]] = solid[n + 3]
    for i, token in enumerate(tokens):
        yield token
        if i in one_items:
            comma = copy.copy(tokens[one_items[i]])
            comma.type = comma.value = ","
            yield comma
            yield copy.copy(token)


def matcher(tree: ast._Node, entity_set: EntitySet) -> Callable[[Mapping[str, Any]], bool]:
    """A function that tells whether a row matches the (checked) filter."""
    _, fn = _compile(tree, entity_set)
    return lambda row: fn(row) is True


def _refuse(what: str) -> ODataError:
    return ODataError(
        "UnsupportedFilter",
        f"$filter: {what} is not supported. Use comparisons (eq ne lt le gt ge in) joined by "
        f"and, or, not, and the functions {FUNCTIONS_TEXT}.",
        "$filter",
    )


def _literal(node: ast._Literal) -> Compiled:
    if isinstance(node, ast.Null):
        return None, lambda row: None
    if isinstance(node, ast.Boolean):
        value: Any = node.val.lower() == "true"
        return "Edm.Boolean", lambda row: value
    if isinstance(node, ast.Integer):
        value = int(node.val)
        return "Edm.Int32", lambda row: value
    if isinstance(node, ast.Float):
        value = float(node.val)
        return "Edm.Double", lambda row: value
    if isinstance(node, ast.String):
        value = node.val
        return "Edm.String", lambda row: value
    if isinstance(node, ast.Date):
        try:
            value = date.fromisoformat(node.val)
        except ValueError:
            raise ODataError(
                "InvalidFilter", f"$filter: {node.val} is not a date of the calendar.", "$filter"
            ) from None
        return "Edm.Date", lambda row: value
    raise _refuse(f"a literal of type {type(node).__name__}")


def _compile(node: ast._Node, entity_set: EntitySet) -> Compiled:
    if isinstance(node, ast.Identifier):
        if node.namespace:
            raise _refuse(f"the qualified name {'.'.join((*node.namespace, node.name))}")
        prop = entity_set.property(node.name)
        if prop is None:
            raise ODataError(
                "UnknownProperty",
                f"$filter: {entity_set.name} has no property {node.name!r}; it has "
                f"{', '.join(entity_set.names)}.",
                "$filter",
            )
        name = prop.name
        return prop.type, lambda row: row.get(name)
    if isinstance(node, ast.List):
        raise _refuse("a list outside 'in'")
    if isinstance(node, ast._Literal):
        return _literal(node)
    if isinstance(node, ast.BoolOp):
        return _boolean_op(node, entity_set)
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.Not):
            raise _refuse("arithmetic (a minus sign)")
        kind, fn = _compile(node.operand, entity_set)
        _expect(kind, "Edm.Boolean", "not")
        return "Edm.Boolean", lambda row: None if (v := fn(row)) is None else not v
    if isinstance(node, ast.Compare):
        return _comparison(node, entity_set)
    if isinstance(node, ast.Call):
        return _call(node, entity_set)
    if isinstance(node, ast.BinOp):
        raise _refuse("arithmetic (add, sub, mul, div, mod)")
    raise _refuse(f"{type(node).__name__}")


def _expect(kind: str | None, wanted: str, where: str) -> None:
    if kind not in (wanted, None):
        raise ODataError(
            "InvalidFilter", f"$filter: {where} needs {wanted}, not {kind}.", "$filter"
        )


def _boolean_op(node: ast.BoolOp, entity_set: EntitySet) -> Compiled:
    left_kind, left = _compile(node.left, entity_set)
    right_kind, right = _compile(node.right, entity_set)
    word = "and" if isinstance(node.op, ast.And) else "or"
    _expect(left_kind, "Edm.Boolean", word)
    _expect(right_kind, "Edm.Boolean", word)

    if word == "and":  # OData's three-valued logic: false wins, then null

        def both(row: Mapping[str, Any]) -> bool | None:
            a, b = left(row), right(row)
            if a is False or b is False:
                return False
            return None if a is None or b is None else True

        return "Edm.Boolean", both

    def either(row: Mapping[str, Any]) -> bool | None:
        a, b = left(row), right(row)
        if a is True or b is True:
            return True
        return None if a is None or b is None else False

    return "Edm.Boolean", either


def _comparable(left: str | None, right: str | None, text: str) -> None:
    if left is None or right is None or left == right:
        return
    if left in NUMBERS and right in NUMBERS:
        return
    hint = " such as 2026-11-01 (no quotes)" if "Edm.Date" in (left, right) else ""
    raise ODataError(
        "InvalidFilter",
        f"$filter: {text} compares {left} with {right}; compare like with like{hint}.",
        "$filter",
    )


def _comparison(node: ast.Compare, entity_set: EntitySet) -> Compiled:
    left_kind, left = _compile(node.left, entity_set)
    if isinstance(node.comparator, ast.In):
        if not isinstance(node.right, ast.List):
            raise _refuse("'in' without a list of values")
        values = []
        for item in node.right.val:
            kind, fn = _literal(item)
            _comparable(left_kind, kind, "in")
            values.append(fn({}))
        return "Edm.Boolean", lambda row: left(row) in values
    right_kind, right = _compile(node.right, entity_set)
    name, compare = COMPARATORS[type(node.comparator)]
    _comparable(left_kind, right_kind, name)
    if isinstance(node.comparator, ast.Eq | ast.NotEq):
        return "Edm.Boolean", lambda row: compare(left(row), right(row))
    for kind in (left_kind, right_kind):
        if kind is not None and kind not in ORDERED_TYPES:
            raise ODataError(
                "InvalidFilter", f"$filter: {kind} values have no order; use eq or ne.", "$filter"
            )

    def ordered(row: Mapping[str, Any]) -> bool | None:
        a, b = left(row), right(row)
        return None if a is None or b is None else compare(a, b)

    return "Edm.Boolean", ordered


def _call(node: ast.Call, entity_set: EntitySet) -> Compiled:
    name = node.func.name
    if name not in FUNCTIONS:
        raise _refuse(f"the function {name}()")
    result, wanted, fn = FUNCTIONS[name]
    if len(node.args) != len(wanted):
        raise ODataError(
            "InvalidFilter", f"$filter: {name}() takes {len(wanted)} argument(s).", "$filter"
        )
    compiled = [_compile(arg, entity_set) for arg in node.args]
    for (kind, _), want in zip(compiled, wanted, strict=True):
        _expect(kind, want, f"{name}()")
    parts = [f for _, f in compiled]

    def call(row: Mapping[str, Any]) -> Any:
        values = [f(row) for f in parts]
        return None if any(v is None for v in values) else fn(*values)

    return result, call
