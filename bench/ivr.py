"""Benchmark: the IVR engine in process, and the telephony API over HTTP with many callers.

    python bench/ivr.py [--database-url URL] [--callers 200] [--duration 60]
                        [--think 4 10] [--engine-calls 40] [--workers 2] [--port 8765]

Uses the database of the customer benchmark (bench/customers.py; default the PostgreSQL
database kefu_bench with 1,000,000 bulk demo customers) and random bulk cardholders, whose
query passwords come from the demo's small pool (found by checking the pool's hashes).

(a) In process: complete scripted calls through kefu.ivr.services (no HTTP), one after
    another; calls per second and time per step.
(b) Over HTTP: uvicorn with --workers processes serving kefu.asgi, started as `kefu serve`
    starts it after its checks, and an asyncio httpx client simulating --callers concurrent callers
    for --duration seconds. Each caller runs scripted calls from a mix (limits, bill,
    unbilled lines, application progress, transfer to an agent, hang-up after the ID,
    a wrong then a right password), waiting a random think time between key presses, as a
    caller listens to a prompt before pressing keys. Before the IVR phase, the same callers
    hit GET /api/core/me (bearer-token look-up: one indexed read, plus the user's groups) for
    the baseline ratio.

Steps are split into "password" steps (the query password check costs one argon2id
evaluation, by design, SEC-3) and all other steps. Target: p99 step latency under 50 ms with
zero errors. Results are written to var/bench/ivr-<backend>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
TARGET_P99_MS = 50.0
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kefu_bench"
SERVER_LOG = BENCH_DIR / "ivr-server.log"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--callers", type=int, default=200, help="concurrent callers (HTTP)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of IVR load")
    parser.add_argument(
        "--baseline-duration", type=float, default=20.0, help="seconds of baseline load"
    )
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(4.0, 10.0),
        metavar=("MIN", "MAX"),
        help="seconds a caller listens and keys in between steps (uniform)",
    )
    parser.add_argument("--engine-calls", type=int, default=40, help="in-process calls (a)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--targets", type=int, default=1500, help="cardholders to call as")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.callers < 1 or args.duration <= 0 or args.think[0] < 0 or args.think[1] < args.think[0]:
        parser.error("callers ≥ 1, duration > 0 and 0 ≤ think MIN ≤ MAX")
    return args


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kefu.settings"
    os.environ.pop("KEFU_DEBUG", None)
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))
    return ordered[rank]


# --- callers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    id_number: str
    password: str
    card_id: int


def sample_targets(*, count: int, seed: int) -> list[Target]:
    """Random primary cardholders with an active card, a resident ID and a pool password."""
    from django.db.models import Max

    from kefu.core.crypto import verify_secret
    from kefu.customers.demo.data import BULK_QUERY_PASSWORDS
    from kefu.customers.models import Card, IdentityDocument

    rng = random.Random(f"ivr-bench:{seed}")
    top = Card.objects.aggregate(m=Max("id"))["m"] or 0
    picked: dict[int, Card] = {}
    while len(picked) < count:
        ids = [rng.randint(1, top) for _ in range(count * 2)]
        for card in Card.objects.filter(pk__in=ids, role="primary", status="active").exclude(
            query_password_hash=""
        ):
            picked.setdefault(card.holder_id, card)
    holders = list(picked)[:count]
    documents = {
        d.customer_id: d.number
        for d in IdentityDocument.objects.filter(customer_id__in=holders, doc_type="resident_id")
    }
    password_of: dict[str, str] = {}
    targets = []
    for holder in holders:
        card = picked[holder]
        if holder not in documents:
            continue
        stored = card.query_password_hash
        if stored not in password_of:
            password_of[stored] = next(
                (p for p in BULK_QUERY_PASSWORDS if verify_secret(stored, p)), ""
            )
        if password_of[stored]:
            targets.append(Target(documents[holder], password_of[stored], card.pk))
    return targets


def unlock(targets: list[Target]) -> None:
    """Clear the wrong-password counts of the callers' cards: two callers may run the
    wrong-password script on one card at once, and counts left by an earlier run (a call
    cut off between the wrong and the right password) add up to a lock-out."""
    from kefu.customers.models import Card

    Card.objects.filter(pk__in=[t.card_id for t in targets]).update(
        query_password_failures=0, query_password_locked_on=None
    )


# A script is a list of (digits, kind, expected node prefix); "hangup" ends the call early.
def scripts(t: Target) -> dict[str, list[tuple[str, str, str]]]:
    keyed_id = t.id_number.replace("X", "*")  # a caller presses * for the X of an ID number
    identify = (keyed_id + "#", "step", "verify:password")
    password = (t.password + "#", "password", "services:menu")
    return {
        "limits": [identify, password, ("2", "step", "limits:after"),
                   ("*", "step", "services:menu"), ("#", "step", "main:goodbye")],
        "bill": [identify, password, ("1", "step", "bills:menu"), ("1", "step", "bills:menu"),
                 ("*", "step", "services:menu"), ("#", "step", "main:goodbye")],
        "unbilled": [identify, password, ("1", "step", "bills:menu"), ("3", "step", "bills:"),
                     ("hangup", "hangup", "")],
        "application": [("3#", "step", "applications:menu"), ("2", "step", "applications:ask_id"),
                        (keyed_id + "#", "step", "applications:after"),
                        ("*", "step", "main:identify"), ("hangup", "hangup", "")],
        "agent": [identify, password, ("0", "step", "services:agent"), ("hangup", "hangup", "")],
        "abandon": [identify, ("hangup", "hangup", "")],
        "wrong_password": [identify, ("000000#", "password", "verify:password"), password,
                           ("2", "step", "limits:after"), ("hangup", "hangup", "")],
    }  # fmt: skip


MIX = (
    ("limits", 3),
    ("bill", 3),
    ("unbilled", 2),
    ("application", 1),
    ("agent", 1),
    ("abandon", 1),
    ("wrong_password", 1),
)


def pick_script(rng: random.Random) -> str:
    names = [name for name, weight in MIX for _ in range(weight)]
    return rng.choice(names)


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: {"step": [], "password": []})
    calls: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(text[:300])


# --- (a) in process ----------------------------------------------------------------------------


def bench_engine(targets: list[Target], calls: int, seed: int) -> dict:
    from kefu.core.models import User
    from kefu.ivr import services

    rng = random.Random(f"engine:{seed}")
    by = User.objects.get(username="ivr-bench")
    tally = Tally()
    started = time.perf_counter()
    for n in range(calls):
        target = targets[n % len(targets)]
        name = pick_script(rng)
        t0 = time.perf_counter()
        step = services.call_start(caller="13900000000", called="4008205555", by=by)
        tally.times["step"].append((time.perf_counter() - t0) * 1000)
        for digits, kind, expect in scripts(target)[name]:
            t0 = time.perf_counter()
            if digits == "hangup":
                services.call_hangup(call_id=step.call_id, by=by)
                tally.times["step"].append((time.perf_counter() - t0) * 1000)
                break
            step = services.call_input(call_id=step.call_id, digits=digits, by=by)
            tally.times[kind].append((time.perf_counter() - t0) * 1000)
            if not step.node.startswith(expect):
                tally.error(f"{name}: expected {expect}, got {step.node}")
                break
        tally.calls += 1
    elapsed = time.perf_counter() - started
    return summary(tally, elapsed)


# --- (b) over HTTP ------------------------------------------------------------------------------


async def caller_loop(client, targets, tally: Tally, deadline: float, think, rng, baseline):
    import httpx

    async def timed(kind: str, method: str, url: str, body=None):
        t0 = time.perf_counter()
        try:
            response = await client.request(method, url, json=body)
        except httpx.HTTPError as exc:
            tally.error(f"{method} {url}: {exc.__class__.__name__}")
            return None
        tally.times[kind].append((time.perf_counter() - t0) * 1000)
        if response.status_code >= 300:
            tally.error(f"{method} {url}: {response.status_code} {response.text}")
            return None
        return response.json()

    await asyncio.sleep(rng.uniform(0, think[1]))  # callers do not all arrive at once
    while time.monotonic() < deadline:
        if baseline:
            await timed("step", "GET", "/api/core/me")
            tally.calls += 1
            await asyncio.sleep(rng.uniform(*think))
            continue
        target = rng.choice(targets)
        name = pick_script(rng)
        step = await timed("step", "POST", "/api/ivr/calls", {"caller": "13900000000"})
        if step is None:
            continue
        url = f"/api/ivr/calls/{step['call_id']}"
        for digits, kind, expect in scripts(target)[name]:
            await asyncio.sleep(rng.uniform(*think))
            if digits == "hangup":
                await timed("step", "POST", f"{url}/hangup")
                break
            step = await timed(kind, "POST", f"{url}/input", {"digits": digits})
            if step is None:
                break
            if not step["node"].startswith(expect):
                tally.error(f"{name}: expected {expect}, got {step['node']}")
                await timed("step", "POST", f"{url}/hangup")
                break
        tally.calls += 1


async def load(base_url, token, targets, args, *, duration: float, baseline: bool) -> dict:
    import httpx

    tally = Tally()
    limits = httpx.Limits(max_connections=args.callers, max_keepalive_connections=args.callers)
    async with httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        limits=limits,
        timeout=30,
    ) as client:
        started = time.monotonic()
        deadline = started + duration
        await asyncio.gather(
            *(
                caller_loop(
                    client,
                    targets,
                    tally,
                    deadline,
                    args.think,
                    random.Random(f"{args.seed}:{n}:{baseline}"),
                    baseline,
                )
                for n in range(args.callers)
            )
        )
        elapsed = time.monotonic() - started
    return summary(tally, elapsed)


def summary(tally: Tally, elapsed: float) -> dict:
    steps, passwords = tally.times["step"], tally.times["password"]
    every = steps + passwords

    def row(values):
        return {
            "count": len(values),
            "p50_ms": round(percentile(values, 50), 2),
            "p99_ms": round(percentile(values, 99), 2),
            "max_ms": round(max(values), 1) if values else None,
            "mean_ms": round(statistics.fmean(values), 2) if values else None,
        }

    return {
        "seconds": round(elapsed, 1),
        "calls": tally.calls,
        "calls_per_s": round(tally.calls / elapsed, 2) if elapsed else None,
        "requests_per_s": round(len(every) / elapsed, 1) if elapsed else None,
        "errors": tally.errors,
        "error_samples": tally.error_samples,
        "all_steps": row(every),
        "steps_without_password": row(steps),
        "password_steps": row(passwords),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env.pop("KEFU_DEBUG", None)
    # The server's log goes to a file: a pipe that nobody reads fills up after 64 KiB of
    # tracebacks, and then every worker blocks on its next log line.
    SERVER_LOG.parent.mkdir(parents=True, exist_ok=True)
    log = SERVER_LOG.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kefu.core.management.commands.serve import run_uvicorn; "
         f"run_uvicorn(host='127.0.0.1', port={port}, workers={workers}, log_level='warning')"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
    )  # fmt: skip
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {SERVER_LOG.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not start in 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from kefu.core.models import User
    from kefu.core.roles import sync_roles
    from kefu.core.services import api_token_create
    from kefu.customers.models import Customer
    from kefu.ivr.models import QueueEntry

    load_before = list(os.getloadavg())
    call_command("migrate", interactive=False, verbosity=0)
    sync_roles()
    customers = Customer.objects.count()
    print(f"{database_version()}: {customers:,} customers. Picking {args.targets} callers …")
    targets = sample_targets(count=args.targets, seed=args.seed)
    if not targets:
        print("No bulk cardholders with a pool password: run bench/customers.py first.")
        return 2
    service, _created = User.objects.get_or_create(
        username="ivr-bench", defaults={"kind": User.Kind.SERVICE}
    )
    service.groups.set([Group.objects.get(name="telephony")])
    _t, token = api_token_create(user=service, name="ivr-bench")
    QueueEntry.objects.filter(status="waiting", call__started_by=service).update(status="abandoned")

    unlock(targets)
    print(f"(a) in process: {args.engine_calls} scripted calls …")
    engine = bench_engine(targets, args.engine_calls, args.seed)
    unlock(targets)
    connection.close()

    port = args.port or free_port()
    server = start_server(args.database_url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        # Untimed: the workers' first requests import the URL configuration and the API
        # schemas and open their first connections (about a second each).
        print("(b) warm-up: 20 clients for 8 s …")
        warm = argparse.Namespace(**{**vars(args), "callers": 20, "think": (0.05, 0.2)})
        asyncio.run(load(base, token, targets, warm, duration=4, baseline=True))
        asyncio.run(load(base, token, targets, warm, duration=4, baseline=False))
        unlock(targets)
        connection.close()
        seconds = f"{args.baseline_duration:g}"
        print(f"(b) baseline: {args.callers} clients on GET /api/core/me for {seconds} s …")
        baseline = asyncio.run(
            load(base, token, targets, args, duration=args.baseline_duration, baseline=True)
        )
        print(f"(b) IVR: {args.callers} callers for {args.duration:g} s …")
        http = asyncio.run(load(base, token, targets, args, duration=args.duration, baseline=False))
    finally:
        stop_server(server)

    ratio = (
        round(http["steps_without_password"]["p50_ms"] / baseline["all_steps"]["p50_ms"], 2)
        if baseline["all_steps"]["count"]
        else None
    )
    met = http["errors"] == 0 and http["all_steps"]["p99_ms"] < TARGET_P99_MS
    met_without_password = (
        http["errors"] == 0 and http["steps_without_password"]["p99_ms"] < TARGET_P99_MS
    )
    report = {
        "load_average_before": load_before,
        "load_average_after": list(os.getloadavg()),
        "backend": database_version(),
        "python": platform.python_version(),
        "customers": customers,
        "callers": args.callers,
        "think_s": list(args.think),
        "workers": args.workers,
        "engine_in_process": engine,
        "baseline_me": baseline,
        "ivr_http": http,
        "ratio_ivr_step_p50_to_baseline_p50": ratio,
        "target_p99_ms": TARGET_P99_MS,
        "met_all_steps": met,
        "met_steps_without_password": met_without_password,
    }
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    out = BENCH_DIR / f"ivr-{connection.vendor}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_report(report)
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0 if met_without_password else 1


def print_report(r: dict) -> None:
    def line(label, s):
        print(f"  {label:<28} {s['count']:>7} {s['p50_ms']:>9} {s['p99_ms']:>9} {s['max_ms']!s:>9}")

    print(f"\n{r['backend']}, Python {r['python']}, {r['customers']:,} customers")
    load = ", ".join(f"{x:.2f}" for x in r["load_average_before"])
    print(f"{r['callers']} callers, think {r['think_s']} s, {r['workers']} workers; load {load}")
    for title, key in (
        ("(a) engine in process", "engine_in_process"),
        ("(b) baseline GET /api/core/me", "baseline_me"),
        ("(b) IVR over HTTP", "ivr_http"),
    ):
        s = r[key]
        print(
            f"\n{title}: {s['calls']} calls in {s['seconds']} s = {s['calls_per_s']} calls/s, "
            f"{s['requests_per_s']} requests/s, {s['errors']} errors"
        )
        print(f"  {'':<28} {'count':>7} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}")
        line("all steps", s["all_steps"])
        line("steps without password", s["steps_without_password"])
        if s["password_steps"]["count"]:
            line("password steps (argon2id)", s["password_steps"])
        for sample in s["error_samples"]:
            print(f"  error: {sample}")
    all_steps = "met" if r["met_all_steps"] else "missed"
    without = "met" if r["met_steps_without_password"] else "missed"
    print(
        f"\nIVR step p50 / baseline p50 = {r['ratio_ivr_step_p50_to_baseline_p50']}; "
        f"target p99 < {r['target_p99_ms']:g} ms: all steps {all_steps}, "
        f"steps without password {without}"
    )


if __name__ == "__main__":
    sys.exit(main())
