"""The public address of the tracker: what an administrator may set, and who could open it.

Pure: no Flask, no database. ``clean`` accepts an http(s) origin only (scheme, host, optional
port): no path, query or fragment (the app is served at the root, and certificates append
``/verify/<number>``), and no user name or password (they would be printed on every
certificate). ``unreachable_reason`` says why the public could never open an address
(loopback, a private network, a local-only host name), or None.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from tracker.errors import ValidationError
from tracker.i18n import _

MAX_LENGTH = 200
EXAMPLE = "https://zi.instansi.go.id"
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
# Names that resolve only inside a building or a home network (RFC 6762, RFC 8375, common use).
LOCAL_SUFFIXES = (".local", ".localdomain", ".internal", ".intranet", ".lan", ".home.arpa")


def clean(text: str) -> str:
    """The canonical form of ``text`` as a public address: ``scheme://host[:port]``, scheme and
    host in lower case, no trailing slash.

    Raises ``ValidationError`` saying what is wrong: empty, too long, spaces, not http(s), a
    user name or password, a path, query or fragment, a malformed host or port.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Alamat publik wajib diisi."))
    if len(text) > MAX_LENGTH:
        raise ValidationError(_("Alamat publik paling panjang %(n)s karakter.", n=MAX_LENGTH))
    if any(char.isspace() or ord(char) < 32 or char == "\\" for char in text):
        raise ValidationError(
            _("Alamat publik tidak boleh memuat spasi atau garis miring terbalik.")
        )
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not text.lower().startswith(
        f"{parts.scheme.lower()}://"
    ):
        raise ValidationError(
            _(
                "Alamat publik harus diawali https:// atau http://, misalnya %(example)s.",
                example=EXAMPLE,
            )
        )
    if "@" in parts.netloc:
        raise ValidationError(
            _(
                "Alamat publik tidak boleh memuat nama pengguna atau kata sandi "
                "(alamat ini tercetak di setiap piagam)."
            )
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in text or "#" in text:
        raise ValidationError(
            _(
                "Tulis hanya alamat situsnya, tanpa path, tanda tanya atau tanda pagar, "
                "misalnya %(example)s.",
                example=EXAMPLE,
            )
        )
    return f"{parts.scheme.lower()}://{_netloc(parts.netloc)}"


def _netloc(netloc: str) -> str:
    """``host[:port]`` checked and lower-cased; raises ValidationError."""
    parts = urlsplit(f"//{netloc}")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise ValidationError(_("Nomor port tidak sah (1–65535)."))
    host = _host(parts.hostname or "")
    if ":" in host:
        host = f"[{host}]"
    return host if port is None else f"{host}:{port}"


def _host(host: str) -> str:
    """A valid IP address or DNS name (internationalised names in their ASCII form)."""
    invalid = ValidationError(_("Nama host tidak sah."))
    if not host:
        raise invalid
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        name = host.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError as err:
        raise invalid from err
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise invalid
    if labels[-1].isdigit():  # 300.1.1.1, 10.1: neither an address nor a name
        raise invalid
    return name


def unreachable_reason(url: str) -> str | None:
    """Why the public could never open ``url`` (a clean address), or None when it could.

    Loopback and private, link-local or otherwise non-global addresses, ``localhost`` and
    names without a dot or under a local-only suffix. (None does not prove the name resolves.)
    """
    host = (urlsplit(url).hostname or "").rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return _("alamat loopback: hanya komputer server itu sendiri yang dapat membukanya")
        if "." not in host or host.endswith(LOCAL_SUFFIXES):
            return _("nama host lokal: hanya dikenal di jaringan kantor")
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return _("alamat loopback: hanya komputer server itu sendiri yang dapat membukanya")
    if not address.is_global:
        return _("alamat jaringan privat: tidak dapat dibuka dari internet")
    return None
