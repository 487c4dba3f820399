"""Schemathesis against a real `hymy-central serve` on 127.0.0.1: at least --cases generated
requests from its /openapi.json, each sent with a valid credential and without one, every answer
checked by schemathesis (no server error; status, content type, headers and body as documented;
schema-violating input refused; authentication enforced) and by our own rules (a refusal is a
problem document with a detail).

    .venv/bin/python bench/bench_schemathesis.py [--cases 10000] [--seed 0] [--postgresql]

The hooks, the checks and the credentials are those of tests/central/test_schemathesis.py, which
runs a few hundred seeded cases in CI. Prints the cases run, the answers by operation and status,
and each distinct failure; exits 1 when there is one (a 5xx or an undocumented answer is a bug).
"""

from __future__ import annotations

import argparse
import collections
import logging
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
import schemathesis
from _common import scratch
from hypothesis import HealthCheck, Phase, given, seed, settings

from hymy_dev.local_central import LocalCentral
from tests.central.test_schemathesis import (
    EXCLUDED_CHECKS,
    OTHER_SITE,
    SITES,
    check_twice,
    prepare,
)
from tests.support.paths import EXAMPLE_SITE
from tests.support.postgres import PostgresCluster, postgres_bin

log = logging.getLogger("bench_schemathesis")


def start_central(data_dir: Path, db_url: str | None) -> tuple[LocalCentral, str, dict[str, str]]:
    """A served central with both sites, an enrolled kiosk's token and a key of each role."""
    central = LocalCentral(data_dir, db_url=db_url)
    central.start()
    other = data_dir / "hervanta.toml"
    other.write_text(OTHER_SITE, encoding="utf-8")
    central.add_site(EXAMPLE_SITE)
    central.add_site(other)
    code = central.enroll_code("kaleva")
    enrolled = requests.post(
        f"{central.url}/api/v1/enroll", json={"code": code, "kiosk_id": "aula-1"}, timeout=30
    )
    enrolled.raise_for_status()
    keys = {}
    for role, sites in (("admin", []), ("it", ["kaleva"]), ("manager", SITES)):
        scope = [arg for site in sites for arg in ("--site", site)]
        keys[role] = central.command("api-key", "create", "--role", role, *scope).split()[0]
    return central, enrolled.json()["token"], keys


def run(url: str, device: str, keys: dict[str, str], cases: int, first_seed: int) -> dict:
    """Generate and send at least `cases` cases (fewer only if every operation runs out of new
    ones); the counts and the distinct failures."""
    schema = prepare(schemathesis.openapi.from_url(f"{url}/openapi.json"))
    operations = [result.ok() for result in schema.get_all_operations()]
    session = requests.Session()
    statuses: collections.Counter[tuple[str, int]] = collections.Counter()
    per_operation: collections.Counter[str] = collections.Counter()
    failures: dict[str, str] = {}
    total = 0
    live = list(operations)
    round_ = 0

    def one_operation(operation: Any, label: str, quota: int, round_seed: int) -> None:
        def call(case: schemathesis.Case, headers: dict[str, str]) -> Any:
            response = case.call(base_url=url, session=session, headers=headers)
            statuses[(label, response.status_code)] += 1
            case.validate_response(
                response,
                headers=headers,
                excluded_checks=EXCLUDED_CHECKS,
                transport_kwargs={"base_url": url, "session": session, "headers": headers},
            )
            return response

        @seed(round_seed)
        @settings(
            max_examples=quota,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def one(case: schemathesis.Case) -> None:
            per_operation[label] += 1
            for failure in check_twice(case, call, device, keys):
                failures.setdefault(failure.split("\n\n")[0] + failure[-400:], failure)

        one()

    while total < cases and live:
        quota = math.ceil((cases - total) / len(live))
        exhausted = []
        for operation in live:
            label = f"{operation.method.upper()} {operation.path}"
            before = per_operation[label]
            one_operation(operation, label, quota, first_seed + round_)
            made = per_operation[label] - before
            total += made
            if made < quota:  # hypothesis found no more distinct cases to make
                exhausted.append(operation)
        live = [op for op in live if op not in exhausted]
        round_ += 1
    return {
        "cases": total,
        "requests": sum(statuses.values()),
        "per_operation": per_operation,
        "statuses": statuses,
        "failures": list(failures.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="generated cases, at least")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--postgresql", action="store_true", help="on a throwaway PostgreSQL cluster"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    cluster = None
    db_url = None
    if args.postgresql:
        bin_dir = postgres_bin()
        if bin_dir is None:
            sys.stderr.write("PostgreSQL is not installed here; run without --postgresql.\n")
            return 2
        cluster = PostgresCluster(bin_dir)
        cluster.start()
        db_url = cluster.create_database()
    data_dir = Path(tempfile.mkdtemp(prefix="schemathesis-", dir=scratch()))
    central, device, keys = start_central(data_dir, db_url)
    started = time.monotonic()
    try:
        figures = run(central.url, device, keys, args.cases, args.seed)
    finally:
        central.stop()
        if cluster is not None:
            cluster.stop()
    elapsed = time.monotonic() - started
    lines = [
        f"database: {'PostgreSQL' if cluster else 'SQLite'}; seed {args.seed}",
        f"cases run: {figures['cases']} ({figures['requests']} requests, with and without "
        f"credentials) in {elapsed:.0f} s, {figures['cases'] / elapsed:.0f} cases/s",
    ]
    for label, count in sorted(figures["per_operation"].items()):
        answers = ", ".join(
            f"{status}: {n}"
            for (where, status), n in sorted(figures["statuses"].items())
            if where == label
        )
        lines.append(f"  {label}: {count} cases; answers {answers}")
    lines.append(f"failures found: {len(figures['failures'])}")
    lines.extend(f"\n{failure}" for failure in figures["failures"][:20])
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
