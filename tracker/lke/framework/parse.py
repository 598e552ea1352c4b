"""Building a Framework from its YAML file and enforcing the structural rules (D1).

Every rule a definition file must keep is checked here, once, so the scoring engine and the
worksheet can trust the tree: weights add up, codes are unique, % items carry a usable formula
and every rule metric or ``same_as`` link points at something that exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

import yaml

from tracker.errors import ValidationError
from tracker.i18n import N_, _
from tracker.lke.framework.model import (
    CHOICE_KEYS,
    ZERO_DENOMINATOR_DEFAULT,
    AnswerType,
    Area,
    Component,
    CountInput,
    Document,
    Formula,
    FormulaKind,
    Framework,
    Item,
    Option,
    Part,
    PartKind,
    ProvenanceField,
    SubArea,
    ZeroDenominator,
    sub_area_tree,
)
from tracker.lke.framework.rules import (
    METRIC_PATTERN,
    Eligibility,
    FloorMode,
    PredicateRules,
    Rule,
)

_Enum = TypeVar("_Enum", bound=StrEnum)


class FrameworkError(ValidationError):
    """A framework definition breaks a structural rule; the message names the offending code."""


# Developer-facing but still Indonesian-first (D12); every message names the offending code.
_MESSAGES = {
    "yaml": N_("%(code)s: berkas kerangka LKE bukan YAML yang sah: %(error)s"),
    "mapping": N_("%(code)s: berkas kerangka LKE harus berupa pemetaan (mapping)"),
    "number": N_("%(code)s: angka tidak sah %(value)s"),
    "required": N_("%(code)s: kolom %(field)s wajib diisi"),
    "unknown": N_("%(code)s: nilai %(field)s %(value)s tidak dikenal"),
    "children": N_("%(code)s: harus berisi bagian atau butir (tidak keduanya)"),
    "item_weight": N_("%(code)s: hanya butir hasil yang memiliki bobot sendiri"),
    "options": N_("%(code)s: pilihan %(keys)s tidak sesuai jenis jawaban %(type)s"),
    "no_multiplier": N_("%(code)s: pilihan %(key)s tidak memiliki pengali"),
    "multiplier_range": N_("%(code)s: pengali pilihan %(key)s harus antara 0 dan 1"),
    "not_percent": N_("%(code)s: hanya butir persen yang memiliki masukan jumlah dan rumus"),
    "percent": N_("%(code)s: butir persen memerlukan masukan jumlah dan rumus yang lengkap"),
    "input_ref": N_("%(code)s: rumus merujuk masukan %(key)s yang tidak ada"),
    "duplicate": N_("Kode %(code)s dipakai lebih dari sekali"),
    "weights": N_("%(code)s: jumlah bobot bagiannya %(total)s, seharusnya %(weight)s"),
}


def _fail(kind: str, **params: Any) -> FrameworkError:
    return FrameworkError(_(_MESSAGES[kind], **params), **params)


def to_decimal(value: Any, where: str) -> Decimal:
    """A Decimal from a YAML scalar (strings preferred). Raises FrameworkError naming ``where``."""
    try:
        result = Decimal(str(value)) if not isinstance(value, bool | None) else None
    except InvalidOperation:
        result = None
    if result is None or not result.is_finite():
        raise _fail("number", code=where, value=value)
    return result


def load_yaml(raw: bytes) -> Any:
    """The YAML document in ``raw``, read safely: libyaml's safe loader where PyYAML has it
    (about 14 times faster on the 200 KB framework file), else PyYAML's own. Raises YAMLError."""
    if hasattr(yaml, "CSafeLoader"):
        return yaml.load(raw, Loader=yaml.CSafeLoader)
    return yaml.safe_load(raw)


def read_framework_yaml(raw: bytes, name: str) -> Any:
    """The document in the bytes of the definition file ``name``, not yet validated. Raises
    FrameworkError when it is not YAML."""
    try:
        return load_yaml(raw)
    except yaml.YAMLError as exc:
        raise _fail("yaml", code=name, error=exc) from exc


def parse_framework_yaml(raw: bytes, name: str) -> Framework:
    """Decode and validate the bytes of the definition file ``name``. Raises FrameworkError."""
    return parse_framework(read_framework_yaml(raw, name))


