"""Which documents each step makes, who signs each, and their names. Pure."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from tracker.accreditation.workflow import Action
from tracker.auth.roles import Role
from tracker.i18n import N_


class DocumentKind(enum.StrEnum):
    LKE = "lke"  # the unit's LKE with every tier, scores, notes and evidence hashes
    LHE_TPI = "lhe_tpi"  # the TPI's internal evaluation report
    PROPOSAL = "proposal"  # the agency's proposal letter (surat usulan) with its unit list
    SPTJM = "sptjm"  # surat pernyataan tanggung jawab mutlak, per unit
    LHE_TPN = "lhe_tpn"  # the TPN's evaluation report


K = DocumentKind
# Every step that freezes a snapshot makes the LKE of that moment; some make more.
STEP_DOCUMENTS: Mapping[Action, tuple[DocumentKind, ...]] = {
    Action.SUBMIT_PRELIMINARY: (K.LKE,),
    Action.SUBMIT_TPI: (K.LKE,),
    Action.PRELIMINARY_PASS: (K.LKE,),
    Action.TPI_MEETS: (K.LKE, K.LHE_TPI),
    Action.PROPOSE: (K.LKE, K.PROPOSAL, K.SPTJM),
    Action.DESK_STOP: (K.LKE, K.LHE_TPN),
    Action.DESIGNATE: (K.LKE, K.LHE_TPN),
    Action.COACH: (K.LKE, K.LHE_TPN),
}

# Who may upload the signed copy of each document (besides seeing it, which the unit's scope
# decides): those who sign it.
SIGNERS: Mapping[DocumentKind, frozenset[Role]] = {
    K.LKE: frozenset({Role.KOORDINATOR, Role.PIMPINAN, Role.ADMIN}),
    K.LHE_TPI: frozenset({Role.TPI, Role.ADMIN}),
    K.PROPOSAL: frozenset({Role.PIMPINAN, Role.ADMIN}),
    K.SPTJM: frozenset({Role.PIMPINAN, Role.ADMIN}),
    K.LHE_TPN: frozenset({Role.TPN, Role.ADMIN}),
}

LABELS: Mapping[DocumentKind, str] = {
    K.LKE: N_("LKE unit (PDF)"),
    K.LHE_TPI: N_("Laporan hasil evaluasi TPI"),
    K.PROPOSAL: N_("Surat usulan instansi"),
    K.SPTJM: N_("Surat pernyataan tanggung jawab mutlak (SPTJM)"),
    K.LHE_TPN: N_("Laporan hasil evaluasi TPN"),
}

FILE_NAMES: Mapping[DocumentKind, str] = {
    K.LKE: "LKE",
    K.LHE_TPI: "LHE-TPI",
    K.PROPOSAL: "Surat-Usulan",
    K.SPTJM: "SPTJM",
    K.LHE_TPN: "LHE-TPN",
}


def may_sign(kind: DocumentKind, roles: frozenset[Role] | set[Role]) -> bool:
    return bool(SIGNERS[kind] & set(roles))
