"""A ministry master question list (PortalRB's ``master-soal`` JSON) against a framework (D1).

``read_master`` checks the file and turns it into plain values; ``master_definition`` builds,
from a framework version's definition and a newer list, the definition of the next version and
the list of what changed, question by question (``soal_id`` and item code): added, removed,
reworded, reweighted, answer type changed. Questions keep their item code and ``soal_id``, so
answers stay linked. What the list does not say (item codes, English glosses, % formulas,
evidence examples, the rule block) is carried over from the current version.

Changes the list cannot express are refused with a message naming the question: a new count
(``Jumlah``) question (a % item needs a formula), some but not all counts of a % item removed,
a question moved to another sub-area, a count turned into a choice or the reverse, a new
component or part. Pure: no Flask, no database.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from tracker.errors import ValidationError
from tracker.i18n import N_, _
from tracker.lke.framework.model import CHOICE_KEYS, AnswerType, Framework
from tracker.lke.framework.parse import parse_framework

MAX_BYTES = 5 * 1024 * 1024  # the 2026 list is about 250 KB
MAX_SOALS = 2000
MAX_DEPTH = 8
_MAX_PROBLEMS = 10

# jenis_jawaban (upper-cased) -> answer type; None is a count input (``Jumlah``) of a % item.
JENIS: Mapping[str, AnswerType | None] = {
    "YA_TIDAK": AnswerType.YA_TIDAK,
    "ABC": AnswerType.ABC,
    "ABCD": AnswerType.ABCD,
    "ABCDE": AnswerType.ABCDE,
    "0-4": AnswerType.SURVEY_INDEX,
    "JUMLAH": None,
}
_MARKER = re.compile(r"^\s*([A-Za-z]+|\d+)\.\s*(.*)$", re.DOTALL)
_NESTED_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class MasterListError(ValidationError):
    """The master list file is unusable; ``details["problems"]`` lists every problem found."""


@dataclass(frozen=True)
class MasterOption:
    key: str
    label: str
    multiplier: Decimal


@dataclass(frozen=True)
class MasterSoal:
    id: int
    text: str
    criteria: str
    jenis: str  # as the file spells it
    answer_type: AnswerType | None  # None: a count input
    weight: Decimal
    options: tuple[MasterOption, ...]


@dataclass(frozen=True)
class MasterGroup:
    marker: str
    name: str
    weight: Decimal
    children: tuple[MasterGroup, ...]
    soals: tuple[MasterSoal, ...]


@dataclass(frozen=True)
class MasterList:
    tahun: str
    generated_at: str
    groups: tuple[MasterGroup, ...]

    def soals(self) -> Iterator[MasterSoal]:
        def walk(groups: tuple[MasterGroup, ...]) -> Iterator[MasterSoal]:
            for group in groups:
                yield from group.soals
                yield from walk(group.children)

        return walk(self.groups)


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    REWORDED = "reworded"
    REWEIGHTED = "reweighted"
    ANSWER_TYPE = "answer_type"


@dataclass(frozen=True)
class Change:
    """One difference. ``soal_id`` is None for a group's weight (``code`` names the group)."""

    kind: ChangeKind
    soal_id: int | None
    code: str
    input_key: str | None = None
    field: str = ""  # text, criteria, label, options, multiplier, weight, answer_type
    before: str = ""
    after: str = ""

    def describe(self) -> str:
        """One line in the user's language."""
        where = self.code + (f"/{self.input_key}" if self.input_key else "")
        soal = (
            _("soal %(soal_id)s (%(where)s)", soal_id=self.soal_id, where=where)
            if self.soal_id is not None
            else where
        )
        detail = _(_CHANGE_LABELS[self.kind])
        if self.field and self.kind is not ChangeKind.ANSWER_TYPE:
            detail = f"{detail} ({_(_FIELD_LABELS.get(self.field, self.field))})"
        line = f"{detail}: {soal}"
        if self.before or self.after:
            line += f": {_short(self.before)} → {_short(self.after)}"
        return line

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "soal_id": self.soal_id,
            "code": self.code,
            "input_key": self.input_key,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }


_CHANGE_LABELS = {
    ChangeKind.ADDED: N_("Soal baru"),
    ChangeKind.REMOVED: N_("Soal dihapus"),
    ChangeKind.REWORDED: N_("Redaksi berubah"),
    ChangeKind.REWEIGHTED: N_("Bobot berubah"),
    ChangeKind.ANSWER_TYPE: N_("Jenis jawaban berubah"),
}
_FIELD_LABELS = {
    "text": N_("pertanyaan"),
    "criteria": N_("kriteria"),
    "label": N_("label jumlah"),
    "options": N_("pilihan jawaban"),
    "multiplier": N_("pengali pilihan"),
    "weight": N_("bobot"),
}


def _short(value: str, limit: int = 80) -> str:
    flat = " ".join(value.split())
    return f"«{flat if len(flat) <= limit else flat[: limit - 1] + '…'}»" if flat else "«»"


# --- reading the file -------------------------------------------------------------------------

_PROBLEMS = {
    "too_big": N_("Berkas daftar soal terlalu besar (%(size)s bita, paling banyak %(limit)s)"),
    "not_json": N_("Berkas daftar soal bukan JSON yang sah: %(error)s"),
    "top": N_("Berkas daftar soal harus berupa objek JSON dengan daftar %(field)s"),
    "field": N_("%(where)s: kolom %(field)s tidak ada atau tidak sah"),
    "marker": N_('%(where)s: nama kelompok %(name)s tidak diawali penanda ("A.", "1.", "i.")'),
    "jenis": N_("%(where)s: jenis_jawaban %(value)s tidak dikenal"),
    "options": N_("%(where)s: skema_penilaian %(keys)s tidak sesuai jenis jawaban %(jenis)s"),
    "duplicate": N_("soal %(soal_id)s muncul lebih dari sekali"),
    "depth": N_("%(where)s: kelompok bersarang terlalu dalam"),
    "count": N_("Berkas daftar soal berisi terlalu banyak soal (lebih dari %(limit)s)"),
    "total": N_("total_soal %(total)s tidak sama dengan jumlah soal dalam berkas (%(found)s)"),
}


def read_master(raw: bytes) -> MasterList:
    """Check and read a master list file. Raises MasterListError listing every problem."""
    if len(raw) > MAX_BYTES:
        _raise([_(_PROBLEMS["too_big"], size=len(raw), limit=MAX_BYTES)])
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        _raise([_(_PROBLEMS["not_json"], error=str(exc)[:200])])
    if not isinstance(data, dict) or not isinstance(data.get("data"), list) or not data["data"]:
        _raise([_(_PROBLEMS["top"], field="data")])
    reader = _Reader()
    groups = tuple(reader.group(node, f"data[{i}]", 0) for i, node in enumerate(data["data"]))
    total = data.get("total_soal")
    if total is not None and total != len(reader.seen) and not reader.problems:
        reader.problems.append(_(_PROBLEMS["total"], total=total, found=len(reader.seen)))
    if not reader.seen and not reader.problems:
        reader.problems.append(_(_PROBLEMS["top"], field="soals"))
    if reader.problems:
        _raise(reader.problems)
    return MasterList(str(data.get("tahun", "")), str(data.get("generated_at", "")), groups)