def parse_framework(data: Mapping[str, Any]) -> Framework:
    """Build and validate a Framework from its file mapping. Raises FrameworkError."""
    if not isinstance(data, Mapping):
        raise _fail("mapping", code="framework")
    code = str(_req(data, "code", "framework"))
    framework = Framework(
        code=code,
        title=str(_req(data, "title", code)),
        title_en=str(data.get("title_en", "")),
        regulation=str(_req(data, "regulation", code)),
        version_note=str(data.get("version_note", "")),
        total_weight=to_decimal(data.get("total_weight", "100"), code),
        components=tuple(_component(c) for c in _req(data, "components", code)),
        eligibility=_eligibility(_req(data, "eligibility", code)),
    )
    _check_codes(framework)
    _check_soal_ids(framework)
    _check_weights(framework)
    _check_references(framework)
    return framework


def _req(data: Mapping[str, Any], key: str, where: str) -> Any:
    value = data.get(key) if isinstance(data, Mapping) else None
    if value is None or value == "" or value == []:
        raise _fail("required", code=where, field=key)
    return value


def _enum(cls: type[_Enum], data: Mapping[str, Any], key: str, where: str) -> _Enum:
    try:
        return cls(_req(data, key, where))
    except ValueError:
        raise _fail("unknown", code=where, field=key, value=data.get(key)) from None


# --- the tree ---------------------------------------------------------------------------------


def _named(data: Mapping[str, Any]) -> dict[str, Any]:
    code = str(_req(data, "code", "?"))
    weight = to_decimal(_req(data, "weight", code), code)
    return {
        "code": code,
        "name": str(_req(data, "name", code)),
        "name_en": str(data.get("name_en", "")),
        "weight": weight,
    }


def _component(data: Mapping[str, Any]) -> Component:
    fields = _named(data)
    parts = tuple(_part(p) for p in _req(data, "parts", fields["code"]))
    return Component(kind=str(_req(data, "kind", fields["code"])), parts=parts, **fields)


def _part(data: Mapping[str, Any]) -> Part:
    fields = _named(data)
    kind = _enum(PartKind, data, "kind", fields["code"])
    areas = tuple(_area(a) for a in data.get("areas") or ())
    items = tuple(_item(i, weighted=True) for i in data.get("items") or ())
    if bool(areas) == bool(items):
        raise _fail("children", code=fields["code"])
    return Part(kind=kind, areas=areas, items=items, **fields)


def _area(data: Mapping[str, Any]) -> Area:
    fields = _named(data)
    sub_areas = tuple(_sub_area(s) for s in _req(data, "sub_areas", fields["code"]))
    return Area(sub_areas=sub_areas, **fields)


def _sub_area(data: Mapping[str, Any]) -> SubArea:
    fields = _named(data)
    items = tuple(_item(i, weighted=False) for i in data.get("items") or ())
    children = tuple(_sub_area(s) for s in data.get("sub_areas") or ())
    if bool(items) == bool(children):
        raise _fail("children", code=fields["code"])
    return SubArea(items=items, children=children, **fields)


# --- items ------------------------------------------------------------------------------------


def _item(data: Mapping[str, Any], *, weighted: bool) -> Item:
    code = str(_req(data, "code", "?"))
    answer_type = _enum(AnswerType, data, "answer_type", code)
    survey = answer_type is AnswerType.SURVEY_INDEX
    item = Item(
        code=code,
        text=str(_req(data, "text", code)),
        text_en=str(data.get("text_en", "")),
        criteria=str(data.get("criteria") or ""),
        answer_type=answer_type,
        options=tuple(_option(o, code) for o in data.get("options") or ()),
        rows=tuple(_count_input(r, code) for r in data.get("inputs") or ()),
        formula=_formula(data["formula"], code) if data.get("formula") else None,
        weight=to_decimal(data["weight"], code) if data.get("weight") is not None else None,
        index_max=to_decimal(data.get("index_max", "4"), code) if survey else None,
        documents=tuple(_document(d, code) for d in data.get("documents") or ()),
        provenance=tuple(_provenance(p, code) for p in data.get("provenance") or ()),
        soal_id=_soal_id(data, code),
    )
    _check_item(item, weighted=weighted)
    return item


