"""Certificate rendering: our renderer against a bare WeasyPrint render of the same HTML, for one
certificate and a batch of 200, and the batch through the real background pipeline (the job
worker with its process pool) with how busy each CPU core was meanwhile.

The ratio ours / bare is our overhead (text fitting, QR code, template, the static-only fetcher;
minus what the shared font configuration saves). The pipeline figure adds the queue, the split
into parts, the database, the merge and the blob store, and shows whether one batch uses more
than one core.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

TITLE = "Certificates: one PDF, a batch, and the background pipeline"
ROOT = Path(__file__).resolve().parent.parent
UNITS = (
    "Polres Metro Bekasi Kota",
    "Kantor Pelayanan Perbendaharaan Negara Jakarta III",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Bekasi",
    "RSUD dr. Chasbullah Abdulmadjid",
    "Balai Besar Pengawasan Obat dan Makanan di Daerah Khusus Ibukota Jakarta",
)


def sample(i: int):
    from tracker.certificates.document import CertificateData

    number = f"ZI-2019-WBK-{i:04d}-BENCH"
    return CertificateData(
        number=number,
        unit_name=f"{UNITS[i % len(UNITS)]} {i}",
        agency_name="Kepolisian Negara Republik Indonesia",
        predicate=("WBK", "WBBM")[i % 2],
        year=2019,
        decree_number=f"{1000 + i} Tahun 2019",
        decree_date=date(2019, 12, 10),
        issue_date=date(2019, 12, 10),
        signatory_name="Dr. Andi Pratama, M.Si.",
        verification_url=f"https://zi.example.go.id/verify/{number}",
        snapshot_sha256=f"{i:064x}",
    )


def _times(action: Callable[[], object], repeat: int) -> list[float]:
    action()  # warm: fonts, imports, caches
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        found.append(time.perf_counter() - started)
    return found


def single(repeat: int) -> dict[str, float]:
    from tracker.certificates import pdf

    data = sample(1)
    html = pdf.render_html(data)
    ours = statistics.median(_times(lambda: pdf.render_pdf(data), repeat))
    bare = statistics.median(_times(lambda: pdf.bare_render(html), repeat))
    return {"ours_s": ours, "bare_s": bare, "ratio": ours / bare}


def batch_inline(size: int) -> dict[str, float]:
    """One process, one ``render_many`` document: one core."""
    from tracker.certificates import pdf

    items = [sample(i) for i in range(size)]
    html = pdf.render_many_html(items)
    ours = _times(lambda: pdf.render_many(items), 1)[0]
    bare = _times(lambda: pdf.bare_render(html), 1)[0]
    return {"size": size, "ours_s": ours, "bare_s": bare, "ratio": ours / bare}


def _render_timed(size: int, barrier, results) -> None:
    from tracker.certificates import pdf

    items = [sample(i) for i in range(size)]
    pdf.render_many(items[:2])  # warm this process
    barrier.wait()
    started = time.perf_counter()
    pdf.render_many(items)
    results.put(time.perf_counter() - started)


def machine_parallelism(size: int, processes: int) -> dict[str, float]:
    """How much more a machine renders with ``processes`` processes than with one: the ceiling
    for any speed-up of the pipeline (virtual cores may share one physical core)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")

    def round_of(count: int) -> float:
        barrier, results = context.Barrier(count), context.Queue()
        workers = [
            context.Process(target=_render_timed, args=(size, barrier, results))
            for _ in range(count)
        ]
        for worker in workers:
            worker.start()
        times = [results.get(timeout=600) for _ in workers]
        for worker in workers:
            worker.join()
        return count * size / max(times)  # pages per second, all processes together

    alone, together = round_of(1), round_of(processes)
    return {
        "processes": processes,
        "alone_pps": alone,
        "together_pps": together,
        "gain": together / alone,
    }


# --- the real pipeline -----------------------------------------------------------------------


def _cpu_ticks() -> list[tuple[int, int]]:
    """(busy, total) jiffies per core from /proc/stat."""
    cores = []
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if name.startswith("cpu") and name != "cpu":
            ticks = [int(v) for v in values[:8]]
            idle = ticks[3] + ticks[4]  # idle + iowait
            cores.append((sum(ticks) - idle, sum(ticks)))
    return cores


def _busy(before: list[tuple[int, int]], after: list[tuple[int, int]]) -> list[float]:
    return [(b1 - b0) / max(1, t1 - t0) for (b0, t0), (b1, t1) in zip(before, after, strict=True)]


def _tree_cpu(pid: int) -> float:
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for process in (root, *root.children(recursive=True)):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _installation(folder: Path, size: int):
    from config import Settings
    from tracker import create_app
    from tracker.core import migrations
    from tracker.db import build_engine

    settings = Settings(
        database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
        secret_key=secrets.token_hex(16),
        env="bench",
        instance_dir=folder / "instance",
        evidence_dir=folder / "evidence",
    )
    engine = build_engine(settings.database_url)
    migrations.upgrade(engine)
    engine.dispose()
    app = create_app(settings)
    with app.app_context():
        user, numbers = _seed(app.extensions["sessionmaker"](), size)
    return settings, app, user, numbers


