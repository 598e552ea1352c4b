"""Every user-facing message of the evidence layer has an English translation that keeps its
placeholders."""

from __future__ import annotations

import ast
import io
import re
from gettext import GNUTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[2] / "tracker" / "evidence"
CATALOGUE = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def message_ids() -> set[str]:
    """The literal first argument of every ``_(...)`` call in the package's modules."""
    found = set()
    for module in PACKAGE.rglob("*.py"):  # with the storage/ and web/ sub-packages
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_":
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"non-literal message in {module.name}"
                found.add(first.value)
    return found


def load_catalogue():
    with CATALOGUE.open("rb") as file:
        return read_po(file, locale="en")


def test_every_message_is_translated_with_the_same_placeholders():
    catalogue = load_catalogue()
    ids = message_ids()
    assert ids, "the evidence package shows no messages?"
    for message_id in ids:
        message = catalogue.get(message_id)
        assert message is not None and message.string, f"untranslated: {message_id}"
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message_id))


def test_the_catalogue_has_no_stale_entries():
    assert {m.id for m in load_catalogue() if m.id} == message_ids()


def test_the_catalogue_compiles_and_translates():
    buffer = io.BytesIO()
    write_mo(buffer, load_catalogue())
    buffer.seek(0)
    translations = GNUTranslations(buffer)
    message = translations.gettext("Berkas %(name)s ditolak: berkasnya kosong.")
    assert message % {"name": "a.pdf"} == "File a.pdf was rejected: the file is empty."