def _document(data: Mapping[str, Any], code: str) -> Document:
    return Document(
        str(_req(data, "key", code)),
        str(_req(data, "title", code)),
        str(data.get("title_en", "")),
        bool(data.get("required", False)),
    )


def _provenance(data: Mapping[str, Any], code: str) -> ProvenanceField:
    return ProvenanceField(
        str(_req(data, "key", code)),
        str(_req(data, "label", code)),
        str(data.get("label_en", "")),
        str(data.get("type", "text")),
        bool(data.get("required", False)),
    )


def _option(data: Mapping[str, Any], code: str) -> Option:
    key = str(_req(data, "key", code))
    if data.get("multiplier") is None:
        raise _fail("no_multiplier", code=code, key=key)
    multiplier = to_decimal(data["multiplier"], code)
    if not Decimal(0) <= multiplier <= Decimal(1):
        raise _fail("multiplier_range", code=code, key=key)
    return Option(key, str(data.get("label", key)), multiplier)


def _count_input(data: Mapping[str, Any], code: str) -> CountInput:
    return CountInput(
        key=str(_req(data, "key", code)),
        label=str(_req(data, "label", code)),
        label_en=str(data.get("label_en", "")),
        sum_of=tuple(str(k) for k in data.get("sum_of") or ()),
        same_as=str(data["same_as"]) if data.get("same_as") else None,
        soal_id=_soal_id(data, code),
    )


def _soal_id(data: Mapping[str, Any], code: str) -> int | None:
    """PortalRB's question id: ``soal_id``, or ``portalrb_id`` in files (and stored versions)
    written before issue 12. A positive integer when present."""
    value = data.get("soal_id", data.get("portalrb_id"))
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail("unknown", code=code, field="soal_id", value=value)
    return value


def _formula(data: Mapping[str, Any], code: str) -> Formula:
    kind = _enum(FormulaKind, data, "kind", code)
    # D4: a file that does not say gets its kind's reading (files written before revised D4).
    zero = (
        _enum(ZeroDenominator, data, "zero_denominator", code)
        if data.get("zero_denominator") is not None
        else ZERO_DENOMINATOR_DEFAULT[kind]
    )
    return Formula(
        kind,
        numerator=_keys(data.get("numerator")),
        denominator=_keys(data.get("denominator")),
        previous=data.get("previous"),
        current=data.get("current"),
        zero_denominator=zero,
    )


def _keys(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)


def _check_item(item: Item, *, weighted: bool) -> None:
    """Per-item rules: options match the type, % items have inputs and a usable formula."""
    if weighted != (item.weight is not None):
        raise _fail("item_weight", code=item.code)
    if item.choice_keys != CHOICE_KEYS.get(item.answer_type, ()):
        raise _fail("options", code=item.code, keys=list(item.choice_keys), type=item.answer_type)
    if item.answer_type is AnswerType.PERCENT:
        _check_percent(item)
    elif item.rows or item.formula:
        raise _fail("not_percent", code=item.code)
    if len({d.key for d in item.documents}) != len(item.documents):
        raise _fail("duplicate", code=f"{item.code} (dokumen)")


def _check_percent(item: Item) -> None:
    formula, keys = item.formula, {row.key for row in item.inputs}
    if formula is None or not item.inputs:
        raise _fail("percent", code=item.code)
    used: tuple[str | None, ...]
    if formula.kind is FormulaKind.DECREASE:
        used, complete = (
            (formula.previous, formula.current),
            bool(formula.previous and formula.current),
        )
    else:
        used, complete = formula.numerator + formula.denominator, bool(formula.denominator)
    if not complete:
        raise _fail("percent", code=item.code)
    missing = [k for k in (*used, *(k for row in item.rows for k in row.sum_of)) if k not in keys]
    if missing:
        raise _fail("input_ref", code=item.code, key=", ".join(map(str, missing)))
    if len({row.key for row in item.rows}) != len(item.rows):
        raise _fail("duplicate", code=f"{item.code} (jumlah)")


# --- the eligibility rule block ---------------------------------------------------------------


def _eligibility(data: Mapping[str, Any]) -> Eligibility:
    mode = _floor_mode(data)
    predicates = tuple(_predicate(p) for p in _req(data, "predicates", "eligibility"))
    near = to_decimal(data.get("near_threshold", "0.005"), "eligibility")
    return Eligibility(mode, near, predicates)


