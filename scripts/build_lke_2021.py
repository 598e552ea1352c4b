"""Build ``tracker/lke/frameworks/lke-2021.yaml`` from the two shared sources (D1).

Run once by hand, from the repository root::

    .venv/bin/python scripts/build_lke_2021.py [--shared ../shared] [--out PATH]

Sources:

* ``data/portalrb-master-soal-lke-2026.json``: KemenPANRB's machine-readable LKE (hierarchy,
  weights, question and criterion wording, option texts and multipliers, count inputs);
* ``domain/zona-integritas.md``: the tracker's domain reference (item codes, English glosses,
  the % items the PortalRB list only shows as their ``Jumlah`` inputs, evidence examples).

The output is committed; nothing reads the shared folder at runtime or in tests. The script
cross-checks both sources (codes, answer types, weights) and stops with a message on any
disagreement rather than writing a half-right file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from tracker.lke.framework import parse_framework
from tracker.lke.worksheet.portalrb import master_cells

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "tracker" / "lke" / "frameworks" / "lke-2021.yaml"
SHARED_CANDIDATES = (REPO.parent / "shared", Path("/work/shared"))

# D2: the literal multipliers of the official Excel (0.67/0.33, not exact thirds).
MULTIPLIERS = {
    "ya_tidak": {"Ya": "1", "Tidak": "0"},
    "abc": {"A": "1", "B": "0.5", "C": "0"},
    "abcd": {"A": "1", "B": "0.67", "C": "0.33", "D": "0"},
    "abcde": {"A": "1", "B": "0.75", "C": "0.5", "D": "0.25", "E": "0"},
}
PORTALRB_TYPES = {"YA_TIDAK": "ya_tidak", "ABC": "abc", "ABCD": "abcd", "ABCDE": "abcde"}
DOMAIN_TYPES = {"Ya/Tidak": "ya_tidak", "A/B/C": "abc", "A/B/C/D": "abcd", "A/B/C/D/E": "abcde"}

COMPONENT_EN = {"A": ("pengungkit", "Enablers"), "B": ("hasil", "Results")}
PART_EN = {
    "A.I": ("pemenuhan", "Fulfilment"),
    "A.II": ("reform", "Reform"),
    "B.I": ("hasil", "Clean and accountable bureaucracy"),
    "B.II": ("hasil", "Excellent public service"),
}
AREA_EN = {
    "1": "Change management",
    "2": "Governance procedures (business processes)",
    "3": "Civil-service HR management system",
    "4": "Performance accountability",
    "5": "Internal oversight",
    "6": "Public-service quality",
}
SUB_AREA_EN = {
    "A.I.1.i": "Forming the work team",
    "A.I.1.ii": "Zona Integritas development plan",
    "A.I.1.iii": "Monitoring and evaluation of the WBK/WBBM build",
    "A.I.1.iv": "Changing mindset and work culture",
    "A.I.2.i": "Standard operating procedures (SOP) for core activities",
    "A.I.2.ii": "Electronic-based government system (SPBE)",
    "A.I.2.iii": "Public information disclosure",
    "A.I.3.i": "Staffing needs planned to fit the organisation",
    "A.I.3.ii": "Internal rotation pattern",
    "A.I.3.iii": "Competency-based staff development",
    "A.I.3.iv": "Individual performance targets",
    "A.I.3.v": "Enforcing discipline rules / code of ethics / code of conduct",
    "A.I.3.vi": "Personnel information system",
    "A.I.4.i": "Leadership involvement",
    "A.I.4.ii": "Managing performance accountability",
    "A.I.5.i": "Gratuity control",
    "A.I.5.ii": "Government internal control system (SPIP)",
    "A.I.5.iii": "Public complaints",
    "A.I.5.iv": "Whistle-blowing system",
    "A.I.5.v": "Handling conflicts of interest",
    "A.I.6.i": "Service standards",
    "A.I.6.ii": "Excellent-service culture",
    "A.I.6.iii": "Complaint management",
    "A.I.6.iv": "Assessing satisfaction with services",
    "A.I.6.v": "Use of information technology",
    "A.II.1.i": "Commitment to change",
    "A.II.1.ii": "Leadership commitment",
    "A.II.1.iii": "Building a work culture",
    "A.II.2.i": "Business-process map leads to job simplification",
    "A.II.2.ii": "Integrated SPBE",
    "A.II.2.iii": "Digital transformation delivers value",
    "A.II.3.i": "Individual performance",
    "A.II.3.ii": "Staff assessment",
    "A.II.3.iii": "Staff discipline violations",
    "A.II.4.i": "Better unit performance achievement",
    "A.II.4.ii": "Reward and punishment",
    "A.II.4.iii": "Performance logic framework",
    "A.II.5.i": "Control mechanism",
    "A.II.5.ii": "Handling public complaints",
    "A.II.5.iii": "Asset-declaration filing",
    "A.II.5.iii.a": "Filing of LHKPN (state officials' asset declarations to KPK)",
    "A.II.5.iii.b": "Filing of non-LHKPN asset reports (LHKASN)",
    "A.II.6.i": "Public-service efforts and/or innovation",
    "A.II.6.ii": "Handling service complaints and consultations",
}

# The % items (D4). PortalRB lists only their ``Jumlah`` inputs; code, wording and formula come
# from the domain reference §2.3/§2.4. Inputs: (PortalRB soal id or None for a derived total,
# key, English label); a derived total is ("=", key, English label, Indonesian label, parts).
# ``zero_denominator`` (revised D4): only complaints (no complaints), LHKPN/LHKASN (nobody obliged)
# and discipline (no violations last year nor this year) may find nothing required and score 1.0
# on 0/0; for every other % item a zero denominator is an input error (the Excel's #DIV/0!).
PERCENT_ITEMS: dict[str, dict[str, Any]] = {
    "A.II.1.i.a": {
        "inputs": [
            (88, "agen_perubahan", "Number of change agents"),
            (89, "perubahan_dibuat", "Number of changes made"),
        ],
        "formula": {
            "kind": "ratio",
            "numerator": ["perubahan_dibuat"],
            "denominator": ["agen_perubahan"],
            "zero_denominator": "error",
        },
    },
    "A.II.1.i.b": {
        "inputs": [
            (90, "perubahan_dibuat", "Number of changes made"),
            (91, "perubahan_terintegrasi", "Changes integrated into the management system"),
        ],
        "formula": {
            "kind": "ratio",
            "numerator": ["perubahan_terintegrasi"],
            "denominator": ["perubahan_dibuat"],
            "zero_denominator": "error",
        },
        "same_as": {"perubahan_dibuat": "A.II.1.i.a/perubahan_dibuat"},
    },
    "A.II.3.iii.a": {
        "inputs": [
            (102, "pelanggaran_tahun_lalu", "Violations in the previous year"),
            (103, "pelanggaran_tahun_ini", "Violations this year"),
            (104, "pelanggaran_disanksi", "Violations already sanctioned (informational)"),
        ],
        "formula": {
            "kind": "decrease",
            "previous": "pelanggaran_tahun_lalu",
            "current": "pelanggaran_tahun_ini",
            "zero_denominator": "nothing_required",
        },
    },
    "A.II.4.i.a": {
        "inputs": [
            (105, "sasaran_kinerja", "Number of performance targets"),
            (106, "sasaran_tercapai", "Targets achieved at 100 % or more"),
        ],
        "formula": {
            "kind": "ratio",
            "numerator": ["sasaran_tercapai"],
            "denominator": ["sasaran_kinerja"],
            "zero_denominator": "error",
        },
    },
    "A.II.5.ii.a": {
        "inputs": [
            (110, "harus_ditindaklanjuti", "Complaints that must be followed up"),
            (111, "sedang_diproses", "Complaints being processed (informational)"),
            (112, "selesai_ditindaklanjuti", "Complaints fully followed up"),
        ],
        # D4: completed / must-be-followed-up (F/H); the regulation's own example fits only this.
        "formula": {
            "kind": "complaints",
            "numerator": ["selesai_ditindaklanjuti"],
            "denominator": ["harus_ditindaklanjuti"],
            "zero_denominator": "nothing_required",
        },
    },
    "A.II.5.iii.a.1": {
        "text": "Persentase penyampaian LHKPN",
        "inputs": [
            (
                "=",
                "wajib_total",
                "Total obliged to file LHKPN (derived)",
                "Jumlah yang harus melaporkan LHKPN",
                ["kepala_satker", "pejabat_wajib", "lainnya"],
            ),
            (113, "kepala_satker", "Heads of work units obliged to file"),
            (114, "pejabat_wajib", "Other officials obliged to file LHKPN"),
            (115, "lainnya", "Others obliged to file"),
            (116, "sudah_melaporkan", "Total who have filed (all three groups)"),
        ],
        "formula": {
            "kind": "sum_ratio",
            "numerator": ["sudah_melaporkan"],
            "denominator": ["kepala_satker", "pejabat_wajib", "lainnya"],
            "zero_denominator": "nothing_required",
        },
    },
    "A.II.5.iii.b.1": {
        "text": "Persentase penyampaian LHKASN (Non LHKPN)",
        "inputs": [
            (
                "=",
                "wajib_total",
                "Total obliged to file non-LHKPN reports (derived)",
                "Jumlah yang harus menyampaikan Non LHKPN",
                ["eselon_iii", "eselon_iv", "fungsional_pelaksana"],
            ),
            (117, "eselon_iii", "Administrators (echelon III) obliged to file"),
            (118, "eselon_iv", "Supervisors (echelon IV) obliged to file"),
            (119, "fungsional_pelaksana", "Functional and executive staff obliged to file"),
            (120, "sudah_melaporkan", "Total who have filed"),
        ],
        "formula": {
            "kind": "sum_ratio",
            "numerator": ["sudah_melaporkan"],
            "denominator": ["eselon_iii", "eselon_iv", "fungsional_pelaksana"],
            "zero_denominator": "nothing_required",
        },
    },
    "A.II.6.i.b": {
        "inputs": [
            (122, "layanan_terdata", "Services/permits registered"),
            (123, "layanan_dipermudah", "Services/permits simplified"),
        ],
        "formula": {
            "kind": "ratio",
            "numerator": ["layanan_dipermudah"],
            "denominator": ["layanan_terdata"],
            "zero_denominator": "error",
        },
    },
}
PERCENT_BY_FIRST_INPUT = {
    next(i[0] for i in spec["inputs"] if i[0] != "="): code for code, spec in PERCENT_ITEMS.items()
}

RESULT_DOCUMENTS = {
    "B.I.a": [
        (
            "Laporan hasil survei persepsi anti korupsi (IPAK)",
            "Anti-corruption perception survey report (IPAK)",
        )
    ],
    "B.I.b": [
        (
            "Laporan kinerja tahun berjalan dan tahun sebelumnya",
            "Performance reports for this year and the previous year",
        ),
        ("Data capaian kinerja nasional/unit sejenis", "National or peer-unit performance data"),
    ],
    "B.II.a": [
        (
            "Laporan hasil survei persepsi kualitas pelayanan (IPKP)",
            "Service-quality perception survey report (IPKP)",
        )
    ],
}
RESULT_TEXT_EN = {
    "B.I.a": "Anti-corruption perception score from the external survey (IPAK, 0–4)",
    "B.I.b": "Performance better than the previous year",
    "B.II.a": "Service-quality perception score from the external survey (IPKP, 0–4)",
}
# D7: every survey value records where it came from.
SURVEY_PROVENANCE = [
    {
        "key": "source",
        "label": "Penyelenggara survei",
        "label_en": "Survey source",
        "type": "text",
        "required": True,
    },
    {
        "key": "period",
        "label": "Periode survei",
        "label_en": "Survey period",
        "type": "text",
        "required": True,
    },
    {
        "key": "respondents",
        "label": "Jumlah responden",
        "label_en": "Number of respondents",
        "type": "integer",
        "required": True,
    },
    {
        "key": "report",
        "label": "Laporan hasil survei",
        "label_en": "Survey report",
        "type": "document",
        "required": True,
    },
]

# Indonesian titles for the domain reference's (English) evidence examples. "As above" repeats
# the previous item's documents.
EVIDENCE_ID = {
    "ABK document": "Dokumen analisis beban kerja (ABK)",
    "Action plan with priority targets": "Rencana aksi dengan target prioritas",
    "Action-plan implementation report": "Laporan pelaksanaan rencana aksi",
    "Application screenshots": "Tangkapan layar aplikasi",
    "Assessment reports": "Laporan hasil assessment pegawai",
    "Assignment memos citing SOPs": "Surat tugas yang merujuk SOP",
    "Banners/posters/social-media captures": "Spanduk/poster/tangkapan layar media sosial",
    "Business-process map": "Peta proses bisnis",
    "Business-process map (peta proses bisnis)": "Peta proses bisnis",
    "COI evaluation report": "Laporan evaluasi penanganan benturan kepentingan",
    "COI follow-up report": "Laporan tindak lanjut evaluasi benturan kepentingan",
    "COI identification/mapping": "Dokumen identifikasi/pemetaan benturan kepentingan",
    "CVs of rotated staff": "Daftar riwayat hidup pegawai yang dimutasi",
    "Captures of information channels incl. SIPPN": (
        "Tangkapan layar kanal informasi pelayanan termasuk SIPPN"
    ),
    "Cascaded SKP documents": "Dokumen SKP berjenjang",
    "Change-agent decree": "SK agen perubahan",
    "Change-agent decree (SK Agen Perubahan)": "SK agen perubahan",
    "Change-project documents": "Dokumen proyek perubahan",
    "Compensation policy": "Kebijakan kompensasi pelayanan",
    "Competency-development plan": "Rencana pengembangan kompetensi",
    "Competency-gap report": "Laporan kesenjangan kompetensi",
    "Complaint registers/reports with the three counts": (
        "Register/laporan pengaduan dengan ketiga jumlah"
    ),
    "Complaint-officer decree": "SK petugas pengelola pengaduan",
    "Complaint-team decree": "SK tim pengelola pengaduan",
    "Data-collection team decree": "SK tim pengumpul data kinerja",
    "Development monev report": "Laporan monev pengembangan kompetensi",
    "Development policy": "Kebijakan pengembangan pegawai",
    "Discipline-sanction decrees": "SK hukuman disiplin",
    "Disclosure policy": "Kebijakan keterbukaan informasi publik",
    "Evaluation report": "Laporan evaluasi",
    "FRA": "Formulir rencana aksi (FRA)",
    "FRA (target-realisation form)": "Formulir rencana aksi (FRA)",
    "Follow-up action plan / report": "Rencana/laporan tindak lanjut",
    "Gratuity-control unit (UPG) decree": "SK unit pengendalian gratifikasi (UPG)",
    "Head's attendance records": "Daftar hadir pimpinan",
    "IKI": "Indikator kinerja individu (IKI)",
    "IKI decree": "SK indikator kinerja individu (IKI)",
    "IKU": "Indikator kinerja utama (IKU)",
    "IKU decree/document": "SK/dokumen indikator kinerja utama (IKU)",
    "IKU document": "Dokumen indikator kinerja utama (IKU)",
    "IT monev reports": "Laporan monev pemanfaatan TI",
    "IT-in-services evaluation report signed by unit head": (
        "Laporan evaluasi TI pelayanan yang ditandatangani pimpinan unit"
    ),
    "IT-in-services report": "Laporan penerapan TI dalam pelayanan",
    "Innovation documentation/screenshots": "Dokumentasi/tangkapan layar inovasi",
    "Innovation implementation report": "Laporan pelaksanaan inovasi",
    "Internal code": "Kode etik/kode perilaku internal",
    "Internalisation meeting records and slides": "Notulen dan bahan paparan rapat internalisasi",
    "Internalisation meeting/bimtek records": "Notulen rapat internalisasi/bimtek",
    "Internalisation records": "Dokumentasi internalisasi",
    "LAPOR! profile/admin screenshots": "Tangkapan layar profil/admin SP4N-LAPOR!",
    "LHKASN/SiHARKA monitoring report": "Laporan pemantauan LHKASN/SiHARKA",
    "LHKPN monitoring report (inspectorate / e-LHKPN)": (
        "Laporan pemantauan LHKPN (inspektorat / e-LHKPN)"
    ),
    "List of services per service standard": "Daftar layanan sesuai standar pelayanan",
    "Maklumat document": "Dokumen maklumat pelayanan",
    "Monev meeting records": "Notulen rapat monev",
    "Monev minutes with recommendations": "Notulen monev beserta rekomendasi",
    "Monev minutes/report": "Notulen/laporan monev",
    "Monev reports": "Laporan monev",
    "Monthly/quarterly performance-measurement records": (
        "Catatan pengukuran kinerja bulanan/triwulanan"
    ),
    "PK": "Perjanjian kinerja (PK)",
    "PPID decree/assignment": "SK/surat tugas PPID",
    "Performance report (LAKIN/LKj)": "Laporan kinerja (LAKIN/LKj)",
    "Performance report (LKIP)": "Laporan kinerja (LKIP)",
    "Performance-agreement (PK) meeting records": "Notulen rapat penyusunan perjanjian kinerja",
    "Performance-monitoring meeting records": "Notulen rapat pemantauan kinerja",
    "Perjanjian Kinerja": "Perjanjian kinerja",
    "Photos/screenshots of integrated service (e.g., PTSP)": (
        "Foto/tangkapan layar layanan terpadu (mis. PTSP)"
    ),
    "Placement decrees": "SK penempatan pegawai",
    "Placement monev report": "Laporan monev penempatan pegawai",
    "Planning documents with ZI targets": "Dokumen perencanaan yang memuat target ZI",
    "Planning-meeting minutes/photos": "Notulen/foto rapat penyusunan perencanaan",
    "Publication captures/photos": "Tangkapan layar/foto publikasi",
    "Renstra": "Rencana strategis (Renstra)",
    "Reports of culture programmes (e.g., reward & punishment)": (
        "Laporan program budaya kerja (mis. reward & punishment)"
    ),
    "Responses to complaints": "Jawaban/tanggapan atas pengaduan",
    "Review minutes with stakeholders": "Notulen reviu bersama pemangku kepentingan",
    "Reward decrees": "SK pemberian penghargaan",
    "Reward/punishment policy": "Kebijakan penghargaan dan sanksi",
    "Risk register / risk-assessment documents": "Register risiko / dokumen penilaian risiko",
    "Risk-control action plan / report": "Rencana/laporan pengendalian risiko",
    "Risk-management and SPIP forms/records": "Formulir/catatan manajemen risiko dan SPIP",
    "Rotation decrees": "SK mutasi",
    "Rotation monev report": "Laporan monev mutasi",
    "Rotation-pattern policy": "Kebijakan pola mutasi",
    "Running HR application (screenshots)": "Tangkapan layar aplikasi kepegawaian yang berjalan",
    "Running performance application (screenshots)": (
        "Tangkapan layar aplikasi kinerja yang berjalan"
    ),
    "SIMPEG update reports": "Laporan pemutakhiran SIMPEG",
    "SK/assignment of SP4N-LAPOR! managers": "SK/surat tugas pengelola SP4N-LAPOR!",
    "SKM reports per period": "Laporan SKM per periode",
    "SKP": "Sasaran kinerja pegawai (SKP)",
    "SKP (individual targets), IKI, Perjanjian Kinerja, Renstra": (
        "SKP, IKI, perjanjian kinerja dan Renstra"
    ),
    "SOP list": "Daftar SOP",
    "SOP-evaluation minutes/reports": "Notulen/laporan evaluasi SOP",
    "SOPs embedding values (e.g., BerAKHLAK)": "SOP yang memuat nilai organisasi (mis. BerAKHLAK)",
    "SPBE implementation and monev documents": "Dokumen penerapan dan monev SPBE",
    "SPIP reports": "Laporan SPIP",
    "SPIP socialisation": "Dokumentasi sosialisasi SPIP",
    "SPIP team decree": "SK satgas SPIP",
    "Screenshots of integrated service application/database": (
        "Tangkapan layar aplikasi/database pelayanan terintegrasi"
    ),
    "Screenshots of website/social media": "Tangkapan layar situs web/media sosial",
    "Screenshots/photos of published SKM results": "Tangkapan layar/foto publikasi hasil SKM",
    "Selection mechanism document": "Dokumen mekanisme seleksi anggota tim",
    "Service application": "Aplikasi pelayanan",
    "Service-improvement report based on SKM": "Laporan perbaikan pelayanan berdasarkan SKM",
    "Service-standard decree (standar pelayanan)": "SK standar pelayanan",
    "Signed COI-free statements": "Pernyataan bebas benturan kepentingan yang ditandatangani",
    "Signed integrity pacts (Pakta Integritas)": "Pakta integritas yang ditandatangani",
    "Signed performance report": "Laporan kinerja yang ditandatangani",
    "Staffing-needs plan based on peta jabatan & ABK": (
        "Rencana kebutuhan pegawai berdasarkan peta jabatan dan ABK"
    ),
    "TNA document": "Dokumen analisis kebutuhan pelatihan (TNA)",
    "TNA meeting minutes": "Notulen rapat TNA",
    "Team decree (SK Tim Kerja ZI)": "SK Tim Kerja Pembangunan ZI",
    "ToR/KAK of change projects": "KAK proyek perubahan",
    "Training reports": "Laporan pelatihan",
    "Training/socialisation records and schedule": "Dokumentasi dan jadwal pelatihan/sosialisasi",
    "Training/workshop reports on performance reporting": (
        "Laporan pelatihan/bimtek penyusunan laporan kinerja"
    ),
    "UPG activity reports": "Laporan kegiatan UPG",
    "WBS application screenshots": "Tangkapan layar aplikasi WBS",
    "WBS evaluation report (often by the inspectorate)": "Laporan evaluasi WBS (oleh inspektorat)",
    "WBS follow-up report": "Laporan tindak lanjut evaluasi WBS",
    "WBS publicity": "Dokumentasi publikasi WBS",
    "ZI work plan / action plan (rencana kerja/rencana aksi)": (
        "Rencana kerja/rencana aksi pembangunan ZI"
    ),
    "achievements": "Bukti capaian target",
    "action plan": "Rencana aksi",
    "activity reports": "Laporan kegiatan",
    "agency COI guideline": "Pedoman penanganan benturan kepentingan instansi",
    "annual information-service report": "Laporan tahunan layanan informasi publik",
    "appointment meeting minutes": "Notulen rapat penetapan",
    "assessment worksheets": "Kertas kerja penilaian",
    "assignment letters": "Surat tugas",
    "attendance": "Daftar hadir",
    "award records": "Dokumentasi pemberian penghargaan",
    "before/after impact": "Bukti dampak sebelum/sesudah",
    "benefit targets": "Target nilai manfaat",
    "budget (POK) lines": "Anggaran kegiatan (POK)",
    "certificates": "Sertifikat",
    "channel captures": "Tangkapan layar kanal pengaduan",
    "channel publicity": "Publikasi kanal pengaduan",
    "competency list": "Daftar kompetensi jabatan",
    "complaint box photos": "Foto kotak pengaduan",
    "complaint monev report": "Laporan monev pengaduan",
    "complaint monev/follow-up report": "Laporan monev/tindak lanjut pengaduan",
    "complaint-box records": "Catatan kotak pengaduan",
    "decree adopting the plan": "SK penetapan rencana kerja",
    "documentation of the head's ZI activities / press releases": (
        "Dokumentasi kegiatan ZI pimpinan / siaran pers"
    ),
    "drafting-meeting minutes": "Notulen rapat penyusunan",
    "evaluation-meeting minutes": "Notulen rapat evaluasi",
    "evidence of adoption into procedures": "Bukti integrasi ke dalam prosedur",
    "follow-up progress": "Progres tindak lanjut",
    "follow-up report": "Laporan tindak lanjut",
    "innovative SOPs": "SOP inovatif",
    "invitation, attendance list and minutes of the team-forming meeting": (
        "Undangan, daftar hadir dan notulen rapat pembentukan tim"
    ),
    "invitations/attendance/minutes of monev meetings": "Undangan/daftar hadir/notulen rapat monev",
    "job-simplification evidence": "Bukti penyederhanaan jabatan",
    "meeting minutes": "Notulen rapat",
    "meeting notes on SOP use": "Notulen rapat penerapan SOP",
    "minutes": "Notulen",
    "monev": "Laporan monev",
    "old vs revised SOP": "SOP lama dan SOP hasil revisi",
    "performance tree": "Pohon kinerja",
    "periodic complaint reports": "Laporan pengaduan berkala",
    "photos": "Foto kegiatan",
    "photos at counters": "Foto di loket pelayanan",
    "planning & budget documents": "Dokumen perencanaan dan anggaran",
    "procedure": "Prosedur pengendalian gratifikasi",
    "proof of on-time upload": "Bukti unggah tepat waktu",
    "records of compensation given": "Catatan pemberian kompensasi",
    "request letters": "Surat usulan kebutuhan pegawai",
    "revised standard": "Standar pelayanan hasil revisi",
    "reward-meeting minutes": "Notulen rapat pemberian penghargaan",
    "reward/punishment records": "Catatan pemberian penghargaan dan sanksi",
    "rotation worksheets/decrees": "Kertas kerja/SK mutasi",
    "rotation-meeting minutes": "Notulen rapat mutasi",
    "rotation/development decisions": "Keputusan mutasi/pengembangan karier",
    "sanctions records": "Catatan pemberian sanksi",
    "screenshots": "Tangkapan layar",
    "screenshots of published information": "Tangkapan layar informasi yang dipublikasikan",
    "selection worksheet": "Kertas kerja seleksi",
    "signed PK": "Perjanjian kinerja yang ditandatangani",
    "simplification evidence": "Bukti penyederhanaan layanan",
    "socialisation minutes": "Notulen sosialisasi",
    "socialisation records": "Dokumentasi sosialisasi",
    "socialisation reports and photos": "Laporan dan foto sosialisasi",
    "system screenshots": "Tangkapan layar sistem",
    "training invitations/nominations": "Undangan/penunjukan peserta pelatihan",
    "violation-handling report": "Laporan penanganan pelanggaran",
    "website captures": "Tangkapan layar situs web",
    "website/social-media captures showing procedure, time, fee, complaint channel": (
        "Tangkapan layar situs web/media sosial (prosedur, waktu, biaya, kanal pengaduan)"
    ),
}

THRESHOLDS = {  # domain reference §3.1 (REG90 Lamp. II Bab III.A and Tabel 6)
    "WBK": {
        "total": "75.00",
        "pengungkit": "40.00",
        "area": "60.00",
        "bersih": "18.25",
        "ipak": "15.75",
        "capaian": "2.50",
        "pelayanan": "14.00",
    },
    "WBBM": {
        "total": "85.00",
        "pengungkit": "48.00",
        "area": "75.00",
        "bersih": "19.50",
        "ipak": "15.75",
        "capaian": "3.75",
        "pelayanan": "15.75",
        "wbk_aktif": "1",
    },
}


def clean(text: str) -> str:
    """Normalise line ends and trailing blanks; the wording itself is kept verbatim."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def split_marker(nama: str) -> tuple[str, str]:
    """'i. Penyusunan Tim Kerja' -> ('i', 'Penyusunan Tim Kerja')."""
    match = re.match(r"^\s*([A-Za-z]+|\d+)\.\s*(.*)$", nama)
    if not match:
        sys.exit(f"no marker in PortalRB node name {nama!r}")
    return match.group(1), clean(match.group(2))


def parse_domain(markdown: str) -> dict[str, list[str]]:
    """Rows of the §2.3 indicator tables, keyed by item code."""
    rows = {}
    for line in markdown.splitlines():
        match = re.match(
            r"^\| ((?:A\.[IV]+\.\d\.[ivx]+\.[a-h](?:\.\d)?)|(?:B\.[IV]+\.[ab])) \|", line
        )
        # The §2.3 tables come first; §2.4 repeats the % codes in a different shape.
        if match and match.group(1) not in rows:
            rows[match.group(1)] = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return rows


def decimal_text(value: float | int | str) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def options(answer_type: str, soal: dict[str, Any]) -> list[dict[str, str]]:
    """Options with the PortalRB labels and the D2 multipliers (checked against PortalRB)."""
    expected = MULTIPLIERS[answer_type]
    given = {o["key"]: o for o in soal["skema_penilaian"]}
    if list(given) != list(expected):
        sys.exit(f"soal {soal['id']}: options {list(given)} != {list(expected)}")
    result = []
    for key, multiplier in expected.items():
        if Decimal(str(given[key]["multiplier"])) != Decimal(multiplier):
            sys.exit(f"soal {soal['id']}: multiplier of {key} differs from D2")
        result.append({"key": key, "label": clean(given[key]["label"]), "multiplier": multiplier})
    return result


