"""The stable CLI: db upgrade, demo seed, users, agencies import, audit verify."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text

from tracker.agencies.models import Agency, Unit
from tracker.auth.models import User
from tracker.demo import seed as demo


def test_demo_seed_is_idempotent_and_prints_accounts(app, session) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "koordinator.bekasikota" in first.output and demo.DEMO_PASSWORD in first.output
    counts = (
        session.scalar(select(func.count()).select_from(User)),
        session.scalar(select(func.count()).select_from(Unit)),
    )
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0 and "tidak ada yang ditambahkan" in second.output
    assert counts == (
        session.scalar(select(func.count()).select_from(User)),
        session.scalar(select(func.count()).select_from(Unit)),
    )
    bekasi = session.scalars(select(Unit).where(Unit.name == "Polres Metro Bekasi Kota")).one()
    assert bekasi.parent.name == "Polda Metro Jaya" and bekasi.agency.short_name == "Polri"


def test_demo_seed_is_refused_in_production(app, settings, session) -> None:
    app.config["TRACKER_SETTINGS"] = settings.__class__(
        **{**settings.__dict__, "env": "production"}
    )
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0
    assert "production" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0
    assert session.scalar(select(func.count()).select_from(Unit)) == 0


def test_users_create_and_grant(app, session) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    result = runner.invoke(
        args=[
            "users",
            "create",
            "kapolres.bekasikota",
            "--name",
            "Kapolres",
            "--role",
            "koordinator",
            "--agency",
            "polri",
            "--unit",
            "Polres Metro Bekasi Kota",
        ],
        input="sandi-kapolres-kuat\n" * 2,
    )
    assert result.exit_code == 0, result.output
    assert "koordinator @ Polres Metro Bekasi Kota" in result.output
    result = runner.invoke(
        args=["users", "grant", "kapolres.bekasikota", "tpi", "--agency", "polri"]
    )
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.username == "kapolres.bekasikota")).one()
    grants = {(g.role.value, g.unit.name if g.unit else g.agency.short_name) for g in user.grants}
    assert grants == {("koordinator", "Polres Metro Bekasi Kota"), ("tpi", "Polri")}


def test_users_create_rejects_bad_input_with_a_message(app, session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "x y", "--name", "X"], input="pendek\npendek\n")
    assert result.exit_code != 0 and "Nama pengguna" in result.output
    result = runner.invoke(args=["users", "grant", "tidak-ada", "tpn"])
    assert result.exit_code != 0 and "tidak ditemukan" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_agencies_import_reports_and_fails_cleanly(app, session, tmp_path: Path) -> None:
    good = tmp_path / "unit.csv"
    good.write_text("instansi,jenis_instansi,unit,jenis_unit\nBadan CLI,lembaga,Unit CLI,Unit\n")
    result = app.test_cli_runner().invoke(args=["agencies", "import", str(good)])
    assert result.exit_code == 0 and "Unit baru: 1" in result.output
    bad = tmp_path / "salah.csv"
    bad.write_text("instansi,jenis_instansi\nBadan Salah,planet\n")
    result = app.test_cli_runner().invoke(args=["agencies", "import", str(bad)])
    assert result.exit_code == 1 and "Baris 2" in result.output
    assert session.scalar(select(Agency).where(Agency.name == "Badan Salah")) is None


def test_audit_verify(app, session) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Utuh" in result.output
    session.execute(text("UPDATE audit_events SET actor_name = 'orang lain' WHERE seq = 2"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "RUSAK: catatan #2" in result.stderr
