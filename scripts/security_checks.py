"""Static security checks run by `make test`.

- bandit over the application code: any HIGH-severity finding fails the run.
- pip-audit over the locked dependencies (requirements.lock). When the advisory source cannot
  be reached (this machine reaches package registries only), say so plainly and continue: an
  empty report from an unreachable source is not evidence that the dependencies are safe.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run_bandit() -> bool:
    result = subprocess.run(
        [str(BIN / "bandit"), "-q", "-r", "tracker", "config.py", "wsgi.py", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout or "{}")
    findings = report.get("results", [])
    high = [f for f in findings if f["issue_severity"] == "HIGH"]
    for f in high:
        print(f"bandit HIGH: {f['filename']}:{f['line_number']} {f['test_id']} {f['issue_text']}")
    medium = sum(1 for f in findings if f["issue_severity"] == "MEDIUM")
    print(f"bandit: {len(high)} high, {medium} medium, {len(findings) - len(high) - medium} low")
    return not high


def run_pip_audit() -> bool:
    result = subprocess.run(
        [
            str(BIN / "pip-audit"),
            "-r",
            "requirements.lock",
            "--disable-pip",
            "--no-deps",
            "--progress-spinner",
            "off",
            "-f",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    ok, lines = judge_pip_audit(result.stdout)
    print("\n".join(lines))
    return ok


def judge_pip_audit(stdout: str) -> tuple[bool, list[str]]:
    """Whether pip-audit's JSON report passes, and what to print (issue 13 §17): an audit that
    could not run, or got no advisory data for any dependency, says "NOT audited" plainly and
    passes; an audit that ran fails on any known vulnerability."""
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError:
        return True, [
            "pip-audit: the advisory source could not be reached from this machine; "
            "dependencies NOT audited (this is not a clean bill of health)."
        ]
    deps = report.get("dependencies", []) if isinstance(report, dict) else []
    audited = [d for d in deps if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    if not audited:
        return True, [
            f"pip-audit: the advisory source gave no data for any of the {len(deps)} locked "
            "dependencies (unreachable from this machine); dependencies NOT audited."
        ]
    lines = [
        f"pip-audit: {dep['name']} {dep['version']}: " + ", ".join(v["id"] for v in dep["vulns"])
        for dep in vulnerable
    ]
    lines.append(
        f"pip-audit: {len(audited)} of {len(deps)} dependencies audited, "
        f"{len(vulnerable)} with known vulnerabilities"
    )
    return not vulnerable, lines


def main() -> int:
    ok = run_bandit()
    ok = run_pip_audit() and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
