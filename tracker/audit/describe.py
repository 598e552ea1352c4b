"""Audit records as sentences in the reader's language.

Records store tags and data, not prose, so that the same record reads in Indonesian or English;
each tag has one sentence template here. Unknown tags fall back to the tag itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tracker.i18n import N_, _

MESSAGES: dict[str, str] = {
    "auth:user:create": N_("Akun %(username)s dibuat"),
    "auth:user:password": N_("Kata sandi diganti"),
    "auth:user:active": N_("Status aktif akun diubah: %(old)s → %(new)s"),
    "auth:grant:add": N_("Peran %(role)s diberikan kepada %(user)s"),
    "auth:grant:revoke": N_("Peran %(role)s dicabut dari %(user)s"),
    "auth:grant:lead_on": N_("%(user)s ditetapkan sebagai ketua penilai %(role)s"),
    "auth:grant:lead_off": N_("%(user)s tidak lagi ketua penilai %(role)s"),
    "agencies:agency:create": N_("Instansi %(name)s dibuat"),
    "agencies:agency:update": N_("Data instansi diubah"),
    "agencies:unit:create": N_("Unit %(name)s dibuat"),
    "agencies:unit:update": N_("Data unit diubah"),
    "lke:framework:load": N_("Kerangka %(code)s versi %(version)s dimuat"),
    "accreditation:cycle:create": N_("Siklus %(year)s dibuka"),
    "accreditation:deadline:extend": N_(
        "Batas %(deadline)s diperpanjang: %(old)s → %(new)s (%(reason)s)"
    ),
    "accreditation:quota:set": N_("Kuota usulan: %(old)s → %(new)s"),
    "accreditation:enrolment:declare": N_(
        "Pencanangan ZI siklus %(cycle)s, target Menuju %(target)s"
    ),
    "accreditation:answer:set": N_("Jawaban %(tier)s butir %(item)s: %(old)s → %(new)s"),
    "accreditation:answers:import": N_(
        "LKE diimpor dari %(source)s ke tingkat %(tier)s (%(changed)s butir berubah)"
    ),
    "accreditation:review:approved": N_("Butir %(item)s disetujui (%(tier)s)"),
    "accreditation:review:revision": N_(
        "Butir %(item)s dikembalikan untuk perbaikan (%(tier)s): %(comment)s"
    ),
    "accreditation:review:revised": N_(
        "Butir %(item)s dikirim ulang setelah diperbaiki: %(comment)s"
    ),
    "accreditation:area:sign_off": N_("Area %(area)s ditandatangani (%(tier)s)"),
    "accreditation:area:reopen": N_("Tanda tangan area %(area)s dibuka kembali (%(tier)s)"),
    "accreditation:reviewer:assign": N_(
        "Unit ditugaskan kepada %(reviewer)s untuk penilaian %(tier)s (sebelumnya: %(previous)s)"
    ),
    "accreditation:stage:advance": N_("%(action)s: %(from)s → %(to)s"),
    "accreditation:kkn:record": N_("Kasus KKN dicatat: %(description)s"),
    "accreditation:carry:answers": N_(
        "%(items)s jawaban siklus %(year)s dibawa (%(files)s berkas ikut, %(stale)s berkas "
        "kedaluwarsa tidak dibawa)"
    ),
    "accreditation:carry:confirm": N_(
        "%(items)s butir bawaan tahun lalu dikonfirmasi (area %(area)s)"
    ),
    "accreditation:prerequisite:record": N_("Persyaratan %(label)s dicatat: %(value)s"),
    "evidence:file:upload": N_("Berkas %(name)s diunggah untuk butir %(item)s (versi %(version)s)"),
    "evidence:link:add": N_("Tautan bukti dicatat untuk butir %(item)s: %(url)s"),
    "evidence:file:withdraw": N_("Berkas %(name)s ditarik"),
    "evidence:file:download": N_("Berkas %(name)s diunduh oleh penilai"),
    "evidence:document:check": N_("Dokumen %(document)s butir %(item)s dinilai: %(verdict)s"),
    "system:public_url:set": N_("Alamat publik diubah: %(old)s → %(new)s"),
    "lke:framework:import": N_(
        "Daftar soal PortalRB %(tahun)s dimuat sebagai kerangka %(code)s versi %(version)s"
    ),
    "accreditation:survey:portalrb": N_(
        "Survei TPN butir %(item)s dicatat dari PortalRB (%(portalrb_reference)s)"
    ),
    "certificates:print:retry": N_(
        "Pencetakan %(job)s diulang (percobaan %(attempt)s): %(reason)s"
    ),
    "portalrb:token:create": N_("Token PortalRB %(name)s dibuat (%(prefix)s…)"),
    "portalrb:token:revoke": N_("Token PortalRB %(name)s dicabut (%(prefix)s…)"),
    "portalrb:api:pull": N_("PortalRB menarik %(endpoint)s dengan token %(token)s: %(status)s"),
    "accreditation:designation:record": N_(
        "Penetapan Menuju %(predicate)s %(year)s dicatat (SK %(decree_number)s, %(decree_date)s)"
    ),
    "accreditation:designation:revoke": N_(
        "Predikat Menuju %(predicate)s %(year)s dicabut (SK %(decree_number)s, %(decree_date)s)"
    ),
    "certificates:certificate:issue": N_("Piagam %(number)s diterbitkan"),
    # Issue 16 §5: a step's document rendered from its frozen data, a signed scan uploaded.
    "documents:document:render": N_("Dokumen tahap dibuat dalam PDF (SHA-256 %(sha256)s)"),
    "documents:scan:upload": N_("Pindaian bertanda tangan %(name)s diunggah (SHA-256 %(sha256)s)"),
    "certificates:certificate:reissue": N_(
        "Piagam %(number)s diterbitkan ulang, mengganti %(replaces)s"
    ),
    "certificates:print:request": N_("Pencetakan %(count)s piagam diminta (%(format)s)"),
    "certificates:signatory:update": N_("Penanda tangan piagam diubah: %(name)s"),
    "certificates:emblem:update": N_("Lambang instansi pada piagam diubah"),
    # Issue 17 §1, §4, §5: the overseers asked for clearance, Ombudsman results, unit lineage.
    "accreditation:cycle:overseers": N_("Daftar pengawas yang dimintai klarifikasi diubah"),
    "accreditation:ombudsman:record": N_(
        "Hasil penilaian kepatuhan Ombudsman %(year)s dicatat: zona %(zone)s, nilai %(score)s"
    ),
    "agencies:unit:succession": N_(
        "Unit %(predecessor)s diteruskan oleh %(successor)s (SK %(decree)s)"
    ),
    # Issue 17 §2, §3: the complaints register and monitoring (never the complainant's text).
    "complaints:complaint:file": N_("Pengaduan baru dicatat"),
    "complaints:complaint:status": N_("Status pengaduan diubah: %(note)s"),
    "complaints:complaint:handler": N_("Penanganan pengaduan diambil alih"),
    "complaints:complaint:file_added": N_("Berkas %(name)s ditambahkan pada pengaduan"),
    "complaints:monitoring:file": N_("Laporan pemantauan %(on)s dicatat, nilai LKE %(lke_score)s"),
    "complaints:verification:open": N_("Tugas verifikasi dibuka, tenggat %(due_on)s"),
    "complaints:verification:decide": N_("Hasil verifikasi dicatat: %(note)s"),
}


Formatter = Callable[[Any], str]

# Generic ways to print a value; a caller adds its own domain's (stage and action names, say):
# audit sits below every package, so it cannot know their labels itself.
FORMATTERS: Mapping[str, Formatter] = {
    "changed": lambda v: str(len(v)) if isinstance(v, list) else str(v),
}


def describe(
    tag: str, data: Mapping[str, Any], formatters: Mapping[str, Formatter] | None = None
) -> str:
    """The record as a sentence; ``formatters`` print the values of some keys (by key name)."""
    template = MESSAGES.get(tag)
    if template is None:
        return tag
    chosen = {**FORMATTERS, **(formatters or {})}
    values = _Values({k: chosen.get(k, _plain)(v) for k, v in data.items()})
    return _(template) % values


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return value.get("index", "…") if "index" in value else "…"
    return str(value)


class _Values(dict):
    """Missing keys read as a dash: old records stay readable when a template grows."""

    def __missing__(self, key: str) -> str:
        return "–"
