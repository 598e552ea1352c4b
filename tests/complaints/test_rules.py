"""The register's and monitoring's rules, without an app or a database (issue 17 §2, §3)."""

from __future__ import annotations

import itertools
from datetime import date

from tracker.auth.access import Grant
from tracker.auth.roles import Role
from tracker.complaints import formstamp, rules
from tracker.complaints.rules import Category, Status, VerificationOutcome


def test_statuses_move_forward_or_to_unfounded_and_stop_when_closed() -> None:
    path = [Status.RECEIVED, Status.VERIFIED, Status.CLARIFIED, Status.RESOLVED]
    for here, there in itertools.pairwise(path):
        assert rules.may_move(here, there)
        assert not rules.may_move(there, here)
    assert all(rules.may_move(s, Status.UNFOUNDED) for s in path[:-1])
    assert not rules.may_move(Status.RECEIVED, Status.RESOLVED)  # not without verifying
    assert rules.next_statuses(Status.RESOLVED) == rules.next_statuses(Status.UNFOUNDED) == set()


def test_each_open_status_has_a_due_date_and_a_closed_one_none() -> None:
    start = date(2026, 3, 1)
    assert rules.due_on(Status.RECEIVED, start) == date(2026, 3, 6)
    assert rules.due_on(Status.VERIFIED, start) == date(2026, 3, 15)
    assert rules.due_on(Status.RESOLVED, start) is None
    assert rules.is_late(Status.RECEIVED, start, date(2026, 3, 7))
    assert not rules.is_late(Status.RESOLVED, start, date(2030, 1, 1))


def test_only_verified_extortion_is_serious() -> None:
    assert not rules.is_serious(Category.EXTORTION, Status.RECEIVED)
    assert rules.is_serious(Category.EXTORTION, Status.VERIFIED)
    assert not rules.is_serious(Category.EXTORTION, Status.UNFOUNDED)
    assert not rules.is_serious(Category.SERVICE_QUALITY, Status.VERIFIED)


def test_who_reads_and_who_handles() -> None:
    assert rules.may_read({Role.ANGGOTA_POKJA}) and not rules.may_handle({Role.ANGGOTA_POKJA})
    assert not rules.may_read({Role.PENILAI_PENDAHULUAN})
    assert rules.may_report_monitoring({Role.TPI}) and not rules.may_report_monitoring({Role.TPN})
    assert rules.may_verify({Role.TPN}) and not rules.may_verify({Role.KOORDINATOR})


def test_form_time_refuses_too_fast_and_too_old() -> None:
    assert rules.form_time_problem(100.0, 101.0) is not None
    assert rules.form_time_problem(100.0, 110.0) is None
    assert rules.form_time_problem(100.0, 100.0 + rules.MAX_FORM_SECONDS + 1) is not None


def test_form_stamp_is_signed_and_bound_to_its_unit() -> None:
    token = formstamp.stamp("secret", 7, 1000.5)
    assert formstamp.shown_at("secret", token, 7) == 1000.5
    assert formstamp.shown_at("secret", token, 8) is None
    assert formstamp.shown_at("other", token, 7) is None
    assert formstamp.shown_at("secret", token[:-2] + "xx", 7) is None


def test_coaching_needs_a_later_deadline_and_every_outcome_its_reasons() -> None:
    today = date(2026, 3, 1)
    coaching = VerificationOutcome.COACHING
    assert rules.outcome_problems(coaching, coaching_until=None, note="x", today=today)
    assert rules.outcome_problems(coaching, coaching_until=today, note="x", today=today)
    assert not rules.outcome_problems(
        coaching, coaching_until=date(2026, 6, 1), note="x", today=today
    )
    assert rules.outcome_problems(
        VerificationOutcome.STILL_MEETS, coaching_until=None, note=" ", today=today
    )
    assert rules.verification_due(today) == date(2026, 3, 31)


def test_a_no_longer_meets_report_opens_verification() -> None:
    assert rules.opens_verification(no_longer_meets=True)
    assert not rules.opens_verification(no_longer_meets=False)


def test_open_verifications_land_on_tpi_of_the_agency_and_on_tpn() -> None:
    assert rules.verification_desk([Grant(Role.TPN)]) == (True, frozenset())
    assert rules.verification_desk([Grant(Role.TPI, agency_id=4)]) == (False, frozenset({4}))
    assert rules.verification_desk([Grant(Role.KOORDINATOR, 4, 9, "/9/")]) == (False, frozenset())
