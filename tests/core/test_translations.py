"""Every message shown to users has an English translation (D12)."""

from __future__ import annotations

from tests.catalogues import i18n_script


def test_every_message_has_an_english_translation() -> None:
    missing = i18n_script().missing()
    assert not missing, "untranslated (python scripts/i18n.py missing):\n" + "\n".join(
        f"  {where}: {msgid!r}" for msgid, where in missing.items()
    )
