"""Every kind of audit record reads as a sentence, never as its internal tag (issue 14 §4: no
event keys on screen)."""

from __future__ import annotations

import re
from pathlib import Path

from tracker.accreditation.models import DecisionKind
from tracker.audit.describe import MESSAGES

PACKAGE = Path(__file__).resolve().parents[2] / "tracker"
TAG = re.compile(
    r"""["']((?:accreditation|agencies|audit|auth|certificates|complaints|documents|evidence|lke|portalrb|system)"""
    r""":[a-z_]+:[a-z_]+)["']"""
)


def tags_in_code() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name != "describe.py":
            found.update(TAG.findall(path.read_text("utf-8")))
    # reviews.py builds its tag from the decision kind.
    found.update(f"accreditation:review:{kind.value}" for kind in DecisionKind)
    return found


def test_every_tag_written_has_a_sentence() -> None:
    tags = tags_in_code()
    assert len(tags) > 30  # the scan found the code's tags
    assert sorted(tags - set(MESSAGES)) == []
