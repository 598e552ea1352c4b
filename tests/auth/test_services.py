"""Accounts, passwords, throttling and role grants against the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from tracker.audit.models import AuditEvent
from tracker.auth import passwords, services, throttle
from tracker.auth.models import LoginAttempt, User
from tracker.auth.roles import Role
from tracker.errors import ConflictError, ValidationError

POLICY = throttle.Policy(per_pair=3, per_address=5, per_account=4, window=timedelta(minutes=15))


def authenticate(session, username: str, password: str, *, ip: str, policy=POLICY) -> User:
    """Both steps of a login in the test's transaction (the view commits between them)."""
    check = services.begin_login(session, username, ip=ip, policy=policy)
    return services.finish_login(session, check, password)


def change_password(session, user: User, *, current: str, new: str, ip: str = "1.1.1.1") -> None:
    check = services.begin_password_change(session, user, ip=ip, policy=POLICY)
    services.change_password(session, user, check, current=current, new=new)


def test_passwords_are_hashed_with_argon2(factory) -> None:
    user = factory.user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert passwords.verify_password(user.password_hash, PASSWORD)
    assert not passwords.verify_password(user.password_hash, "salah")


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("pendek", "paling sedikit 10"),
        ("1234567890", "mudah ditebak"),
        ("aaaaaaaaaaaa", "mudah ditebak"),
        ("budi.santoso-rahasia", "nama pengguna"),
        ("x" * 129, "paling banyak 128"),
    ],
)
def test_password_rules(password: str, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule):
        passwords.check_rules(password, username="budi.santoso")


def test_usernames_are_unique_and_well_formed(session, factory) -> None:
    factory.user(username="budi")
    with pytest.raises(ConflictError):
        services.create_user(session, by=None, username="BUDI", full_name="B", password=PASSWORD)
    with pytest.raises(ValidationError):
        services.create_user(
            session, by=None, username="budi santoso", full_name="B", password=PASSWORD
        )
    session.rollback()
    assert session.scalars(select(User.username)).all() == ["budi"]


def test_authenticate_checks_password_and_records_attempts(session, factory) -> None:
    user = factory.user(username="rina")
    assert authenticate(session, " Rina ", PASSWORD, ip="1.2.3.4") is user
    with pytest.raises(
        services.InvalidCredentialsError, match="Nama pengguna atau kata sandi salah"
    ):
        authenticate(session, "rina", "salah-sekali", ip="1.2.3.4")
    with pytest.raises(
        services.InvalidCredentialsError, match="Nama pengguna atau kata sandi salah"
    ):
        authenticate(session, "tidak-ada", PASSWORD, ip="1.2.3.4")
    attempts = session.scalars(select(LoginAttempt.succeeded).order_by(LoginAttempt.id)).all()
    assert attempts == [True, False, False]


def test_repeated_failures_lock_that_address_out_of_the_account(session, factory) -> None:
    user = factory.user(username="agus")
    for _ in range(3):
        with pytest.raises(services.InvalidCredentialsError):
            authenticate(session, "agus", "salah-sekali", ip="10.0.0.1")
    with pytest.raises(services.LoginThrottledError, match="Coba lagi dalam 15 menit"):
        authenticate(session, "agus", PASSWORD, ip="10.0.0.1")
    # Another address, with no failure on the account, still gets in with the right password.
    assert authenticate(session, "agus", PASSWORD, ip="10.0.0.2") is user


def test_a_success_starts_the_count_of_its_address_again(session, factory) -> None:
    user = factory.user(username="tika")
    policy = throttle.Policy(per_pair=3, per_address=20, per_account=10)
    for _ in range(2):
        with pytest.raises(services.InvalidCredentialsError):
            authenticate(session, "tika", "salah-sekali", ip="10.0.0.1", policy=policy)
    assert authenticate(session, "tika", PASSWORD, ip="10.0.0.1", policy=policy) is user
    for _ in range(2):  # two more typos: 4 in all, but only 2 since the success
        with pytest.raises(services.InvalidCredentialsError):
            authenticate(session, "tika", "salah-sekali", ip="10.0.0.1", policy=policy)
    assert authenticate(session, "tika", PASSWORD, ip="10.0.0.1", policy=policy) is user


def test_an_account_under_attack_gives_each_failing_address_no_more_tries(session, factory) -> None:
    user = factory.user(username="dewi")
    for n in range(4):  # four addresses, one failure each: the account limit (4) is reached
        with pytest.raises(services.InvalidCredentialsError):
            authenticate(session, "dewi", "salah-sekali", ip=f"10.1.0.{n}")
    with pytest.raises(services.LoginThrottledError):
        authenticate(session, "dewi", PASSWORD, ip="10.1.0.0")  # failed before: no more tries
    assert authenticate(session, "dewi", PASSWORD, ip="10.1.0.9") is user  # clean: checked


