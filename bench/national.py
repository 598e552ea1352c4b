"""National scale (issue 18 §2): the pages of the issue's table on a national-sized dataset.

For each size in ``BENCH_UNITS`` (default ``500,5000``; ``--quick`` or ``QUICK=1``: ``500,2000``)
and each database (SQLite always; PostgreSQL when its binaries are installed, in a throwaway
cluster started by ``scripts/with-postgres.sh``), it builds the dataset with
``flask demo national --units N`` (and prints its size), serves it with gunicorn (2 workers,
4 threads) on 127.0.0.1, signs in as TPN, the largest agency's TPI and leadership and one
unit's coordinator, and times each page one request at a time (``login`` is the sign-in itself,
the POST, by a visitor who has just opened the form; ``login form`` is that form): p50 and p95
in ms and the ratio of each to ``/healthz`` measured in the same run, a ``/healthz`` request
after each of the page's (so that both see the same moments of the machine). Then the growth
from the smallest to the largest size, of each page's ratio. A page that errs is reported with its
error; the run never fails for a figure it measures. The table goes to
``bench-results/national.md`` (and the figures to ``national.json``).

``python -m bench.national --round URL N COUNT`` runs one round against the database at ``URL``
and prints its figures as JSON (how the PostgreSQL rounds run inside ``with-postgres.sh``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.load import BIN, ROOT, _free_port, _serve
from bench.pages import (
    PASSWORD,
    Answers,
    BenchError,
    Client,
    Decisions,
    _figures,
    _login,
)

TITLE = "National scale: the issue 18 pages on a national dataset, SQLite and PostgreSQL"
RESULTS = ROOT / "bench-results"
TARGET_RATIO = 10.0  # issue 18 §3: p95 <= 10x /healthz (PostgreSQL, 5,000 units)
TARGET_GROWTH = 1.5  # ... and growth 500 -> 5,000 <= 1.5x for the lists that page
WARM = 4  # warm-up requests a page: gunicorn's two workers each load their caches on first use
PAGED = (  # the lists that page (issue 18 §3: queues, dashboards, registry)
    "TPN review queue",
    "TPN home",
    "TPN dashboard",
    "TPI queue",
    "leadership dashboard",
    "registry",
    "registry search",
)


def _sizes(quick: bool) -> list[int]:
    raw = os.environ.get("BENCH_UNITS") or ("500,2000" if quick else "500,5000")
    return sorted({int(part) for part in raw.split(",") if part.strip()})


def _flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "tracker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise BenchError(f"flask {' '.join(args)}: {done.stderr[-2000:]}")
    return done.stdout


def _facts(url: str) -> dict[str, object]:
    """What the pages are asked about, read from the database: ids, a number, a name."""
    engine = create_engine(url)
    with engine.connect() as db:

        def one(sql: str) -> object:
            return db.execute(text(sql)).scalar()

        facts = {
            "building": one(
                "SELECT e.id FROM enrolments e WHERE e.stage = 'building' ORDER BY e.id LIMIT 1"
            ),
            "tpi_evaluation": one(
                "SELECT e.id FROM enrolments e JOIN agencies a ON a.id = e.agency_id "
                "WHERE e.stage = 'tpi_evaluation' AND a.code LIKE '%nas-001' ORDER BY e.id LIMIT 1"
            ),
            "certificate": one("SELECT number FROM certificates ORDER BY id LIMIT 1"),
            "search": one(
                "SELECT u.name FROM units u JOIN designations d ON d.unit_id = u.id "
                "ORDER BY d.id DESC LIMIT 1"
            ),
            "size": {
                table: one(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
                for table in (
                    "agencies",
                    "units",
                    "users",
                    "enrolments",
                    "answers",
                    "item_decisions",
                    "designations",
                    "certificates",
                    "audit_events",
                )
            },
        }
        facts["coordinator"] = db.execute(
            text(
                "SELECT u.username FROM users u JOIN role_grants g ON g.user_id = u.id "
                "WHERE g.role = 'koordinator' AND g.unit_id = (SELECT unit_id FROM enrolments "
                "WHERE id = :id)"
            ),
            {"id": facts["building"]},
        ).scalar()
    engine.dispose()
    return facts


def _measure(base: str, facts: dict[str, object], count: int) -> dict[str, dict[str, object]]:
    """Each kind ``count`` times, one request at a time (a warm-up first)."""
    kinds: dict[str, Callable[[], object]] = {}
    out: dict[str, dict[str, object]] = {}

    def guarded(name: str, build: Callable[[], Callable[[], object]]) -> None:
        try:
            kinds[name] = build()
        except Exception as err:
            out[name] = {"error": f"{type(err).__name__}: {str(err)[:200]}"}

    # Kinds whose every request needs an untimed step first: a sign-in needs a browser that has
    # just opened the form (its own cookie jar and CSRF token).
    prepared: dict[str, Callable[[], Callable[[], object]]] = {}
    tpn = _login(base, "tpn")
    guarded("healthz", lambda: lambda: tpn.get("/healthz"))
    visitor = Client(base)
    guarded("login form", lambda: lambda: visitor.get("/login"))
    signing_in = Client(base)

    def sign_in() -> Callable[[], object]:
        signing_in.http.cookies.clear()  # a new visitor on the same connection, as healthz
        signing_in.get("/login")
        return lambda: _signed_in(
            signing_in.post("/login", {"username": "tpn2", "password": PASSWORD})
        )

    prepared["login"] = sign_in
    guarded("login", sign_in)
    guarded("TPN review queue", lambda: lambda: tpn.get("/review/queue"))
    guarded("TPN home", lambda: lambda: tpn.get("/"))
    guarded("TPN dashboard", lambda: lambda: tpn.get("/dashboard"))
    tpi = _login(base, "tpi.001")
    guarded("TPI queue", lambda: lambda: tpi.get("/review/queue"))
    leader = _login(base, "pimpinan.001")
    guarded("leadership dashboard", lambda: lambda: leader.get("/dashboard"))
    guarded(
        "unit LKE page",
        lambda: lambda: tpn.get(f"/enrolments/{facts['building']}/lke?area=1"),
    )
    guarded("registry", lambda: lambda: tpn.get("/registry"))
    term = str(facts["search"] or "Kantor").split()[-1]
    guarded("registry search", lambda: lambda: tpn.get("/registry", params={"q": term}))
    guarded("verify", lambda: lambda: tpn.get(f"/verify/{facts['certificate']}"))

    def save() -> Callable[[], object]:
        coordinator = _login(base, str(facts["coordinator"]))
        answers = Answers(coordinator, int(str(facts["building"])))
        return lambda: answers.one(coordinator)

    def decide() -> Callable[[], object]:
        decisions = Decisions(tpi, int(str(facts["tpi_evaluation"])))
        return lambda: decisions.one(tpi)

    guarded("LKE save", save)
    guarded("review decision", decide)
    healthz = kinds.get("healthz")
    for name, request in kinds.items():
        durations: list[float] = []
        # Each page's own floor: a /healthz request after each of its requests. The machine's
        # speed drifts by a fifth within minutes, so a floor timed minutes earlier (the
        # "healthz" row, kept as the run's overall floor) moved every ratio with the moment;
        # paired, the page and its floor see the same moments.
        floors: list[float] = []
        prepare = prepared.get(name)
        try:
            for _ in range(WARM):  # every worker of both servers sees the page once
                (prepare() if prepare else request)()
            # The floor is cheap: measured longer, so one slow moment does not skew every ratio.
            for _ in range(count * 5 if name == "healthz" else count):
                if prepare:
                    request = prepare()
                durations.append(_timed(request))
                if healthz is not None and name != "healthz":
                    floors.append(_timed(healthz))
            out[name] = {**_figures(durations), **_ratios(durations, floors)}
        except Exception as err:
            out[name] = {"error": f"{type(err).__name__}: {str(err)[:200]}"}
    return out


def _timed(request: Callable[[], object]) -> float:
    started = time.perf_counter()
    request()
    return (time.perf_counter() - started) * 1000


def _ratios(durations: list[float], floors: list[float]) -> dict[str, float]:
    """p50 and p95 of a page as multiples of its paired /healthz requests' p50 and p95."""
    if not floors:
        return {}
    page, floor = _figures(durations), _figures(floors)
    return {
        "healthz_p50_ms": floor["p50_ms"],
        "healthz_p95_ms": floor["p95_ms"],
        "p50_x_healthz": round(page["p50_ms"] / max(floor["p50_ms"], 0.1), 1),
        "p95_x_healthz": round(page["p95_ms"] / max(floor["p95_ms"], 0.1), 1),
    }


