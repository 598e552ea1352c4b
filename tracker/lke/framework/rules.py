"""The framework's eligibility rule block (D5, D6, D9): which metric each predicate requires.

Only the data lives here; ``tracker.lke.eligibility`` judges a score report against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tracker.errors import NotFoundError
from tracker.i18n import _

METRIC_PATTERN = re.compile(r"^(total|active_wbk|(component|part|item|area_ratio):(\S+))$")


class FloorMode(StrEnum):
    """D5: whether the per-area floor applies to each area as a whole or to each of its halves."""

    COMBINED = "combined"  # pemenuhan + reform together
    EACH_HALF = "each_half"  # pemenuhan and reform separately


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    label_en: str
    metric: str
    threshold: Decimal


@dataclass(frozen=True)
class PredicateRules:
    """The rules a unit must meet to be proposed for one predicate (WBK or WBBM)."""

    code: str
    name: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Eligibility:
    area_floor_mode: FloorMode  # D5
    near_threshold: Decimal  # D6
    predicates: tuple[PredicateRules, ...]

    def predicate(self, code: str) -> PredicateRules:
        """The rules of predicate ``code`` ("WBK", "WBBM"). Raises NotFoundError."""
        for predicate in self.predicates:
            if predicate.code == code:
                return predicate
        raise NotFoundError(_("Predikat %(code)s tidak dikenal", code=code))