def documents(code: str, row: list[str] | None, previous: list[dict[str, Any]]) -> list[dict]:
    """Evidence documents: the reference's examples, the first one marked required."""
    if code in RESULT_DOCUMENTS:
        pairs = RESULT_DOCUMENTS[code]
    else:
        examples = [part.strip() for part in row[6].split(";") if part.strip()]
        if examples == ["As above"]:
            return previous
        pairs = [(EVIDENCE_ID[example], example) for example in examples]
    docs, seen = [], set()
    for index, (title, title_en) in enumerate(pairs):
        key = _slug(title_en)
        while key in seen:
            key += "-2"
        seen.add(key)
        docs.append(
            {
                "key": key,
                "title": title,
                "title_en": title_en[:1].upper() + title_en[1:],
                "required": index == 0,
            }
        )
    return docs


def _slug(text: str, limit: int = 40) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    slug = words[0]
    for word in words[1:]:
        if len(slug) + 1 + len(word) > limit:
            break
        slug += "-" + word
    return slug


class Builder:
    """Walks the PortalRB hierarchy and emits the framework mapping (see docs/lke-framework.md)."""

    def __init__(self, portal: dict[str, Any], domain: dict[str, list[str]]) -> None:
        self.portal = portal
        self.domain = domain
        self.soals = {s["id"]: s for s in _all_soals(portal["data"])}
        self.previous_docs: list[dict[str, Any]] = []
        self.emitted: list[str] = []

    def framework(self) -> dict[str, Any]:
        components = [self.component(node) for node in self.portal["data"]]
        missing = sorted(set(self.domain) - set(self.emitted))
        if missing:
            sys.exit(f"domain reference items not found in PortalRB: {missing}")
        return {
            "code": "lke-2021",
            "title": "Lembar Kerja Evaluasi Zona Integritas menuju WBK/WBBM",
            "title_en": "Zona Integritas evaluation worksheet (towards WBK/WBBM)",
            "regulation": "Peraturan Menteri PANRB Nomor 90 Tahun 2021, Lampiran III",
            "regulation_en": "Regulation of the Minister of PANRB No. 90 of 2021, Annex III",
            "version_note": (
                "Wording, weights, options and multipliers from KemenPANRB's PortalRB master "
                f"soal list (tahun {self.portal['tahun']}, generated "
                f"{self.portal['generated_at']}), which matches PermenPANRB 90/2021 Lampiran III; "
                "item codes, English glosses, % items and evidence examples from the tracker's "
                "domain reference (decisions D1-D9; zero denominators per revised D4). "
                "Generated by scripts/build_lke_2021.py."
            ),
            "total_weight": "100",
            "components": components,
            "eligibility": eligibility_block(),
            "prerequisites": prerequisites_block(),
        }

    def component(self, node: dict[str, Any]) -> dict[str, Any]:
        code, name = split_marker(node["nama"])
        kind, name_en = COMPONENT_EN[code]
        parts = [self.part(child, code) for child in node["children"]]
        return {
            "code": code,
            "kind": kind,
            "name": name,
            "name_en": name_en,
            "weight": decimal_text(node["bobot_maksimal"]),
            "parts": parts,
        }

    def part(self, node: dict[str, Any], parent: str) -> dict[str, Any]:
        marker, name = split_marker(node["nama"])
        code = f"{parent}.{marker}"
        kind, name_en = PART_EN[code]
        result = {
            "code": code,
            "kind": kind,
            "name": name,
            "name_en": name_en,
            "weight": decimal_text(node["bobot_maksimal"]),
        }
        if node["children"]:
            result["areas"] = [self.area(child, code) for child in node["children"]]
        else:
            result["items"] = self.items(code, node["soals"], nested=False)
        return result

    def area(self, node: dict[str, Any], parent: str) -> dict[str, Any]:
        number, name = split_marker(node["nama"])
        code = f"{parent}.{number}"
        sub_areas = [self.sub_area(child, code) for child in node["children"]]
        return {
            "code": code,
            # PortalRB shouts area names; the regulation's Tabel 3 writes them in title case.
            "name": AREA_LABELS.get(number, name),
            "name_en": AREA_EN[number],
            "weight": decimal_text(node["bobot_maksimal"]),
            "sub_areas": sub_areas,
        }

    def sub_area(self, node: dict[str, Any], parent: str, nested: bool = False) -> dict[str, Any]:
        marker, name = split_marker(node["nama"])
        code = f"{parent}.{marker}"
        result = {
            "code": code,
            "name": name,
            "name_en": SUB_AREA_EN[code],
            "weight": decimal_text(node["bobot_maksimal"]),
        }
        if node["children"]:
            result["sub_areas"] = [self.sub_area(c, code, nested=True) for c in node["children"]]
        else:
            result["items"] = self.items(code, node["soals"], nested=nested)
        return result

    def items(self, parent: str, soals: list[dict[str, Any]], nested: bool) -> list[dict]:
        """Choice items get the next letter (or number under a nested sub-area, D1 codes);
        a run of ``Jumlah`` inputs becomes the % item that owns them."""
        result, consumed = [], set()
        for soal in soals:
            if soal["id"] in consumed:
                continue
            suffix = str(len(result) + 1) if nested else "abcdefgh"[len(result)]
            code = f"{parent}.{suffix}"
            if soal["jenis_jawaban"].lower() == "jumlah":
                item = self.percent_item(code, soal)
                consumed.update(i["soal_id"] for i in item["inputs"] if "soal_id" in i)
            else:
                item = self.scored_item(code, soal)
            self.emitted.append(code)
            result.append(item)
        return result

    def row(self, code: str) -> list[str]:
        if code not in self.domain:
            sys.exit(f"{code}: generated code is not in the domain reference")
        return self.domain[code]

    def scored_item(self, code: str, soal: dict[str, Any]) -> dict[str, Any]:
        row = self.row(code)
        if soal["jenis_jawaban"] == "0-4":
            return self.survey_item(code, soal, row)
        answer_type = PORTALRB_TYPES[soal["jenis_jawaban"]]
        domain_type = row[4] if code.startswith("A") else row[3]
        if DOMAIN_TYPES.get(domain_type) != answer_type:
            sys.exit(f"{code}: PortalRB says {answer_type}, domain reference says {domain_type}")
        item = self.common(code, soal, row)
        item["text"], item["criteria"] = (
            clean(soal["teks_pertanyaan"]),
            clean(soal["kriteria_nilai"]),
        )
        item["answer_type"] = answer_type
        if code.startswith("B"):
            item["weight"] = decimal_text(soal["bobot_maksimal"])
        item["options"] = options(answer_type, soal)
        return self.finish(item, code, row)

    def survey_item(self, code: str, soal: dict[str, Any], row: list[str]) -> dict[str, Any]:
        item = self.common(code, soal, row)
        item.update(
            {
                "text": clean(soal["teks_pertanyaan"]),
                "criteria": clean(soal["kriteria_nilai"]),
                "answer_type": "survey_index",
                "weight": decimal_text(soal["bobot_maksimal"]),
                "index_max": "4",
                "provenance": SURVEY_PROVENANCE,
            }
        )
        return self.finish(item, code, row)

    def percent_item(self, code: str, first: dict[str, Any]) -> dict[str, Any]:
        if PERCENT_BY_FIRST_INPUT.get(first["id"]) != code:
            sys.exit(f"{code}: Jumlah soal {first['id']} does not start a known % item")
        spec, row = PERCENT_ITEMS[code], self.row(code)
        if not row[4].startswith("%"):
            sys.exit(f"{code}: domain reference does not list a % item")
        lines = clean(first["kriteria_nilai"]).split("\n")
        text = spec.get("text") or lines[0]
        criteria = "\n".join(lines if "text" in spec else lines[1:])
        item = {
            "code": code,
            "text": text,
            "text_en": row[3],
            "criteria": criteria,
            "answer_type": "percent",
            "formula": spec["formula"],
            "inputs": [self.count_input(entry, spec) for entry in spec["inputs"]],
        }
        return self.finish(item, code, row)

    def count_input(self, entry: tuple, spec: dict[str, Any]) -> dict[str, Any]:
        if entry[0] == "=":
            _, key, label_en, label, parts = entry
            return {"key": key, "label": label, "label_en": label_en, "sum_of": parts}
        soal_id, key, label_en = entry
        soal = self.soals[soal_id]
        if soal["jenis_jawaban"].lower() != "jumlah":
            sys.exit(f"soal {soal_id} is not a Jumlah input")
        result = {
            "key": key,
            "label": clean(soal["teks_pertanyaan"]),
            "label_en": label_en,
            "soal_id": soal_id,
        }
        if key in spec.get("same_as", {}):
            result["same_as"] = spec["same_as"][key]
        return result

    def common(self, code: str, soal: dict[str, Any], row: list[str]) -> dict[str, Any]:
        text_en = RESULT_TEXT_EN[code] if code.startswith("B") else row[3]
        return {"code": code, "soal_id": soal["id"], "text": "", "text_en": text_en}

    def finish(self, item: dict[str, Any], code: str, row: list[str]) -> dict[str, Any]:
        item["documents"] = documents(code, row, self.previous_docs)
        self.previous_docs = item["documents"]
        return item


def _all_soals(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for node in nodes:
        result.extend(node.get("soals", []))
        result.extend(_all_soals(node.get("children", [])))
    return result


AREA_LABELS = {
    "1": "Manajemen Perubahan",
    "2": "Penataan Tatalaksana",
    "3": "Penataan Sistem Manajemen SDM Aparatur",
    "4": "Penguatan Akuntabilitas",
    "5": "Penguatan Pengawasan",
    "6": "Peningkatan Kualitas Pelayanan Publik",
}


SAKIP_GRADES = ["AA", "A", "BB", "B", "CC", "C", "D"]


def prerequisites_block() -> list[dict[str, Any]]:
    """Proposal prerequisites of Lampiran II Tabel 5 as data (D10): agency- and unit-level."""

    def entry(code, level, label, label_en, kind, minimum, grades=None):
        out = {
            "code": code,
            "level": level,
            "label": label,
            "label_en": label_en,
            "kind": kind,
            "minimum": minimum,
        }
        if grades:
            out["grades"] = grades
        return out

    return [
        entry(
            "agency.bpk_opinion",
            "agency",
            "Opini BPK atas laporan keuangan instansi",
            "BPK audit opinion on the agency's accounts",
            "grade",
            {"WBK": "WTP", "WBBM": "WTP"},
            ["WTP", "WDP", "TW", "TMP"],
        ),
        entry(
            "agency.sakip",
            "agency",
            "Predikat SAKIP instansi",
            "Agency SAKIP grade",
            "grade",
            {"WBK": "B", "WBBM": "BB"},
            SAKIP_GRADES,
        ),
        entry(
            "agency.rb_index",
            "agency",
            "Indeks Reformasi Birokrasi instansi",
            "Agency bureaucratic-reform index",
            "grade",
            {"WBK": {"pemda": "CC", "default": "B"}, "WBBM": {"pemda": "B", "default": "BB"}},
            SAKIP_GRADES,
        ),
        entry(
            "agency.spip",
            "agency",
            "Maturitas SPIP instansi (level)",
            "Agency SPIP maturity (level)",
            "grade",
            {"WBK": "3", "WBBM": "3"},
            ["5", "4", "3", "2", "1"],
        ),
        entry(
            "unit.core_service",
            "unit",
            "Unit penyelenggara fungsi pelayanan strategis/utama",
            "Unit delivers the agency's core service",
            "yes_no",
            {"WBK": "Ya", "WBBM": "Ya"},
        ),
        entry(
            "unit.public_impact",
            "unit",
            "Unit berdampak signifikan pada persepsi publik atas birokrasi",
            "Unit has a significant impact on public perception",
            "yes_no",
            {"WBK": "Ya", "WBBM": "Ya"},
        ),
        entry(
            "unit.tlhp",
            "unit",
            "Penyelesaian tindak lanjut temuan APIP/BPK (%)",
            "Follow-up of APIP/BPK audit findings completed (%)",
            "percent",
            {"WBK": "100", "WBBM": "100"},
        ),
        entry(
            "unit.lhkpn",
            "unit",
            "Penyampaian LHKPN dan LHKASN (%)",
            "LHKPN and LHKASN asset declarations filed (%)",
            "percent",
            {"WBK": "100", "WBBM": "100"},
        ),
        entry(
            "unit.building_months",
            "unit",
            "Lama membangun ZI menuju predikat ini (bulan)",
            "Months building ZI towards this predicate",
            "months",
            {"WBK": "12", "WBBM": "12"},
        ),
        entry(
            "unit.internal_sakip",
            "unit",
            "Nilai evaluasi SAKIP internal unit",
            "Unit's internal SAKIP evaluation grade",
            "grade",
            {"WBK": "B", "WBBM": "BB"},
            SAKIP_GRADES,
        ),
    ]


def eligibility_block() -> dict[str, Any]:
    """Predicate rules of §3.1 as data (D5, D9)."""
    return {
        "area_floor_mode": "combined",
        "near_threshold": "0.005",
        "predicates": [predicate(code) for code in ("WBK", "WBBM")],
    }


# (id, label, English label, metric, THRESHOLDS key); "wbk_aktif" only for WBBM (D9).
RULES = [
    ("total", "Nilai total", "Total score", "total", "total"),
    ("pengungkit", "Nilai pengungkit", "Enabler score", "component:A", "pengungkit"),
    *[(f"area_{n}", AREA_LABELS[n], AREA_EN[n], f"area_ratio:{n}", "area") for n in AREA_LABELS],
    (
        "bersih",
        "Birokrasi yang bersih dan akuntabel",
        "Clean and accountable bureaucracy",
        "part:B.I",
        "bersih",
    ),
    (
        "ipak",
        "Survei Persepsi Anti Korupsi (IPAK)",
        "Anti-corruption perception survey (IPAK)",
        "item:B.I.a",
        "ipak",
    ),
    (
        "capaian",
        "Capaian kinerja lebih baik",
        "Better performance achievement",
        "item:B.I.b",
        "capaian",
    ),
    (
        "pelayanan",
        "Pelayanan publik yang prima (IPKP)",
        "Excellent public service (IPKP)",
        "part:B.II",
        "pelayanan",
    ),
    (
        "wbk_aktif",
        "Telah memperoleh predikat Menuju WBK yang masih berlaku",
        "Already holds an active Menuju WBK predicate",
        "active_wbk",
        "wbk_aktif",
    ),
]


def predicate(code: str) -> dict[str, Any]:
    thresholds = THRESHOLDS[code]
    rules = [
        {
            "id": rule_id,
            "label": label,
            "label_en": label_en,
            "metric": metric,
            "threshold": thresholds[key],
        }
        for rule_id, label, label_en, metric, key in RULES
        if key in thresholds
    ]
    return {"code": code, "name": f"Menuju {code}", "rules": rules}


def assign_soal_ids(data: dict[str, Any], portal: dict[str, Any]) -> None:
    """Set every item's and count input's ``soal_id`` from ``master_cells`` (the master list
    matched to the built tree by hierarchy and text, as the app matches it at runtime); stop
    when that matching and the builder's own reading of the list disagree, or when a question
    of the list is left unmapped."""
    built = parse_framework(data).soal_ids()
    cells = {(c.code, c.input_key): c.soal_id for c in master_cells(portal, parse_framework(data))}
    if cells != built:
        diff = sorted(set(cells.items()) ^ set(built.items()), key=str)
        sys.exit(f"soal ids: master_cells and the builder disagree on {diff}")
    every = {soal["id"] for soal in _all_soals(portal["data"])}
    if set(cells.values()) != every or len(every) != portal.get("total_soal", len(every)):
        sys.exit(f"soal ids not mapped: {sorted(every - set(cells.values()))}")
    for item in _walk_items(data):
        for row in item.get("inputs") or []:
            _set_soal_id(row, cells.get((item["code"], row["key"])))
        _set_soal_id(item, cells.get((item["code"], None)))


def _set_soal_id(entry: dict[str, Any], soal_id: int | None) -> None:
    """Keep the key where the builder put it (right after ``code`` or ``label_en``)."""
    if soal_id is None:
        entry.pop("soal_id", None)
    elif "soal_id" in entry:
        entry["soal_id"] = soal_id
    else:
        sys.exit(f"{entry.get('code') or entry.get('key')}: soal {soal_id} has no place")


def _walk_items(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if "answer_type" in node else []
        return own + [i for value in node.values() for i in _walk_items(value)]
    if isinstance(node, list):
        return [i for value in node for i in _walk_items(value)]
    return []


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # shared lists are written out in full
        return True


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)

HEADER = """\
# Framework definition lke-2021 (PermenPANRB 90/2021, Lampiran III) -- decision D1.
# GENERATED by scripts/build_lke_2021.py from the PortalRB master soal list and the domain
# reference; regenerate instead of editing by hand. Format: docs/lke-framework.md.
"""


def find_shared(given: str | None) -> Path:
    candidates = [Path(given)] if given else list(SHARED_CANDIDATES)
    for candidate in candidates:
        if (candidate / "data" / "portalrb-master-soal-lke-2026.json").is_file():
            return candidate
    sys.exit(f"shared sources not found in {[str(c) for c in candidates]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="folder holding data/ and domain/ (default ../shared)")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args(argv)
    shared = find_shared(args.shared)
    portal = json.loads((shared / "data" / "portalrb-master-soal-lke-2026.json").read_text())
    domain = parse_domain((shared / "domain" / "zona-integritas.md").read_text())
    data = Builder(portal, domain).framework()
    assign_soal_ids(data, portal)
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    Path(args.out).write_text(HEADER + body, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
