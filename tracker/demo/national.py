"""``flask demo national --units N``: a national-sized dataset through bulk paths (issue 18 §1).

What it builds, for ``N`` units: ``N // 8`` agencies (the first one the largest, a tenth of the
units), each with one root unit and its work units below it; accounts for every role (admin, two
TPN members, per agency a TPI lead and its pimpinan, per root unit a preliminary assessor, per
enrolled unit its coordinator); one open cycle (through ``cycles.create_cycle``) in which every
enrolled unit sits at one of the stages from the declaration to the designation, with the
answers of every tier it has reached, the reviewers' item decisions, the stage transitions and
link evidence; earlier designations (recorded, D15) of the units not enrolled; the certificates of
the units designated in the cycle (through the certificate service); and an audit record for
every row a service would have audited.

The same rules as the services:

- every LKE answer set is parsed with ``lke.answers.parse_answers`` (the import's validation) and
  scored with ``lke.scoring`` through ``assessments.evaluate_tier``; the assessments cache exactly
  what ``assessments.recompute`` would store (``summary_of``). The answer sets are a handful of
  variants, each parsed and scored once and then shared by the units that have it;
- the stage paths follow ``workflow.TRANSITIONS`` (checked with ``workflow.next_stage``), each step
  a ``stage_transitions`` row and an ``accreditation:stage:advance`` record;
- the audit trail is appended with ``audit.services.record_many``: the same fields, keyed hash and
  sealed head as ``audit.record``, so ``flask audit verify`` passes afterwards;
- snapshots, designations' certificates and the cycle go through their services.

What differs, and why it is safe: rows are written with ``session.execute(insert(...), rows)`` in
chunks, with ids chosen here (PostgreSQL's sequences are moved past them at the end); and every
demo account shares one Argon2id hash of the published demo password, computed once. A salt
keeps two accounts with the same password from sharing a hash, which matters when passwords are
secret; here the password is printed for everybody, so the shared salt reveals nothing, and
hashing 6,000 accounts one by one would take more than an hour on the target machine.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from tracker import clock
from tracker.accreditation import assessments, cycles, snapshots
from tracker.accreditation.context import actor_for
from tracker.accreditation.models import (
    Answer,
    Assessment,
    Cycle,
    Designation,
    DesignationOrigin,
    Enrolment,
    ItemDecision,
    Predicate,
    StageTransition,
)
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import Action, Stage, next_stage
from tracker.agencies.models import Agency, AgencyKind, Unit
from tracker.audit import services as audit
from tracker.audit.models import AuditEvent
from tracker.auth.models import RoleGrant, User
from tracker.auth.passwords import hash_password
from tracker.auth.roles import Role
from tracker.certificates import search
from tracker.certificates import services as certificates
from tracker.demo.seed import DEMO_PASSWORD, DemoRefusedError
from tracker.demo.story import demo_calendar, sample_answers
from tracker.errors import ConflictError
from tracker.evidence.models import EvidenceFile, EvidencePurpose
from tracker.evidence.naming import display_name
from tracker.lke import Framework
from tracker.lke.answers import parse_answers
from tracker.lke.services import framework_of, sync_framework

CHUNK = 5000
LINK_HOST = "dokumen.example.go.id"  # where the demo's evidence links point
LINK_NAME = display_name(LINK_HOST)  # as evidence.add_link names a link given no title
YEAR = 2027
# The stages of the open cycle, as a pattern of 20 repeated over each agency's enrolled units:
# every stage once first (an agency with 8 enrolled units has them all), then the rest so that
# the shares are 5 % declared, 35 % building, 5 % preliminary, 25 % TPI, 5 % recommended,
# 10 % proposed, 5 % desk evaluation, 10 % designated.
STAGE_PATTERN: tuple[Stage, ...] = (
    Stage.DECLARED,
    Stage.BUILDING,
    Stage.PRELIMINARY,
    Stage.TPI_EVALUATION,
    Stage.TPI_RECOMMENDED,
    Stage.PROPOSED,
    Stage.DESK_EVALUATION,
    Stage.DESIGNATED,
    *(Stage.BUILDING, Stage.TPI_EVALUATION) * 4,
    Stage.BUILDING,
    Stage.PROPOSED,
    Stage.BUILDING,
    Stage.DESIGNATED,
)
NOT_ENROLLED_EVERY = 7  # one unit in 7 is not enrolled: it holds an earlier designation
# How each stage is reached from the declaration, and who acts at each step.
PATHS: dict[Stage, tuple[tuple[Action, str], ...]] = {}
_STEPS = (
    (Action.START_BUILDING, "koordinator"),
    (Action.SUBMIT_TPI, "koordinator"),
    (Action.TPI_MEETS, "tpi"),
    (Action.PROPOSE, "pimpinan"),
    (Action.ADMIN_PASS, "tpn"),
    (Action.DESK_CONTINUE, "tpn"),
    (Action.DESIGNATE, "tpn"),
)
PATHS[Stage.DECLARED] = ()
PATHS[Stage.BUILDING] = _STEPS[:1]
PATHS[Stage.PRELIMINARY] = (_STEPS[0], (Action.SUBMIT_PRELIMINARY, "koordinator"))
PATHS[Stage.TPI_EVALUATION] = _STEPS[:2]
PATHS[Stage.TPI_RECOMMENDED] = _STEPS[:3]
PATHS[Stage.PROPOSED] = _STEPS[:4]
PATHS[Stage.DESK_EVALUATION] = _STEPS[:5]
PATHS[Stage.DESIGNATED] = _STEPS[:7]
# The tiers each stage has an LKE for, in order (D8: each a copy of the one before, then changed).
TIERS_AT: dict[Stage, tuple[str, ...]] = {
    Stage.DECLARED: (),
    Stage.BUILDING: (TierCode.UNIT,),
    Stage.PRELIMINARY: (TierCode.UNIT, TierCode.PRELIMINARY),
    Stage.TPI_EVALUATION: (TierCode.UNIT, TierCode.TPI),
    Stage.TPI_RECOMMENDED: (TierCode.UNIT, TierCode.TPI),
    Stage.PROPOSED: (TierCode.UNIT, TierCode.TPI, TierCode.TPN),
    Stage.DESK_EVALUATION: (TierCode.UNIT, TierCode.TPI, TierCode.TPN),
    Stage.DESIGNATED: (TierCode.UNIT, TierCode.TPI, TierCode.TPN),
}
# Who judges each reviewing tier; the share of items they have decided at the stage under review.
REVIEWER_OF: dict[str, str] = {
    TierCode.PRELIMINARY: "penilai",
    TierCode.TPI: "tpi",
    TierCode.TPN: "tpn",
}
VARIANTS = 6  # distinct answer sets per tier
KINDS = (AgencyKind.KEMENTERIAN, AgencyKind.LEMBAGA, AgencyKind.PEMDA)
PROVINCES = (
    "Aceh", "Sumatera Utara", "Sumatera Barat", "Riau", "Jambi", "Sumatera Selatan", "Bengkulu",
    "Lampung", "Banten", "DKI Jakarta", "Jawa Barat", "Jawa Tengah", "DI Yogyakarta",
    "Jawa Timur", "Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Barat",
    "Kalimantan Tengah", "Kalimantan Selatan", "Kalimantan Timur", "Sulawesi Utara",
    "Sulawesi Tengah", "Sulawesi Selatan", "Sulawesi Tenggara", "Gorontalo", "Maluku", "Papua",
)  # fmt: skip
UNIT_KINDS = ("Kantor Wilayah", "Kantor Pelayanan", "Balai", "Dinas", "Satuan Kerja")


class NotEmptyError(DemoRefusedError):
    pass


@dataclass
class Report:
    """What was built: counts by kind, and the seconds each step took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    largest_agency: str = ""

    def lines(self) -> list[str]:
        out = [f"  {name:28} {count:>10,}" for name, count in self.counts.items()]
        out.append(f"  largest agency: {self.largest_agency}")
        total = sum(self.seconds.values())
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        out.append(f"  built in {total:.1f} s ({steps})")
        return out


