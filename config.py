"""One settings object, read from the environment (and only here).

Local runs need no configuration at all: the database is SQLite under ``instance/`` and the secret
key and the audit-trail key are generated once into ``instance/`` (``secret_key``, ``audit_key``).
With ``TRACKER_ENV=production`` the database URL and both keys must be given, or start-up fails
with a clear message.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
# Evidence upload defaults, here once: tracker.evidence.filetypes and the upload policy read them.
DEFAULT_ALLOWED_TYPES = "pdf,jpg,jpeg,png,docx,xlsx,pptx"
DEFAULT_MAX_UPLOAD_MB = 50
MB = 1024 * 1024
# 32 characters: what `secrets.token_hex(16)` gives, 128 bits; the generated keys have 256.
MIN_AUDIT_KEY_LENGTH = 32
# The public address when PUBLIC_BASE_URL is not set (`make run` sets it from its port). The
# administrator's setting in the database overrides either: tracker.system.services.
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:5000"
# Who records TPN's steps (issue 12): "national", TPN users act in the tracker; "agency", TPN
# works in PortalRB and the agency's administrator records its published results here.
DEPLOYMENTS = ("national", "agency")
# How the tracker speaks to its SMTP server (issue 15 §2): plain, STARTTLS, or TLS from the start.
SMTP_SECURITY = ("none", "starttls", "ssl")


class SettingsError(RuntimeError):
    """The environment does not describe a runnable configuration."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    env: str = "development"
    # Keys the audit trail's HMAC chain (tracker.audit.chain). It lives outside the database so that
    # whoever can write the tables cannot recompute the chain after editing it. Empty only when
    # Settings are built in code (tests): sessions then sign with tracker.audit.keys' fixed key.
    audit_key: str = field(default="", repr=False)
    instance_dir: Path = PROJECT_ROOT / "instance"
    evidence_dir: Path = PROJECT_ROOT / "evidence"
    evidence_backend: str = "local"  # "local" or "s3"
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: str = field(default="", repr=False)
    s3_prefix: str = "evidence"
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * MB
    allowed_upload_types: str = DEFAULT_ALLOWED_TYPES
    redis_url: str = ""  # empty: the embedded SQLite job queue under instance/
    jobs_immediate: bool = False  # run background jobs inline (unit tests)
    # A running print job whose worker wrote no heartbeat for this long is stale: retried once,
    # then failed (tracker.certificates.printing).
    job_stale_seconds: int = 120
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (nginx: 1). Zero
    # (the default, `make run`): those headers are ignored, as any client could send them.
    trusted_proxies: int = 0
    # The environment's public address; read the one in force through
    # tracker.system.services.public_base_url (the administrator may override it).
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL
    default_locale: str = "id"
    # Password guessing (tracker.auth.throttle): failures within the window per account from one
    # address, per address over all accounts, and per account over all addresses (past that an
    # address that already failed on the account gets no further try; a clean address still does).
    login_max_failures: int = 5
    login_max_failures_per_ip: int = 20
    login_max_failures_per_account: int = 10
    login_window_minutes: int = 15
    rate_limit_enabled: bool = True
    # PortalRB's pulls per token and minute (tracker.portalrb, through tracker.ratelimit).
    portalrb_rate_per_minute: int = 60
    # Public certificate checks per client address and minute (/verify; 0 turns it off).
    verify_rate_per_minute: int = 30
    # The public registry's downloads (CSV/XLSX of every page at once) per client address and
    # minute (0 turns it off): each builds the whole registry, so a script must not loop on it.
    registry_export_rate_per_minute: int = 10
    deployment: str = "national"  # one of DEPLOYMENTS (TRACKER_DEPLOYMENT)
    # Outgoing mail (tracker.notifications). No host (`make run`): nothing is sent, messages wait
    # in the outbox the administrator sees at /admin/notifications.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # one of SMTP_SECURITY
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    mail_sender: str = "ZI Tracker <noreply@localhost>"
    smtp_timeout_seconds: int = 30
    smtp_ca_file: str = (
        ""  # a private CA's certificates (PEM) for the server's TLS; else the system's
    )
    # Observability (issue 18 §6, tracker.observability): "json" lines or plain "text" logs; a
    # statement slower than this many milliseconds is logged (0: none); /metrics answers a
    # request carrying `Authorization: Bearer <metrics_token>`, and without a token set only
    # direct requests from the loopback that no proxy forwarded.
    log_format: str = "json"
    slow_query_ms: int = 500
    # How long an app server reuses a national aggregate it computed (tracker.memo: the
    # dashboard's spread of area scores), in seconds; 0 computes it on every request.
    figures_cache_seconds: int = 60
    metrics_token: str = field(default="", repr=False)
    # Where pg_dump and pg_restore are (`flask backup`); empty: PATH, then the newest
    # /usr/lib/postgresql/*/bin.
    pg_bin_dir: str = ""
    # Argon2id's cost for passwords (issue 18 §3, tracker.auth.passwords): memory in KiB, passes,
    # lanes. Default: one of OWASP's equivalent settings (m=12 MiB, t=3, p=1), ~22 ms here.
    password_hash_memory_kib: int = 12288
    password_hash_time_cost: int = 3
    password_hash_parallelism: int = 1

    def __post_init__(self) -> None:
        if self.deployment not in DEPLOYMENTS:
            raise SettingsError(
                f"deployment must be one of {', '.join(DEPLOYMENTS)}, got {self.deployment!r}"
            )
        if self.smtp_security not in SMTP_SECURITY:
            raise SettingsError(
                f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, "
                f"got {self.smtp_security!r}"
            )

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def jobs_db_path(self) -> Path:
        return self.instance_dir / "jobs.sqlite3"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (default ``os.environ``). Raises SettingsError."""
        env = os.environ if env is None else env
        mode = env.get("TRACKER_ENV", "development")
        instance_dir = Path(env.get("TRACKER_INSTANCE_DIR", PROJECT_ROOT / "instance")).resolve()
        if mode == "production":
            _require(env, "DATABASE_URL", "SECRET_KEY", "AUDIT_KEY")
        database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'tracker.sqlite3'}"
        secret_key = env.get("SECRET_KEY") or _local_secret_key(instance_dir)
        audit_key = env.get("AUDIT_KEY") or _local_secret_key(instance_dir, "audit_key")
        deployment = env.get("TRACKER_DEPLOYMENT", "national").strip().lower() or "national"
        if deployment not in DEPLOYMENTS:
            raise SettingsError(
                f"TRACKER_DEPLOYMENT must be one of {', '.join(DEPLOYMENTS)}, got {deployment!r}"
            )
        if len(audit_key) < MIN_AUDIT_KEY_LENGTH:
            raise SettingsError(f"AUDIT_KEY must be at least {MIN_AUDIT_KEY_LENGTH} characters")
        return cls(
            database_url=database_url,
            secret_key=secret_key,
            audit_key=audit_key,
            env=mode,
            instance_dir=instance_dir,
            evidence_dir=Path(env.get("EVIDENCE_DIR", PROJECT_ROOT / "evidence")).resolve(),
            evidence_backend=env.get("EVIDENCE_BACKEND", "local"),
            s3_bucket=env.get("S3_BUCKET", ""),
            s3_endpoint_url=env.get("S3_ENDPOINT_URL", ""),
            s3_region=env.get("S3_REGION", "us-east-1"),
            s3_access_key=env.get("S3_ACCESS_KEY_ID", ""),
            s3_secret_key=env.get("S3_SECRET_ACCESS_KEY", ""),
            s3_prefix=env.get("S3_PREFIX", "evidence"),
            max_upload_bytes=_int(env, "MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB) * MB,
            allowed_upload_types=env.get("ALLOWED_UPLOAD_TYPES", DEFAULT_ALLOWED_TYPES),
            redis_url=env.get("REDIS_URL", ""),
            job_stale_seconds=_int(env, "JOB_STALE_SECONDS", 120),
            trusted_proxies=_int(env, "TRUSTED_PROXIES", 0),
            public_base_url=(env.get("PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL).rstrip("/"),
            default_locale=env.get("DEFAULT_LOCALE", "id"),
            portalrb_rate_per_minute=_int(env, "PORTALRB_RATE_PER_MINUTE", 60),
            verify_rate_per_minute=_int(env, "VERIFY_RATE_PER_MINUTE", 30),
            registry_export_rate_per_minute=_int(env, "REGISTRY_EXPORT_RATE_PER_MINUTE", 10),
            deployment=deployment,
            smtp_host=env.get("SMTP_HOST", "").strip(),
            smtp_port=_int(env, "SMTP_PORT", 587),
            smtp_security=env.get("SMTP_SECURITY", "starttls").strip().lower() or "starttls",
            smtp_username=env.get("SMTP_USERNAME", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            mail_sender=env.get("MAIL_FROM") or "ZI Tracker <noreply@localhost>",
            smtp_timeout_seconds=_int(env, "SMTP_TIMEOUT_SECONDS", 30),
            smtp_ca_file=env.get("SMTP_CA_FILE", ""),
            log_format=env.get("LOG_FORMAT", "json").strip().lower() or "json",
            slow_query_ms=_int(env, "SLOW_QUERY_MS", 500),
            figures_cache_seconds=_int(env, "FIGURES_CACHE_SECONDS", 60),
            metrics_token=env.get("METRICS_TOKEN", ""),
            pg_bin_dir=env.get("PG_BIN_DIR", ""),
            password_hash_memory_kib=_int(env, "PASSWORD_HASH_MEMORY_KIB", 12288),
            password_hash_time_cost=_int(env, "PASSWORD_HASH_TIME_COST", 3),
            password_hash_parallelism=_int(env, "PASSWORD_HASH_PARALLELISM", 1),
        )


def _require(env: Mapping[str, str], *names: str) -> None:
    if missing := [name for name in names if not env.get(name)]:
        raise SettingsError("TRACKER_ENV=production needs these settings: " + ", ".join(missing))


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def _local_secret_key(instance_dir: Path, name: str = "secret_key") -> str:
    """Generate a development key once and keep it in ``instance/`` (never committed)."""
    path = instance_dir / name
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting at once must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
