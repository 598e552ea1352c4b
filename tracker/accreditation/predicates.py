"""The two predicates the Minister of PANRB awards a unit: Menuju WBK and Menuju WBBM.

Pure (no Flask, no SQLAlchemy): the database models store it (``models.Predicate`` is this
enum), and the certificate renderer, which must stay free of the models, prints it.
"""

from __future__ import annotations

from enum import StrEnum


class Predicate(StrEnum):
    """A predicate, by the value stored and printed: "WBK", "WBBM"."""

    WBK = "WBK"
    WBBM = "WBBM"

    @property
    def short_label(self) -> str:
        """Official short name, e.g. "Menuju WBK"."""
        return f"Menuju {self.value}"

    @property
    def long_label(self) -> str:
        """Spelled-out area name, e.g. "Wilayah Bebas dari Korupsi" (Indonesian: D12)."""
        return _LONG_LABELS[self]


_LONG_LABELS = {
    Predicate.WBK: "Wilayah Bebas dari Korupsi",
    Predicate.WBBM: "Wilayah Birokrasi Bersih dan Melayani",
}
