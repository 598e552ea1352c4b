"""The public address as a rule (pure): what an administrator may set, and what the public
could never open."""

from __future__ import annotations

import pytest

from tracker.errors import ValidationError
from tracker.system.public_url import clean, unreachable_reason


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("https://zi.menpan.go.id", "https://zi.menpan.go.id"),
        ("  HTTPS://ZI.Menpan.GO.ID/  ", "https://zi.menpan.go.id"),
        ("http://203.0.113.7:8080", "http://203.0.113.7:8080"),
        ("https://[2001:db8::1]:8443/", "https://[2001:db8::1]:8443"),
        ("https://zona-integritas.kota.example.", "https://zona-integritas.kota.example"),
        ("https://bükti.example.id", "https://xn--bkti-0ra.example.id"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),  # valid, only unreachable
    ],
)
def test_a_clean_origin_is_kept_in_canonical_form(typed: str, stored: str) -> None:
    assert clean(typed) == stored


@pytest.mark.parametrize(
    "typed, says",
    [
        ("", "wajib diisi"),
        ("zi.menpan.go.id", "https://"),
        ("ftp://zi.menpan.go.id", "https://"),
        ("javascript:alert(1)", "https://"),
        ("https:zi.menpan.go.id", "https://"),
        ("https://admin:rahasia@zi.menpan.go.id", "kata sandi"),
        ("https://admin@zi.menpan.go.id", "nama pengguna"),
        ("https://zi.menpan.go.id/verify", "tanpa path"),
        ("https://zi.menpan.go.id/verify/ZI-2019-WBK-7K3M-9QXD4", "tanpa path"),
        ("https://zi.menpan.go.id?utm=1", "tanda tanya"),
        ("https://zi.menpan.go.id#atas", "tanda pagar"),
        ("https://zi.menpan.go.id/?", "tanda tanya"),
        ("https://zi menpan.go.id", "spasi"),
        ("https://zi.menpan.go.id\\@evil.example", "garis miring terbalik"),
        ("https://zi.menpan.go.id:0", "port"),
        ("https://zi.menpan.go.id:99999", "port"),
        ("https://zi.menpan.go.id:abc", "port"),
        ("https://-zi.menpan.go.id", "Nama host"),
        ("https://zi_menpan.go.id", "Nama host"),
        ("https://300.1.1.1", "Nama host"),
        ("https://", "Nama host"),
        ("https://" + "a" * 200 + ".id", "paling panjang"),
    ],
)
def test_anything_else_is_refused_with_a_reason(typed: str, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        clean(typed)
    assert says in str(refused.value)


@pytest.mark.parametrize(
    "url, why",
    [
        ("http://127.0.0.1:5000", "loopback"),
        ("http://127.0.0.1:8123", "loopback"),
        ("http://localhost:5000", "loopback"),
        ("http://[::1]:5000", "loopback"),
        ("http://[::ffff:127.0.0.1]", "loopback"),
        ("http://10.1.2.3", "privat"),
        ("http://192.168.1.20:8000", "privat"),
        ("http://172.16.0.5", "privat"),
        ("http://169.254.10.1", "privat"),
        ("http://100.64.0.1", "privat"),  # carrier-grade NAT
        ("http://0.0.0.0:5000", "privat"),
        ("http://zi-tracker", "lokal"),
        ("http://zi.kantor.local", "lokal"),
        ("http://zi.home.arpa", "lokal"),
    ],
)
def test_addresses_the_public_could_never_open(url: str, why: str) -> None:
    reason = unreachable_reason(url)
    assert reason is not None and why in reason


@pytest.mark.parametrize(
    "url", ["https://zi.menpan.go.id", "http://8.8.8.8:8080", "https://[2606:4700::1111]"]
)
def test_public_hosts_are_not_flagged(url: str) -> None:
    assert unreachable_reason(url) is None
