"""Issue 14 §4: every screen in plain words, in Indonesian and in English.

The main pages of each role, rendered from a world where a unit has handed its LKE to its
preliminary assessor and one item was sent back, are read as a person reads them (the visible
text of <body>) and searched for what does not belong on a screen: internal codes and event keys
(``preliminary:``, ``certificates:certificate:issue``), command lines (``flask audit verify``),
jargon (``Snapshot``, ``sign-off``), workflow keys shown raw (``approved``, ``revision``), and
decimals written the other language's way (``3.61`` in Indonesian, ``3,61`` in English). English
pages must not keep Indonesian sentences outside the official terms and the LKE's own text.
Every tab and menu entry a role is shown must open for that role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from tests.helpers import login_as
from tests.html import Node, Page, get_page, squash
from tests.world import World, world  # noqa: F401 - the world fixture
from tracker.accreditation.models import DecisionKind, Enrolment
from tracker.auth.models import User

# Anywhere, in both languages: codes, event keys, command lines, Python values.
EVERYWHERE = {
    "event key or tier code": re.compile(
        r"\b(preliminary|tpi|tpn|unit|certificates|accreditation|evidence|auth|audit):[a-z_]+",
        re.I,
    ),
    "tier code": re.compile(r"\((unit|preliminary|tpi|tpn)\)"),
    "command line": re.compile(r"\bflask \w+|--\w+-\w+"),
    "snake_case key": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "Python value": re.compile(r"\b(True|False|Decimal\()"),
}
# Indonesian screens: English words and raw enum values, and decimals with a point.
INDONESIAN = {
    "English jargon": re.compile(
        r"\b(snapshot|sign-off|signed off|review|reviewer|upload)\b", re.I
    ),
    "raw workflow key": re.compile(
        r"\b(approved|revision|revised|building|submitted|declared|proposed|draft|pending)\b"
    ),
    "decimal point": re.compile(r"(?<![\w.])\d+\.\d{2}(?![\d.])"),
}
# English screens: decimal commas and Indonesian words left over (official terms excepted).
ENGLISH = {
    "decimal comma": re.compile(r"(?<![\w,])\d+,\d{2}(?![\d,])"),
    "Indonesian word": re.compile(
        r"\b(belum|sudah|dengan|tidak|butir|berkas|yang|untuk|atau|Simpan|Tampilkan|"
        r"dikembalikan|disetujui|Pembangunan|Penilaian|Persyaratan|Ringkasan|Instansi|"
        r"Beranda|Keluar|Dasbor|Antrean|Siklus|terjawab|memenuhi|dibekukan)\b"
    ),
}
# Parts of a page that are not the app's words: the LKE's own questions and criteria (the
# regulation's Indonesian text), what people typed, and names of people and units.
NOT_OUR_WORDS = ("article.item", ".note", ".criteria-text", ".turn-comment", "option")
# Column names of the CSV files an administrator imports: words of a file format, not prose.
FILE_FORMATS = ".file-columns"


@dataclass(frozen=True)
class Scene:
    world: World
    enrolment: Enrolment


@pytest.fixture
def scene(world: World) -> Scene:  # noqa: F811 - the fixture imported above
    """The Polres handed its LKE to the Polda; the assessor sent one item back."""
    enrolment = world.submitted()
    world.decide(
        world.actor(world.penilai),
        enrolment,
        "A.I.1.i.a",
        DecisionKind.REVISION,
        seq=0,
        comment="SK kurang paraf",
    )
    world.session.commit()
    return Scene(world, enrolment)


def pages_of(role: str, scene: Scene) -> tuple[User, list[str]]:
    w, e = scene.world, scene.enrolment
    unit, enrolment = f"/units/{w.polres.id}/zi", f"/enrolments/{e.id}"
    lke, compare = f"{enrolment}/lke", f"{enrolment}/compare"
    pages = {
        "koordinator": (
            w.koordinator,
            [
                "/",
                unit,
                enrolment,
                f"{lke}?area=1",
                f"{lke}?area=B",
                compare,
                f"{enrolment}/prerequisites",
                f"{enrolment}/documents",  # issue 16 §5
            ],
        ),
        "pokja": (w.pokja, ["/", enrolment, lke, f"{lke}?area=1"]),
        "penilai": (
            w.penilai,
            [
                "/",
                "/review/queue",
                enrolment,
                lke,
                f"{lke}?tier=unit&area=2",
                compare,
                f"{enrolment}/audit",
            ],
        ),
        "tpi": (w.tpi, ["/", "/dashboard", enrolment, lke, compare]),
        "pimpinan": (w.pimpinan, ["/", "/dashboard", enrolment, f"{enrolment}/prerequisites"]),
        "tpn": (w.tpn, ["/", "/review/queue", "/dashboard", "/cycles", enrolment, compare]),
        "admin": (
            w.admin,
            [
                "/",
                "/admin/users",
                f"/admin/users/{w.pokja.id}",
                "/admin/settings",
                "/cycles",
                f"/cycles/{w.cycle.id}",
                "/certificates",
                "/designations",
                "/agencies",
                f"{enrolment}/audit",
                lke,
            ],
        ),
    }
    return pages[role]


def visible_text(page: Page, english: bool) -> str:
    """What a reader sees in <body>; in English without the LKE's own Indonesian text."""
    body = page.one("body")
    skip = {id(n.element) for css in NOT_OUR_WORDS for n in body.select(css)} if english else set()
    for node in body.select(f"script, style, template, {FILE_FORMATS}"):
        skip.add(id(node.element))
    parts: list[str] = []

    def walk(element) -> None:
        if not isinstance(element.tag, str) or id(element) in skip:
            return
        if element.tag == "br":
            parts.append(" ")
        parts.append(element.text or "")
        for child in element:
            walk(child)
            parts.append(child.tail or "")

    walk(body.element)
    return squash(" ".join(parts))


