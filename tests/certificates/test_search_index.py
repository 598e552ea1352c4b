"""The registry's search index (issue 18 §3): each designation's search document follows the
rows it is made of, whoever changes them, and the search is answered from the index (a
``pg_trgm`` GIN index on PostgreSQL, an FTS5 trigram table on SQLite)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import column, select, table, text, update

from tests.certificates.conftest import CertWorld
from tracker.accreditation.models import Designation, DesignationOrigin
from tracker.agencies import services as agencies
from tracker.agencies.models import Agency, Unit
from tracker.auth.models import User
from tracker.certificates import queries, search, services
from tracker.certificates.models import Certificate
from tracker.certificates.queries import Filters
from tracker.paging import holding

ROOT = Path(__file__).resolve().parents[2]
MIGRATION = ROOT / "migrations" / "versions" / "20261201_0800_0020_registry_search_index.py"


def found(cw: CertWorld, q: str) -> list[str]:
    """The names the registry lists for ``q``."""
    return [entry.unit_name for entry in queries.registry_page(cw.session, Filters(q=q), 1).items]


def recorded(cw: CertWorld, unit_name: str) -> Designation:
    unit = cw.factory.unit(cw.agency, unit_name, "Polres")
    designation = cw.designate(unit, year=2018)
    designation.origin = DesignationOrigin.RECORDED
    cw.session.commit()
    return designation


def rename(cw: CertWorld, unit: Unit, name: str) -> None:
    """Through the service an administrator uses (its flush refreshes the search index)."""
    agencies.update_unit(cw.session, unit, user=cw.admin, name=name, kind=unit.kind, parent=None)


def test_a_renamed_unit_is_found_by_its_new_name_only(cw: CertWorld) -> None:
    """A recorded designation (no certificate) is listed under the unit's current name."""
    designation = recorded(cw, "Polres Lama Sukamaju")
    assert found(cw, "sukamaju") == ["Polres Lama Sukamaju"]
    rename(cw, cw.session.get_one(Unit, designation.unit_id), "Polres Baru Sukajaya")
    cw.session.commit()
    assert found(cw, "sukamaju") == []
    assert found(cw, "baru sukajaya") == ["Polres Baru Sukajaya"]


def test_a_renamed_agency_is_found_by_its_new_name(cw: CertWorld) -> None:
    recorded(cw, "Polres Metro Tanjung")
    assert found(cw, "tanjung bhayangkara") == []
    agencies.update_agency(
        cw.session, cw.agency, user=cw.admin, name="Kepolisian Bhayangkara",
        short_name="Polri", kind=cw.agency.kind,
    )  # fmt: skip
    cw.session.commit()
    assert found(cw, "tanjung bhayangkara") == ["Polres Metro Tanjung"]


def test_a_certificate_keeps_the_names_printed_on_it(cw: CertWorld) -> None:
    """A unit renamed after its certificate was issued is still found by the printed name."""
    certificate = cw.certificate(cw.unit)
    rename(cw, cw.unit, "Polres Metro Ganti Nama")
    cw.session.commit()
    assert found(cw, "ganti nama") == []
    assert found(cw, "uji kota") == [certificate.unit_name]


def test_a_reissued_certificate_is_found_by_its_number_and_new_names(cw: CertWorld) -> None:
    old = cw.certificate(cw.unit)
    rename(cw, cw.unit, "Polres Metro Ganti Nama")
    new = services.reissue(cw.session, certificate=old, user=cw.admin, reason="Nama unit berubah")
    cw.session.commit()
    assert found(cw, "ganti nama") == ["Polres Metro Ganti Nama"]
    assert found(cw, "uji kota") == []
    assert found(cw, new.number) == ["Polres Metro Ganti Nama"]
    assert found(cw, old.number) == []  # the replaced number is the verify page's business