def _signed_in(response: object) -> object:
    """A sign-in that did not redirect is a refusal, not a figure."""
    status = getattr(response, "status_code", None)
    if status not in (302, 303):
        raise BenchError(f"login: {status}")
    return response


def one_round(url: str, units: int, count: int) -> dict[str, object]:
    """Build ``units`` into the (empty) database at ``url``, serve it, time the pages."""
    with tempfile.TemporaryDirectory(prefix="zi-national-") as name:
        tmp, port = Path(name), _free_port()
        env = {
            **os.environ,
            "TRACKER_INSTANCE_DIR": str(tmp / "instance"),
            "EVIDENCE_DIR": str(tmp / "evidence"),
            "DATABASE_URL": url,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "SLOW_QUERY_MS": "0",
            # The public page's limit per address (30 a minute) would answer the bench's 34
            # requests with 429: this measures the page, the limit has its own tests.
            "VERIFY_RATE_PER_MINUTE": "100000",
            "LOG_FORMAT": "text",
        }
        _flask(env, "db", "upgrade")
        started = time.perf_counter()
        built = _flask(env, "demo", "national", "--units", str(units))
        build_s = round(time.perf_counter() - started, 1)
        facts = _facts(url)
        server = _serve(env, port, tmp / "gunicorn.log")
        try:
            pages = _measure(f"http://127.0.0.1:{port}", facts, count)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    return {
        "units": units,
        "build_seconds": build_s,
        "build_report": built.strip().splitlines(),
        "size": facts["size"],
        "pages": pages,
    }


