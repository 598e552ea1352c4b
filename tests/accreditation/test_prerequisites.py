"""Proposal prerequisites (D10) as data and rules, alone: no app, no database."""

from __future__ import annotations

import pytest
import yaml

from tracker.accreditation.prerequisites import (
    Recorded,
    Spec,
    is_met,
    normalise,
    parse_catalogue,
    unmet,
)
from tracker.errors import ValidationError
from tracker.lke import framework_path

BPK = {
    "code": "agency.bpk_opinion",
    "level": "agency",
    "label": "Opini BPK",
    "label_en": "BPK opinion",
    "kind": "grade",
    "grades": ["WTP", "WDP", "TW", "TMP"],
    "minimum": {"WBK": "WTP", "WBBM": "WTP"},
}
RB_INDEX = {
    "code": "agency.rb_index",
    "level": "agency",
    "label": "Indeks RB",
    "kind": "grade",
    "grades": ["AA", "A", "BB", "B", "CC", "C", "D"],
    "minimum": {"WBK": {"pemda": "CC", "default": "B"}, "WBBM": {"pemda": "B"}},
}
CORE = {
    "code": "unit.core_service",
    "level": "unit",
    "label": "Pelayanan utama",
    "kind": "yes_no",
    "minimum": {"WBK": "Ya", "WBBM": "Ya"},
}
TLHP = {
    "code": "unit.tlhp",
    "level": "unit",
    "label": "Tindak lanjut (%)",
    "kind": "percent",
    "minimum": {"WBK": "100", "WBBM": "100"},
}
MONTHS = {
    "code": "unit.building_months",
    "level": "unit",
    "label": "Lama membangun (bulan)",
    "kind": "months",
    "minimum": {"WBK": "12"},
}
bpk, rb_index, core, tlhp, months = parse_catalogue([BPK, RB_INDEX, CORE, TLHP, MONTHS])


# --- the catalogue ------------------------------------------------------------------------------


def test_parsing_keeps_every_field_and_fills_the_optional_ones() -> None:
    assert bpk == Spec(
        code="agency.bpk_opinion",
        level="agency",
        label="Opini BPK",
        label_en="BPK opinion",
        kind="grade",
        grades=("WTP", "WDP", "TW", "TMP"),
        minimum={"WBK": "WTP", "WBBM": "WTP"},
    )
    assert (core.label_en, core.grades) == ("Pelayanan utama", ())  # English falls back
    (bare,) = parse_catalogue([{"code": "x", "level": "unit", "label": "X", "kind": "months"}])
    assert bare.minimum == {} and bare.minimum_for("WBK", "pemda") is None


def test_the_2021_framework_brings_its_own_catalogue() -> None:
    data = yaml.safe_load(framework_path("lke-2021").read_text(encoding="utf-8"))
    specs = parse_catalogue(data["prerequisites"])
    assert [s.level for s in specs] == ["agency"] * 4 + ["unit"] * 6
    assert {s.kind for s in specs} == {"grade", "yes_no", "percent", "months"}
    for spec in specs:
        assert spec.label_en != spec.label, spec.code
        for predicate in ("WBK", "WBBM"):
            minimum = spec.minimum_for(predicate, "kementerian")
            assert minimum is not None, (spec.code, predicate)
            if spec.kind == "grade":
                assert minimum in spec.grades, (spec.code, predicate)


@pytest.mark.parametrize(
    ("spec", "predicate", "agency_kind", "expected"),
    [
        (bpk, "WBK", "kementerian", "WTP"),
        (bpk, "WBX", "kementerian", None),  # no minimum for an unknown predicate
        (rb_index, "WBK", "pemda", "CC"),  # local governments have their own floor
        (rb_index, "WBK", "kementerian", "B"),  # everybody else: the default
        (rb_index, "WBBM", "pemda", "B"),
        (rb_index, "WBBM", "lembaga", None),  # a per-kind minimum without a default
        (months, "WBBM", "pemda", None),
    ],
)
def test_minimum_for(spec: Spec, predicate: str, agency_kind: str, expected) -> None:
    assert spec.minimum_for(predicate, agency_kind) == expected


# --- recording a value --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "raw", "stored"),
    [
        (bpk, "WTP", "WTP"),
        (bpk, " wdp ", "WDP"),
        (rb_index, "bb", "BB"),
        (core, "ya", "Ya"),
        (core, " TIDAK ", "Tidak"),
        (tlhp, "100", "100"),
        (tlhp, "0", "0"),
        (tlhp, "99,5", "99.5"),  # Indonesian decimal comma
        (tlhp, " 87.25 ", "87.25"),
        (months, "14", "14"),
        (months, "240", "240"),  # months have no upper bound
        (months, "0", "0"),
    ],
)
def test_values_are_stored_in_one_form(spec: Spec, raw: str, stored: str) -> None:
    assert normalise(spec, raw) == stored


