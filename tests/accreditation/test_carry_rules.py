"""Year over year (issue 16 §3), the pure rules: how long a document stays valid, which carried
items still wait, and the hand-off's blocker."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.accreditation import carry_rules, guards, workflow
from tracker.accreditation.carry_rules import CarriedState, SourceFile
from tracker.accreditation.workflow import Action


@pytest.mark.parametrize(
    ("names", "yearly"),
    [
        (("SK Tim Kerja Pembangunan ZI", "sk-tim.pdf"), True),
        (("Laporan tahunan layanan informasi publik", ""), True),
        (("Rencana kerja/rencana aksi pembangunan ZI", ""), True),
        (("", "Notulen-rapat.pdf"), True),
        (("Daftar SOP", "daftar_sop.pdf"), False),
        (("Peta proses bisnis", "peta.pdf"), False),
        (("Tangkapan layar aplikasi kinerja", "risk.png"), False),  # "sk" inside a word: no
    ],
)
def test_yearly_documents_are_known_by_their_names(names: tuple[str, str], yearly: bool) -> None:
    assert carry_rules.is_yearly(*names) is yearly


def test_a_yearly_document_lasts_one_year_and_a_standing_one_two() -> None:
    files = [
        SourceFile("a", "sk.pdf", "SK Tim Kerja Pembangunan ZI", date(2025, 1, 10)),
        SourceFile("b", "sop.pdf", "Daftar SOP", date(2025, 1, 10)),
        SourceFile("c", "sk.pdf", "SK Tim Kerja Pembangunan ZI", date(2024, 2, 29)),
    ]
    sk, sop, leap = carry_rules.judge_files(files, date(2026, 3, 1))
    assert (sk.valid_until, sk.stale) == (date(2026, 1, 10), True)
    assert (sop.valid_until, sop.stale) == (date(2027, 1, 10), False)
    assert leap.valid_until == date(2025, 2, 28)
    assert not carry_rules.is_stale(date(2025, 3, 1), date(2026, 3, 1), "SK")  # the day itself


def test_only_carried_values_neither_confirmed_nor_changed_wait() -> None:
    states = [
        CarriedState("A", confirmed=False, carried_value="B", current_value="B"),
        CarriedState("B", confirmed=True, carried_value="B", current_value="B"),
        CarriedState("C", confirmed=False, carried_value="B", current_value="A"),  # changed
        CarriedState("D", confirmed=False, carried_value=[1, 2], current_value=[1, 2]),
    ]
    assert carry_rules.unconfirmed(states) == ["A", "D"]


def test_the_unit_hands_nothing_carried_on_unconfirmed() -> None:
    for action in (Action.SUBMIT_PRELIMINARY, Action.SUBMIT_TPI):
        assert guards.carried_confirmed in workflow.GUARDS[action]
    ctx = guards.Context(date(2026, 3, 1), carried_unconfirmed=3)
    assert guards.carried_confirmed(ctx) == (
        "3 butir bawaan tahun lalu belum dikonfirmasi. Buka halaman “Bawaan tahun lalu” "
        "untuk memeriksa dan mengonfirmasinya."
    )
    assert guards.carried_confirmed(guards.Context(date(2026, 3, 1), carried_unconfirmed=0)) is None
