"""OData v4 for the county's tools (pure: no I/O, no database, no HTTP framework).

Power BI and Excel both have a built-in "OData feed" connector that refreshes on a schedule by
itself, follows `@odata.nextLink` from page to page and pushes `$filter`, `$select`, `$orderby`
and `$top` down to the server; so the central speaks the small subset of OData v4 they use
(docs/data-feeds.md). The router is central/api/odata.py; the rows come from central/feeds.py.

- central.odata.model: the entity sets, their properties and Edm types, the CSDL document
  (`$metadata`) and the service document.
- central.odata.filter: `$filter`, parsed by the odata-query library into its AST, checked
  against the set's properties and evaluated on the rows as they may be shown.
- central.odata.query: the system query options of a request, checked; what of the filter
  narrows the database query (days, sites); one page of the answer and its next link.

Errors (each an ODataError with an OData error `code`, the query option it is about in
`target`, and a sentence that says what is supported):

    ODataError (ValueError)          answered 400 in OData's JSON error format
"""

from __future__ import annotations


class ODataError(ValueError):
    """A request the feed cannot answer as sent (HTTP 400); the message says what it supports.

    `code` is stable for programs ("UnsupportedQueryOption", "InvalidFilter", ...), `target`
    names the query option or header it is about.
    """

    def __init__(self, code: str, message: str, target: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.target = code, message, target

    def as_json(self) -> dict:
        """The body OData v4 gives an error: {"error": {"code", "message", "target"}}."""
        error = {"code": self.code, "message": self.message}
        if self.target:
            error["target"] = self.target
        return {"error": error}