@dataclass
class _Ids:
    """The next free id of each table: rows get their ids here, so no insert waits on another."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass(frozen=True)
class _Tier:
    """One validated and scored answer set: stored values and the cached figures."""

    values: dict[str, Any]
    cache: dict[str, Any]


def is_empty(session: Session) -> bool:
    """No agency, no account and no enrolment yet."""
    return not any(session.scalar(select(func.count()).select_from(m)) for m in (Agency, User))


def build(
    session: Session,
    *,
    units: int,
    production: bool,
    force: bool = False,
    seed: int = 2027,
    progress: Callable[[str], None] = lambda _message: None,
) -> Report:
    """Build the national dataset into ``session`` (the caller commits). Raises
    DemoRefusedError in production, NotEmptyError on a database with data (unless ``force``)."""
    if production:
        raise DemoRefusedError("Data demo tidak boleh dimuat saat TRACKER_ENV=production.")
    if units < 8:
        raise DemoRefusedError("Data nasional memerlukan paling sedikit 8 unit.")
    if not force and not is_empty(session):
        raise NotEmptyError(
            "Basis data tidak kosong; data nasional hanya dimuat ke basis data kosong "
            "(atau tambahkan --force)."
        )
    return _Builder(session, units, random.Random(seed), progress).run()  # noqa: S311 - demo data


class _Builder:
    def __init__(
        self, session: Session, units: int, rng: random.Random, progress: Callable[[str], None]
    ) -> None:
        self.session, self.units, self.rng, self.progress = session, units, rng, progress
        self.report = Report()
        self.audit: list[audit.Entry] = []
        self.now = datetime.now(UTC)
        self.today = clock.today()
        self.ids = _Ids()
        self.prefix = ""
        self.password_hash = ""
        # Filled as the steps run.
        self.agencies: list[dict[str, Any]] = []
        self.unit_rows: list[dict[str, Any]] = []
        self.roots: dict[int, dict[str, Any]] = {}  # agency id -> its root unit
        self.people: dict[tuple[str, int], int] = {}  # (role key, agency or unit id) -> user id
        self.names: dict[int, str] = {}
        self.enrolments: list[dict[str, Any]] = []
        self._by_id: dict[int, dict[str, Any]] = {}
        self._units_by_id: dict[int, dict[str, Any]] = {}

    # --- the steps -------------------------------------------------------------------------

    def run(self) -> Report:
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        if sqlite:
            # One long transaction: keep its pages in memory (512 MB) instead of spilling them
            # to the WAL file while it runs; this connection only, put back at the end.
            cache = self.session.execute(text("PRAGMA cache_size")).scalar()
            self.session.execute(text("PRAGMA cache_size = -524288"))
        for name, step in (
            ("framework", self.framework_and_ids),
            ("organisations", self.organisations),
            ("accounts", self.accounts),
            ("cycle", self.cycle),
            ("enrolments", self.enrol),
            ("lke", self.lke),
            ("designations", self.designations),
            ("audit", self.write_audit),
        ):
            started = time.perf_counter()
            self.progress(f"{name} ...")
            step()
            self.session.flush()
            self.report.seconds[name] = time.perf_counter() - started
        self._sync_sequences()
        if sqlite:
            self.session.execute(text(f"PRAGMA cache_size = {int(cache or -2000)}"))
        return self.report

    def framework_and_ids(self) -> None:
        self.framework_row, _created = sync_framework(self.session)
        self.framework: Framework = framework_of(self.framework_row)
        tables: dict[str, Any] = {
            "agencies": Agency,
            "units": Unit,
            "users": User,
            "role_grants": RoleGrant,
            "enrolments": Enrolment,
            "assessments": Assessment,
            "answers": Answer,
            "item_decisions": ItemDecision,
            "stage_transitions": StageTransition,
            "evidence_files": EvidenceFile,
            "designations": Designation,
        }
        for table, model in tables.items():
            top = self.session.scalar(select(func.max(model.id))) or 0
            self.ids.next[table] = top + 1
        # A second run (--force) keeps its codes and names apart from the first one's.
        runs = self.session.scalar(select(func.count()).select_from(Cycle)) or 0
        self.prefix = f"r{runs}-" if runs else ""
        self.year = YEAR + runs
        self.password_hash = hash_password(DEMO_PASSWORD)  # once for every account (see above)

    def organisations(self) -> None:
        count = max(1, self.units // 8)
        # The first agency holds a tenth of the units; the rest share the others evenly.
        largest = (
            max(self.units // 10, self.units // count + 1, min(self.units - count + 1, 24))
            if count > 1
            else self.units
        )
        rest = self.units - largest
        sizes = [largest] + [
            rest // (count - 1) + (i < rest % (count - 1)) for i in range(count - 1)
        ]
        for n, size in enumerate(sizes):
            kind = KINDS[n % len(KINDS)]
            province = PROVINCES[n % len(PROVINCES)]
            label = {
                AgencyKind.KEMENTERIAN: "Kementerian",
                AgencyKind.LEMBAGA: "Badan",
                AgencyKind.PEMDA: "Pemerintah Provinsi",
            }[kind]
            agency_id = self.ids.take("agencies")
            run = f" ({self.prefix.rstrip('-')})" if self.prefix else ""
            name = f"{label} {province} {n + 1:03d}{run}"
            agency = {
                "id": agency_id,
                "code": f"{self.prefix}nas-{n + 1:03d}",
                "name": name.strip(),
                "short_name": f"{label[:5]} {n + 1:03d}",
                "kind": kind,
            }
            self.agencies.append(agency)
            root_id = self.ids.take("units")
            root = self._unit(agency_id, None, root_id, f"Inspektorat {province} {n + 1:03d}", 0)
            self.roots[agency_id] = root
            for m in range(max(0, size - 1)):
                unit_id = self.ids.take("units")
                kind_name = UNIT_KINDS[m % len(UNIT_KINDS)]
                self._unit(
                    agency_id, root, unit_id, f"{kind_name} {province} {n + 1:03d}-{m + 1:04d}", 1
                )
        self.report.largest_agency = f"{self.agencies[0]['name']} ({sizes[0]} unit)"
        self._insert(Agency, self.agencies)
        self._insert(Unit, self.unit_rows)
        for agency in self.agencies:
            data = {"name": agency["name"], "code": agency["code"]}
            self._audit("agencies:agency:create", "agencies", agency["id"], None, data,
                        agency_id=agency["id"])  # fmt: skip
        for unit in self.unit_rows:
            self._audit("agencies:unit:create", "units", unit["id"], None,
                        {"name": unit["name"], "parent": unit["parent_id"]},
                        unit_id=unit["id"], agency_id=unit["agency_id"])  # fmt: skip
        self.report.counts["agencies"] = len(self.agencies)
        self.report.counts["units"] = len(self.unit_rows)

    def _unit(
        self, agency_id: int, parent: dict[str, Any] | None, unit_id: int, name: str, depth: int
    ) -> dict[str, Any]:
        row = {
            "id": unit_id,
            "agency_id": agency_id,
            "parent_id": parent["id"] if parent else None,
            "code": f"u{unit_id}",
            "name": name,
            "kind": "Unit Kerja" if depth else "Inspektorat",
            "path": f"{parent['path'] if parent else '/'}{unit_id}/",
            "depth": depth,
        }
        self.unit_rows.append(row)
        return row

    def accounts(self) -> None:
        users: list[dict[str, Any]] = []
        grants: list[dict[str, Any]] = []

        def person(key: str, scope: int, username: str, full_name: str) -> int:
            user_id = self.ids.take("users")
            users.append(
                {
                    "id": user_id,
                    "username": f"{self.prefix}{username}",
                    "full_name": full_name,
                    "password_hash": self.password_hash,
                }
            )
            self.people[(key, scope)] = user_id
            self.names[user_id] = full_name
            return user_id

        def grant(user_id: int, role: Role, *, agency: int | None = None,
                  unit: int | None = None, lead: bool = False) -> None:  # fmt: skip
            grants.append(
                {
                    "id": self.ids.take("role_grants"),
                    "user_id": user_id,
                    "role": role,
                    "agency_id": agency,
                    "unit_id": unit,
                    "areas": None,
                    "lead": lead,
                }
            )

        grant(person("admin", 0, "admin", "Administrator Nasional"), Role.ADMIN)
        grant(person("tpn", 0, "tpn", "Ketua TPN KemenPANRB"), Role.TPN, lead=True)
        grant(person("tpn2", 0, "tpn2", "Anggota TPN KemenPANRB"), Role.TPN)
        for agency in self.agencies:
            a, n = agency["id"], agency["code"].rsplit("-", 1)[-1]
            grant(
                person("tpi", a, f"tpi.{n}", f"TPI {agency['name']}"), Role.TPI, agency=a, lead=True
            )
            grant(person("pimpinan", a, f"pimpinan.{n}", f"Pimpinan {agency['name']}"),
                  Role.PIMPINAN, agency=a)  # fmt: skip
            root = self.roots[a]
            grant(person("penilai", a, f"penilai.{n}", f"Penilai {root['name']}"),
                  Role.PENILAI_PENDAHULUAN, unit=root["id"], lead=True)  # fmt: skip
        for unit in self.unit_rows:
            if unit["depth"]:
                grant(person("koordinator", unit["id"], f"koordinator.{unit['code']}",
                             f"Koordinator ZI {unit['name']}"),
                      Role.KOORDINATOR, unit=unit["id"])  # fmt: skip
        self._insert(User, users)
        self._insert(RoleGrant, grants)
        admin = self.people[("admin", 0)]
        usernames = {user["id"]: user["username"] for user in users}
        for user in users:
            self._audit("auth:user:create", "users", user["id"], admin,
                        {"username": user["username"], "full_name": user["full_name"]})  # fmt: skip
        for g in grants:
            data = {
                "role": g["role"].value,
                "user": usernames[g["user_id"]],
                "agency_id": g["agency_id"],
                "unit_id": g["unit_id"],
            }
            self._audit("auth:grant:add", "role_grants", g["id"], admin, data,
                        agency_id=g["agency_id"], unit_id=g["unit_id"])  # fmt: skip
        self.report.counts["users"] = len(users)
        self.report.counts["role grants"] = len(grants)

    def cycle(self) -> None:
        admin = self.session.get(User, self.people[("admin", 0)])
        assert admin is not None  # inserted a moment ago
        try:
            self.cycle_row = cycles.create_cycle(
                self.session,
                user=admin,
                year=self.year,
                name=f"Evaluasi ZI Nasional {self.year}",
                framework=self.framework_row,
                calendar=demo_calendar(self.today),
            )
        except ConflictError as err:
            raise DemoRefusedError(str(err)) from err
        if certificates.current_signatory(self.session) is None:
            certificates.set_signatory(
                self.session, user=admin, name="Menteri PANRB", title="Menteri PANRB"
            )

    def enrol(self) -> None:
        children = [u for u in self.unit_rows if u["depth"]]
        self.not_enrolled = children[NOT_ENROLLED_EVERY - 1 :: NOT_ENROLLED_EVERY]
        skipped = {u["id"] for u in self.not_enrolled}
        enrolled = [u for u in children if u["id"] not in skipped]
        stages: list[Stage] = []
        position: dict[int, int] = {}  # agency id -> its enrolled units so far
        first = self.agencies[0]["id"]
        for unit in enrolled:
            n = position[unit["agency_id"]] = position.get(unit["agency_id"], -1) + 1
            # Each agency starts the pattern further on (the first at its start), so that the
            # small agencies together hold every stage in its share too.
            shift = (unit["agency_id"] - first) * 7
            stages.append(STAGE_PATTERN[(n + shift) % len(STAGE_PATTERN)])
        rows, transitions = [], []
        for unit, stage in zip(enrolled, stages, strict=True):
            declared = self.today - timedelta(days=self.rng.randint(60, 200))
            enrolment_id = self.ids.take("enrolments")
            pimpinan = self.people[("pimpinan", unit["agency_id"])]
            moved = datetime.combine(declared, datetime.min.time(), UTC)
            path = PATHS[stage]
            at, current = moved, Stage.DECLARED
            for n, (action, who) in enumerate(path):
                to = next_stage(current, action)  # the workflow's table decides where it leads
                at = moved + timedelta(days=5 * (n + 1), minutes=self.rng.randint(0, 1440))
                transitions.append(
                    {
                        "id": self.ids.take("stage_transitions"),
                        "enrolment_id": enrolment_id,
                        "action": action.value,
                        "from_stage": current.value,
                        "to_stage": to.value,
                        "actor_id": self._who(who, unit),
                        "note": "",
                        "at": at,
                    }
                )
                current = to
            if current is not stage:
                raise RuntimeError(f"path to {stage} ends at {current}")
            rows.append(
                {
                    "id": enrolment_id,
                    "cycle_id": self.cycle_row.id,
                    "unit_id": unit["id"],
                    "agency_id": unit["agency_id"],
                    "target": Predicate.WBK,
                    "stage": stage,
                    "stage_since": at if path else moved,
                    "needs_preliminary": stage is Stage.PRELIMINARY,
                    "appeal_used": False,
                    "declared_on": declared,
                    "declaration_note": "Apel pencanangan ZI.",
                    "version": 1 + len(path),
                    "created_by_id": pimpinan,
                }
            )
        self._insert(Enrolment, rows)
        self._insert(StageTransition, transitions)
        self.enrolments = rows
        for e in rows:
            data = {"cycle": self.year, "target": "WBK", "declared_on": e["declared_on"]}
            self._audit("accreditation:enrolment:declare", "enrolments", e["id"],
                        e["created_by_id"], data,
                        unit_id=e["unit_id"], agency_id=e["agency_id"])  # fmt: skip
        units = {e["id"]: e for e in rows}
        for t in transitions:
            e = units[t["enrolment_id"]]
            self._audit("accreditation:stage:advance", "enrolments", e["id"], t["actor_id"],
                        {"action": t["action"], "from": t["from_stage"], "to": t["to_stage"]},
                        unit_id=e["unit_id"], agency_id=e["agency_id"])  # fmt: skip
        self.report.counts["enrolments"] = len(rows)
        self.report.counts["stage transitions"] = len(transitions)
        for stage in dict.fromkeys(STAGE_PATTERN):
            self.report.counts[f"  at {stage.value}"] = stages.count(stage)

    def _who(self, role: str, unit: dict[str, Any]) -> int:
        if role == "koordinator":
            return self.people[("koordinator", unit["id"])]
        if role == "tpn":
            return self.people[("tpn", 0)]
        return self.people[(role, unit["agency_id"])]

    # --- answers -----------------------------------------------------------------------------

    def _variants(self) -> dict[tuple[str, int, bool], _Tier]:
        """Every answer set used, validated and scored once: (tier, variant, partial)."""
        out: dict[tuple[str, int, bool], _Tier] = {}
        items = list(self.framework.items())
        for variant in range(VARIANTS):
            for partial in (False, True):
                raw = sample_answers(self.framework, 0.6 if partial else 1.0)
                for n, item in enumerate(items):  # vary the choices between variants
                    keys = item.choice_keys
                    if item.code in raw and keys and (n + variant) % 5 == 0:
                        raw[item.code] = keys[min(variant % 3, len(keys) - 1)]
                out[(TierCode.UNIT, variant, partial)] = self._score(raw)
                # Each reviewing tier changes a few answers of the tier before it.
                for shift, tier in enumerate((TierCode.PRELIMINARY, TierCode.TPI, TierCode.TPN)):
                    raw = dict(raw)
                    for n, item in enumerate(items):
                        keys = item.choice_keys
                        if item.code in raw and keys and (n + shift + variant) % 11 == 0:
                            raw[item.code] = keys[min(1 + shift, len(keys) - 1)]
                    out[(tier, variant, partial)] = self._score(raw)
        return out

    def _score(self, raw: dict[str, Any]) -> _Tier:
        answers = parse_answers(self.framework, raw)  # the import's validation: raises if wrong
        result = assessments.evaluate_tier(
            self.framework,
            answers,
            tier="",
            has_active_wbk=False,  # enrolled units hold no designation (those are not enrolled)
            area_floor_mode=self.cycle_row.area_floor_mode,
        )
        report = result.report
        cache = {
            "score_total": str(report.total.score.quantize(assessments.CACHE_PRECISION)),
            "answered": report.total.answered,
            "item_count": report.total.total,
            "eligible_wbk": result.verdicts["WBK"].eligible,
            "eligible_wbbm": result.verdicts["WBBM"].eligible,
            "summary": assessments.summary_of(report),
        }
        values = {code: assessments.to_stored(answer) for code, answer in answers.items()}
        return _Tier(values, cache)

    def lke(self) -> None:
        variants = self._variants()
        codes = [item.code for item in self.framework.items()]
        assessment_rows: list[dict[str, Any]] = []
        counts = {"answers": 0, "decisions": 0, "evidence": 0}

        def answer_rows() -> Iterator[dict[str, Any]]:
            for e in self.enrolments:
                tiers = TIERS_AT[e["stage"]]
                variant = e["id"] % VARIANTS
                partial = e["stage"] is Stage.BUILDING and e["id"] % 3 == 0
                coordinator = self.people[("koordinator", e["unit_id"])]
                previous: dict[str, Any] = {}
                for n, tier in enumerate(tiers):
                    scored = variants[(tier, variant, partial)]
                    assessment_id = self.ids.take("assessments")
                    source = tiers[n - 1] if n else None
                    assessment_rows.append(
                        {
                            "id": assessment_id,
                            "enrolment_id": e["id"],
                            "tier": tier,
                            "seeded_from": source,
                            **scored.cache,
                        }
                    )
                    author = (
                        coordinator
                        if tier == TierCode.UNIT
                        else self._who(REVIEWER_OF[tier], self._unit_of(e))
                    )
                    for code, value in scored.values.items():
                        copied = source is not None and previous.get(code) == value
                        counts["answers"] += 1
                        yield {
                            "id": self.ids.take("answers"),
                            "assessment_id": assessment_id,
                            "item_code": code,
                            "value": value,
                            "note": "",
                            "version": 1,
                            "updated_by_id": author,
                            "updated_at": e["stage_since"],
                            "copied_from": (tiers[0] if copied else None),
                        }
                    previous = scored.values
                    self._audit("accreditation:answers:import", "assessments", assessment_id,
                                author, {"tier": tier, "source": "nasional",
                                         "changed": len(scored.values)},
                                unit_id=e["unit_id"], agency_id=e["agency_id"])  # fmt: skip

        self._insert_answers(answer_rows(), assessment_rows)

        decisions: list[dict[str, Any]] = []
        evidence: list[dict[str, Any]] = []
        for e in self.enrolments:
            stage, unit = e["stage"], self._unit_of(e)
            reviewed = [t for t in TIERS_AT[stage] if t != TierCode.UNIT]
            for tier in reviewed:
                under_review = tier == reviewed[-1] and stage in (
                    Stage.PRELIMINARY, Stage.TPI_EVALUATION, Stage.PROPOSED
                )  # fmt: skip
                share = 0.4 if under_review else 1.0
                reviewer = self._who(REVIEWER_OF[tier], unit)
                for n, code in enumerate(codes[: round(len(codes) * share)]):
                    sent_back = under_review and n % 17 == 3
                    decisions.append(
                        {
                            "id": self.ids.take("item_decisions"),
                            "enrolment_id": e["id"],
                            "tier": tier,
                            "item_code": code,
                            "seq": 0,
                            "kind": "revision" if sent_back else "approved",
                            "comment": "Lengkapi bukti dukung." if sent_back else "",
                            "actor_id": reviewer,
                            "at": e["stage_since"],
                            "latest": True,  # each item's one decision stands
                        }
                    )
            if stage is not Stage.DECLARED:
                coordinator = self.people[("koordinator", e["unit_id"])]
                for code in codes[:3]:
                    public_id = f"{self.prefix}n{self.ids.next['evidence_files']:08d}"
                    evidence.append(
                        {
                            "id": self.ids.take("evidence_files"),
                            "public_id": public_id,
                            "series": public_id,
                            "enrolment_id": e["id"],
                            "purpose": EvidencePurpose.ITEM,
                            "item_code": code,
                            "version": 1,
                            "original_name": LINK_NAME,
                            "link_url": f"https://{LINK_HOST}/zi/{e['unit_id']}/{code}",
                            "description": "Tautan bukti dukung",
                            "uploaded_by_id": coordinator,
                        }
                    )
            if len(decisions) >= CHUNK * 4:
                counts["decisions"] += self._flush_decisions(decisions)
        counts["decisions"] += self._flush_decisions(decisions)
        self._insert(EvidenceFile, evidence)
        for row in evidence:
            self._audit("evidence:link:add", "evidence_files", row["id"], row["uploaded_by_id"],
                        {"item": row["item_code"], "url": row["link_url"]},
                        unit_id=None, agency_id=None)  # fmt: skip
        self.report.counts["assessments"] = len(assessment_rows)
        self.report.counts["answers"] = counts["answers"]
        self.report.counts["item decisions"] = counts["decisions"]
        self.report.counts["evidence links"] = len(evidence)

    def _flush_decisions(self, decisions: list[dict[str, Any]]) -> int:
        self._insert(ItemDecision, decisions)
        if not self._by_id:
            self._by_id = {e["id"]: e for e in self.enrolments}
        by_id = self._by_id
        for d in decisions:
            e = by_id[d["enrolment_id"]]
            self._audit(f"accreditation:review:{d['kind']}", "enrolments", e["id"], d["actor_id"],
                        {"tier": d["tier"], "item": d["item_code"], "comment": d["comment"]},
                        unit_id=e["unit_id"], agency_id=e["agency_id"])  # fmt: skip
        count = len(decisions)
        decisions.clear()
        return count

    def _unit_of(self, enrolment: dict[str, Any]) -> dict[str, Any]:
        if not self._units_by_id:
            self._units_by_id = {u["id"]: u for u in self.unit_rows}
        return self._units_by_id[enrolment["unit_id"]]

    # --- designations ------------------------------------------------------------------------

    def designations(self) -> None:
        """Earlier designations of the units not enrolled (recorded, D15), and this cycle's:
        snapshot and certificate through their services."""
        admin = self.people[("admin", 0)]
        earlier = []
        for n, unit in enumerate(self.not_enrolled):
            year = self.year - 1 - n % 3
            earlier.append(
                {
                    "id": self.ids.take("designations"),
                    "unit_id": unit["id"],
                    "agency_id": unit["agency_id"],
                    "predicate": Predicate.WBK,
                    "year": year,
                    "decree_number": f"SK-MENPANRB/{year}/{unit['id']}",
                    "decree_date": date(year, 12, 10),
                    "snapshot_sha256": "",
                    "designated_at": datetime(year, 12, 10, 3, tzinfo=UTC),
                    "designated_by_id": admin,
                    "origin": DesignationOrigin.RECORDED,
                }
            )
        self._insert(Designation, earlier)
        # A bulk insert bypasses the flush that keeps the registry's search index.
        search.refresh(self.session.connection(), (d["id"] for d in earlier))
        for d in earlier:
            self._audit("accreditation:designation:record", "designations", d["id"], admin,
                        {"predicate": "WBK", "year": d["year"], "decree_number": d["decree_number"],
                         "decree_date": d["decree_date"]},
                        unit_id=d["unit_id"], agency_id=d["agency_id"])  # fmt: skip
        # Issued here, in the chain's order, before the bulk records are appended after them.
        self.write_audit()
        self._sync_sequences()  # PostgreSQL: the services below insert with the sequences
        tpn_user = self.session.get(User, self.people[("tpn", 0)])
        assert tpn_user is not None
        designated = [e for e in self.enrolments if e["stage"] is Stage.DESIGNATED]
        issued = 0
        for row in designated:
            enrolment = self.session.get(Enrolment, row["id"])
            assert enrolment is not None
            actor = actor_for(tpn_user, enrolment.unit)
            snapshot = snapshots.take(
                self.session,
                actor=actor,
                enrolment=enrolment,
                action=Action.DESIGNATE,
                to_stage=Stage.DESIGNATED,
            )
            designation = Designation(
                enrolment_id=enrolment.id,
                unit_id=enrolment.unit_id,
                agency_id=enrolment.agency_id,
                predicate=Predicate.WBK,
                year=self.year,
                decree_number=f"SK-MENPANRB/{self.year}/{enrolment.unit_id}",
                decree_date=self.today,
                snapshot_id=snapshot.id,
                snapshot_sha256=snapshot.sha256,
                designated_by_id=tpn_user.id,
            )
            # Its audit record is the DESIGNATE step's ``accreditation:stage:advance`` (as the
            # transition writes it); the certificate service records the issue.
            self.session.add(designation)
            self.session.flush()
            certificates.issue_for_designation(
                self.session, designation=designation, user=tpn_user, issued_on=self.today
            )
            issued += 1
            if issued % 200 == 0:
                self.session.flush()
                self.session.expunge_all()
                tpn_user = self.session.get(User, self.people[("tpn", 0)])
                assert tpn_user is not None
        self.report.counts["earlier designations"] = len(earlier)
        self.report.counts["designations this cycle"] = issued
        self.report.counts["certificates"] = issued

    # --- writing -----------------------------------------------------------------------------

    def _audit(
        self,
        tag: str,
        subject_type: str,
        subject_id: Any,
        actor_id: Any,
        data: dict[str, Any],
        *,
        unit_id: Any = None,
        agency_id: Any = None,
    ) -> None:
        self.audit.append(
            audit.Entry(
                tag=tag,
                subject_type=subject_type,
                subject_id=subject_id,
                actor_id=actor_id,
                actor_name=self.names.get(actor_id, "sistem") if actor_id else "sistem",
                data=data,
                unit_id=unit_id,
                agency_id=agency_id,
            )
        )

    def write_audit(self) -> None:
        if self.audit:
            audit.record_many(self.session, self.audit, chunk=CHUNK)
            self.audit = []
        self.report.counts["audit records"] = (
            self.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        )

    def _insert(self, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(rows), CHUNK):
            self.session.execute(insert(model), list(rows[start : start + CHUNK]))

    def _insert_answers(
        self, rows: Iterator[dict[str, Any]], parents: list[dict[str, Any]]
    ) -> None:
        """Insert answers in chunks; the assessments ``rows`` appended to ``parents`` while it
        ran are written before each chunk (the foreign key)."""
        batch: list[dict[str, Any]] = []
        written = 0
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                self._insert(Assessment, parents[written:])
                written = len(parents)
                self._insert(Answer, batch)
                batch = []
        self._insert(Assessment, parents[written:])
        self._insert(Answer, batch)

    def _sync_sequences(self) -> None:
        """PostgreSQL: move each sequence past the ids chosen here."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for table in self.ids.next:
            self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our own table names
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )
