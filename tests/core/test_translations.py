"""Every message shown to users has an English translation (D12)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_every_message_has_an_english_translation() -> None:
    missing = _i18n_script().missing()
    assert not missing, "untranslated (python scripts/i18n.py missing):\n" + "\n".join(
        f"  {where}: {msgid!r}" for msgid, where in missing.items()
    )
