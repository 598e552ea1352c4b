"""LKE Zona Integritas: framework definitions as data, the scoring engine, eligibility verdicts
and the official worksheet (PermenPANRB 90/2021). What this module exports is pure: no Flask,
no database (the stored framework versions are in ``models`` and ``services``).

Public API (see docs/lke-framework.md)::

    framework = get_framework("lke-2021")                 # or load_framework_file(path)
    answers = parse_answers(framework, {"A.I.1.i.a": "Ya", "A.II.4.i.a": [5, 3]})
    report = score(framework, answers)                    # ScoreReport, Decimal throughout
    verdict = evaluate(framework, report, "WBK", has_active_wbk=False)
    result = read_worksheet(xlsx_bytes, framework)        # WorksheetResult(answers, issues)

The ``flask lke`` commands live in ``tracker.lke.cli`` (imported by the app factory only).
"""

from tracker.lke.answers import (
    AnswerValue,
    ChoiceAnswer,
    CountAnswer,
    IndexAnswer,
    answer_to_raw,
    parse_answer,
    parse_answers,
)
from tracker.lke.eligibility import RuleResult, RuleUnit, Verdict, evaluate
from tracker.lke.framework import (
    AnswerType,
    FloorMode,
    Framework,
    FrameworkError,
    Item,
    LoadedFramework,
    framework_path,
    get_framework,
    load_framework_file,
    parse_framework,
)
from tracker.lke.report import (
    describe_flag,
    describe_rule,
    format_decimal_id,
    score_answers,
    score_file,
    score_to_dict,
)
from tracker.lke.scoring import AreaResult, Flag, GroupResult, ItemResult, ScoreReport, score
from tracker.lke.worksheet import WorksheetIssue, WorksheetResult, read_worksheet, write_worksheet

__all__ = [
    "AnswerType",
    "AnswerValue",
    "AreaResult",
    "ChoiceAnswer",
    "CountAnswer",
    "Flag",
    "FloorMode",
    "Framework",
    "FrameworkError",
    "GroupResult",
    "IndexAnswer",
    "Item",
    "ItemResult",
    "LoadedFramework",
    "RuleResult",
    "RuleUnit",
    "ScoreReport",
    "Verdict",
    "WorksheetIssue",
    "WorksheetResult",
    "answer_to_raw",
    "describe_flag",
    "describe_rule",
    "evaluate",
    "format_decimal_id",
    "framework_path",
    "get_framework",
    "load_framework_file",
    "parse_answer",
    "parse_answers",
    "parse_framework",
    "read_worksheet",
    "score",
    "score_answers",
    "score_file",
    "score_to_dict",
    "write_worksheet",
]