@pytest.mark.parametrize("q", ["ab", "a b", "Ab polres"])
def test_words_shorter_than_a_trigram_are_still_searched(cw: CertWorld, q: str) -> None:
    recorded(cw, "Polres AB Kota")
    recorded(cw, "Polres CD Kota")
    assert found(cw, q) == ["Polres AB Kota"]


def test_quotes_and_search_syntax_are_taken_literally(cw: CertWorld) -> None:
    recorded(cw, 'Kantor "Pusat" AND-OR Unit*')
    assert found(cw, '"pusat"') == ['Kantor "Pusat" AND-OR Unit*']
    assert found(cw, "and-or unit*") == ['Kantor "Pusat" AND-OR Unit*']
    assert found(cw, "NEAR(pusat") == []


def test_the_search_is_answered_by_the_index(cw: CertWorld) -> None:
    recorded(cw, "Polres Metro Bekasi Kota")
    dialect = cw.session.get_bind().dialect.name
    stmt = search.matching(dialect, "polres bekasi", None)
    compiled = stmt.compile(cw.session.get_bind(), compile_kwargs={"literal_binds": True})
    if dialect == "sqlite":
        plan = cw.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        assert any("VIRTUAL TABLE INDEX" in row[-1] for row in plan)
    else:
        # Costs on a handful of rows prefer a scan; forbid it to see the index can serve.
        cw.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(cw.session.scalars(text(f"EXPLAIN {compiled}")))
        assert "ix_designations_search_text_trgm" in plan
    assert cw.session.scalars(stmt).all()


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migration_0020", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _documents(cw: CertWorld) -> dict[int, str]:
    return dict(cw.session.execute(select(Designation.id, Designation.search_text)).all())


def test_the_migration_backfills_what_the_app_keeps(cw: CertWorld) -> None:
    """Migration 0020's own copy of the document fills every designation as the app would,
    and so does ``refresh`` of everything (the bulk path)."""
    recorded(cw, "Polres Metro Bekasi Kota")
    old = cw.certificate(cw.other_unit)
    services.reissue(cw.session, certificate=old, user=cw.admin, reason="Nama berubah")
    cw.certificate(cw.unit)
    cw.session.commit()
    kept = _documents(cw)
    assert "KPPN Uji\nKementerian Uji\n" in kept[old.designation_id]
    dialect = cw.session.get_bind().dialect.name
    cw.session.execute(update(Designation).values(search_text=""))
    cw.session.execute(text(_migration().backfill_sql(dialect)))
    assert _documents(cw) == kept
    cw.session.execute(update(Designation).values(search_text=""))
    search.refresh(cw.session.connection())
    assert _documents(cw) == kept
    if dialect == "sqlite":
        index = table(search.INDEX_TABLE, column("rowid"), column("search_text"))
        assert dict(cw.session.execute(select(index.c.rowid, index.c.search_text)).all()) == kept


@pytest.mark.parametrize(
    "model, where",
    [
        (Certificate, lambda: queries._search("polres bekasi")),
        (Agency, lambda: holding("kepolisian", Agency.name, Agency.short_name)[0]),
        (User, lambda: holding("budi", User.username, User.full_name)[0]),
        (Unit, lambda: Unit.name.icontains("polres", autoescape=True)),
    ],
)
def test_the_lists_searches_can_use_a_trigram_index(cw: CertWorld, model, where) -> None:
    """PostgreSQL: the signed-in lists' ILIKE searches (certificates, agencies, users, units)
    are served by the trigram indexes of migration 0020 (SQLite scans these small tables)."""
    if cw.session.get_bind().dialect.name != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's; SQLite's index is the registry's FTS5")
    cw.session.execute(text("SET LOCAL enable_seqscan = off"))
    stmt = select(model.id).where(where())
    compiled = stmt.compile(cw.session.get_bind(), compile_kwargs={"literal_binds": True})
    assert "_trgm" in "\n".join(cw.session.scalars(text(f"EXPLAIN {compiled}")))
