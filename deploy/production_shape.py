"""The production shape on one machine, from Debian packages and the moto S3 server (issue 18 §4).

    SECRET_KEY=... AUDIT_KEY=... PUBLIC_BASE_URL=https://127.0.0.1:8443 \\
        .venv/bin/python -m deploy.production_shape /tmp/zi-shape --port 8443 --seed-demo

starts, each on a free 127.0.0.1 port, and stops again on SIGTERM or Ctrl+C:

- PostgreSQL: a throwaway cluster from the machine's binaries (as ``scripts/with-postgres.sh``);
- S3: moto's server, with the bucket created; evidence and print results go there;
- Redis (Debian's ``redis-server``): the job queue and the shared rate limits;
- two app servers: gunicorn (``deploy/gunicorn.conf.py``) on two ports, ``TRACKER_ENV=production``;
- one job worker (``flask jobs worker``);
- nginx (Debian's) in front of both, from ``deploy/nginx/zi-tracker.conf`` (request buffering and
  timeouts as in production), ending TLS with a self-signed certificate made for the run.

Secrets come from the environment, as in production: ``SECRET_KEY``, ``AUDIT_KEY`` and
``PUBLIC_BASE_URL`` are required, ``METRICS_TOKEN`` is passed on when set. The database is
migrated (``flask db upgrade``); ``--seed-demo`` adds the demo story (``flask demo seed``, which
production itself refuses, so it runs with the same database, store and keys outside production
mode). When everything answers, ``DIR/shape.json`` says where each piece is (the end-to-end test,
``tests/production/test_production_shape.py``, reads it); every log is in ``DIR/logs``.
The folder layout and the processes are those of docs/production.md, on one machine.
"""

from __future__ import annotations

# ruff: noqa: S603, S607 - it starts the machine's own tools (Debian's, ours) with fixed arguments
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from contextlib import ExitStack, suppress
from pathlib import Path
from types import FrameType

from deploy.nginx.render import render

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
BUCKET = "zi-tracker"
START_TIMEOUT = 90.0
REQUIRED = ("SECRET_KEY", "AUDIT_KEY", "PUBLIC_BASE_URL")


