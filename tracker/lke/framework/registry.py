"""The framework definitions bundled with the app (``tracker/lke/frameworks/<code>.yaml``).

The database keeps the versions cycles pin (``tracker.lke.services``); this is where a version
comes from: the file, its bytes and their SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tracker.errors import NotFoundError
from tracker.i18n import _
from tracker.lke.framework.model import Framework
from tracker.lke.framework.parse import parse_framework, read_framework_yaml

FRAMEWORK_DIR = Path(__file__).resolve().parent.parent / "frameworks"
# Codes become file names: nothing that could climb out of FRAMEWORK_DIR.
_CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")


@dataclass(frozen=True)
class LoadedFramework:
    framework: Framework
    sha256: str
    raw_bytes: bytes
    document_json: str  # the file's document as JSON, what a stored version keeps

    def document(self) -> dict[str, Any]:
        """A fresh copy of the file's document, to store as a version's ``definition``: read
        back from JSON (a few milliseconds) instead of parsing the YAML again (a tenth of a
        second on the 200 KB file), and never the cached object itself."""
        document: dict[str, Any] = json.loads(self.document_json)
        return document


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
    framework, document_json = _parsed(sha256, raw, Path(path).name)
    return LoadedFramework(framework, sha256, raw, document_json)


@lru_cache(maxsize=8)
def _parsed(sha256: str, raw: bytes, name: str) -> tuple[Framework, str]:
    """The same bytes give the same (immutable) Framework and document: parsed once per
    process. Keyed by content, so an edited file is parsed again; a refusal is not cached (it
    raises)."""
    document = read_framework_yaml(raw, name)
    return parse_framework(document), json.dumps(document)


@lru_cache(maxsize=8)
def get_framework(code: str) -> Framework:
    """The bundled framework ``code``, parsed once. Raises NotFoundError, FrameworkError."""
    return load_framework_file(framework_path(code)).framework