@pytest.mark.parametrize(
    ("spec", "raw", "message"),
    [
        (bpk, "WTP-DPP", "Opini BPK: pilih salah satu dari WTP, WDP, TW, TMP."),
        (bpk, "W T P", "Opini BPK: pilih salah satu dari WTP, WDP, TW, TMP."),
        (bpk, "", "Opini BPK: pilih salah satu dari WTP, WDP, TW, TMP."),
        (core, "y", "Pelayanan utama: isi Ya atau Tidak."),
        (core, "yes", "Pelayanan utama: isi Ya atau Tidak."),
        (tlhp, "100.01", "Tindak lanjut (%): isi angka yang valid."),
        (tlhp, "-0.1", "Tindak lanjut (%): isi angka yang valid."),
        (tlhp, "", "Tindak lanjut (%): isi angka yang valid."),
        (tlhp, "seratus", "Tindak lanjut (%): isi angka yang valid."),
        (tlhp, "NaN", "Tindak lanjut (%): isi angka yang valid."),
        (months, "Infinity", "Lama membangun (bulan): isi angka yang valid."),
        (months, "-1", "Lama membangun (bulan): isi angka yang valid."),
        (months, "1.2.3", "Lama membangun (bulan): isi angka yang valid."),
    ],
)
def test_bad_values_are_refused_naming_the_prerequisite(spec: Spec, raw: str, message) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise(spec, raw)
    assert str(caught.value) == message


# --- is the minimum reached? --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "value", "predicate", "agency_kind", "met"),
    [
        (bpk, "WTP", "WBK", "kementerian", True),  # exactly the minimum
        (bpk, "WDP", "WBK", "kementerian", False),  # one grade below
        (bpk, "TMP", "WBBM", "kementerian", False),
        (rb_index, "A", "WBK", "kementerian", True),  # better than the minimum
        (rb_index, "B", "WBK", "kementerian", True),
        (rb_index, "CC", "WBK", "kementerian", False),
        (rb_index, "CC", "WBK", "pemda", True),  # the local-government floor
        (rb_index, "C", "WBK", "pemda", False),
        (rb_index, "D", "WBBM", "lembaga", True),  # no minimum: nothing to reach
        (core, "Ya", "WBK", "kementerian", True),
        (core, "Tidak", "WBK", "kementerian", False),
        (tlhp, "100", "WBK", "kementerian", True),
        (tlhp, "99.99", "WBK", "kementerian", False),
        (tlhp, "100.0", "WBBM", "kementerian", True),
        (months, "12", "WBK", "pemda", True),
        (months, "11.9", "WBK", "pemda", False),
        (months, "3", "WBBM", "pemda", True),  # no WBBM minimum in this catalogue
    ],
)
def test_is_met(spec: Spec, value: str, predicate: str, agency_kind: str, met: bool) -> None:
    assert is_met(spec, value, predicate, agency_kind) is met


def test_nothing_recorded_meets_only_a_missing_minimum() -> None:
    assert is_met(bpk, None, "WBK", "kementerian") is False
    assert is_met(months, None, "WBBM", "kementerian") is True


# --- what still blocks a proposal ---------------------------------------------------------------


def test_unmet_names_every_gap_in_catalogue_order() -> None:
    recorded = {
        "agency.bpk_opinion": Recorded("WDP", has_evidence=True),
        # agency.rb_index: not recorded
        "unit.core_service": Recorded("Ya", has_evidence=False),
        "unit.tlhp": Recorded("100", has_evidence=True),
        "unit.building_months": Recorded("6", has_evidence=True),
    }
    assert unmet([bpk, rb_index, core, tlhp, months], recorded, "WBK", "kementerian") == [
        "Opini BPK: WDP, minimal WTP",
        "Indeks RB belum dicatat",
        "Pelayanan utama belum dilengkapi bukti",
        "Lama membangun (bulan): 6, minimal 12",
    ]


def test_evidence_is_required_even_when_the_value_is_good() -> None:
    assert unmet([tlhp], {"unit.tlhp": Recorded("100", False)}, "WBK", "pemda") == [
        "Tindak lanjut (%) belum dilengkapi bukti"
    ]


def test_nothing_is_unmet_when_everything_is_recorded_with_evidence_and_enough() -> None:
    recorded = {
        "agency.bpk_opinion": Recorded("WTP", True),
        "agency.rb_index": Recorded("CC", True),
        "unit.core_service": Recorded("Ya", True),
        "unit.tlhp": Recorded("100", True),
        "unit.building_months": Recorded("12", True),
    }
    specs = [bpk, rb_index, core, tlhp, months]
    assert unmet(specs, recorded, "WBK", "pemda") == []
    # The same record for an agency that is not a local government misses the RB floor.
    assert unmet(specs, recorded, "WBK", "kementerian") == ["Indeks RB: CC, minimal B"]
    assert unmet([], {}, "WBK", "pemda") == []
