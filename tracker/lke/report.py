"""Score reports as plain data (the CLI's JSON) and Indonesian number/rule formatting (D6, D9)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from tracker.errors import NotFoundError, ValidationError
from tracker.i18n import N_, _
from tracker.lke.answers import parse_answers
from tracker.lke.eligibility import RuleResult, RuleUnit, Verdict, evaluate
from tracker.lke.framework import Framework, get_framework
from tracker.lke.scoring import Flag, GroupResult, ScoreReport, score
from tracker.lke.worksheet import WorksheetIssue, read_worksheet

PREDICATES = ("WBK", "WBBM")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

_FLAG_MESSAGES = {
    Flag.ZERO_DENOMINATOR_NOTHING_REQUIRED: N_(
        "Butir %(code)s: penyebut nol dan tidak ada yang diwajibkan, nilai 1 (D4); mohon diperiksa"
    ),
    Flag.ZERO_DENOMINATOR: N_(
        "Butir %(code)s: penyebut nol sehingga persentase tidak dapat dihitung (#DIV/0!); butir "
        "dihitung belum dijawab dan menahan setiap penyerahan sampai jumlahnya diperbaiki"
    ),
    Flag.ZERO_DENOMINATOR_WITH_NUMERATOR: N_(
        "Butir %(code)s: penyebut nol tetapi pembilang tidak nol (#DIV/0!); butir dihitung belum "
        "dijawab dan menahan setiap penyerahan sampai jumlahnya diperbaiki"
    ),
    Flag.CLAMPED: N_("Butir %(code)s: persentase di luar rentang 0-100 %% sehingga dibatasi (D4)"),
    Flag.INPUT_MISMATCH: N_("Butir %(code)s: jumlah yang diulang berbeda dengan butir asalnya"),
}


def format_decimal_id(value: Decimal | float | int, places: int = 2) -> str:
    """Indonesian number format, half-up rounding: Decimal("1234.5") -> "1.234,50" (D6)."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _sep, fraction = format(abs(rounded), "f").partition(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{groups},{fraction}" if places > 0 else f"{sign}{groups}"


def describe_flag(code: str, flag: Flag) -> str:
    """The message for one item flag, e.g. an answer in error (D4) a hand-off must name."""
    return _(_FLAG_MESSAGES[flag], code=code)


def describe_rule(result: RuleResult) -> str:
    """D9 message for one rule, e.g. "Penguatan Pengawasan 52,00 % dari bobot, minimal 60,00 %"."""
    if result.unit is RuleUnit.FLAG:
        return (
            _("%(label)s: terpenuhi", label=result.label)
            if result.passed
            else _("%(label)s: belum terpenuhi", label=result.label)
        )
    params = {
        "label": result.label,
        "value": format_decimal_id(result.value),
        "threshold": format_decimal_id(result.threshold),
    }
    if result.unit is RuleUnit.PERCENT:
        return _("%(label)s %(value)s %% dari bobot, minimal %(threshold)s %%", **params)
    return _("%(label)s %(value)s, minimal %(threshold)s", **params)


def score_to_dict(
    report: ScoreReport, verdicts: Mapping[str, Verdict], issues: Iterable[WorksheetIssue] = ()
) -> dict[str, Any]:
    """The CLI JSON: scores as numbers at full float precision, eligibility and warnings."""
    return {
        "framework": report.framework_code,
        "total": _num(report.total.score),
        "pengungkit": _num(report.pengungkit.score),
        "hasil": _num(report.hasil.score),
        "pemenuhan": _num(report.pemenuhan.score),
        "reform": _num(report.reform.score),
        "areas": {number: _area(area) for number, area in report.areas.items()},
        "completeness": _completeness(report),
        "eligibility": {code: _verdict(verdict) for code, verdict in verdicts.items()},
        "items": {
            code: {
                "value": _num(r.value),
                "score": _num(r.score),
                "flags": [flag.value for flag in r.flags],
            }
            for code, r in report.items.items()
        },
        "warnings": _warnings(report, issues),
    }