def _seed(session, size: int):
    from tracker.accreditation.models import Designation, Predicate
    from tracker.agencies import services as agencies
    from tracker.agencies.models import AgencyKind
    from tracker.auth import services as auth
    from tracker.certificates import services

    agency = agencies.create_agency(
        session,
        user=None,
        name="Kepolisian Negara Republik Indonesia",
        short_name="Polri",
        kind=AgencyKind.LEMBAGA,
        code="polri",
    )
    user = auth.create_user(
        session, by=None, username="bench", full_name="Bench", password=secrets.token_urlsafe(16)
    )
    services.set_signatory(session, user=None, name="Dr. Andi Pratama, M.Si.")
    numbers = []
    for i in range(size):
        unit = agencies.create_unit(
            session,
            user=None,
            agency=agency,
            name=f"{UNITS[i % 5]} {i}",
            kind="Unit",
            code=f"u{i}",
        )
        designation = Designation(
            unit_id=unit.id,
            agency_id=agency.id,
            predicate=(Predicate.WBK, Predicate.WBBM)[i % 2],
            year=2019,
            decree_number=f"{1000 + i} Tahun 2019",
            decree_date=date(2019, 12, 10),
            snapshot_sha256=f"{i:064x}",
        )
        session.add(designation)
        session.flush()
        numbers.append(
            services.issue_for_designation(session, designation=designation, user=None).number
        )
    session.commit()
    session.close()
    return user, numbers


def _start_worker(settings, workers: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "TRACKER_INSTANCE_DIR": str(settings.instance_dir),
        "EVIDENCE_DIR": str(settings.evidence_dir),
    }
    env.pop("REDIS_URL", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "tracker",
                "jobs",
                "worker",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while log.read_text().count("worker process ready") < workers:  # forked and warmed up
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)
    return process


def _print(app, user, numbers) -> tuple[Any, float]:
    from sqlalchemy import select

    from tracker.certificates import printing, tasks
    from tracker.certificates.models import Certificate, PrintFormat, PrintStatus

    with app.app_context():
        session = app.extensions["sessionmaker"]()
        chosen = list(session.scalars(select(Certificate).where(Certificate.number.in_(numbers))))
        started = time.perf_counter()
        job = printing.request_print(session, user=user, certificates=chosen, fmt=PrintFormat.PDF)
        session.commit()
        tasks.enqueue_job(session, job)
        # Poll as the browser does: GET requests, whose SQLite transactions are deferred reads
        # (outside a request every transaction takes the write lock; see tracker.db).
        with app.test_request_context("/"):
            while job.status not in (PrintStatus.DONE, PrintStatus.FAILED):
                time.sleep(0.2)
                job = printing.find_job(session, job.public_id)
                session.rollback()  # a fresh snapshot on the next read
        elapsed = time.perf_counter() - started
        session.close()
    return job, elapsed


def pipeline(size: int, workers: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="zi-bench-"))
    try:
        settings, app, user, numbers = _installation(folder, size)
        worker = _start_worker(settings, workers, folder / "worker.log")
        try:
            ticks, cpu = _cpu_ticks(), _tree_cpu(worker.pid)
            job, wall = _print(app, user, numbers)
            busy, cpu = _busy(ticks, _cpu_ticks()), _tree_cpu(worker.pid) - cpu
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=120)
        if job.error:
            raise RuntimeError(f"the batch failed: {job.error}")
        return {
            "size": size,
            "workers": workers,
            "parts": job.parts_total,
            "wall_s": wall,
            "worker_cpu_s": cpu,
            "cores_used": cpu / wall,
            "core_busy": busy,
            "result_bytes": job.result_size,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(quick: bool = False) -> dict[str, Any]:
    size = 40 if quick else 200
    workers = os.cpu_count() or 1
    return {
        "single": single(3 if quick else 10),
        "batch": batch_inline(size),
        "parallelism": machine_parallelism(10 if quick else 25, workers),
        "pipeline": pipeline(size, workers),
    }


def report(result: dict[str, Any]) -> str:
    one, batch, pipe = result["single"], result["batch"], result["pipeline"]
    machine = result["parallelism"]
    size = batch["size"]
    busy = ", ".join(f"core {i}: {share:.0%}" for i, share in enumerate(pipe["core_busy"]))
    both = sum(share > 0.6 for share in pipe["core_busy"])
    lines = [
        f"one certificate      ours {one['ours_s'] * 1000:7.0f} ms   bare WeasyPrint "
        f"{one['bare_s'] * 1000:7.0f} ms   ratio {one['ratio']:.2f}",
        f"batch of {size} (1 core) ours {batch['ours_s']:6.2f} s    bare WeasyPrint "
        f"{batch['bare_s']:6.2f} s    ratio {batch['ratio']:.2f}   "
        f"({batch['ours_s'] / size * 1000:.0f} ms/page)",
        f"batch of {size} via the job worker ({pipe['workers']} process workers, "
        f"{pipe['parts']} parts): {pipe['wall_s']:.2f} s wall, "
        f"{pipe['result_bytes'] / 1024:.0f} KB, speed-up x{batch['ours_s'] / pipe['wall_s']:.2f} "
        "over one process",
        f"  worker CPU {pipe['worker_cpu_s']:.2f} s = {pipe['cores_used']:.2f} cores busy on "
        f"average; machine: {busy}",
        f"  uses both cores: {'yes' if both >= 2 else 'no'} "
        "(a core counts as used above 60 % busy over the run)",
        f"  this machine's ceiling: {machine['processes']} rendering processes give "
        f"x{machine['gain']:.2f} the pages per second of one "
        f"({machine['alone_pps']:.1f} -> {machine['together_pps']:.1f} pages/s)",
    ]
    return "\n".join(lines)
