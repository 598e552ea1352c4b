"""What an import would change, shown before anything is saved (issue 11, point 1)."""

from __future__ import annotations

from tracker.lke.framework import Framework
from tracker.lke.worksheet import Change, WorksheetResult, preview_import


def result(answers: dict, notes: dict | None = None, links: dict | None = None) -> WorksheetResult:
    return WorksheetResult(answers, [], notes=notes or {}, links=links or {})


def test_answers_new_changed_unchanged_and_kept(framework: Framework) -> None:
    stored = {"A.I.1.i.a": "Ya", "A.I.1.i.b": "B", "A.II.4.i.a": [5, 3], "B.I.a": 3.61}
    read = result(
        {
            "A.I.1.i.a": "ya",  # the same answer, typed otherwise
            "A.I.1.i.b": "A",
            "A.II.4.i.a": {"sasaran_kinerja": 5, "sasaran_tercapai": 3},
            "A.I.2.i.a": "C",
        }
    )
    preview = preview_import(framework, read, stored)
    changes = {c.code: c.change for c in preview.items}
    assert changes == {
        "A.I.1.i.a": Change.UNCHANGED,
        "A.I.1.i.b": Change.CHANGED,
        "A.I.2.i.a": Change.NEW,
        "A.II.4.i.a": Change.UNCHANGED,
        "B.I.a": Change.KEPT,  # blank in the file: a stored answer is never cleared (D13)
    }
    assert preview.to_save == {"A.I.1.i.b": "A", "A.I.2.i.a": "C"}
    areas = {a.area: (a.new, a.changed, a.unchanged, a.kept) for a in preview.areas}
    assert list(areas) == ["1", "2", "3", "4", "5", "6", "B"]
    assert areas["1"] == (0, 1, 1, 0) and areas["2"] == (1, 0, 0, 0)
    assert areas["4"] == (0, 0, 1, 0) and areas["B"] == (0, 0, 0, 1)
    assert next(a for a in preview.areas if a.area == "B").name == "HASIL"
    assert preview.has_changes


def test_notes_and_links_that_would_change(framework: Framework) -> None:
    read = result(
        {"A.I.1.i.a": "Ya"},
        notes={"A.I.1.i.a": "SK baru", "A.I.1.i.b": "sama"},
        links={"A.I.1.i.a": ["https://drive.google.com/a", "https://drive.google.com/b"]},
    )
    preview = preview_import(
        framework,
        read,
        {"A.I.1.i.a": "Ya"},
        stored_notes={"A.I.1.i.a": "SK lama", "A.I.1.i.b": "sama"},
        stored_links={"A.I.1.i.a": ["https://drive.google.com/a"]},
    )
    assert preview.to_save == {}
    assert preview.notes == {"A.I.1.i.a": ("SK lama", "SK baru")}
    assert preview.links == {"A.I.1.i.a": ["https://drive.google.com/b"]}
    assert preview.has_changes


def test_nothing_to_change(framework: Framework) -> None:
    preview = preview_import(framework, result({"A.I.1.i.a": "Ya"}), {"A.I.1.i.a": "Ya"})
    assert not preview.has_changes
