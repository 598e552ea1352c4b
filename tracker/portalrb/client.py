"""A client that pulls from an agency's system the way PortalRB does (issue 12 §4).

PortalRB (KemenPANRB) fetches the WBK unit list (required), the WBBM unit list (optional: a 404
``DATA_NOT_FOUND`` there means the agency proposes no WBBM unit), then each listed unit's LKE
answers. On a timeout, a 5xx or a failed connection it retries up to 3 times (at once, after 60 s,
after 120 s: the ministry's guide), then marks that fetch failed and goes on with the others. A 429
is retried after its ``Retry-After`` (bounded); any other 4xx is final. It counts the proposed
units itself from the lists. Shapes are checked as the guide gives them and each deviation is
recorded as a problem; a body that cannot be read at all fails its fetch.

No Flask, no SQLAlchemy: HTTP through ``requests``; the waits go through an injected ``sleep`` so
tests run the guide's schedule without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import quote

import requests

from tracker.i18n import N_, _

WBK = "WBK"
WBBM = "WBBM"
LIST_PATHS = {WBK: "/pengusulan/unit-wbk", WBBM: "/pengusulan/unit-wbbm"}
ANSWERS_PATH = "/lke/jawaban-unit/{unit_id}"
KATEGORI = {WBK: ("WBK", "WBK-AFIRMASI"), WBBM: ("WBBM",)}
AFIRMASI = "WBK-AFIRMASI"
OPTIONAL_ANSWER_FIELDS = ("jawaban_tpi", "catatan_unit", "bukti_dukung_unit", "catatan_tpi")

GUIDE_RETRY_DELAYS = (0.0, 60.0, 120.0)  # the guide: at once, after 60 s, after 120 s
MAX_RETRY_AFTER = 120.0  # a 429's Retry-After is honoured up to the guide's longest wait

DATA_NOT_FOUND = "DATA_NOT_FOUND"
# Failure codes of the client's own (a server's error body brings its own code).
TIMEOUT = "TIMEOUT"
CONNECTION_ERROR = "CONNECTION_ERROR"
REQUEST_ERROR = "REQUEST_ERROR"
INVALID_JSON = "INVALID_JSON"
INVALID_RESPONSE = "INVALID_RESPONSE"

Kind = Literal["text", "nullable_text", "integer", "flag"]
_KIND_MESSAGES: dict[Kind, str] = {
    "text": N_("harus berupa teks"),
    "nullable_text": N_("harus berupa teks atau null"),
    "integer": N_("harus berupa bilangan bulat"),
    "flag": N_("harus berupa true atau false"),
}


@dataclass(frozen=True)
class Problem:
    """A deviation from the guide's shapes in one response: ``field`` is e.g. ``units[0].id``
    (empty for the whole body)."""

    path: str
    field: str
    message: str


@dataclass(frozen=True)
class FetchFailure:
    """A fetch PortalRB would mark failed: ``code`` is the error body's, or the client's own
    (``TIMEOUT``, ``CONNECTION_ERROR``, ``INVALID_JSON``, ``HTTP_<status>``...)."""

    path: str
    code: str
    message: str
    attempts: int
    status: int | None = None
    unit_id: str | None = None


@dataclass(frozen=True)
class UnitPull:
    """One listed unit and what its answers held (counts are 0 when the fetch failed)."""

    id: str
    nama: str
    kategori: str
    daftar: str  # the list it came from: WBK or WBBM
    afirmasi: bool
    fetched: bool
    attempts: int
    answers: int = 0
    answered: int = 0
    with_evidence: int = 0


@dataclass(frozen=True)
class PullResult:
    """What PortalRB would see after one pull of the agency."""

    tahun: int | None
    proposed_wbk: int
    proposed_wbbm: int
    units: tuple[UnitPull, ...]
    problems: tuple[Problem, ...]
    failures: tuple[FetchFailure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class _Attempt:
    status: int | None
    body: object = None
    code: str = ""  # empty when the attempt succeeded
    message: str = ""
    transient: bool = False  # worth another attempt
    retry_after: float | None = None
    body_problem: str | None = None  # an error body not in the guide's shape


@dataclass(frozen=True)
class _Fetched:
    path: str
    last: _Attempt
    attempts: int


@dataclass(frozen=True)
class _ListedUnit:
    id: str
    nama: str
    kategori: str
    afirmasi: bool
    daftar: str
    where: str


@dataclass(frozen=True)
class _Listing:
    tahun: int | None = None
    units: tuple[_ListedUnit, ...] = ()


@dataclass
class _Counts:
    answers: int = 0
    answered: int = 0
    with_evidence: int = 0
    soal_ids: set[int] = field(default_factory=set)


class _UnusableError(Exception):
    """A body whose shape leaves nothing to read (not an object, no list where one must be)."""


@dataclass
class _Record:
    problems: list[Problem] = field(default_factory=list)
    failures: list[FetchFailure] = field(default_factory=list)

    def problem(self, path: str, where: str, message: str) -> None:
        self.problems.append(Problem(path, where, message))

    def fail(
        self, fetched: _Fetched, *, unit_id: str | None = None, code: str = "", message: str = ""
    ) -> None:
        last = fetched.last
        if last.body_problem:
            self.problem(fetched.path, "", last.body_problem)
        self.failures.append(
            FetchFailure(
                fetched.path,
                code or last.code,
                message or last.message,
                fetched.attempts,
                last.status,
                unit_id,
            )
        )


class PortalrbClient:
    """Pulls an agency's proposals and answers as PortalRB does, over real HTTP."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float,
        retry_delays: Sequence[float] = GUIDE_RETRY_DELAYS,
        sleep: Callable[[float], object] = time.sleep,
        max_retry_after: float = MAX_RETRY_AFTER,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._retry_delays = tuple(retry_delays)
        self._sleep = sleep
        self._max_retry_after = max_retry_after

    def pull(self) -> PullResult:
        """Fetch both lists, then each listed unit's answers. Never raises for what the server
        does: every failure and problem is in the result."""
        record = _Record()
        with requests.Session() as http:
            http.headers.update(
                {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
            )
            listings = {daftar: self._pull_list(http, daftar, record) for daftar in (WBK, WBBM)}
            tahun = _agreed_tahun(listings, record)
            units = _distinct(listings[WBK].units + listings[WBBM].units, record)
            pulled = tuple(self._pull_unit(http, unit, tahun, record) for unit in units)
        return PullResult(
            tahun=tahun,
            proposed_wbk=len(listings[WBK].units),
            proposed_wbbm=len(listings[WBBM].units),
            units=pulled,
            problems=tuple(record.problems),
            failures=tuple(record.failures),
        )

    def _pull_list(self, http: requests.Session, daftar: str, record: _Record) -> _Listing:
        fetched = self._fetch(http, LIST_PATHS[daftar])
        last = fetched.last
        if not last.code:
            try:
                return _read_list(fetched.path, daftar, last.body, record)
            except _UnusableError as exc:
                record.fail(fetched, code=INVALID_RESPONSE, message=str(exc))
        elif not (daftar == WBBM and last.status == 404 and last.code == DATA_NOT_FOUND):
            record.fail(fetched)  # the WBBM list's DATA_NOT_FOUND means "none proposed"
        return _Listing()

    def _pull_unit(
        self, http: requests.Session, unit: _ListedUnit, tahun: int | None, record: _Record
    ) -> UnitPull:
        fetched = self._fetch(http, ANSWERS_PATH.format(unit_id=quote(unit.id, safe="")))
        counts: _Counts | None = None
        if fetched.last.code:
            record.fail(fetched, unit_id=unit.id)
        else:
            try:
                counts = _read_answers(fetched.path, unit, tahun, fetched.last.body, record)
            except _UnusableError as exc:
                record.fail(fetched, unit_id=unit.id, code=INVALID_RESPONSE, message=str(exc))
        done = counts or _Counts()
        return UnitPull(
            unit.id, unit.nama, unit.kategori, unit.daftar, unit.afirmasi, counts is not None,
            fetched.attempts, done.answers, done.answered, done.with_evidence,
        )  # fmt: skip

    def _fetch(self, http: requests.Session, path: str) -> _Fetched:
        """One fetch: the first attempt, then a retry per scheduled delay while it is worth one."""
        last = self._attempt(http, path)
        attempts = 1
        for delay in self._retry_delays:
            if not last.transient:
                break
            wait = (
                delay if last.retry_after is None else min(last.retry_after, self._max_retry_after)
            )
            self._sleep(wait)
            last = self._attempt(http, path)
            attempts += 1
        return _Fetched(path, last, attempts)

    def _attempt(self, http: requests.Session, path: str) -> _Attempt:
        try:
            response = http.get(self.base_url + path, timeout=self._timeout)
        except requests.Timeout:  # before ConnectionError: a connect timeout is both
            message = _("Tidak ada jawaban dalam %(seconds)s detik", seconds=seconds(self._timeout))
            return _Attempt(None, code=TIMEOUT, message=message, transient=True)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            message = _("Koneksi gagal: %(error)s", error=_reason(exc))
            return _Attempt(None, code=CONNECTION_ERROR, message=message, transient=True)
        except requests.RequestException as exc:  # a malformed URL, too many redirects
            message = _("Permintaan tidak dapat dikirim: %(error)s", error=_reason(exc))
            return _Attempt(None, code=REQUEST_ERROR, message=message)
        with response:
            return _answer(response)


def seconds(value: float) -> str:
    """A number of seconds the Indonesian way: 0.5 -> "0,5", 60.0 -> "60"."""
    return f"{value:g}".replace(".", ",")


def _reason(exc: Exception) -> str:
    """The innermost cause of a requests error (its outer text repeats the URL and pool)."""
    for _depth in range(8):  # bounded: a chain of contexts could loop back on itself
        if not isinstance(exc.__context__, Exception):
            break
        exc = exc.__context__
    return str(exc) or type(exc).__name__


def _answer(response: requests.Response) -> _Attempt:
    status = response.status_code
    if 200 <= status < 300:
        try:
            return _Attempt(status, body=response.json())
        except ValueError:
            return _Attempt(status, code=INVALID_JSON, message=_("Jawaban bukan JSON yang sah"))
    code, message, body_problem = _error_body(response)
    return _Attempt(
        status,
        code=code,
        message=message,
        transient=status >= 500 or status == 429,
        retry_after=_retry_after(response) if status == 429 else None,
        body_problem=body_problem,
    )


def _error_body(response: requests.Response) -> tuple[str, str, str | None]:
    """The guide's ``{"error": true, "code": ..., "message": ...}``, or ``HTTP_<status>`` and a
    problem when the body is not in that shape."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if (
        isinstance(body, dict)
        and body.get("error") is True
        and isinstance(body.get("code"), str)
        and body["code"]
        and isinstance(body.get("message"), str)
    ):
        return body["code"], body["message"], None
    problem = _('badan galat tidak berbentuk {"error": true, "code": …, "message": …}')
    return f"HTTP_{response.status_code}", response.reason or "", problem


def _retry_after(response: requests.Response) -> float | None:
    """Seconds asked by ``Retry-After`` (seconds or an HTTP date); None if absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _Reader:
    """Reads the fields of one response body, recording each deviation against its path."""

    def __init__(self, path: str, record: _Record) -> None:
        self.path = path
        self.record = record

    def problem(self, where: str, message: str) -> None:
        self.record.problem(self.path, where, message)

    def value(
        self, obj: Mapping[str, object], key: str, kind: Kind, where: str, required: bool
    ) -> object:
        """The field's value when present and of the right kind, else None (and a problem)."""
        name = f"{where}.{key}" if where else key
        if key not in obj:
            if required:
                self.problem(name, _("wajib ada"))
            return None
        value = obj[key]
        if not _fits(value, kind):
            self.problem(name, _(_KIND_MESSAGES[kind]))
            return None
        return value

    def text(
        self, obj: Mapping[str, object], key: str, where: str = "", *, required: bool = True
    ) -> str | None:
        value = self.value(obj, key, "text", where, required)
        return value if isinstance(value, str) else None

    def nullable_text(
        self, obj: Mapping[str, object], key: str, where: str = "", *, required: bool = True
    ) -> str | None:
        value = self.value(obj, key, "nullable_text", where, required)
        return value if isinstance(value, str) else None

    def integer(self, obj: Mapping[str, object], key: str, where: str = "") -> int | None:
        value = self.value(obj, key, "integer", where, True)
        return value if isinstance(value, int) else None

    def flag(self, obj: Mapping[str, object], key: str, where: str) -> bool | None:
        value = self.value(obj, key, "flag", where, False)
        return value if isinstance(value, bool) else None


def _fits(value: object, kind: Kind) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "flag":
        return isinstance(value, bool)
    if kind == "nullable_text":
        return value is None or isinstance(value, str)
    return isinstance(value, str)


def _read_list(path: str, daftar: str, body: object, record: _Record) -> _Listing:
    """A unit list: ``{"tahun": int, "units": [{"id", "nama", "kategori"?, "afirmasi"?}]}``.
    Raises _UnusableError when there is no object or no ``units`` list."""
    if not isinstance(body, dict):
        raise _UnusableError(_("Jawaban harus berupa objek JSON"))
    reader = _Reader(path, record)
    tahun = reader.integer(body, "tahun")
    entries = body.get("units")
    if not isinstance(entries, list):
        raise _UnusableError(_("Kolom units wajib ada dan berupa daftar"))
    units = (_read_listed_unit(reader, daftar, index, e) for index, e in enumerate(entries))
    return _Listing(tahun, tuple(unit for unit in units if unit is not None))


def _read_listed_unit(
    reader: _Reader, daftar: str, index: int, entry: object
) -> _ListedUnit | None:
    """One entry of a unit list; None (with a problem) when it has no usable id."""
    where = f"units[{index}]"
    if not isinstance(entry, dict):
        reader.problem(where, _("harus berupa objek"))
        return None
    unit_id = reader.text(entry, "id", where)
    nama = reader.text(entry, "nama", where)
    afirmasi = reader.flag(entry, "afirmasi", where)
    kategori = _kategori(
        reader, daftar, where, reader.text(entry, "kategori", where, required=False), afirmasi
    )
    if unit_id is not None and not unit_id.strip():
        reader.problem(f"{where}.id", _("tidak boleh kosong"))
        unit_id = None
    if unit_id is None:
        return None
    return _ListedUnit(unit_id, nama or "", kategori, kategori == AFIRMASI, daftar, where)


def _kategori(
    reader: _Reader, daftar: str, where: str, kategori: str | None, afirmasi: bool | None
) -> str:
    """The unit's kategori: as given when the list allows it, else the list's own (afirmasi for
    a WBK unit flagged so); a flag that contradicts it is a problem."""
    allowed = KATEGORI[daftar]
    if kategori is not None and kategori not in allowed:
        message = _(
            "%(kategori)s bukan kategori daftar %(daftar)s (%(allowed)s)",
            kategori=kategori, daftar=daftar, allowed=", ".join(allowed),
        )  # fmt: skip
        reader.problem(f"{where}.kategori", message)
        kategori = None
    if kategori is None:
        return AFIRMASI if daftar == WBK and afirmasi else daftar
    if afirmasi is not None and afirmasi != (kategori == AFIRMASI):
        reader.problem(
            f"{where}.afirmasi", _("tidak sejalan dengan kategori %(kategori)s", kategori=kategori)
        )
    return kategori


def _agreed_tahun(listings: Mapping[str, _Listing], record: _Record) -> int | None:
    """The evaluation year of the WBK list (else the WBBM list's); the two must agree."""
    wbk, wbbm = listings[WBK].tahun, listings[WBBM].tahun
    if wbk is not None and wbbm is not None and wbk != wbbm:
        message = _(
            "%(tahun)s berbeda dengan tahun daftar WBK (%(expected)s)", tahun=wbbm, expected=wbk
        )
        record.problem(LIST_PATHS[WBBM], "tahun", message)
    return wbk if wbk is not None else wbbm


def _distinct(units: Sequence[_ListedUnit], record: _Record) -> list[_ListedUnit]:
    """Each unit once: an id listed again (in either list) is a problem and is not fetched twice."""
    seen: set[str] = set()
    distinct: list[_ListedUnit] = []
    for unit in units:
        if unit.id in seen:
            message = _("unit %(id)s sudah tercantum sebelumnya", id=unit.id)
            record.problem(LIST_PATHS[unit.daftar], f"{unit.where}.id", message)
            continue
        seen.add(unit.id)
        distinct.append(unit)
    return distinct


def _read_answers(
    path: str, unit: _ListedUnit, tahun: int | None, body: object, record: _Record
) -> _Counts:
    """One unit's answers: ``{"unit_id", "nama_unit", "tahun", "answers": [...]}``, counted.
    Raises _UnusableError when there is no object or no ``answers`` list."""
    if not isinstance(body, dict):
        raise _UnusableError(_("Jawaban harus berupa objek JSON"))
    reader = _Reader(path, record)
    _check_same(reader, "unit_id", reader.text(body, "unit_id"), unit.id, _("id unit yang diminta"))
    _check_same(
        reader,
        "nama_unit",
        reader.text(body, "nama_unit"),
        unit.nama or None,
        _("nama di daftar unit"),
    )
    _check_same(reader, "tahun", reader.integer(body, "tahun"), tahun, _("tahun daftar unit"))
    entries = body.get("answers")
    if not isinstance(entries, list):
        raise _UnusableError(_("Kolom answers wajib ada dan berupa daftar"))
    if not entries:
        reader.problem("answers", _("tidak ada jawaban satu pun"))
    counts = _Counts()
    for index, entry in enumerate(entries):
        _read_answer(reader, index, entry, counts)
    return counts


def _check_same(
    reader: _Reader, key: str, got: str | int | None, expected: str | int | None, what: str
) -> None:
    if got is not None and expected is not None and got != expected:
        message = _(
            "%(got)s berbeda dengan %(what)s (%(expected)s)", got=got, what=what, expected=expected
        )
        reader.problem(key, message)


def _read_answer(reader: _Reader, index: int, entry: object, counts: _Counts) -> None:
    """One answer: ``soal_id`` int and ``jawaban_unit`` string or null (both required), the other
    fields string or null when present. Counts it, answered (a non-blank ``jawaban_unit``) and
    with evidence (a non-blank ``bukti_dukung_unit``)."""
    where = f"answers[{index}]"
    counts.answers += 1
    if not isinstance(entry, dict):
        reader.problem(where, _("harus berupa objek"))
        return
    soal_id = reader.integer(entry, "soal_id", where)
    if soal_id is not None and soal_id in counts.soal_ids:
        message = _("soal_id %(soal_id)s sudah muncul sebelumnya", soal_id=soal_id)
        reader.problem(f"{where}.soal_id", message)
    elif soal_id is not None:
        counts.soal_ids.add(soal_id)
    jawaban = reader.nullable_text(entry, "jawaban_unit", where)
    optional = {
        key: reader.nullable_text(entry, key, where, required=False)
        for key in OPTIONAL_ANSWER_FIELDS
    }
    counts.answered += bool(jawaban and jawaban.strip())
    bukti = optional["bukti_dukung_unit"]
    counts.with_evidence += bool(bukti and bukti.strip())