class ShapeError(RuntimeError):
    """A piece did not start; the message names it and the end of its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """The services started, stopped in the reverse order (SIGTERM, then SIGKILL)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: Sequence[str], **popen: object) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            list(command), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **popen
        )
        log.close()
        self.running.append((name, process))
        return process

    def stop_all(self) -> None:
        for _name, process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 70  # the worker lets a running job finish (up to 60 s)
        for _name, process in reversed(self.running):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def tail(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def wait_for(check, name: str, processes: Processes, process: subprocess.Popen | None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ShapeError(f"{name} exited with {process.returncode}:\n{processes.tail(name)}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise ShapeError(f"{name} did not start within {START_TIMEOUT:.0f}s:\n{processes.tail(name)}")


def listening(port: int):
    return lambda: socket.create_connection(("127.0.0.1", port), timeout=0.5).close() or True


def healthy(url: str):
    def check() -> bool:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
            return response.status == 200

    return check


# --- the pieces ---------------------------------------------------------------------------------


def start_postgres(stack: ExitStack, processes: Processes) -> str:
    """A throwaway cluster in a folder of its own (the ``postgres`` user, as root, must be able
    to enter it); removed when the stack closes. Returns the database URL."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not bins:
        raise ShapeError("no PostgreSQL binaries under /usr/lib/postgresql")
    pg_bin = bins[-1]
    folder = Path(tempfile.mkdtemp(prefix="zi-shape-pg."))
    run_as: list[str] = []
    if os.geteuid() == 0:
        if subprocess.run(["id", "postgres"], check=False, capture_output=True).returncode:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"

    def stop() -> None:
        subprocess.run(
            [*run_as, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)

    stack.callback(stop)
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    subprocess.run(
        [
            *run_as,
            str(pg_bin / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        **quiet,  # type: ignore[arg-type]
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *run_as,
            str(pg_bin / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-w",
            "start",
            "-o",
            options,
        ],
        **quiet,  # type: ignore[arg-type]
    )
    subprocess.run(
        [
            *run_as,
            str(pg_bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "tracker",
        ],
        **quiet,  # type: ignore[arg-type]
    )
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/tracker"


def start_s3(processes: Processes) -> str:
    port = free_port()
    process = processes.start(
        "moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    )
    wait_for(listening(port), "moto", processes, process)
    import boto3

    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="shape",
        aws_secret_access_key="shape",  # noqa: S106 - moto accepts any credentials
    ).create_bucket(Bucket=BUCKET)
    return endpoint


def redis_command(binary: str, port: int, folder: Path) -> list[str]:
    """A throwaway redis-server on 127.0.0.1:``port``: nothing written to disk but its folder
    (no snapshots, no append-only file); the test servers start it the same way."""
    return [
        binary,
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
        "--protected-mode",
        "yes",
    ]


def start_redis(processes: Processes, folder: Path) -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        raise ShapeError("redis-server is not installed (Debian package redis-server)")
    port = free_port()
    folder.mkdir()
    process = processes.start("redis", redis_command(binary, port, folder))
    wait_for(listening(port), "redis", processes, process)
    return f"redis://127.0.0.1:{port}/0"


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        raise ShapeError("nginx is not installed (Debian package nginx)")
    return found


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, valid two days (openssl, from Debian)."""
    folder.mkdir()
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_conf(folder: Path, site: Path, cert: Path, key: Path) -> str:
    """A main configuration around the rendered site; nginx writes only under ``folder``."""
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""  # else "nobody", who cannot enter folder
    return f"""{user}worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} info;
events {{ worker_connections 1024; }}
http {{
    access_log {folder / "access.log"};
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    ssl_certificate {cert};
    ssl_certificate_key {key};
    include {site};
}}
"""


def app_environment(base: dict[str, str], work: Path, urls: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in base.items() if not k.startswith(("GUNICORN_", "TEST_"))}
    return env | {
        "TRACKER_ENV": "production",
        "DATABASE_URL": urls["database"],
        "EVIDENCE_BACKEND": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": urls["s3"],
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "shape",
        "S3_SECRET_ACCESS_KEY": "shape",
        "REDIS_URL": urls["redis"],
        "TRUSTED_PROXIES": "1",
        "TRACKER_INSTANCE_DIR": str(work / "instance"),
        "EVIDENCE_DIR": str(work / "evidence-unused"),  # S3 holds the evidence
        "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
        "LOG_FORMAT": "json",
    }


def flask(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "tracker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ShapeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def start(work: Path, port: int, *, workers: int, seed_demo: bool, stack: ExitStack) -> dict:
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        raise ShapeError("set these in the environment first: " + ", ".join(missing))
    logs = work / "logs"
    logs.mkdir(parents=True)
    (work / "metrics").mkdir()  # fresh: the machine's metrics start at zero
    processes = Processes(logs)
    stack.callback(processes.stop_all)
    urls = {"database": start_postgres(stack, processes)}
    urls["s3"] = start_s3(processes)
    urls["redis"] = start_redis(processes, work / "redis")
    env = app_environment(dict(os.environ), work, urls)
    flask(env, "db", "upgrade")
    if seed_demo:
        flask({**env, "TRACKER_ENV": "development"}, "demo", "seed")
    servers = [free_port(), free_port()]
    apps = []
    for number, app_port in enumerate(servers, start=1):
        server_env = env | {
            "GUNICORN_BIND": f"127.0.0.1:{app_port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": "4",
            # gunicorn's control socket ($XDG_RUNTIME_DIR/gunicorn.ctl): one per app server, or
            # the second would take over the first's (systemd: RuntimeDirectory= per unit).
            "XDG_RUNTIME_DIR": str(work / "run" / f"app{number}"),
        }
        Path(server_env["XDG_RUNTIME_DIR"]).mkdir(parents=True, mode=0o700)
        command = [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
        apps.append(processes.start(f"app{number}", command, cwd=ROOT, env=server_env))
    worker = processes.start(
        "worker",
        [str(VENV_BIN / "flask"), "--app", "tracker", "jobs", "worker", "-w", "1"],
        cwd=ROOT,
        env=env,
    )
    for number, (app_port, process) in enumerate(zip(servers, apps, strict=True), start=1):
        url = f"http://127.0.0.1:{app_port}/healthz"
        wait_for(healthy(url), f"app{number}", processes, process)
    nginx_dir = work / "nginx"
    nginx_dir.mkdir()
    cert, key = self_signed_certificate(work / "tls")
    site = nginx_dir / "zi-tracker.conf"
    site.write_text(
        render(
            listen=f"127.0.0.1:{port} ssl",
            upstream=[f"127.0.0.1:{p}" for p in servers],
            server_name="localhost",
            max_upload_bytes=50 * 1024 * 1024,
        )
    )
    conf = nginx_dir / "nginx.conf"
    conf.write_text(nginx_conf(nginx_dir, site, cert, key))
    nginx = processes.start(
        "nginx", [nginx_binary(), "-p", str(nginx_dir), "-c", str(conf), "-g", "daemon off;"]
    )
    wait_for(listening(port), "nginx", processes, nginx)
    if worker.poll() is not None:
        raise ShapeError(f"the job worker exited:\n{processes.tail('worker')}")
    return {
        "url": f"https://127.0.0.1:{port}",
        "ca_file": str(cert),
        "app_servers": [f"http://127.0.0.1:{p}" for p in servers],
        "logs": {name: str(logs / f"{name}.log") for name, _process in processes.running},
        "database_url": urls["database"],
        "s3": {"endpoint": urls["s3"], "bucket": BUCKET, "prefix": "evidence/"},
        "redis_url": urls["redis"],
        "pids": {name: process.pid for name, process in processes.running},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a new folder for logs, metrics and state")
    parser.add_argument("--port", type=int, default=0, help="nginx's port (default: a free one)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument("--seed-demo", action="store_true", help="add the demo story")
    args = parser.parse_args(argv)
    work = args.folder.resolve()
    if work.exists() and any(work.iterdir()):
        parser.error(f"{work} is not empty")

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    with ExitStack() as stack:
        try:
            shape = start(
                work,
                args.port or free_port(),
                workers=args.workers,
                seed_demo=args.seed_demo,
                stack=stack,
            )
        except ShapeError as err:
            print(f"production shape: {err}", file=sys.stderr)
            return 1
        (work / "shape.json.part").write_text(json.dumps(shape, indent=2))
        (work / "shape.json.part").rename(work / "shape.json")
        print(f"production shape ready: {shape['url']} (logs in {work / 'logs'})", flush=True)
        with suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
