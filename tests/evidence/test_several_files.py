"""Issue 14 §2: an expected document holds several files, each with its own versions.

Adding never hides an earlier file; replacing is an explicit action on one file; two
replacements of one file racing each other cannot both win; every current file counts in the
snapshot, the hand-off checks, the PortalRB export and the page. Plus migration 0010's backfill.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, select

from tests.evidence.evidence_samples import pdf_bytes, png_bytes
from tests.helpers import csrf_token, login_as, post_form
from tests.html import get_page
from tests.world import World
from tracker.accreditation.models import Snapshot
from tracker.accreditation.workflow import Action
from tracker.core import migrations
from tracker.db import build_engine
from tracker.errors import ConflictError, ValidationError
from tracker.evidence import services
from tracker.evidence.filetypes import DEFAULT_ALLOW_LIST, UploadPolicy
from tracker.evidence.models import EvidenceFile, EvidencePurpose, EvidenceStatus
from tracker.evidence.services import Target
from tracker.portalrb import exchange

POLICY = UploadPolicy(5 * 1024 * 1024, DEFAULT_ALLOW_LIST)
ITEM = "A.I.1.i.a"
DOC = "team-decree-sk-tim-kerja-zi"  # required
TARGET = Target(EvidencePurpose.ITEM, ITEM, DOC)


def _upload(world: World, store, enrolment, data: bytes, name: str, **kw) -> EvidenceFile:
    row = services.upload(
        world.session,
        store,
        user=kw.pop("user", world.koordinator),
        enrolment=enrolment,
        target=kw.pop("target", TARGET),
        stream=io.BytesIO(data),
        filename=name,
        policy=POLICY,
        **kw,
    )
    world.session.commit()
    return row


def _stream(client, enrolment, data: bytes, name: str, replaces: str = ""):
    token = csrf_token(client, f"/enrolments/{enrolment.id}/lke")
    extra = f"&replaces={replaces}" if replaces else ""
    return client.post(
        f"/enrolments/{enrolment.id}/evidence/stream?item={ITEM}&document={DOC}{extra}",
        data=data,
        headers={
            "X-CSRFToken": token,
            "X-File-Name": name,
            "Content-Type": "application/octet-stream",
            "Accept": "application/json",
        },
    )


def _item(client, enrolment):
    return get_page(client, f"/enrolments/{enrolment.id}/lke?area=1").one(
        f'article[id="item-{ITEM}"]'
    )


def _doc(article):
    return article.one(f'.doc[data-document="{DOC}"]')


def _stored(settings) -> set[str]:
    return {p.name for p in settings.evidence_dir.rglob("*") if p.is_file()}


# --- services --------------------------------------------------------------------------------


def test_two_uploads_for_one_document_are_two_current_files(world: World, local_store) -> None:
    e = world.building()
    first = _upload(world, local_store, e, pdf_bytes("SK"), "sk.pdf")
    second = _upload(world, local_store, e, pdf_bytes("lampiran"), "lampiran.pdf")
    assert (first.status, second.status) == (EvidenceStatus.ACTIVE, EvidenceStatus.ACTIVE)
    assert (first.version, second.version) == (1, 1)
    assert first.series == first.public_id and second.series == second.public_id
    assert [f.public_id for f in services.active_files(world.session, e.id)] == [
        first.public_id,
        second.public_id,
    ]


def test_a_replacement_is_the_next_version_of_that_file_only(world: World, local_store) -> None:
    e = world.building()
    sk = _upload(world, local_store, e, pdf_bytes("SK"), "sk.pdf")
    other = _upload(world, local_store, e, pdf_bytes("lampiran"), "lampiran.pdf")
    v2 = _upload(world, local_store, e, pdf_bytes("SK 2"), "sk-revisi.pdf", replaces=sk)
    v3 = _upload(world, local_store, e, pdf_bytes("SK 3"), "sk-final.pdf", replaces=v2)
    assert (v2.series, v2.version, v3.series, v3.version) == (sk.series, 2, sk.series, 3)
    assert (sk.status, v2.status, v3.status, other.status) == (
        EvidenceStatus.SUPERSEDED,
        EvidenceStatus.SUPERSEDED,
        EvidenceStatus.ACTIVE,
        EvidenceStatus.ACTIVE,
    )
    world.session.expire_all()
    (current,) = [f for f in services.active_files(world.session, e.id) if f.series == sk.series]
    assert [v.version for v in current.older_versions] == [2, 1]
    assert local_store.exists(sk.storage_key)


def test_a_replaced_file_cannot_be_replaced_again(world: World, local_store) -> None:
    e = world.building()
    sk = _upload(world, local_store, e, pdf_bytes("SK"), "sk.pdf")
    _upload(world, local_store, e, pdf_bytes("SK 2"), "sk-revisi.pdf", replaces=sk)
    with pytest.raises(ConflictError, match="baru saja diganti"):
        _upload(world, local_store, e, pdf_bytes("SK 2b"), "sk-lain.pdf", replaces=sk)
    world.session.rollback()
    with pytest.raises(ValidationError, match="bukan bukti dokumen ini"):
        other_item = Target(EvidencePurpose.ITEM, "A.I.1.i.b", None)
        current = services.active_files(world.session, e.id)[0]
        _upload(world, local_store, e, pdf_bytes("x"), "x.pdf", target=other_item, replaces=current)


def test_withdrawing_a_replacement_brings_back_that_files_previous_version(
    world: World, local_store
) -> None:
    e = world.building()
    sk = _upload(world, local_store, e, pdf_bytes("SK"), "sk.pdf")
    other = _upload(world, local_store, e, pdf_bytes("lampiran"), "lampiran.pdf")
    v2 = _upload(world, local_store, e, pdf_bytes("SK 2"), "sk-revisi.pdf", replaces=sk)
    services.withdraw(world.session, user=world.koordinator, file=v2)
    world.session.commit()
    assert (sk.status, v2.status, other.status) == (
        EvidenceStatus.ACTIVE,
        EvidenceStatus.WITHDRAWN,
        EvidenceStatus.ACTIVE,
    )
    # The withdrawn number stays taken: the next replacement is version 3.
    v3 = _upload(world, local_store, e, pdf_bytes("SK 3"), "sk-3.pdf", replaces=sk)
    assert v3.version == 3 and sk.status is EvidenceStatus.SUPERSEDED


def test_one_file_documents_keep_one_current_file(world: World, local_store) -> None:
    """The Pakta Integritas (and a survey's report) stay one current file: a new upload is
    its next version, as before issue 14."""
    e = world.building()
    pakta = Target(EvidencePurpose.PAKTA, document_key="pakta-integritas")
    first = _upload(world, local_store, e, pdf_bytes("pakta"), "pakta.pdf", target=pakta)
    second = _upload(world, local_store, e, pdf_bytes("pakta 2"), "pakta2.pdf", target=pakta)
    assert (first.status, second.status) == (EvidenceStatus.SUPERSEDED, EvidenceStatus.ACTIVE)
    assert (second.series, second.version) == (first.series, 2)


def test_every_current_file_counts_in_the_snapshot_checks_and_portalrb(
    world: World, local_store
) -> None:
    e = world.building()
    sk = _upload(world, local_store, e, pdf_bytes("SK"), "sk.pdf")
    other = _upload(world, local_store, e, pdf_bytes("lampiran"), "lampiran.pdf")
    assert services.item_evidence(world.session, e.id)[ITEM] == frozenset({DOC})
    exported = [f.public_id for f in exchange.item_evidence(world.session, e.id)]
    assert exported == [sk.public_id, other.public_id]
    world.fill(e)
    world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY)
    assert sk.frozen and other.frozen
    snapshot = world.session.scalars(select(Snapshot)).one()
    frozen = {(f["id"], f["series"], f["version"]) for f in snapshot.payload["evidence"]}
    assert {(sk.public_id, sk.series, 1), (other.public_id, other.series, 1)} <= frozen


# --- over HTTP -------------------------------------------------------------------------------


def test_the_page_lists_both_files_and_the_badge_is_gone(client, world: World) -> None:
    e = world.building()
    world.fill(e)  # answered: without a file the item says "tanpa bukti"
    login_as(client, world.koordinator)
    assert "tanpa bukti" in _item(client, e).text_of(".item-head")
    for n, name in enumerate(("SK Tim.pdf", "Lampiran SK.pdf")):
        assert _stream(client, e, pdf_bytes(f"berkas {n}"), name).status_code == 201
    article = _item(client, e)
    names = [a.text for a in _doc(article).select("li.file .file-line a")]
    assert names == ["SK Tim.pdf", "Lampiran SK.pdf"]
    head = article.text_of(".item-head")
    assert "tanpa bukti" not in head and "dokumen wajib kurang" not in head
    assert "belum ada berkas" not in _doc(article).text


def test_a_replacement_shows_the_old_version_under_the_new_one(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    first = _stream(client, e, pdf_bytes("v1"), "SK Tim.pdf").json
    other = _stream(client, e, pdf_bytes("lain"), "Notulen.pdf").json
    second = _stream(client, e, pdf_bytes("v2"), "SK Tim revisi.pdf", replaces=first["id"])
    assert second.status_code == 201
    assert (second.json["version"], second.json["replaced"]) == (2, first["id"])
    doc = _doc(_item(client, e))
    current = doc.one(f'li.file[data-file="{second.json["id"]}"]')
    assert "versi 2" in current.text_of(".file-line")
    older = current.one("details.older-versions")
    assert "versi sebelumnya (1)" in older.text_of("summary")
    assert older.one(f'a[href="/evidence/{first["id"]}"]').text == "SK Tim.pdf"
    assert doc.select(f'li.file[data-file="{other["id"]}"]')  # the other file untouched
    assert not doc.select(f'li.file[data-file="{first["id"]}"]')  # only under the new one
    response = client.get(f"/evidence/{first['id']}")  # still downloadable
    assert response.status_code == 200 and response.data == pdf_bytes("v1")
    response.close()
    # each current file offers "ganti": a picker for its next version, streamed or posted
    form = current.one("form.replace-form")
    assert form.one('input[name="replaces"]').attr("value") == second.json["id"]
    assert f"replaces={second.json['id']}" in form.attr("data-url")


def test_a_stale_replacement_is_refused_with_409_and_leaves_nothing(
    client, world: World, settings
) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    first = _stream(client, e, pdf_bytes("v1"), "sk.pdf").json["id"]
    assert _stream(client, e, pdf_bytes("v2"), "sk2.pdf", replaces=first).status_code == 201
    before = (_stored(settings), world.session.scalar(select(func.count(EvidenceFile.id))))
    lost = _stream(client, e, pdf_bytes("v2 lain"), "sk-lain.pdf", replaces=first)
    assert lost.status_code == 409
    assert lost.json["error"] == (
        "Berkas sk.pdf baru saja diganti atau ditarik oleh pengguna lain. Muat ulang halaman "
        "untuk melihat versi terbarunya; berkas Anda belum disimpan."
    )
    world.session.expire_all()
    after = (_stored(settings), world.session.scalar(select(func.count(EvidenceFile.id))))
    assert after == before


def test_two_replacements_racing_for_one_version_cannot_both_win(
    client, world: World, settings, monkeypatch
) -> None:
    """Both read the file as current and both take version 2 (as two transactions would on
    PostgreSQL): the unique (series, version) constraint refuses the later one with a 409
    that says so, its blob is removed, the winner's version stays."""
    e = world.building()
    login_as(client, world.koordinator)
    first = _stream(client, e, pdf_bytes("v1"), "sk.pdf").json["id"]
    original = world.session.scalars(select(EvidenceFile)).one()
    winner = EvidenceFile(
        public_id="f" * 32,
        series=original.series,
        version=2,
        enrolment_id=e.id,
        purpose=EvidencePurpose.ITEM,
        item_code=ITEM,
        document_key=DOC,
        original_name="pemenang.pdf",
        link_url="https://example.go.id/pemenang",
        uploaded_by_id=world.koordinator.id,
    )
    world.session.add(winner)
    world.session.commit()
    before = _stored(settings)
    monkeypatch.setattr(services, "_next_version", lambda _session, _series: 2)
    lost = _stream(client, e, pdf_bytes("v2 kalah"), "sk-kalah.pdf", replaces=first)
    assert lost.status_code == 409 and "baru saja diganti" in lost.json["error"]
    world.session.expire_all()
    rows = world.session.execute(
        select(EvidenceFile.original_name, EvidenceFile.version, EvidenceFile.status).order_by(
            EvidenceFile.id
        )
    ).all()
    assert [tuple(r) for r in rows] == [
        ("sk.pdf", 1, EvidenceStatus.ACTIVE),
        ("pemenang.pdf", 2, EvidenceStatus.ACTIVE),
    ]
    assert _stored(settings) == before  # the loser's blob is gone


def test_the_form_post_without_javascript_adds_each_file(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    page = f"/enrolments/{e.id}/lke"
    response = post_form(
        client,
        f"/enrolments/{e.id}/evidence",
        {
            "item": ITEM,
            "document": DOC,
            "files": [
                (io.BytesIO(pdf_bytes("a")), "satu.pdf"),
                (io.BytesIO(png_bytes()), "dua.png"),
            ],
        },
        page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    reloaded = get_page(client, page + "?area=1")
    assert reloaded.flashes("success") == ["2 berkas diunggah."]
    doc = reloaded.one(f'article[id="item-{ITEM}"]').one(f'.doc[data-document="{DOC}"]')
    assert [a.text for a in doc.select("li.file .file-line a")] == ["satu.pdf", "dua.png"]
    # and "ganti" without JavaScript: the file's small form posts its next version
    first = world.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).first()
    response = post_form(
        client,
        f"/enrolments/{e.id}/evidence",
        {
            "item": ITEM,
            "document": DOC,
            "replaces": first.public_id,
            "files": [(io.BytesIO(pdf_bytes("a2")), "satu-revisi.pdf")],
        },
        page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    world.session.expire_all()
    rows = world.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [(r.original_name, r.version, r.status.value, r.series) for r in rows] == [
        ("satu.pdf", 1, "superseded", first.public_id),
        ("dua.png", 1, "active", rows[1].public_id),
        ("satu-revisi.pdf", 2, "active", first.public_id),
    ]


def test_a_link_is_replaced_by_its_next_version(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    page = f"/enrolments/{e.id}/lke"
    url = f"/enrolments/{e.id}/evidence/link"
    data = {"item": ITEM, "document": DOC, "url": "https://a.go.id/sk", "title": "SK"}
    assert post_form(client, url, data, page=page).status_code == 303
    first = world.session.scalars(select(EvidenceFile)).one()
    data |= {"url": "https://a.go.id/sk-baru", "replaces": first.public_id}
    assert post_form(client, url, data, page=page).status_code == 303
    world.session.expire_all()
    rows = world.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [(r.link_url, r.version, r.status.value) for r in rows] == [
        ("https://a.go.id/sk", 1, "superseded"),
        ("https://a.go.id/sk-baru", 2, "active"),
    ]


# --- migration 0010 --------------------------------------------------------------------------


def _parents(conn: sa.Connection, name: str) -> None:
    """A row with id 1 in every table ``name`` refers to (and theirs), placeholders elsewhere."""
    tables = sa.MetaData()
    tables.reflect(conn)
    needed: set[str] = set()
    todo = [name]
    while todo:
        for fk in tables.tables[todo.pop()].foreign_keys:
            parent = fk.column.table.name
            wanted = fk.parent.table.name == name or not fk.parent.nullable
            if parent not in needed and parent != name and wanted:
                needed.add(parent)
                todo.append(parent)
    for table in tables.sorted_tables:
        if table.name in needed:
            _insert(conn, table, id=1)


def test_the_backfill_chains_each_documents_versions_as_one_series(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        migrations.upgrade(engine, "0009_certificate_url")
        rows = [  # id, public id, enrolment, purpose, item, document, version, status
            (1, "a1", 1, "item", "A.I.1.i.a", "sk", 1, "superseded"),
            (2, "b1", 1, "item", "A.I.1.i.a", "other", 1, "active"),
            (3, "a2", 1, "item", "A.I.1.i.a", "sk", 2, "active"),
            (4, "n1", 1, "item", "A.I.1.i.a", None, 1, "active"),
            (5, "n2", 1, "item", "A.I.1.i.a", None, 1, "active"),
            (6, "p1", 1, "pakta", None, "pakta-integritas", 1, "superseded"),
            (7, "p2", 1, "pakta", None, "pakta-integritas", 2, "withdrawn"),
            (8, "p3", 1, "pakta", None, "pakta-integritas", 2, "active"),  # old NULL loophole
            (9, "d1", None, "designation", None, None, 1, "active"),
        ]
        insert = sa.text(
            "INSERT INTO evidence_files (id, public_id, enrolment_id, purpose, item_code, "
            "document_key, version, status, uploaded_by_id, description, frozen, original_name, "
            "uploaded_at) VALUES (:id, :pid, :e, :p, :i, :d, :v, :s, 1, '', 0, 'x', "
            "'2026-01-01 00:00:00')"
        )
        with engine.begin() as conn:
            _parents(conn, "evidence_files")
            for id_, pid, enrolment, purpose, item, doc, version, status in rows:
                values = {"id": id_, "pid": pid, "e": enrolment, "p": purpose, "i": item}
                conn.execute(insert, values | {"d": doc, "v": version, "s": status})
        migrations.upgrade(engine)
        with engine.connect() as conn:
            got = conn.execute(
                sa.text("SELECT public_id, series, version FROM evidence_files ORDER BY id")
            ).all()
            uniques = sa.inspect(conn).get_unique_constraints("evidence_files")
        assert [tuple(r) for r in got] == [
            ("a1", "a1", 1),
            ("b1", "b1", 1),
            ("a2", "a1", 2),
            ("n1", "n1", 1),
            ("n2", "n2", 1),
            ("p1", "p1", 1),
            ("p2", "p1", 2),
            ("p3", "p1", 3),  # the duplicate number moves to the end of its chain
            ("d1", "d1", 1),
        ]
        names = {u["name"]: u["column_names"] for u in uniques}
        assert names["uq_evidence_files_series_version"] == ["series", "version"]
        assert "uq_evidence_files_enrolment_id_purpose_item_code_document_key_version" not in names
        # and back: one chain per document again, every row kept
        command.downgrade(migrations.alembic_config(engine), "0009_certificate_url")
        with engine.connect() as conn:
            count = conn.execute(sa.text("SELECT count(*) FROM evidence_files")).scalar()
        assert count == len(rows)
    finally:
        engine.dispose()


def _insert(conn: sa.Connection, table: sa.Table, **given) -> None:
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        python_type = column.type.python_type
        enums = getattr(column.type, "enums", None)
        if column.foreign_keys or python_type is int:
            row[column.name] = 1
        elif python_type is bool:
            row[column.name] = False
        elif python_type in (datetime, date):
            row[column.name] = datetime(2020, 1, 1)
        else:
            row[column.name] = enums[0] if enums else "x1"
    conn.execute(table.insert().values(row))


def test_the_files_load_with_every_version_in_one_query(world: World, local_store) -> None:
    e = world.building()
    files = [_upload(world, local_store, e, pdf_bytes(f"f{n}"), f"f{n}.pdf") for n in range(4)]
    for f in files[:3]:
        _upload(world, local_store, e, pdf_bytes(f"{f.original_name} 2"), "r.pdf", replaces=f)
    world.session.expire_all()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    connection = world.session.connection()
    sa.event.listen(connection, "before_cursor_execute", count)
    try:
        listed = services.active_files(world.session, e.id)
        older = [len(f.older_versions) for f in listed]
    finally:
        sa.event.remove(connection, "before_cursor_execute", count)
    assert older == [1, 1, 1, 0]
    # the files with every version of all of them (the uploader's grants load on their own)
    assert sum(" evidence_files" in s.split("FROM", 1)[1] for s in statements) == 1
