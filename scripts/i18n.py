"""Message catalogues: find the Indonesian message ids that lack an English translation.

    python scripts/i18n.py missing            # list msgids used in code without English
    python scripts/i18n.py add CATALOGUE.po   # append those msgids to a catalogue, msgstr empty
    python scripts/i18n.py compile            # compile every catalogue (.po -> .mo)

Every domain package keeps its own ``translations/en/LC_MESSAGES/messages.po``; Flask-Babel
merges them (``tracker.language.translation_directories``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "L": None, "lazy_gettext": None, "gettext": None}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]


def used_messages() -> dict[str, str]:
    """msgid -> first place it is used, over the package and the templates."""
    found: dict[str, str] = {}
    for folder in (ROOT / "tracker", ROOT / "templates"):
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
            folder, METHODS, keywords=KEYWORDS, options_map={"**.html": {"trimmed": "true"}}
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, f"{folder.name}/{filename}:{lineno}")
    return found


def catalogues() -> list[Path]:
    return sorted((ROOT / "tracker").rglob("translations/en/LC_MESSAGES/messages.po"))


def translated() -> set[str]:
    ids: set[str] = set()
    for path in catalogues():
        with path.open("rb") as handle:
            ids |= {m.id for m in read_po(handle) if m.id and m.string}
    return ids


def missing() -> dict[str, str]:
    have = translated()
    return {msgid: where for msgid, where in used_messages().items() if msgid not in have}


def add(path: Path) -> int:
    catalog = Catalog(locale="en")
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle)
    gaps = missing()
    for msgid in gaps:
        if msgid not in catalog:
            catalog.add(msgid, "")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=False)
    return len(gaps)


def compile_all() -> None:
    for path in catalogues():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="en")
        with path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


def main(argv: list[str]) -> int:
    if argv[:1] == ["missing"]:
        gaps = missing()
        for msgid, where in gaps.items():
            print(f"{where}: {msgid!r}")
        return 1 if gaps else 0
    if argv[:1] == ["add"] and len(argv) == 2:
        print(f"{add(Path(argv[1]))} message(s) added")
        return 0
    if argv[:1] == ["compile"]:
        compile_all()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
