"""Benchmark: callback lists at scale (CB-3, CB-4, CB-6).

    python bench/callbacks.py [--customers N] [--rows R] [--database-url URL] [--skip-xlsx]

Works on the customer benchmark database of bench/customers.py (the SQLite file
var/bench/customers-<N>.sqlite3, or --database-url, e.g. PostgreSQL kefu_bench), which must
already hold the N bulk customers (run bench/customers.py first). It adds, once:

- a year of past callbacks: one target per customer spread over the last 12 monthly
  new-customer windows, and for every other customer a fund callback in one of the last 4
  quarters, with attempts for a fifth of them;
- "another project" of the benchmark's type in the current quarter that already lists
  100,000 of the customers (these rows must come out as duplicates);
- the list files: R rows (default 1,000,000) of 姓名/手机号码/身份证号码/备注 as CSV and XLSX,
  with 1 % bad rows (wrong mobiles, broken ID numbers, empty rows, repeated rows).

Then it measures, each step in a child process so that its peak memory is its own:

1. CSV import end to end (file saved, columns checked, rows counted, every row validated,
   customers found through the keyed hashes, dedup against the lists of the type and
   window, targets written, errors CSV): rows per second and peak memory;
2. the same with the XLSX file;
3. the baseline: pandas read_csv, the same keyed hash per mobile, merge with the customers,
   anti-join with the targets already listed (no validation, no writes); the ratio;
4. distributing 100,000 due callbacks over 200 agents (quota 30 a trading day);
5. the quarterly report (counts per project, type and agent) and its PDF, summary and
   detail.

Targets: CSV import at least 20,000 rows/s with a peak memory under 1 GiB. Results are
printed and written to var/bench/callbacks-<backend>-<N>.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
TARGET_ROWS_PER_SECOND = 20_000
TARGET_PEAK_BYTES = 1 << 30
BENCH_TYPE = "info_maintenance"  # quarterly; the imported list's project type
OTHER_PROJECT_ROWS = 100_000
DISTRIBUTE_TARGETS = 100_000
AGENTS = 200
BAD_SHARE = 0.01


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the list (R)")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-xlsx", action="store_true", help="measure the CSV only")
    parser.add_argument("--step", default="", help=argparse.SUPPRESS)  # child process
    parser.add_argument("--project", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def database_url(args) -> str:
    if args.database_url:
        return args.database_url
    return f"sqlite:///{BENCH_DIR / f'customers-{args.customers}.sqlite3'}"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kefu.settings"
    os.environ["KEFU_DATA_DIR"] = str(BENCH_DIR / "callbacks-data")
    os.environ["KEFU_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.pop("KEFU_DEBUG", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def backend_label() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


# --- one-time data -----------------------------------------------------------------------------


def bench_user(username: str, role: str):
    from django.contrib.auth.models import Group

    from kefu.core.models import User

    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": username, "employee_no": None}
    )
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=role))
    return user


def questionnaire(by):
    from kefu.callbacks import services
    from kefu.callbacks.models import Questionnaire
    from kefu.callbacks.rules import QuestionSpec

    q = Questionnaire.objects.filter(name="bench questionnaire").first()
    if q is not None:
        return q
    version = services.questionnaire_create(
        name="bench questionnaire",
        questions=[
            QuestionSpec("Q1", "yes_no", "满意吗？", branches=({"when": "yes", "goto": "END"},)),
            QuestionSpec("Q2", "text", "哪里不满意？"),
        ],
        publish=True,
        by=by,
    )
    return version.questionnaire


def project(name: str, callback_type: str, day: dt.date, by):
    from kefu.callbacks import services
    from kefu.callbacks.models import Project

    p = Project.objects.filter(name=name).first()
    if p is None:
        p = services.project_create(
            name=name,
            callback_type=callback_type,
            questionnaire=questionnaire(by),
            in_window=day,
            by=by,
        )
        p = services.project_start(project=p, by=by)
    return p


def customer_ids() -> list[int]:
    from kefu.customers.models import Customer

    return list(Customer.objects.order_by("id").values_list("id", flat=True))


def add_targets(p, ids: list[int], due: dt.date) -> None:
    from kefu.callbacks.services.targets import Candidate, targets_add

    targets_add(
        project=p,
        candidates=(Candidate(customer_id=i, due=due) for i in ids),
        chunk_size=5000,
    )


def ensure_history(today: dt.date, by, ids: list[int]) -> None:
    """A year of past callbacks, with attempts for a fifth of them (once)."""
    from django.db import connection, transaction

    from kefu.callbacks import rules
    from kefu.callbacks.models import Attempt, Outcome, Target
    from kefu.customers.demo.rows import insert_rows, new_row

    marker = "bench past year"
    from kefu.callbacks.models import Project

    if Project.objects.filter(name__startswith=marker).exists():
        return
    print("Adding a year of past callbacks …", flush=True)
    started = time.perf_counter()
    rng = random.Random(7)
    month = rules.window_for("monthly", today).start
    months = []
    for _i in range(12):
        month = rules.add_months(month, -1)
        months.append(project(f"{marker} new customers {month:%Y-%m}", "new_customer", month, by))
    quarter = rules.window_for("quarterly", today).start
    quarters = []
    for _i in range(4):
        quarter = rules.add_months(quarter, -3)
        quarters.append(project(f"{marker} funds {quarter:%Y-%m}", "fund_wealth", quarter, by))
    for i, p in enumerate(months):
        add_targets(p, ids[i::12], p.window_end)
    for i, p in enumerate(quarters):
        add_targets(p, ids[i::8], p.window_end)
    agent = bench_user("bench-agent-000", "callback")
    outcomes = [Outcome.REACHED] * 6 + [Outcome.NO_ANSWER, Outcome.BUSY, Outcome.REFUSED]
    tz = dt.timezone(dt.timedelta(hours=8))
    for p in months + quarters:
        rows = list(p.targets.values_list("id", "due_at"))
        picked = rows[::5]
        for start in range(0, len(picked), 5000):
            with transaction.atomic():
                attempts = [
                    new_row(
                        Attempt,
                        target_id=t,
                        agent_id=agent.pk,
                        at=due.astimezone(tz).replace(hour=10)
                        - dt.timedelta(days=rng.randint(0, 20)),
                        outcome=rng.choice(outcomes),
                        call_back_at=None,
                        note="",
                        questionnaire_version_id=p.questionnaire_version_id,
                    )
                    for t, due in picked[start : start + 5000]
                ]
                insert_rows(connection, Attempt, attempts)
        Target.objects.filter(project=p).update(status=Target.Status.REACHED)
    print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)


def ensure_current(today: dt.date, by, ids: list[int]):
    """The other project of the benchmark type this quarter, with 100,000 customers; attempts
    this quarter for the quarterly report."""
    from django.db import connection, transaction

    from kefu.callbacks.models import Attempt, Outcome
    from kefu.customers.demo.rows import insert_rows, new_row

    other = project(
        f"bench other list {today:%Y}-Q{(today.month - 1) // 3 + 1}", BENCH_TYPE, today, by
    )
    if not other.targets.exists():
        print("Adding the other project's 100,000 customers …", flush=True)
        rng = random.Random(11)
        picked = sorted(rng.sample(ids, min(OTHER_PROJECT_ROWS, len(ids))))
        add_targets(other, picked, other.window_end)
        agent = bench_user("bench-agent-000", "callback")
        rows = list(other.targets.values_list("id", flat=True))
        start_day = other.window_start
        span = max(1, (today - start_day).days)
        tz = dt.timezone(dt.timedelta(hours=8))
        for s in range(0, len(rows), 5000):
            with transaction.atomic():
                insert_rows(
                    connection,
                    Attempt,
                    [
                        new_row(
                            Attempt,
                            target_id=t,
                            agent_id=agent.pk,
                            at=dt.datetime.combine(
                                start_day + dt.timedelta(days=rng.randrange(span)),
                                dt.time(10, rng.randrange(60)),
                                tzinfo=tz,
                            ),
                            outcome=rng.choice([Outcome.REACHED, Outcome.NO_ANSWER]),
                            call_back_at=None,
                            note="已回访",
                            questionnaire_version_id=other.questionnaire_version_id,
                        )
                        for t in rows[s : s + 5000]
                    ],
                )
    return other


def ensure_files(rows: int, seed: int, skip_xlsx: bool) -> tuple[Path, Path | None]:
    """The list as CSV and XLSX: customers' names, mobiles and ID numbers, 1 % bad rows."""
    from kefu.customers.models import Customer, IdentityDocument

    csv_path = BENCH_DIR / f"callbacks-list-{rows}.csv"
    xlsx_path = BENCH_DIR / f"callbacks-list-{rows}.xlsx"
    if not csv_path.exists():
        print(f"Writing the {rows:,}-row list …", flush=True)
        started = time.perf_counter()
        rng = random.Random(seed)
        tmp = csv_path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["姓名", "手机号码", "身份证号码", "备注"])
            written = 0
            last_id = 0
            previous = None
            while written < rows:
                batch = list(
                    Customer.objects.filter(id__gt=last_id)
                    .order_by("id")
                    .only("id", "name", "mobile")[:5000]
                )
                if not batch:
                    last_id = 0
                    continue
                last_id = batch[-1].pk
                docs = dict(
                    IdentityDocument.objects.filter(
                        customer_id__in=[c.pk for c in batch]
                    ).values_list("customer_id", "number")
                )
                for c in batch:
                    if written >= rows:
                        break
                    row = [
                        c.name,
                        c.mobile,
                        docs.get(c.pk, "") if rng.random() < 0.5 else "",
                        "营销部名单",
                    ]
                    r = rng.random()
                    if r < BAD_SHARE / 4:
                        row[1] = row[1][:-1]  # 10 digits
                        row[2] = ""
                    elif r < BAD_SHARE / 2 and row[2]:
                        row[2] = row[2][:-1] + ("0" if row[2][-1] != "0" else "1")  # check digit
                    elif r < BAD_SHARE * 3 / 4:
                        row = ["", "", "", ""]
                    elif r < BAD_SHARE and previous is not None:
                        row = previous
                    writer.writerow(row)
                    previous = row
                    written += 1
        tmp.rename(csv_path)
        print(f"  CSV in {time.perf_counter() - started:.0f} s", flush=True)
    if skip_xlsx:
        return csv_path, None
    if not xlsx_path.exists():
        from openpyxl import Workbook

        started = time.perf_counter()
        book = Workbook(write_only=True)
        sheet = book.create_sheet("名单")
        with csv_path.open(encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                sheet.append(row)
        tmp = xlsx_path.with_suffix(".tmp")
        book.save(tmp)
        tmp.rename(xlsx_path)
        print(f"  XLSX in {time.perf_counter() - started:.0f} s", flush=True)
    return csv_path, xlsx_path


def ensure_agents() -> list:
    from kefu.callbacks.models import AgentProfile

    agents = [bench_user(f"bench-agent-{i:03d}", "callback") for i in range(1, AGENTS + 1)]
    for a in agents:
        AgentProfile.objects.get_or_create(user=a, defaults={"daily_quota": 30})
    return agents


def drop_project(p) -> None:
    """Remove a measured project and its rows with plain SQL (a million Django deletes
    would take longer than the measurement)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table, column in (
            ("callbacks_callbackevent", "project_id"),
            ("callbacks_target", "project_id"),
            ("callbacks_targetbatch", "project_id"),
            ("callbacks_project", "id"),
        ):
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [p.pk])  # noqa: S608


# --- steps (child processes) -------------------------------------------------------------------


def step_import(args, kind: str) -> dict:
    from kefu.callbacks import services
    from kefu.callbacks.models import Project, TargetBatch

    p = Project.objects.get(pk=args.project)
    by = bench_user("bench-supervisor", "supervisor")
    path = BENCH_DIR / f"callbacks-list-{args.rows}.{kind}"
    server_before = server_cpu()
    started = time.perf_counter()
    with path.open("rb") as f:
        batch = services.target_import_queue(project=p, source=f, file_name=path.name, by=by)
    seconds = time.perf_counter() - started
    server_after = server_cpu()
    batch = TargetBatch.objects.get(pk=batch.pk)
    return {
        "seconds": seconds,
        "db_cpu_seconds": server_after[1] - server_before[1]
        if server_before and server_after and server_before[0] == server_after[0]
        else None,
        "rows": batch.rows_total,
        "added": batch.added_count,
        "duplicates": batch.duplicate_count,
        "failed": batch.failed_count,
        "status": batch.status,
        "message": batch.message,
    }


def server_cpu() -> tuple[int, float] | None:
    """(backend pid, CPU seconds) of this connection's PostgreSQL server process, when the
    server runs on this machine: on a shared machine, wall time less the CPU of both sides
    is time spent waiting for a CPU."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the server is elsewhere
        return None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def step_pandas(args) -> dict:
    """The baseline: read, hash, merge, anti-join; nothing validated, nothing written."""
    import pandas as pd
    from django.db import connection

    from kefu.callbacks import rules
    from kefu.callbacks.models import Project
    from kefu.core.crypto import lookup_hash

    p = Project.objects.get(pk=args.project)
    path = BENCH_DIR / f"callbacks-list-{args.rows}.csv"
    started = time.perf_counter()
    listed = pd.read_csv(path, dtype=str, keep_default_na=False)
    listed["mobile_hash"] = [lookup_hash("mobile", m) if m else "" for m in listed["手机号码"]]
    customers = pd.read_sql_query(
        "SELECT id AS customer_id, mobile_hash FROM customers_customer", connection.connection
    )
    found = listed.merge(customers, on="mobile_hash", how="inner")
    existing = pd.read_sql_query(
        "SELECT customer_id FROM callbacks_target WHERE dedup_type = %(t)s AND window_key = %(w)s"
        if connection.vendor == "postgresql"
        else "SELECT customer_id FROM callbacks_target WHERE dedup_type = :t AND window_key = :w",
        connection.connection,
        params={
            "t": rules.dedup_type(p.callback_type),
            "w": rules.window_for(p.window_kind, p.window_start).key,
        },
    )
    new = found.drop_duplicates("customer_id")
    new = new[~new["customer_id"].isin(existing["customer_id"])]
    return {"seconds": time.perf_counter() - started, "rows": len(listed), "added": len(new)}


def step_distribute(args) -> dict:
    from kefu.callbacks import services
    from kefu.callbacks.models import Project

    p = Project.objects.get(pk=args.project)
    by = bench_user("bench-supervisor", "supervisor")
    started = time.perf_counter()
    plan = services.targets_distribute(project=p, by=by, agent_ids=[a.pk for a in ensure_agents()])
    seconds = time.perf_counter() - started
    loads = sorted(plan.per_agent.values())
    return {
        "seconds": seconds,
        "assigned": len(plan.assignments),
        "trading_days": len(plan.days),
        "late": len(plan.late),
        "min_per_agent": loads[0] if loads else 0,
        "max_per_agent": loads[-1] if loads else 0,
    }


def step_report(args) -> dict:
    from django.utils import timezone

    from kefu.callbacks import exports, selectors

    start, end, label = selectors.period_bounds("quarter", timezone.localdate())
    t0 = time.perf_counter()
    report = selectors.callback_report(start=start, end=end, label=label)
    t1 = time.perf_counter()
    summary = exports.report_pdf(report=report)
    t2 = time.perf_counter()
    detail = exports.report_pdf(report=report, detail=True)
    t3 = time.perf_counter()
    return {
        "report_seconds": t1 - t0,
        "summary_pdf_seconds": t2 - t1,
        "summary_pdf_bytes": len(summary),
        "detail_pdf_seconds": t3 - t2,
        "detail_pdf_bytes": len(detail),
        "calls": report.total.calls if report.total else 0,
        "projects": len(report.by_project),
    }


def run_child(args, step: str, project_id: int = 0) -> dict:
    cmd = [sys.executable, __file__, "--step", step, "--project", str(project_id)]
    cmd += ["--customers", str(args.customers), "--rows", str(args.rows)]
    if args.database_url:
        cmd += ["--database-url", args.database_url]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    out = child.stdout.read() if child.stdout else ""
    _pid, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"step {step} failed: {out}")
    result = json.loads(out.strip().splitlines()[-1])
    # ru_maxrss is in KiB on Linux
    result["peak_bytes"] = usage.ru_maxrss * 1024
    # CPU time of the step: on a shared machine, wall time minus this is time spent waiting
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(database_url(args))
    if args.step:
        handlers = {
            "csv": lambda: step_import(args, "csv"),
            "xlsx": lambda: step_import(args, "xlsx"),
            "pandas": lambda: step_pandas(args),
            "distribute": lambda: step_distribute(args),
            "report": lambda: step_report(args),
        }
        print(json.dumps(handlers[args.step](), default=str))
        return 0

    from django.core.management import call_command
    from django.utils import timezone

    from kefu.callbacks.models import Attempt, Target
    from kefu.customers.models import Customer

    call_command("migrate", interactive=False, verbosity=0)
    present = Customer.objects.count()
    if present < args.customers:
        print(
            f"The database holds {present:,} customers, not {args.customers:,}: run "
            f"bench/customers.py --customers {args.customers} first.",
            file=sys.stderr,
        )
        return 2
    today = timezone.localdate()
    by = bench_user("bench-supervisor", "supervisor")
    ids = customer_ids()
    ensure_history(today, by, ids)
    ensure_current(today, by, ids)
    csv_path, xlsx_path = ensure_files(args.rows, args.seed, args.skip_xlsx)
    ensure_agents()
    results: dict = {
        "backend": backend_label(),
        "python": platform.python_version(),
        "customers": present,
        "past_targets": Target.objects.count(),
        "past_attempts": Attempt.objects.count(),
        "rows": args.rows,
        "csv_bytes": csv_path.stat().st_size,
        "on": today.isoformat(),
    }
    kinds = ["csv"] + ([] if args.skip_xlsx else ["xlsx"])
    for kind in kinds:
        p = project(f"bench import {kind} {time.time():.0f}", BENCH_TYPE, today, by)
        print(f"Importing the {kind.upper()} list …", flush=True)
        try:
            results[kind] = run_child(args, kind, p.pk)
        finally:
            drop_project(p)
        r = results[kind]
        r["rows_per_second"] = r["rows"] / r["seconds"] if r["seconds"] else 0
        print(f"  {r}", flush=True)
    p = project(f"bench pandas {time.time():.0f}", BENCH_TYPE, today, by)
    try:
        print("pandas baseline …", flush=True)
        results["pandas"] = run_child(args, "pandas", p.pk)
        results["pandas"]["rows_per_second"] = (
            results["pandas"]["rows"] / results["pandas"]["seconds"]
        )
    finally:
        drop_project(p)
    p = project(f"bench distribution {time.time():.0f}", "corporate_action", today, by)
    try:
        print("Distributing 100,000 callbacks over 200 agents …", flush=True)
        rng = random.Random(3)
        add_targets(p, sorted(rng.sample(ids, min(DISTRIBUTE_TARGETS, len(ids)))), p.window_end)
        results["distribute"] = run_child(args, "distribute", p.pk)
    finally:
        drop_project(p)
    print("Quarterly report and PDF …", flush=True)
    results["report"] = run_child(args, "report")
    label = "postgresql" if "PostgreSQL" in results["backend"] else "sqlite"
    (BENCH_DIR / f"callbacks-{label}-{args.customers}.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False, default=str)
    )
    print_report(results)
    met = (
        results["csv"]["rows_per_second"] >= TARGET_ROWS_PER_SECOND
        and results["csv"]["peak_bytes"] < TARGET_PEAK_BYTES
    )
    return 0 if met else 1