def test_failures_from_one_address_lock_that_address(session, factory) -> None:
    factory.user(username="sri")
    for n in range(5):
        with pytest.raises(services.InvalidCredentialsError):
            authenticate(session, f"orang{n}", "salah-sekali", ip="10.9.9.9", policy=POLICY)
    with pytest.raises(services.LoginThrottledError):
        authenticate(session, "sri", PASSWORD, ip="10.9.9.9")
    assert authenticate(session, "sri", PASSWORD, ip="10.9.9.8")


def test_inactive_users_cannot_log_in(session, factory) -> None:
    admin = factory.user(Role.ADMIN)
    user = factory.user(username="nonaktif")
    services.set_active(session, user, by=admin, active=False)
    with pytest.raises(services.InvalidCredentialsError):
        authenticate(session, "nonaktif", PASSWORD, ip="1.1.1.1")
    services.set_active(session, user, by=admin, active=True)
    assert authenticate(session, "nonaktif", PASSWORD, ip="1.1.1.1") is user


def test_change_password_bumps_the_session_version(session, factory) -> None:
    user = factory.user()
    version = user.session_version
    with pytest.raises(ValidationError, match="saat ini salah"):
        change_password(session, user, current="keliru-sekali", new="sandi-baru-yang-kuat")
    assert user.session_version == version  # a refused change logs nobody out
    assert passwords.verify_password(user.password_hash, PASSWORD)
    change_password(session, user, current=PASSWORD, new="sandi-baru-yang-kuat")
    assert user.session_version == version + 1
    assert passwords.verify_password(user.password_hash, "sandi-baru-yang-kuat")


def test_roles_must_be_scoped_as_the_role_requires(session, factory) -> None:
    agency = factory.agency()
    unit = factory.unit(agency)
    user = factory.user()
    with pytest.raises(ValidationError, match="satu instansi"):
        services.grant_role(session, by=None, user=user, role=Role.TPI, unit=unit)
    with pytest.raises(ValidationError, match="satu unit kerja"):
        services.grant_role(session, by=None, user=user, role=Role.KOORDINATOR, agency=agency)
    with pytest.raises(ValidationError, match="nasional"):
        services.grant_role(session, by=None, user=user, role=Role.TPN, agency=agency)
    with pytest.raises(ValidationError, match="anggota pokja"):
        services.grant_role(
            session, by=None, user=user, role=Role.KOORDINATOR, unit=unit, areas=[1]
        )
    with pytest.raises(ValidationError, match="1 sampai 6"):
        services.grant_role(
            session, by=None, user=user, role=Role.ANGGOTA_POKJA, unit=unit, areas=[7]
        )
    session.rollback()
    session.expire_all()
    assert user.grants == []  # none of the refused grants was kept


def test_a_user_may_hold_several_roles_but_not_the_same_twice(session, factory) -> None:
    agency = factory.agency()
    unit = factory.unit(agency)
    user = factory.user((Role.KOORDINATOR, unit), (Role.TPI, agency))
    assert {g.role for g in user.grants} == {Role.KOORDINATOR, Role.TPI}
    with pytest.raises(ConflictError):
        services.grant_role(session, by=None, user=user, role=Role.TPI, agency=agency)
    session.rollback()
    session.expire_all()
    assert sorted(g.role for g in user.grants) == sorted([Role.KOORDINATOR, Role.TPI])


def test_grants_and_revocations_are_audited(session, factory) -> None:
    admin = factory.user(Role.ADMIN)
    agency = factory.agency()
    user = factory.user()
    grant = services.grant_role(session, by=admin, user=user, role=Role.PIMPINAN, agency=agency)
    services.revoke_grant(session, by=admin, grant=grant)
    tags = session.scalars(
        select(AuditEvent.tag).where(AuditEvent.actor_id == admin.id).order_by(AuditEvent.seq)
    ).all()
    assert tags == ["auth:grant:add", "auth:grant:revoke"]
    assert not user.grants


def test_admin_cannot_remove_their_own_admin_role(session, factory) -> None:
    admin = factory.user(Role.ADMIN)
    with pytest.raises(ValidationError):
        services.revoke_grant(session, by=admin, grant=admin.grants[0])
    session.rollback()
    session.expire_all()
    assert [g.role for g in admin.grants] == [Role.ADMIN]