def _raise(problems: list[str]) -> Any:
    shown = problems[:_MAX_PROBLEMS]
    message = "; ".join(shown)
    if len(problems) > len(shown):
        message += " " + _("(dan %(count)s masalah lain)", count=len(problems) - len(shown))
    raise MasterListError(message, problems=problems)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.seen: set[int] = set()

    def fail(self, kind: str, **params: Any) -> None:
        self.problems.append(_(_PROBLEMS[kind], **params))

    def group(self, node: Any, where: str, depth: int) -> MasterGroup:
        empty = MasterGroup("", "", Decimal(0), (), ())
        if depth > MAX_DEPTH:
            self.fail("depth", where=where)
            return empty
        if not isinstance(node, dict):
            self.fail("field", where=where, field="nama")
            return empty
        name = node.get("nama")
        match = _MARKER.match(name) if isinstance(name, str) else None
        if match is None:
            self.fail("marker", where=where, name=repr(name))
        where = f"{where} ({name})" if isinstance(name, str) else where
        weight = self.number(node, "bobot_maksimal", where)
        children, soals = node.get("children") or [], node.get("soals") or []
        if not isinstance(children, list) or not isinstance(soals, list):
            self.fail("field", where=where, field="children/soals")
            children, soals = [], []
        kids = tuple(
            self.group(child, f"{where} > {i}", depth + 1) for i, child in enumerate(children)
        )
        items = tuple(s for s in (self.soal(raw, where) for raw in soals) if s is not None)
        marker, label = (match.group(1), _clean(match.group(2))) if match else ("", "")
        return MasterGroup(marker, label, weight, kids, items)

    def number(self, node: Mapping[str, Any], key: str, where: str) -> Decimal:
        value = node.get(key)
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            result = Decimal(str(value))
            if not result.is_finite() or result < 0:
                raise InvalidOperation
        except InvalidOperation:
            self.fail("field", where=where, field=key)
            return Decimal(0)
        return result

    def soal(self, raw: Any, group: str) -> MasterSoal | None:
        soal_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(soal_id, bool) or not isinstance(soal_id, int) or soal_id < 1:
            self.fail("field", where=group, field="soals[].id")
            return None
        if len(self.seen) >= MAX_SOALS:
            if len(self.seen) == MAX_SOALS:
                self.fail("count", limit=MAX_SOALS)
                self.seen.add(-1)
            return None
        if soal_id in self.seen:
            self.fail("duplicate", soal_id=soal_id)
            return None
        self.seen.add(soal_id)
        where = f"soal {soal_id}"
        text, criteria = raw.get("teks_pertanyaan"), raw.get("kriteria_nilai", "")
        if not isinstance(text, str) or not text.strip():
            self.fail("field", where=where, field="teks_pertanyaan")
            text = ""
        if not isinstance(criteria, str | None):
            self.fail("field", where=where, field="kriteria_nilai")
            criteria = ""
        jenis = raw.get("jenis_jawaban")
        key = jenis.strip().upper() if isinstance(jenis, str) else None
        if key is None or key not in JENIS:
            self.fail("jenis", where=where, value=repr(jenis))
            return None
        answer_type = JENIS[key]
        options = self.options(raw, where, answer_type, str(jenis))
        weight = self.number(raw, "bobot_maksimal", where)
        return MasterSoal(
            soal_id, _clean(text), _clean(criteria or ""), str(jenis), answer_type, weight, options
        )

    def options(
        self, raw: Mapping[str, Any], where: str, answer_type: AnswerType | None, jenis: str
    ) -> tuple[MasterOption, ...]:
        expected = CHOICE_KEYS.get(answer_type) if answer_type is not None else None
        if expected is None:
            return ()
        schema = raw.get("skema_penilaian")
        if not isinstance(schema, list) or not all(isinstance(o, dict) for o in schema):
            self.fail("field", where=where, field="skema_penilaian")
            return ()
        keys = tuple(str(o.get("key")) for o in schema)
        if keys != expected:
            self.fail("options", where=where, keys=list(keys), jenis=jenis)
            return ()
        result = []
        for option in schema:
            multiplier = self.number(option, "multiplier", f"{where} [{option.get('key')}]")
            if multiplier > 1:
                self.fail("field", where=f"{where} [{option.get('key')}]", field="multiplier")
            label = option.get("label")
            result.append(MasterOption(str(option["key"]), _clean(str(label or "")), multiplier))
        return tuple(result)


