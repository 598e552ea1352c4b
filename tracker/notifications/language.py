"""Messages in the recipient's language, outside any request (jobs, hooks, commands).

A mail goes out in its recipient's language, not in whatever language the request or the worker
happens to speak, so it is translated here with Babel directly from the catalogues every package
keeps (``tracker/**/translations``), without Flask.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LANGUAGES = ("id", "en")
DEFAULT = "id"  # D12: Indonesian unless the user chose otherwise
TRACKER_DIR = Path(__file__).resolve().parents[1]


def locale_of(chosen: str | None) -> str:
    """The language to write to a user in: their choice when the tracker speaks it."""
    return chosen if chosen in LANGUAGES else DEFAULT


def translator(locale: str) -> Callable[[str], str]:
    """``gettext`` for ``locale`` (Indonesian, the message ids, returned as written)."""
    if locale_of(locale) == DEFAULT:
        return _same
    return _catalogue(locale).gettext


def _same(message: str) -> str:
    return message


@lru_cache(maxsize=4)
def _catalogue(locale: str) -> NullTranslations:
    merged: NullTranslations | None = None
    for folder in sorted(TRACKER_DIR.rglob("translations")):
        if not folder.is_dir():
            continue
        found = Translations.load(str(folder), [locale])
        if not isinstance(found, Translations):
            continue
        if isinstance(merged, Translations):
            merged.merge(found)
        else:
            merged = found
    return merged or NullTranslations()


def clear_cache() -> None:
    """Forget loaded catalogues (after they were compiled anew)."""
    _catalogue.cache_clear()
