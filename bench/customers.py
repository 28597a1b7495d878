"""Benchmark: customer look-up by mobile, ID number and card number, and demo generation.

    python bench/customers.py [--customers N] [--lookups K] [--database-url URL] [--regenerate]

With N bulk demo customers (default 1,000,000) in a dedicated database — a SQLite file
var/bench/customers-<N>.sqlite3, or the database of --database-url (PostgreSQL) — it times
K random look-ups of each kind (default 10,000) through the selectors in
kefu/customers/selectors.py and through GET /api/customers/search with a bearer token
(django.test.Client, in process), and prints p50/p99 against the targets: selector p99 below
5 ms, API p99 below 30 ms.

A database that already holds the N customers is reused, and the generation rate shown is the
one recorded when it was made (var/bench/customers-meta.json); --regenerate empties the
database first (the whole SQLite file, or every table of a PostgreSQL database whose name
contains "bench") and makes it again. Results are also written to
var/bench/customers-<backend>-<N>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SELECTOR_P99_MS = 5.0
API_P99_MS = 30.0
WARM_UP = 300


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="bulk customers (N)")
    parser.add_argument("--lookups", type=int, default=10_000, help="look-ups of each kind (K)")
    parser.add_argument(
        "--database-url",
        default="",
        help="a dedicated database (default: SQLite under var/bench/); everything in it may be "
        "replaced with --regenerate",
    )
    parser.add_argument("--seed", type=int, default=1, help="demo seed (default 1)")
    parser.add_argument(
        "--regenerate", action="store_true", help="empty the database and generate it again"
    )
    args = parser.parse_args(argv)
    if args.customers < 1 or args.lookups < 1:
        parser.error("--customers and --lookups must be 1 or more")
    return args


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kefu.settings"
    os.environ.pop("KEFU_DEBUG", None)  # measure as in production: no query log
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def empty_database(database_url: str, sqlite_path: Path | None) -> None:
    if sqlite_path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        return
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def timed(calls, fn) -> tuple[list[float], int]:
    """Milliseconds per call, and how many calls found the wrong customer or none."""
    durations, wrong = [], 0
    for arg, expected in calls:
        started = time.perf_counter_ns()
        found = fn(arg)
        durations.append((time.perf_counter_ns() - started) / 1e6)
        if found != expected:
            wrong += 1
    durations.sort()
    return durations, wrong


def sample_targets(*, seed: int, customers: int, lookups: int) -> list[tuple[int, str, str, str]]:
    """(customer pk, mobile, ID number, card number) of ``lookups`` random bulk customers."""
    from kefu.customers.demo import bulk_external_id
    from kefu.customers.models import Card, Customer, IdentityDocument

    rng = random.Random(f"bench:{seed}:{customers}")
    wanted = [bulk_external_id(seed, i) for i in rng.sample(range(customers), lookups)]
    targets = []
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        people = {c.external_id: c for c in Customer.objects.filter(external_id__in=batch)}
        pks = [c.pk for c in people.values()]
        documents = {
            d.customer_id: d.number for d in IdentityDocument.objects.filter(customer_id__in=pks)
        }
        cards = {k.holder_id: k.number for k in Card.objects.filter(holder_id__in=pks)}
        for ext in batch:
            c = people[ext]
            targets.append((c.pk, c.mobile, documents[c.pk], cards[c.pk]))
    return targets


def measure(targets, *, api_client) -> list[dict]:
    from kefu.customers import selectors

    def by(field):
        return [(t[field], t[0]) for t in targets]

    def pk(customer):
        return customer.pk if customer is not None else None

    def api(q):
        response = api_client.get("/api/customers/search", {"q": q})
        if response.status_code != 200:
            return None
        results = response.json()["results"]
        return results[0]["id"] if len(results) == 1 else None

    kinds = (("mobile", 1), ("ID number", 2), ("card number", 3))
    selector_fns = {
        "mobile": lambda q: pk(selectors.customer_by_mobile(mobile=q)),
        "ID number": lambda q: pk(selectors.customer_by_document(number=q)),
        "card number": lambda q: pk(selectors.customer_by_card(number=q)),
    }
    rows = []
    for label, field in kinds:
        timed(by(field)[:WARM_UP], selector_fns[label])
        durations, wrong = timed(by(field), selector_fns[label])
        rows.append(_row(f"selector by {label}", durations, wrong, SELECTOR_P99_MS))
    for label, field in kinds:
        timed(by(field)[:WARM_UP], api)
        durations, wrong = timed(by(field), api)
        rows.append(_row(f"API search by {label}", durations, wrong, API_P99_MS))
    return rows


def _row(name: str, durations: list[float], wrong: int, target: float) -> dict:
    p99 = percentile(durations, 99)
    return {
        "measure": name,
        "n": len(durations),
        "p50_ms": round(percentile(durations, 50), 3),
        "p99_ms": round(p99, 3),
        "max_ms": round(durations[-1], 3),
        "mean_ms": round(statistics.fmean(durations), 3),
        "wrong": wrong,
        "target_p99_ms": target,
        "met": p99 < target and wrong == 0,
    }


def database_versions() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def main(argv=None) -> int:
    args = parse_args(argv)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    sqlite_path = None
    database_url = args.database_url
    if not database_url:
        sqlite_path = BENCH_DIR / f"customers-{args.customers}.sqlite3"
        database_url = f"sqlite:///{sqlite_path}"
    if args.regenerate and sqlite_path is not None:
        empty_database(database_url, sqlite_path)
    setup_django(database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kefu.core.models import User
    from kefu.core.services import api_token_create
    from kefu.customers.demo import demo_load, existing_bulk_indices

    backend = connection.vendor
    name = str(connection.settings_dict.get("NAME"))
    label = f"{backend}:{name}"
    if args.regenerate and sqlite_path is None:
        if "bench" not in name:
            print(
                f"Refusing to empty the database {name!r}: --regenerate drops every table. "
                "Use a database whose name contains 'bench'.",
                file=sys.stderr,
            )
            return 2
        empty_database(database_url, None)
    call_command("migrate", interactive=False, verbosity=0)

    meta_path = BENCH_DIR / "customers-meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    present = len(existing_bulk_indices(args.seed, 0, args.customers))
    if present < args.customers:
        print(f"Generating {args.customers - present:,} demo customers into {label} …")
        result = demo_load(seed=args.seed, customers=args.customers, progress=True)
        meta[label] = {
            "customers": args.customers,
            "generated": result.bulk_created,
            "seconds": round(result.bulk_seconds, 1),
            "rate": round(result.rate, 1),
            "on": dt.date.today().isoformat(),
        }
        meta_path.write_text(json.dumps(meta, indent=2))
    generation = meta.get(label)

    agent = User.objects.get(username="agent")
    _token, raw = api_token_create(user=agent, name="bench")
    client = Client(HTTP_HOST="localhost", headers={"Authorization": f"Bearer {raw}"})

    started = time.perf_counter()
    targets = sample_targets(seed=args.seed, customers=args.customers, lookups=args.lookups)
    rows = measure(targets, api_client=client)
    elapsed = time.perf_counter() - started

    from kefu.customers.models import Customer, Transaction

    report = {
        "backend": database_versions(),
        "python": platform.python_version(),
        "customers": Customer.objects.count(),
        "transactions": Transaction.objects.count(),
        "lookups": args.lookups,
        "generation": generation,
        "results": rows,
        "seconds": round(elapsed, 1),
    }
    (BENCH_DIR / f"customers-{backend}-{args.customers}.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False)
    )
    print_report(report)
    return 0 if all(r["met"] for r in rows) else 1


def print_report(report: dict) -> None:
    print()
    print(
        f"{report['backend']}, Python {report['python']}: {report['customers']:,} customers, "
        f"{report['transactions']:,} transactions; {report['lookups']:,} look-ups of each kind"
    )
    header = ("measure", "n", "p50 ms", "p99 ms", "max ms", "target p99", "met")
    lines = [header]
    for r in report["results"]:
        met = "yes" if r["met"] else f"NO ({r['wrong']} wrong)" if r["wrong"] else "NO"
        lines.append(
            (
                r["measure"],
                f"{r['n']:,}",
                f"{r['p50_ms']:.3f}",
                f"{r['p99_ms']:.3f}",
                f"{r['max_ms']:.1f}",
                f"< {r['target_p99_ms']:g} ms",
                met,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
    g = report["generation"]
    if g:
        print(
            f"demo generation: {g['rate']:,.0f} customers/second "
            f"({g['generated']:,} customers in {g['seconds']:,.0f} s, {g['on']})"
        )
    else:
        print("demo generation: not recorded for this database (use --regenerate to measure)")


if __name__ == "__main__":
    sys.exit(main())