def _floor_mode(data: Mapping[str, Any]) -> FloorMode:
    mode = str(data.get("area_floor_mode", FloorMode.COMBINED))
    try:
        return FloorMode(mode)
    except ValueError:
        raise _fail("unknown", code="eligibility", field="area_floor_mode", value=mode) from None


def _predicate(data: Mapping[str, Any]) -> PredicateRules:
    code = str(_req(data, "code", "eligibility"))
    rules = tuple(_rule(r, code) for r in _req(data, "rules", code))
    return PredicateRules(code, str(data.get("name", code)), rules)


def _rule(data: Mapping[str, Any], predicate: str) -> Rule:
    where = f"{predicate}/{_req(data, 'id', predicate)}"
    metric = str(_req(data, "metric", where))
    if not METRIC_PATTERN.match(metric):
        raise _fail("unknown", code=where, field="metric", value=metric)
    threshold = to_decimal(_req(data, "threshold", where), where)
    return Rule(
        str(data["id"]),
        str(_req(data, "label", where)),
        str(data.get("label_en", "")),
        metric,
        threshold,
    )


# --- whole-framework checks -------------------------------------------------------------------


def _all_codes(framework: Framework) -> Iterator[str]:
    for component in framework.components:
        yield component.code
        for part in component.parts:
            yield part.code
            yield from (item.code for item in part.items)
            for area in part.areas:
                yield area.code
                for node in (n for top in area.sub_areas for n in sub_area_tree(top)):
                    yield node.code
                    yield from (item.code for item in node.items)


def _check_codes(framework: Framework) -> None:
    seen: set[str] = set()
    for code in _all_codes(framework):
        if code in seen:
            raise _fail("duplicate", code=code)
        seen.add(code)


def _check_soal_ids(framework: Framework) -> None:
    """A PortalRB soal_id names one item or one count input, never two."""
    seen: set[int] = set()
    for item in framework.items():
        for soal_id in (item.soal_id, *(row.soal_id for row in item.rows)):
            if soal_id is not None and soal_id in seen:
                raise _fail("duplicate", code=f"{item.code} (soal_id {soal_id})")
            if soal_id is not None:
                seen.add(soal_id)


def _check_sum(code: str, weight: Decimal, parts: Iterable[Decimal]) -> None:
    total = sum(parts, Decimal(0))
    if total != weight:
        raise _fail("weights", code=code, total=total, weight=weight)


def _check_weights(framework: Framework) -> None:
    """Sub-areas add up to their area (nested ones to their parent), areas or results items to
    their part, parts to their component and the components to 100."""
    _check_sum(framework.code, Decimal(100), (c.weight for c in framework.components))
    for component in framework.components:
        _check_sum(component.code, component.weight, (p.weight for p in component.parts))
        for part in component.parts:
            children: Iterable[Area | Item] = part.areas or part.items
            _check_sum(part.code, part.weight, (c.weight or Decimal(0) for c in children))
            for area in part.areas:
                _check_sum(area.code, area.weight, (s.weight for s in area.sub_areas))
                for node in (n for top in area.sub_areas for n in sub_area_tree(top)):
                    if node.children:
                        _check_sum(node.code, node.weight, (c.weight for c in node.children))


def _check_references(framework: Framework) -> None:
    """Rule metrics and ``same_as`` links must point at things that exist."""
    known = {
        "component": set(_all_codes(framework)),
        "part": set(_all_codes(framework)),
        "item": {item.code for item in framework.items()},
        "area_ratio": {area.number for _part, area in framework.areas()},
    }
    for predicate in framework.eligibility.predicates:
        for rule in predicate.rules:
            match = METRIC_PATTERN.match(rule.metric)
            kind, target = match.group(2, 3)  # type: ignore[union-attr]  # _rule matched it already
            if kind and target not in known[kind]:
                raise _fail(
                    "unknown", code=f"{predicate.code}/{rule.id}", field="metric", value=rule.metric
                )
    for item in framework.items():
        for row in item.rows:
            if row.same_as and not _input_exists(framework, row.same_as):
                raise _fail("input_ref", code=item.code, key=row.same_as)


def _input_exists(framework: Framework, reference: str) -> bool:
    code, _sep, key = reference.partition("/")
    return framework.has_item(code) and key in {r.key for r in framework.item(code).inputs}