def offences(text: str, english: bool) -> list[str]:
    checks = {**EVERYWHERE, **(ENGLISH if english else INDONESIAN)}
    found = []
    for what, pattern in checks.items():
        for match in pattern.finditer(text):
            around = text[max(0, match.start() - 40) : match.end() + 40]
            found.append(f"{what}: {match.group(0)!r} in …{around}…")
    return found


def menu_links(page: Page) -> list[str]:
    links: list[Node] = page.select("nav.mainnav a[href], nav.tabs a[href]")
    return [a.attr("href") or "" for a in links]


ROLES = ["koordinator", "pokja", "penilai", "tpi", "pimpinan", "tpn", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_main_pages_speak_plainly_in_both_languages(
    client: FlaskClient, scene: Scene, role: str, english: None
) -> None:
    user, urls = pages_of(role, scene)
    login_as(client, user)
    problems: list[str] = []
    links: set[str] = set()
    for lang in ("id", "en"):
        with client.session_transaction() as sess:
            sess["lang"] = lang
        for url in urls:
            page = get_page(client, url)
            assert page.one("html").attr("lang") == lang
            problems += [
                f"[{lang}] {url}: {p}"
                for p in offences(visible_text(page, lang == "en"), lang == "en")
            ]
            links.update(menu_links(page))
    assert not problems, "\n".join(problems)
    # Tabs and menu entries a role cannot open are not shown.
    refused = [url for url in sorted(links) if client.get(url).status_code in (401, 403, 404)]
    assert not refused, f"{role} is shown links that refuse them: {refused}"


def test_public_pages_speak_plainly(client: FlaskClient, scene: Scene, english: None) -> None:
    for lang in ("id", "en"):
        with client.session_transaction() as sess:
            sess["lang"] = lang
        for url in ("/login", "/registry"):
            page = get_page(client, url)
            assert not offences(visible_text(page, lang == "en"), lang == "en"), url


def test_the_checks_catch_what_they_are_for() -> None:
    """The patterns themselves: each known offender of issue 14 is caught, plain words are not."""
    assert offences("Tahap preliminary: approved", english=False)
    assert offences("certificates:certificate:issue oleh admin", english=False)
    assert offences("diperiksa dengan “flask audit verify”", english=False)
    assert offences("Snapshot dibekukan", english=False)
    assert offences("belum ditandatangani (sign-off)", english=False)
    assert offences("Antrean review", english=False)
    assert offences("Butir A.I.1.i.a disetujui (preliminary)", english=False)
    assert offences("Role anggota_pokja granted to budi", english=True)
    assert offences("Nilai 3.61 dari 4", english=False)
    assert offences("Score 3,61 of 4", english=True)
    assert offences("Evaluation: belum memenuhi", english=True)
    assert not offences("Nilai 3,61 dari 4 · 1.250 responden · butir A.I.1.i.a", english=False)
    assert not offences("Score 3.61 of 4 · 1,250 respondents · Pengungkit, Pemenuhan", english=True)


def test_a_working_group_member_opens_on_their_own_area(client: FlaskClient, scene: Scene) -> None:
    w, e = scene.world, scene.enrolment
    login_as(client, w.pokja)
    page = get_page(client, f"/enrolments/{e.id}/lke")
    assert page.text_of("nav.area-tabs a[aria-current=page] .area-name") == "5 Penguatan Pengawasan"
    assert page.text_of(".working-areas").startswith("Anda anggota kelompok kerja area 5 dan 6;")
    # The coordinator sees no such line and still opens on area 1.
    login_as(client, w.koordinator)
    page = get_page(client, f"/enrolments/{e.id}/lke")
    assert not page.select(".working-areas")
    assert page.text_of("nav.area-tabs a[aria-current=page] .area-name").startswith("1 ")


def test_the_lke_page_names_pengungkit_halves(client: FlaskClient, scene: Scene) -> None:
    w, e = scene.world, scene.enrolment
    login_as(client, w.koordinator)
    page = get_page(client, f"/enrolments/{e.id}/lke?area=1")
    halves = page.one(".lke-stats .halves")
    assert [dt.text for dt in halves.select("dt")] == ["Pemenuhan", "Reform"]
    assert all(re.fullmatch(r"\d+,\d{2} / 30", dd.text) for dd in halves.select("dd"))
    groups = page.texts("nav.area-tabs .area-group-title")
    assert [g.split(" ·")[0] for g in groups] == ["Pengungkit", "Hasil"]
    pengungkit = page.select("nav.area-tabs .area-group-pengungkit a.area-tab")
    assert len(pengungkit) == 6 and all(
        "Pemenuhan" in a.text and "Reform" in a.text for a in pengungkit
    )
    assert page.texts("h2.half-title")[0].startswith("Pemenuhan")
    assert page.texts("h2.half-title")[1].startswith("Reform")


def test_the_area_picker_names_the_areas(client: FlaskClient, scene: Scene, english: None) -> None:
    w = scene.world
    login_as(client, w.admin)
    page = get_page(client, f"/admin/users/{w.pokja.id}")
    options = page.texts("select[name=areas] option")
    assert options[0] == "1 · Manajemen Perubahan" and len(options) == 6
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    options = get_page(client, f"/admin/users/{w.pokja.id}").texts("select[name=areas] option")
    assert options[0].startswith("1 · ") and options[0] != "1 · Manajemen Perubahan"


def test_prerequisites_are_named_in_the_readers_language(
    client: FlaskClient, scene: Scene, english: None
) -> None:
    from tracker.accreditation import prerequisites

    definition = scene.enrolment.cycle.framework.definition
    spec = prerequisites.parse_catalogue(definition["prerequisites"])[0]
    app = client.application
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        assert spec.name == spec.label_en != spec.label
    with app.test_request_context("/"):
        assert spec.name == spec.label
