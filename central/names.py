"""Display names of sites, service points and reasons in the reader's language (pure).

Site files give names in fi, sv and en, but a name may be missing in one of them. A person is
shown the name in their language, else the Finnish one, else any name the site gave; the bare
id only when the site gave no name at all (an id the site never had).
"""

from __future__ import annotations

from collections.abc import Mapping

from central.sites import SiteDefinition

FALLBACK_LANGUAGE = "fi"


def display_name(names: Mapping[str, str] | None, language: str, fallback: str) -> str:
    """The name in `language`, else in Finnish, else the first one given, else `fallback`."""
    if not names:
        return fallback
    for wanted in (language, FALLBACK_LANGUAGE):
        if names.get(wanted):
            return names[wanted]
    return next((name for name in names.values() if name), fallback)


def site_name(definition: SiteDefinition, language: str) -> str:
    return display_name(definition.site.name, language, definition.site.id)


def service_point_name(definition: SiteDefinition, point: str, language: str) -> str:
    """A service point's name, retired ones included (their old events are still reported)."""
    for known in (*definition.service_points, *definition.retired.service_points):
        if known.id == point:
            return display_name(known.name, language, point)
    return point


def reason_name(definitions: Mapping[str, SiteDefinition], reason: str, language: str) -> str:
    """A reason's name from the first of the sites that has (or had) it."""
    for definition in definitions.values():
        found = definition.reason(reason)
        if found:
            return display_name(found[0].name, language, reason)
    return reason