def _postgres_round(units: int, count: int) -> dict[str, object]:
    script = ROOT / "scripts" / "with-postgres.sh"
    done = subprocess.run(
        [
            str(script),
            sys.executable,
            "-m",
            "bench.national",
            "--round",
            "",
            str(units),
            str(count),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        return {"units": units, "error": (done.stderr or done.stdout)[-1500:]}
    return json.loads(lines[-1])


def _has_postgres() -> bool:
    return bool(list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))) and shutil.which("runuser")


def run(quick: bool = False) -> dict:
    quick = quick or os.environ.get("QUICK") == "1"
    # A p95 of 30 requests is the second or third slowest: one slow moment of the machine moved
    # it by a fifth. Twice as many cost about a minute of the run (the dataset's build is most).
    count = 10 if quick else 60
    sizes = _sizes(quick)
    rounds: dict[str, list[dict[str, object]]] = {"sqlite": []}
    for units in sizes:
        print(f"  sqlite, {units} units ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="zi-national-db-") as name:
            try:
                rounds["sqlite"].append(one_round(f"sqlite:///{name}/db.sqlite3", units, count))
            except Exception as err:
                rounds["sqlite"].append({"units": units, "error": str(err)[-1500:]})
    if _has_postgres():
        rounds["postgresql"] = []
        for units in sizes:
            print(f"  postgresql, {units} units ...", file=sys.stderr, flush=True)
            rounds["postgresql"].append(_postgres_round(units, count))
    result = {"sizes": sizes, "requests_per_page": count, "rounds": rounds}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "national.md").write_text(report(result) + "\n")
    return result


def _cell(figures: dict[str, object]) -> str:
    if "error" in figures:
        return "error"
    if "p50_x_healthz" not in figures:  # the floor itself
        return f"{figures['p50_ms']:.1f} / {figures['p95_ms']:.1f} ms"
    return (
        f"{figures['p50_ms']:.0f} / {figures['p95_ms']:.0f} ms "
        f"({figures.get('p50_x_healthz', '?')}× / {figures.get('p95_x_healthz', '?')}×)"
    )


def report(result: dict) -> str:
    lines = [
        "# National scale (issue 18 §2)",
        "",
        f"gunicorn 2 workers × 4 threads, one client, {result['requests_per_page']} requests a "
        "page after a warm-up; p50 / p95 and (× `/healthz`: the p50 and p95 of a `/healthz` "
        "request made after each of the page's, so that both see the same moments).",
    ]
    for database, rounds in result["rounds"].items():
        for r in rounds:
            lines.append("")
            if "error" in r:
                lines.append(f"## {database}, {r['units']} units: error\n\n```\n{r['error']}\n```")
                continue
            size = ", ".join(f"{k} {v:,}" for k, v in r["size"].items())
            lines += [
                f"## {database}, {r['units']} units (built in {r['build_seconds']} s)",
                "",
                f"Dataset: {size}.",
                "",
                "| Page | p50 / p95 (× /healthz) |",
                "|---|---|",
            ]
            for page, figures in r["pages"].items():
                error = f" — {figures['error']}" if "error" in figures else ""
                lines.append(f"| {page} | {_cell(figures)}{error} |")
        ok = [r for r in rounds if "pages" in r]
        if len(ok) >= 2:
            small, large = ok[0], ok[-1]
            lines += [
                "",
                f"### {database}: growth {small['units']} → {large['units']} units "
                "(of p50 × /healthz: the medians, steadier than p95 on a busy machine)",
                "",
                "| Page | growth | target |",
                "|---|---|---|",
            ]
            for page, figures in large["pages"].items():
                before = small["pages"].get(page, {})
                if "p50_x_healthz" in figures and "p50_x_healthz" in before:
                    growth = figures["p50_x_healthz"] / max(before["p50_x_healthz"], 0.1)
                    target = f"≤ {TARGET_GROWTH}×" if page in PAGED else ""
                    lines.append(f"| {page} | {growth:.2f}× | {target} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "--round":
        url = argv[1] or os.environ["TEST_DATABASE_URL"]
        print(json.dumps(one_round(url, int(argv[2]), int(argv[3])), default=str))
        return 0
    result = run(quick=os.environ.get("QUICK") == "1")
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
