"""The feed's entity sets, their properties with Edm types, the CSDL XML of `$metadata` and the
service document (pure).

A property's Edm type says what its values are in Python: Edm.String a str, Edm.Int32 an int,
Edm.Double a float, Edm.Boolean a bool, Edm.Date a datetime.date (written as "2026-11-30").
Rows are plain dicts keyed by property name (central.feeds makes them).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from typing import Any

NAMESPACE = "Hymy"
CONTAINER = "Feed"
EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
# What Python type a value of each Edm type has (bool before int: a bool is an int).
PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "Edm.String": str,
    "Edm.Int32": int,
    "Edm.Double": (int, float),
    "Edm.Boolean": bool,
    "Edm.Date": date,
}


@dataclass(frozen=True)
class Property:
    name: str
    type: str  # one of PYTHON_TYPES
    nullable: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if self.type not in PYTHON_TYPES:
            raise ValueError(f"{self.name}: the feed has no type {self.type}")


@dataclass(frozen=True)
class EntitySet:
    """One table of the feed. `period` names its Edm.Date property whose range narrows the
    database query (None: the set has none), `site` the property that holds a site's id."""

    name: str  # the set, e.g. DailyRollups
    type_name: str  # its entity type, e.g. DailyRollup
    properties: tuple[Property, ...]
    keys: tuple[str, ...]
    site: str = "site_id"
    period: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        names = [p.name for p in self.properties]
        missing = [k for k in (*self.keys, self.site, self.period) if k and k not in names]
        if missing:
            raise ValueError(f"{self.name}: no property {missing}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties)

    def property(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)


def _names(what: str) -> tuple[Property, ...]:
    return tuple(
        Property(
            f"name_{lang}", "Edm.String", nullable=lang != "fi", description=f"{what} ({lang})"
        )
        for lang in ("fi", "sv", "en")
    )


def _counts() -> tuple[Property, ...]:
    """The figures of a rollup row: guarded as central.fairness.guard does (None = withheld)."""
    return (
        Property(
            "answers",
            "Edm.Int32",
            True,
            "ratings counted (misuse left out); null when 1 to min_answers - 1, see fewer_than",
        ),
        Property("hidden", "Edm.Boolean", False, "true when answers < min_answers"),
        Property("fewer_than", "Edm.Int32", True, "the minimum when answers is withheld"),
        Property("min_answers", "Edm.Int32", False, "the site's minimum for showing figures"),
        *(
            Property(
                f"rating_{r}", "Edm.Int32", True, f"ratings {r} (1 very unhappy .. 4 very happy)"
            )
            for r in (1, 2, 3, 4)
        ),
        Property(
            "score", "Edm.Double", True, "satisfaction 0-100 (1->0, 2->33.3, 3->66.7, 4->100)"
        ),
        Property("positive_share", "Edm.Double", True, "share of ratings 3 and 4, 0-1"),
        Property("misuse", "Edm.Int32", False, "ratings flagged as misuse (not in the figures)"),
        Property("checkins", "Edm.Int32", False, "check-ins (queue tickets taken)"),
    )


def _rollups(name: str, type_name: str, period: str, what: str) -> EntitySet:
    return EntitySet(
        name,
        type_name,
        (
            Property("site_id", "Edm.String"),
            Property(
                "service_point",
                "Edm.String",
                description="service point id; '-' for feedback given without one",
            ),
            Property(period, "Edm.Date", description=what),
            *_counts(),
        ),
        ("site_id", "service_point", period),
        period=period,
        description=f"Feedback and check-ins per site, service point and {what}.",
    )


SITES = EntitySet(
    "Sites",
    "Site",
    (
        Property("id", "Edm.String"),
        *_names("name"),
        Property("timezone", "Edm.String", description="the site's days are its local days"),
        Property("min_answers", "Edm.Int32", description="fewest answers whose figures are shown"),
        Property("retired", "Edm.Boolean"),
    ),
    ("id",),
    site="id",
    description="The health stations this key may read.",
)
SERVICE_POINTS = EntitySet(
    "ServicePoints",
    "ServicePoint",
    (
        Property("site_id", "Edm.String"),
        Property("id", "Edm.String"),
        *_names("name"),
        Property("prefix", "Edm.String", description="the ticket letter"),
        Property("state", "Edm.String", description="active or retired"),
    ),
    ("site_id", "id"),
)
REASONS = EntitySet(
    "Reasons",
    "Reason",
    (
        Property("site_id", "Edm.String"),
        Property("id", "Edm.String"),
        *_names("name"),
        Property("ratings", "Edm.String", description="the ratings it is offered for, e.g. 1,2"),
        Property("state", "Edm.String", description="active or retired"),
    ),
    ("site_id", "id"),
)
DAILY_ROLLUPS = _rollups("DailyRollups", "DailyRollup", "day", "the site's local day")
MONTHLY_ROLLUPS = _rollups(
    "MonthlyRollups", "MonthlyRollup", "month", "the month (its first day, in local time)"
)
COMMENTS = EntitySet(
    "Comments",
    "Comment",
    (
        Property("id", "Edm.String", description="the event's id (for `comment delete`)"),
        Property("site_id", "Edm.String"),
        Property("service_point", "Edm.String", nullable=True),
        Property("day", "Edm.Date", description="the site's local day"),
        Property(
            "rating", "Edm.Int32", nullable=True, description="null: the national set's comment"
        ),
        Property("reason", "Edm.String", nullable=True),
        Property("language", "Edm.String", nullable=True, description="the visitor's language"),
        Property("text", "Edm.String", description="redacted on the kiosk and again at ingest"),
    ),
    ("id",),
    period="day",
    description="Free-text comments (misuse, deleted and time-implausible ones left out).",
)
ANSWERS = EntitySet(
    "Answers",
    "Answer",
    (
        Property("id", "Edm.String", description="the answer's event id"),
        Property("site_id", "Edm.String", description="the unit"),
        Property("service_point", "Edm.String", nullable=True, description="the service"),
        Property("day", "Edm.Date", description="the site's local day"),
        Property("question_set", "Edm.String", description="the set's id"),
        Property("set_version", "Edm.Int32", description="the set's version answered"),
        Property("question", "Edm.String", description="the question's id in the set"),
        Property("scale", "Edm.String", description="0-10 or agree-3 .. agree-7"),
        Property("value", "Edm.Int32", nullable=True, description="null: I cannot say"),
        Property("language", "Edm.String", nullable=True, description="the visitor's language"),
        Property("visit", "Edm.String", nullable=True, description="one visitor's answers"),
    ),
    ("id",),
    period="day",
    description=(
        "The national question set's answers, one row each (misuse and time-implausible ones "
        "left out; no comments): to merge with a region's other feedback channels."
    ),
)
ENTITY_SETS: dict[str, EntitySet] = {
    s.name: s
    for s in (DAILY_ROLLUPS, MONTHLY_ROLLUPS, COMMENTS, ANSWERS, SITES, SERVICE_POINTS, REASONS)
}


def csdl_xml(sets: dict[str, EntitySet] | None = None) -> bytes:
    """The CSDL XML document of `$metadata` (OData v4.0): one entity type per set with its key,
    and the container that lists the sets."""
    sets = sets or ENTITY_SETS
    ET.register_namespace("edmx", EDMX)
    root = ET.Element(f"{{{EDMX}}}Edmx", {"Version": "4.0"})
    services = ET.SubElement(root, f"{{{EDMX}}}DataServices")
    schema = ET.SubElement(services, "Schema", {"xmlns": EDM, "Namespace": NAMESPACE})
    for entity_set in sets.values():
        entity = ET.SubElement(schema, "EntityType", {"Name": entity_set.type_name})
        key = ET.SubElement(entity, "Key")
        for name in entity_set.keys:
            ET.SubElement(key, "PropertyRef", {"Name": name})
        for prop in entity_set.properties:
            ET.SubElement(
                entity,
                "Property",
                {"Name": prop.name, "Type": prop.type, "Nullable": str(prop.nullable).lower()},
            )
    container = ET.SubElement(schema, "EntityContainer", {"Name": CONTAINER})
    for entity_set in sets.values():
        ET.SubElement(
            container,
            "EntitySet",
            {"Name": entity_set.name, "EntityType": f"{NAMESPACE}.{entity_set.type_name}"},
        )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def service_document(service_root: str, sets: dict[str, EntitySet] | None = None) -> dict:
    """The service document (JSON): the entity sets and their URLs relative to the root."""
    sets = sets or ENTITY_SETS
    return {
        "@odata.context": f"{service_root}$metadata",
        "value": [{"name": s.name, "kind": "EntitySet", "url": s.name} for s in sets.values()],
    }


def json_value(value: Any) -> Any:
    """A row's value as OData JSON writes it: a date as "YYYY-MM-DD", the rest as it is."""
    return value.isoformat() if isinstance(value, date) else value