def _clean(text: str) -> str:
    """Line ends and trailing blanks normalised, the wording kept (as the build script does)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- the next version -------------------------------------------------------------------------

_REFUSALS = {
    "new_count": N_(
        "soal %(soal_id)s (Jumlah) baru di %(group)s: butir persen baru memerlukan rumus, "
        "tambahkan lewat berkas kerangka"
    ),
    "partial_counts": N_(
        "butir persen %(code)s: sebagian masukan jumlahnya dihapus (soal %(soal_ids)s); "
        "rumusnya tidak dapat dipakai lagi"
    ),
    "moved": N_("soal %(soal_id)s (%(code)s) pindah ke %(group)s; perpindahan tidak didukung"),
    "count_type": N_(
        "soal %(soal_id)s (%(code)s): jenis jawaban %(before)s menjadi %(after)s; "
        "masukan jumlah dan pilihan jawaban tidak dapat saling berganti"
    ),
    "new_group": N_("%(code)s: komponen atau bagian baru (%(name)s) tidak didukung"),
    "no_place": N_("soal %(soal_id)s berada langsung di bawah %(group)s, bukan di sub-area"),
    "no_ids": N_("%(code)s: kerangka ini tidak mencatat soal_id butir %(item)s"),
}


def _refuse(kind: str, **params: Any) -> Any:
    raise MasterListError(_(_REFUSALS[kind], **params), **params)


@dataclass(frozen=True)
class NextVersion:
    """What importing a master list makes of a framework version."""

    changes: tuple[Change, ...]
    definition: dict[str, Any]  # the next version's file mapping (unchanged when no changes)
    framework: Framework

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((k.value for k in ChangeKind), 0)
        for change in self.changes:
            counts[change.kind.value] += 1
        return counts


def master_definition(
    definition: Mapping[str, Any], master: MasterList, *, note: str = ""
) -> NextVersion:
    """The definition of the version after ``definition`` that follows ``master``, with every
    change. Raises MasterListError (a change it cannot make) or FrameworkError (the result
    breaks a structural rule: weights that do not add up, a rule naming a removed item)."""
    builder = _Builder(definition)
    components = [builder.group(g, "", 0) for g in master.groups]
    builder.removed(master)
    changes = tuple(builder.changes)
    if not changes:
        return NextVersion((), dict(definition), builder.old)
    new = {key: copy.deepcopy(value) for key, value in definition.items()}
    new["components"] = components
    if note:
        new["version_note"] = note
    return NextVersion(changes, new, parse_framework(new))


class _Builder:
    def __init__(self, definition: Mapping[str, Any]) -> None:
        self.old = parse_framework(definition)
        self.soal_map = self.old.soal_map()
        asked = self.soal_ids()
        unmapped = [i.code for i in self.old.items() if (i.code, None) not in asked]
        if unmapped:
            _refuse("no_ids", code=self.old.code, item=unmapped[0])
        self.nodes: dict[str, dict[str, Any]] = {}
        self.parents: dict[str, str] = {}  # item code -> the code of the node holding it
        self._index(definition.get("components") or [], "")
        self.changes: list[Change] = []
        self.survey_template = next(
            (n for n in self.nodes.values() if n.get("answer_type") == "survey_index"), None
        )

    def _index(self, nodes: list[Any], parent: str) -> None:
        for node in nodes:
            self.nodes[str(node["code"])] = node
            if "answer_type" in node:
                self.parents[str(node["code"])] = parent
            for key in ("parts", "areas", "sub_areas", "items"):
                self._index(node.get(key) or [], str(node["code"]))

    def soal_ids(self) -> set[tuple[str, str | None]]:
        """(code, None) for every item PortalRB asks about: its own id or a count's."""
        return {(ref.code, None) for ref in self.soal_map.values()}

    # groups

    def group(self, group: MasterGroup, parent: str, depth: int) -> dict[str, Any]:
        code = f"{parent}.{group.marker}" if parent else group.marker
        old = self.nodes.get(code)
        if old is None and depth < 2:
            _refuse("new_group", code=code, name=group.name)
        node: dict[str, Any]
        if old is None:
            node = {"code": code, "name": group.name, "name_en": "", "weight": "0"}
        else:
            node = {k: copy.deepcopy(v) for k, v in old.items() if k not in _CHILD_KEYS}
            if Decimal(str(old["weight"])) != group.weight:
                self.change(ChangeKind.REWEIGHTED, None, code, "weight", old["weight"], group)
        node["weight"] = _decimal_text(group.weight)
        children = [self.group(child, code, depth + 1) for child in group.children]
        if children:
            node[("parts", "areas", "sub_areas")[min(depth, 2)]] = children
        if group.soals:
            if depth in (0, 2):
                _refuse("no_place", soal_id=group.soals[0].id, group=code)
            node["items"] = self.items(group.soals, code, weighted=depth == 1)
        return node

    def change(
        self,
        kind: ChangeKind,
        soal_id: int | None,
        code: str,
        field: str = "",
        before: Any = "",
        after: Any = "",
        input_key: str | None = None,
    ) -> None:
        if isinstance(after, MasterGroup):
            after = _decimal_text(after.weight)
        self.changes.append(
            Change(kind, soal_id, code, input_key, field, str(before or ""), str(after or ""))
        )

    # items

    def items(self, soals: tuple[MasterSoal, ...], code: str, *, weighted: bool) -> list[Any]:
        result: list[dict[str, Any]] = []
        percent: dict[str, dict[str, Any]] = {}
        for soal in soals:
            ref = self.soal_map.get(soal.id)
            if ref is None:
                if soal.answer_type is None:
                    _refuse("new_count", soal_id=soal.id, group=code)
                result.append(self.added(soal, code, result, weighted))
                continue
            if self.parents.get(ref.code) != code:
                _refuse("moved", soal_id=soal.id, code=ref.code, group=code)
            old = self.nodes[ref.code]
            if (ref.input_key is None) != (soal.answer_type is not None):
                before, after = old.get("answer_type"), soal.jenis
                _refuse("count_type", soal_id=soal.id, code=ref.code, before=before, after=after)
            if ref.input_key is None:
                result.append(self.kept(soal, old, weighted))
                continue
            if ref.code not in percent:
                percent[ref.code] = self.percent(soal, old)
                result.append(percent[ref.code])
            self.count(soal, percent[ref.code], ref.input_key)
        for item in percent.values():
            self.check_counts(item)
        return result

    def added(
        self, soal: MasterSoal, parent: str, siblings: list[dict[str, Any]], weighted: bool
    ) -> dict[str, Any]:
        code = self.next_code(parent, siblings)
        item: dict[str, Any] = {"code": code, "soal_id": soal.id, "text": soal.text}
        item.update({"text_en": "", "criteria": soal.criteria})
        self.set_type(item, soal)
        if weighted:
            item["weight"] = _decimal_text(soal.weight)
        self.change(ChangeKind.ADDED, soal.id, code, "", "", soal.text)
        return item

    def next_code(self, parent: str, siblings: list[dict[str, Any]]) -> str:
        """The next free item letter (number under a nested sub-area) after every code the
        sub-area had or has now: a removed item's code is never given to another question."""
        used = {str(s["code"]) for s in siblings} | {
            c for c, p in self.parents.items() if p == parent
        }
        nested = parent.count(".") >= 4  # A.II.5.iii.a: items numbered, as in D1 codes
        for index in range(1, 1000):
            suffix = str(index) if nested else _letters(index)
            if f"{parent}.{suffix}" not in used:
                return f"{parent}.{suffix}"
        raise AssertionError("unreachable: a sub-area of 1000 items")

    def set_type(self, item: dict[str, Any], soal: MasterSoal) -> None:
        assert soal.answer_type is not None  # counts never reach here
        item["answer_type"] = soal.answer_type.value
        if soal.answer_type is AnswerType.SURVEY_INDEX:
            item.pop("options", None)
            item["index_max"] = "4"
            template = self.survey_template or {}
            item.setdefault("provenance", copy.deepcopy(template.get("provenance") or []))
        else:
            item.pop("index_max", None)
            item.pop("provenance", None)
            item["options"] = [
                {"key": o.key, "label": o.label, "multiplier": _decimal_text(o.multiplier)}
                for o in soal.options
            ]

    def kept(self, soal: MasterSoal, old: dict[str, Any], weighted: bool) -> dict[str, Any]:
        code = str(old["code"])
        item = copy.deepcopy(old)
        for field in ("text", "criteria"):
            before, after = str(old.get(field) or ""), getattr(soal, field)
            if before != after:
                self.change(ChangeKind.REWORDED, soal.id, code, field, before, after)
                item[field] = after
        if old["answer_type"] != soal.answer_type:
            self.change(
                ChangeKind.ANSWER_TYPE, soal.id, code, "answer_type", old["answer_type"], soal.jenis
            )
            self.set_type(item, soal)
        elif soal.options:
            self.compare_options(soal, old, item)
        if weighted and Decimal(str(old.get("weight"))) != soal.weight:
            after = _decimal_text(soal.weight)
            self.change(ChangeKind.REWEIGHTED, soal.id, code, "weight", old.get("weight"), after)
            item["weight"] = after
        return item

    def compare_options(self, soal: MasterSoal, old: dict[str, Any], item: dict[str, Any]) -> None:
        code, before = str(old["code"]), {str(o["key"]): o for o in old.get("options") or []}
        labels = [(str(before[o.key].get("label", o.key)), o.label) for o in soal.options]
        if any(b != a for b, a in labels):
            changed = [f"{o.key}: {a}" for o, (b, a) in zip(soal.options, labels, strict=True)]
            self.change(ChangeKind.REWORDED, soal.id, code, "options", "", "; ".join(changed))
        multipliers = [
            (Decimal(str(before[o.key]["multiplier"])), o.multiplier) for o in soal.options
        ]
        if any(b != a for b, a in multipliers):
            self.change(
                ChangeKind.REWEIGHTED,
                soal.id,
                code,
                "multiplier",
                "/".join(_decimal_text(b) for b, _a in multipliers),
                "/".join(_decimal_text(a) for _b, a in multipliers),
            )
        item["options"] = [
            {
                **before[o.key],
                "label": o.label,
                "multiplier": _decimal_text(o.multiplier)
                if Decimal(str(before[o.key]["multiplier"])) != o.multiplier
                else before[o.key]["multiplier"],
            }
            for o in soal.options
        ]

    def percent(self, first: MasterSoal, old: dict[str, Any]) -> dict[str, Any]:
        """A % item, started at its first count question still listed: its text and criteria
        come from that question's criterion, as the build script takes them."""
        item = copy.deepcopy(old)
        item["_seen"] = set()
        lines = first.criteria.split("\n")
        text = str(old.get("text") or "")
        criteria = "\n".join(lines[1:] if lines[0] == text else lines)
        if criteria != str(old.get("criteria") or ""):
            self.change(
                ChangeKind.REWORDED,
                first.id,
                str(old["code"]),
                "criteria",
                old.get("criteria"),
                criteria,
            )
            item["criteria"] = criteria
        return item

    def count(self, soal: MasterSoal, item: dict[str, Any], key: str) -> None:
        row = next(r for r in item["inputs"] if r.get("key") == key)
        if str(row.get("label") or "") != soal.text:
            self.change(
                ChangeKind.REWORDED,
                soal.id,
                str(item["code"]),
                "label",
                row.get("label"),
                soal.text,
                input_key=key,
            )
            row["label"] = soal.text
        item["_seen"].add(soal.id)

    def check_counts(self, item: dict[str, Any]) -> None:
        seen: set[int] = item.pop("_seen")
        typed = {r["soal_id"] for r in item["inputs"] if r.get("soal_id") is not None}
        legacy = {r["portalrb_id"] for r in item["inputs"] if r.get("portalrb_id") is not None}
        missing = sorted((typed | legacy) - seen)
        if missing:
            _refuse("partial_counts", code=item["code"], soal_ids=", ".join(map(str, missing)))

    def removed(self, master: MasterList) -> None:
        listed = {soal.id for soal in master.soals()}
        for soal_id, ref in self.soal_map.items():
            if soal_id not in listed:
                self.change(
                    ChangeKind.REMOVED,
                    soal_id,
                    ref.code,
                    "",
                    self._label(ref.code, ref.input_key),
                    "",
                    input_key=ref.input_key,
                )

    def _label(self, code: str, key: str | None) -> str:
        item = self.old.item(code)
        if key is None:
            return item.text
        return next(r.label for r in item.inputs if r.key == key)


_CHILD_KEYS = ("parts", "areas", "sub_areas", "items")


def _letters(index: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    result = ""
    while index:
        index, rest = divmod(index - 1, 26)
        result = _NESTED_LETTERS[rest] + result
    return result
