"""The same answers in both official layouts give the same score to the last decimal (issue 11,
point 5), whichever way the workbook was made: our export in each layout, an agency's Lampiran
III sheet, a bare PortalRB sheet, the real agency blank. And the command line reads both."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.lke.agency import AgencySheet, bare_portalrb, fill_real_blank, portal_cells
from tests.lke.helpers import perfect_answers
from tracker.lke.answers import parse_answers
from tracker.lke.cli import lke_cli
from tracker.lke.framework import AnswerType, Framework
from tracker.lke.scoring import ScoreReport, score
from tracker.lke.worksheet import WorksheetLayout, read_worksheet, write_worksheet


def random_answers(framework: Framework, seed: int) -> dict[str, Any]:
    """Every kind of answer, some items left blank, zero counts included."""
    rng = random.Random(seed)
    answers: dict[str, Any] = {}
    for item in framework.items():
        if rng.random() < 0.1:
            continue
        if item.answer_type is AnswerType.PERCENT:
            answers[item.code] = [rng.choice([0, 1, 2, 3, 7, 12]) for _ in item.inputs]
        elif item.answer_type is AnswerType.SURVEY_INDEX:
            answers[item.code] = f"{rng.randint(250, 400) / 100:.2f}"
        else:
            answers[item.code] = rng.choice(item.choice_keys)
    return answers


def scores(report: ScoreReport) -> dict[str, Decimal | None]:
    """Every number the engine reports, exactly."""
    found: dict[str, Decimal | None] = {"total": report.total.score}
    found |= {f"group {code}": group.score for code, group in report.groups.items()}
    found |= {f"item {code}": item.score for code, item in report.items.items()}
    found |= {f"value {code}": item.value for code, item in report.items.items()}
    return found


def scored(framework: Framework, data: bytes) -> dict[str, Decimal | None]:
    answers = read_worksheet(data, framework).answers
    return scores(score(framework, parse_answers(framework, answers)))


ANSWER_SETS = {
    "perfect": lambda fw: perfect_answers(fw),
    "nothing": lambda fw: {},
    **{f"random {seed}": (lambda fw, s=seed: random_answers(fw, s)) for seed in (1, 2, 3)},
}


@pytest.mark.parametrize("name", list(ANSWER_SETS))
def test_same_answers_same_score_in_both_layouts(framework: Framework, name: str) -> None:
    answers = ANSWER_SETS[name](framework)
    expected = scores(score(framework, parse_answers(framework, answers)))
    workbooks = {
        "lampiran3": write_worksheet(framework, answers),
        "portalrb": write_worksheet(framework, answers, layout="portalrb"),
        "agency lampiran3": AgencySheet(framework, answers).to_bytes(),
    }
    if answers:  # an empty bare sheet is no template at all
        workbooks["bare portalrb"] = bare_portalrb(portal_cells(framework, answers))
    for made, data in workbooks.items():
        assert scored(framework, data) == expected, made


@pytest.mark.parametrize("seed", [4, 5])
def test_the_real_blank_scores_as_portalrb(framework: Framework, seed: int) -> None:
    answers = random_answers(framework, seed)
    lampiran, _rows = fill_real_blank(framework, answers)
    portal = bare_portalrb(portal_cells(framework, answers))
    assert scored(framework, lampiran) == scored(framework, portal)


# --- the command line -----------------------------------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(lke_cli, list(args))


def test_score_reads_both_layouts_alike(tmp_path: Path, framework: Framework) -> None:
    answers = random_answers(framework, 6)
    outputs = {}
    for name, data in {
        "agency": AgencySheet(framework, answers).to_bytes(),
        "portal": bare_portalrb(portal_cells(framework, answers)),
    }.items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        result = run("score", str(path))
        assert result.exit_code == 0, result.output
        outputs[name] = json.loads(result.stdout)
    assert outputs["agency"]["worksheet"] == {"layout": "lampiran3", "sheet": "LKE ZI"}
    assert outputs["portal"]["worksheet"] == {"layout": "portalrb", "sheet": "Jawaban"}
    for key in ("total", "pengungkit", "hasil", "areas", "items", "eligibility"):
        assert outputs["agency"][key] == outputs["portal"][key], key


def test_score_refuses_a_workbook_in_neither_layout(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "rekap.xlsx"
    book = Workbook()
    book.active.title = "Rekap"
    book.save(path)
    result = run("score", str(path))
    assert result.exit_code == 1
    assert "Buku kerja ini tidak dikenali sebagai LKE" in result.stderr
    assert "Lembar yang ada: Rekap" in result.stderr


@pytest.mark.parametrize(
    ("option", "sheet", "layout"),
    [
        ([], "LKE ZI", WorksheetLayout.LAMPIRAN3),
        (["--layout", "lampiran3"], "LKE ZI", WorksheetLayout.LAMPIRAN3),
        (["--layout", "portalrb"], "Jawaban", WorksheetLayout.PORTALRB),
    ],
)
def test_worksheet_command_writes_either_layout(
    tmp_path: Path, framework: Framework, option: list[str], sheet: str, layout: WorksheetLayout
) -> None:
    answers_path = tmp_path / "answers.json"
    answers = {"A.I.1.i.a": "Ya", "A.II.4.i.a": [5, 3], "B.I.a": 3.61}
    answers_path.write_text(json.dumps({"answers": answers}), encoding="utf-8")
    output = tmp_path / "lke.xlsx"
    result = run("worksheet", str(output), "--answers", str(answers_path), *option)
    assert result.exit_code == 0, result.output
    read = read_worksheet(output, framework)
    assert (read.layout, read.sheet) == (layout, sheet)
    assert parse_answers(framework, read.answers) == parse_answers(framework, answers)


def test_worksheet_command_refuses_an_unknown_layout(tmp_path: Path) -> None:
    result = run("worksheet", str(tmp_path / "x.xlsx"), "--layout", "excel")
    assert result.exit_code == 2 and "lampiran3" in result.output
