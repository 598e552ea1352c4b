"""`make test`'s dependency audit says plainly when it could not audit, and fails only when an
audit ran and found something (issue 13 §17)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "security_checks.py"
spec = importlib.util.spec_from_file_location("security_checks", SCRIPT)
assert spec is not None and spec.loader is not None
security_checks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(security_checks)


def judge(report) -> tuple[bool, str]:
    ok, lines = security_checks.judge_pip_audit(
        report if isinstance(report, str) else json.dumps(report)
    )
    return ok, "\n".join(lines)


def test_an_audit_that_could_not_run_is_not_called_clean() -> None:
    ok, said = judge("network unreachable")
    assert ok and "NOT audited" in said


def test_no_advisory_data_for_any_dependency_is_not_audited() -> None:
    skipped = {"name": "flask", "version": "3.1", "skip_reason": "no data"}
    ok, said = judge({"dependencies": [skipped, {**skipped, "name": "jinja2"}]})
    assert ok and "NOT audited" in said and "2 locked" in said


def test_an_audit_that_ran_clean_passes_and_says_how_many() -> None:
    ok, said = judge({"dependencies": [{"name": "flask", "version": "3.1", "vulns": []}]})
    assert ok and "1 of 1 dependencies audited, 0 with known vulnerabilities" in said


def test_a_known_vulnerability_fails_loudly() -> None:
    report = {
        "dependencies": [
            {"name": "flask", "version": "0.1", "vulns": [{"id": "PYSEC-0000-1"}]},
            {"name": "jinja2", "version": "3.1", "vulns": []},
            {"name": "x", "version": "1", "skip_reason": "not on PyPI"},
        ]
    }
    ok, said = judge(report)
    assert not ok
    assert "flask 0.1: PYSEC-0000-1" in said and "2 of 3 dependencies audited, 1 with" in said
