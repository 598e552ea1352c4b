"""Every message of the LKE engine has an English translation that keeps its placeholders (D12)."""

from __future__ import annotations

import io
import re
from gettext import GNUTranslations
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[2] / "tracker" / "lke"
CATALOGUE = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MODULES = (
    "answers",
    "cli",
    "eligibility",
    "framework",
    "report",
    "scoring",
    "services",
    "worksheet",
)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def sources() -> list[Path]:
    """The module files, a sub-package (``framework/``, ``worksheet/``) counting as its files."""
    paths: list[Path] = []
    for name in MODULES:
        folder = PACKAGE / name
        paths += sorted(folder.glob("*.py")) if folder.is_dir() else [PACKAGE / f"{name}.py"]
    return paths


def message_ids() -> set[str]:
    found = set()
    for path in sources():
        for _line, message, _comments, _context in extract_from_file(
            "python", path, keywords={"_": None, "N_": None}
        ):
            found.add(message)
    return found


def catalogue() -> Catalog:
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="en")


def test_every_message_is_translated_with_the_same_placeholders() -> None:
    translations = catalogue()
    ids = message_ids()
    assert len(ids) > 50
    for message_id in ids:
        message = translations.get(message_id)
        assert message is not None and message.string, f"untranslated: {message_id}"
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message_id))
        assert message.string.count("%%") == message_id.count("%%")


def test_the_catalogue_has_no_stale_entries() -> None:
    assert {m.id for m in catalogue() if m.id} == message_ids()


def test_the_catalogue_compiles_and_translates() -> None:
    buffer = io.BytesIO()
    write_mo(buffer, catalogue())
    buffer.seek(0)
    english = GNUTranslations(buffer)
    message = english.gettext("%(label)s %(value)s %% dari bobot, minimal %(threshold)s %%")
    params = {"label": "Penguatan Pengawasan", "value": "52,00", "threshold": "60,00"}
    assert message % params == "Penguatan Pengawasan 52,00 % of weight, needs 60,00 %"
