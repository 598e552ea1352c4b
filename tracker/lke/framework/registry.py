"""The framework definitions bundled with the app (``tracker/lke/frameworks/<code>.yaml``).

The database keeps the versions cycles pin (``tracker.lke.services``); this is where a version
comes from: the file, its bytes and their SHA-256.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tracker.errors import NotFoundError
from tracker.i18n import _
from tracker.lke.framework.model import Framework
from tracker.lke.framework.parse import parse_framework_yaml

FRAMEWORK_DIR = Path(__file__).resolve().parent.parent / "frameworks"
# Codes become file names: nothing that could climb out of FRAMEWORK_DIR.
_CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")


@dataclass(frozen=True)
class LoadedFramework:
    framework: Framework
    sha256: str
    raw_bytes: bytes


def framework_path(code: str) -> Path:
    """Path of the bundled definition file for ``code``. Raises NotFoundError."""
    path = FRAMEWORK_DIR / f"{code}.yaml"
    if not _CODE_PATTERN.match(code) or not path.is_file():
        raise NotFoundError(_("Kerangka LKE %(code)s tidak ditemukan", code=code), code=code)
    return path


def load_framework_file(path: str | Path) -> LoadedFramework:
    """Read, hash and validate a framework file. Raises FrameworkError, OSError."""
    raw = Path(path).read_bytes()
    sha256 = hashlib.sha256(raw).hexdigest()
    return LoadedFramework(_parsed(sha256, raw, Path(path).name), sha256, raw)


@lru_cache(maxsize=8)
def _parsed(sha256: str, raw: bytes, name: str) -> Framework:
    """The same bytes give the same (immutable) Framework: parsed once per process. Keyed by
    content, so an edited file is parsed again; a refusal is not cached (it raises)."""
    return parse_framework_yaml(raw, name)


@lru_cache(maxsize=8)
def get_framework(code: str) -> Framework:
    """The bundled framework ``code``, parsed once. Raises NotFoundError, FrameworkError."""
    return load_framework_file(framework_path(code)).framework
