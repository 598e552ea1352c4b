"""The message catalogues as the tests need them.

English pages read the compiled catalogues (``messages.mo``), which are build output: `make test`
compiles them first (``scripts/i18n.py compile``), a bare ``pytest`` on a fresh checkout finds
none. ``ensure_compiled`` compiles every catalogue whose ``.mo`` is missing or older than its
``.po``, the way the script does, but into a temporary file renamed over the old one, so that
another test run reading the catalogues at the same moment never sees half a file.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from functools import cache
from pathlib import Path
from types import ModuleType

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


@cache
def i18n_script() -> ModuleType:
    """``scripts/i18n.py`` (not a package), loaded once."""
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stale() -> list[Path]:
    """Catalogues (.po) whose compiled .mo is missing or older than they are."""
    out = []
    for po in i18n_script().catalogues():
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            out.append(po)
    return out


def compile_catalogue(po: Path) -> None:
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    fd, temporary = tempfile.mkstemp(dir=po.parent, prefix=".messages-", suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog)
        os.chmod(temporary, 0o644)
        os.replace(temporary, po.with_suffix(".mo"))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def ensure_compiled() -> str | None:
    """Compile what is stale; None when every catalogue is usable, else why not."""
    if not i18n_script().catalogues():
        return "no message catalogues found under tracker/**/translations"
    try:
        for po in stale():
            compile_catalogue(po)
    except OSError as error:
        return (
            f"cannot compile the message catalogues ({error}); "
            "run `python scripts/i18n.py compile` (make test does)"
        )
    return None