def score_file(
    path: str | Path,
    framework_code: str = "lke-2021",
    has_wbk: bool = False,
    column_group: str = "unit",
) -> dict[str, Any]:
    """Score an official worksheet (.xlsx) or a JSON answers file into the CLI JSON.

    Raises NotFoundError (missing file or framework) and ValidationError (unreadable file,
    unknown code, answer not allowed, negative count...), naming the row or code.
    """
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(_("Berkas %(path)s tidak ditemukan", path=path))
    framework = get_framework(framework_code)
    issues: Sequence[WorksheetIssue] = ()
    raw: Mapping[str, Any]
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        result = read_worksheet(path, framework, column_group=column_group)
        raw, issues = result.answers, result.issues
    elif path.suffix.lower() == ".json":
        raw = _json_answers(path)
    else:
        raise ValidationError(
            _("Jenis berkas %(name)s tidak didukung; gunakan .xlsx atau .json", name=path.name)
        )
    return score_answers(framework, raw, has_wbk=has_wbk, issues=issues)


def score_answers(
    framework: Framework,
    raw: Mapping[str, Any],
    *,
    has_wbk: bool = False,
    issues: Iterable[WorksheetIssue] = (),
) -> dict[str, Any]:
    """Parse, score and judge raw answers. Raises ValidationError."""
    report = score(framework, parse_answers(framework, raw))
    verdicts = {
        code: evaluate(framework, report, code, has_active_wbk=has_wbk) for code in PREDICATES
    }
    return score_to_dict(report, verdicts, issues)


def _json_answers(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(
            _("Berkas %(name)s bukan JSON yang sah: %(error)s", name=path.name, error=exc)
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise ValidationError(
            _('Berkas %(name)s harus berisi objek {"answers": {...}}', name=path.name)
        )
    answers: Mapping[str, Any] = data["answers"]
    return answers


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)  # float keeps ~15 significant digits


def _group(result: GroupResult) -> dict[str, Any]:
    return {
        "score": _num(result.score),
        "weight": _num(result.weight),
        "answered": result.answered,
        "total": result.total,
    }


def _area(area: Any) -> dict[str, Any]:
    halves = {kind: _num(group.score) for kind, group in area.halves.items()}
    return {
        "name": area.name,
        "name_en": area.name_en,
        "weight": _num(area.total.weight),
        **halves,
        "total": _num(area.total.score),
        "percent": _num(area.total.ratio * 100),
    }


def _completeness(report: ScoreReport) -> dict[str, Any]:
    """Answers in error count as not answered (D4): listed in ``unanswered`` and ``errors``."""
    unanswered = [code for code, result in report.items.items() if not result.answered]
    return {
        "answered": report.total.answered,
        "total": report.total.total,
        "ratio": _num(report.total.completeness),
        "unanswered": unanswered,
        "errors": [result.code for result in report.errors()],
        "groups": {code: _group(group) for code, group in report.groups.items()},
    }


def _verdict(verdict: Verdict) -> dict[str, Any]:
    return {"eligible": verdict.eligible, "rules": [_rule(rule) for rule in verdict.rules]}


def _rule(rule: RuleResult) -> dict[str, Any]:
    return {
        "id": rule.id,
        "label": rule.label,
        "label_en": rule.label_en,
        "metric": rule.metric,
        "unit": rule.unit.value,
        "value": _num(rule.value),
        "threshold": _num(rule.threshold),
        "passed": rule.passed,
        "shortfall": _num(rule.shortfall),
        "near_threshold": rule.near_threshold,
        "message": describe_rule(rule),
    }


def _warnings(report: ScoreReport, issues: Iterable[WorksheetIssue]) -> list[dict[str, Any]]:
    warnings = [
        {"kind": issue.kind, "code": issue.code, "row": issue.row, "message": issue.message}
        for issue in issues
    ]
    for result in report.flagged():
        warnings += [
            {
                "kind": flag.value,
                "code": result.code,
                "row": None,
                "message": describe_flag(result.code, flag),
            }
            for flag in result.flags
        ]
    errors = len(report.errors())
    missing = report.total.total - report.total.answered - errors  # no answer given at all
    if missing:
        warnings.append(
            {
                "kind": "unanswered",
                "code": None,
                "row": None,
                "message": _(
                    "%(count)s butir belum dijawab; unit belum dapat diajukan ke TPI (D3)",
                    count=missing,
                ),
            }
        )
    if errors:
        warnings.append(
            {
                "kind": "input_errors",
                "code": None,
                "row": None,
                "message": _(
                    "%(count)s butir berisi isian yang salah dan dihitung belum dijawab; unit "
                    "belum dapat diajukan sampai diperbaiki (D4)",
                    count=errors,
                ),
            }
        )
    return warnings
