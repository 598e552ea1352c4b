"""Agencies and units: hierarchy paths, moves, uniqueness, scoped listing, CSV import."""

from __future__ import annotations

import pytest

from tracker.agencies import importer, services
from tracker.agencies.models import AgencyKind, Unit
from tracker.auth.access import Grant, scope_of
from tracker.auth.roles import Role
from tracker.errors import ConflictError, ValidationError


def test_units_nest_to_any_depth(factory) -> None:
    polri = factory.agency("Kepolisian Uji")
    polda = factory.unit(polri, "Polda Uji", "Polda")
    polres = factory.unit(polri, "Polres Uji", "Polres", parent=polda)
    polsek = factory.unit(polri, "Polsek Uji", "Polsek", parent=polres)
    assert polsek.path == f"/{polda.id}/{polres.id}/{polsek.id}/"
    assert polsek.depth == 2
    assert polsek.ancestor_ids == [polda.id, polres.id]


def test_moving_a_unit_moves_its_subtree(session, factory) -> None:
    admin = factory.user(Role.ADMIN)
    agency = factory.agency()
    a, b = factory.unit(agency, "A"), factory.unit(agency, "B")
    child = factory.unit(agency, "Anak", parent=a)
    grandchild = factory.unit(agency, "Cucu", parent=child)
    services.update_unit(session, child, user=admin, name="Anak", kind="Unit", parent=b)
    assert child.path == f"/{b.id}/{child.id}/"
    assert grandchild.path == f"/{b.id}/{child.id}/{grandchild.id}/" and grandchild.depth == 2
    with pytest.raises(ValidationError):
        services.update_unit(
            session, child, user=admin, name="Anak", kind="Unit", parent=grandchild
        )


def test_unit_names_are_unique_within_an_agency(session, factory) -> None:
    agency = factory.agency()
    factory.unit(agency, "KPPN Uji")
    with pytest.raises(ConflictError):
        services.create_unit(session, user=None, agency=agency, name="kppn uji", kind="KPPN")
    services.create_unit(session, user=None, agency=factory.agency(), name="KPPN Uji", kind="KPPN")


def test_parent_must_be_in_the_same_agency(session, factory) -> None:
    other = factory.unit()
    with pytest.raises(ValidationError):
        services.create_unit(
            session, user=None, agency=factory.agency(), name="X", kind="Unit", parent=other
        )


def test_visible_units_follow_the_scope(session, factory) -> None:
    agency = factory.agency()
    polda = factory.unit(agency, "Polda")
    polres = factory.unit(agency, "Polres", parent=polda)
    factory.unit(agency, "Lain")
    elsewhere = factory.unit(factory.agency())

    def names(*grants: Grant) -> set[str]:
        return {u.name for u in services.visible_units(session, scope_of(grants))}

    assert names(Grant(Role.PENILAI_PENDAHULUAN, unit_id=polda.id, unit_path=polda.path)) == {
        "Polda",
        "Polres",
    }
    assert names(Grant(Role.KOORDINATOR, unit_id=polres.id, unit_path=polres.path)) == {"Polres"}
    assert names(Grant(Role.TPI, agency_id=agency.id)) == {"Polda", "Polres", "Lain"}
    assert elsewhere.name in names(Grant(Role.TPN))
    assert names() == set()


CSV = b"""instansi;jenis_instansi;singkatan_instansi;unit;jenis_unit;induk
Kementerian Uji Coba;kementerian;Kemenuji;KPPN Uji I;KPPN;Kanwil Uji
Kementerian Uji Coba;kementerian;Kemenuji;Kanwil Uji;Kantor Wilayah;
Kementerian Uji Coba;;;Direktorat Uji;Eselon I;
"""


def test_csv_import_creates_the_hierarchy_and_is_idempotent(session) -> None:
    result = importer.import_rows(session, importer.parse_csv(b"\xef\xbb\xbf" + CSV), user=None)
    assert result.agencies_created == ["Kementerian Uji Coba"]
    assert len(result.units_created) == 3
    agency = services.find_agency(session, "kemenuji")
    assert agency is not None and agency.kind is AgencyKind.KEMENTERIAN
    kppn = services.find_unit(session, agency, "KPPN Uji I")
    assert kppn is not None and kppn.parent is not None and kppn.parent.name == "Kanwil Uji"
    again = importer.import_rows(session, importer.parse_csv(CSV), user=None)
    assert again.units_created == [] and len(again.skipped) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"nama,unit\nX,Y\n", "instansi"),
        (b"instansi,warna\nX,merah\n", "Kolom tidak dikenal: warna"),
        ("instansi,unit\nÀ,B\n".encode("latin-1"), "UTF-8"),
        (
            b"instansi,jenis_instansi,unit,jenis_unit\nBaru,planet,U,Unit\n",
            "Baris 2: jenis_instansi",
        ),
        (
            b"instansi,jenis_instansi,unit,jenis_unit,induk\nBaru,lembaga,U,Unit,Hantu\n",
            "unit induk Hantu tidak ditemukan",
        ),
        (b"instansi,jenis_instansi,unit,jenis_unit\nBaru,lembaga,U,\n", "Jenis unit wajib diisi"),
    ],
)
def test_bad_csv_is_rejected_with_the_row_and_nothing_is_saved(session, data, message) -> None:
    before = session.query(Unit).count()
    with pytest.raises(importer.ImportFailedError, match=message), session.begin_nested():
        importer.import_rows(session, importer.parse_csv(data), user=None)
    assert session.query(Unit).count() == before