def print_report(r: dict) -> None:
    mib = 1 << 20
    print()
    print(
        f"{r['backend']}, Python {r['python']}: {r['customers']:,} customers, "
        f"{r['past_targets']:,} callback targets and {r['past_attempts']:,} attempts before the run"
    )
    for kind in ("csv", "xlsx"):
        if kind in r:
            x = r[kind]
            print(
                f"{kind.upper()} import of {x['rows']:,} rows: {x['seconds']:.1f} s, "
                f"{x['rows_per_second']:,.0f} rows/s, peak {x['peak_bytes'] / mib:,.0f} MiB; "
                f"{x['added']:,} added, {x['duplicates']:,} already listed, "
                f"{x['failed']:,} bad rows"
            )
            db = x.get("db_cpu_seconds")
            print(
                f"  CPU: {x['cpu_seconds']:.1f} s import process"
                + (f" + {db:.1f} s PostgreSQL server process" if db is not None else "")
            )
    b = r["pandas"]
    print(
        f"pandas read + merge baseline: {b['seconds']:.1f} s, {b['rows_per_second']:,.0f} rows/s, "
        f"peak {b['peak_bytes'] / mib:,.0f} MiB ({b['added']:,} new)"
    )
    print(f"ratio Kefu CSV import / pandas baseline time: {r['csv']['seconds'] / b['seconds']:.2f}")
    d = r["distribute"]
    print(
        f"distribute {d['assigned']:,} callbacks over {AGENTS} agents: {d['seconds']:.1f} s, "
        f"{d['trading_days']} trading days, {d['min_per_agent']}–{d['max_per_agent']} per agent"
    )
    q = r["report"]
    print(
        f"quarterly report ({q['calls']:,} calls): {q['report_seconds']:.2f} s; summary PDF "
        f"{q['summary_pdf_seconds']:.2f} s ({q['summary_pdf_bytes'] / 1024:.0f} KiB); detail PDF "
        f"{q['detail_pdf_seconds']:.1f} s ({q['detail_pdf_bytes'] / mib:.1f} MiB)"
    )
    met = (
        r["csv"]["rows_per_second"] >= TARGET_ROWS_PER_SECOND
        and r["csv"]["peak_bytes"] < TARGET_PEAK_BYTES
    )
    print(
        f"target CSV ≥ {TARGET_ROWS_PER_SECOND:,} rows/s and peak < 1 GiB: "
        f"{'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    sys.exit(main())
