"""D14: the surveys run for TPN behind IPAK and IPKP, recorded on the TPN tier.

The TPN records, per survey item, the index with who ran the survey, its period, the number of
respondents and the report (a file or a link in the evidence store, purpose ``SURVEY``). The
value goes into the TPN tier's own answer (D7 provenance, ``report`` holding the evidence
file's public id), so scoring reads it like any answer; the unit's and the TPI's answers stay
as they were. ``records`` gathers what the DESIGNATE guard reads (``provenance.problems``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.accreditation import assessments, cycles, provenance
from tracker.accreditation.context import Actor
from tracker.accreditation.deployment import Deployment, clean_reference, reference_problem
from tracker.accreditation.models import Answer, Enrolment
from tracker.accreditation.provenance import PERIOD, REPORT, RESPONDENTS, SOURCE, SurveyRecord
from tracker.accreditation.tiers import TierCode
from tracker.audit import services as audit
from tracker.errors import ValidationError
from tracker.evidence import uploads
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidenceFile, EvidencePurpose, EvidenceStatus
from tracker.evidence.services import Target
from tracker.evidence.storage import BlobStore
from tracker.evidence.uploads import Upload
from tracker.i18n import _
from tracker.lke import AnswerType, Framework, Item, parse_answer

# The TPN's survey report among an item's files: one document per item, new uploads version it.
REPORT_DOCUMENT = "tpn-survey-report"


def survey_items(framework: Framework) -> list[Item]:
    """The items whose answer is a survey index (IPAK, IPKP in LKE 2021), from the framework."""
    return [item for item in framework.items() if item.answer_type is AnswerType.SURVEY_INDEX]


@dataclass(frozen=True)
class SurveyState:
    """What the LKE page shows about one survey item on the TPN tier."""

    item: Item
    answer: Answer | None
    report: EvidenceFile | None
    record: SurveyRecord

    @property
    def problems(self) -> list[str]:
        return provenance.problems(self.record)

    @property
    def value(self) -> Mapping[str, Any]:
        value = self.answer.value if self.answer is not None else None
        return value if isinstance(value, Mapping) else {}


def states(session: Session, enrolment: Enrolment) -> dict[str, SurveyState]:
    """Each survey item's TPN value, its report and what the designation guard finds, by code.
    Two queries: the TPN tier's answers and the reports they name."""
    framework = assessments.framework_for(enrolment)
    items = survey_items(framework)
    tpn = assessments.get_assessment(session, enrolment.id, TierCode.TPN)
    rows = assessments.answer_rows(session, [tpn.id])[tpn.id] if tpn is not None else {}
    answers = {item.code: rows.get(item.code) for item in items}
    reports = _reports(session, enrolment, answers)
    labels = {t.code: t.label for t in cycles.cycle_tiers(enrolment.cycle)}
    out = {}
    for item in items:
        row = answers[item.code]
        value = row.value if row is not None and isinstance(row.value, Mapping) else {}
        report = reports.get((item.code, str(value.get(REPORT, ""))))
        record = SurveyRecord(
            code=item.code,
            answered=row is not None and row.value is not None,
            copied_from=labels.get(row.copied_from, row.copied_from)
            if row is not None and row.copied_from
            else None,
            source=str(value.get(SOURCE, "")),
            period=str(value.get(PERIOD, "")),
            respondents=str(value.get(RESPONDENTS, "")),
            report_present=report is not None,
        )
        out[item.code] = SurveyState(item, row, report, record)
    return out


def records(session: Session, enrolment: Enrolment) -> tuple[SurveyRecord, ...]:
    """The D14 fact of the DESIGNATE guard: one record per survey item of the framework."""
    return tuple(state.record for state in states(session, enrolment).values())


def _reports(
    session: Session, enrolment: Enrolment, answers: Mapping[str, Answer | None]
) -> dict[tuple[str, str], EvidenceFile]:
    """The active TPN survey reports the answers name, by (item code, public id). A report
    counts only as the TPN's own survey file of that item: a copied value naming the unit's
    document, or any other text, names none."""
    named = {
        str(row.value[REPORT])
        for row in answers.values()
        if row is not None and isinstance(row.value, Mapping) and row.value.get(REPORT)
    }
    if not named:
        return {}
    files = session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.enrolment_id == enrolment.id,
            EvidenceFile.purpose == EvidencePurpose.SURVEY,
            EvidenceFile.document_key == REPORT_DOCUMENT,
            EvidenceFile.status == EvidenceStatus.ACTIVE,
            EvidenceFile.public_id.in_(named),
        )
    )
    return {(f.item_code or "", f.public_id): f for f in files}


@dataclass(frozen=True)
class SurveyInput:
    """What the TPN types for one survey item (the form's fields, not yet checked)."""

    index: str
    source: str
    period: str
    respondents: str
    note: str = ""
    # Issue 12: in an agency deployment the survey is TPN's result as PortalRB published it.
    portalrb_reference: str = ""


def record_survey(
    session: Session,
    store: BlobStore,
    policy: UploadPolicy,
    *,
    actor: Actor,
    enrolment: Enrolment,
    item_code: str,
    given: SurveyInput,
    report: Upload | None,
    report_link: str | None,
    expected_version: int,
) -> tuple[Answer | None, EvidenceFile | None]:
    """Record the survey run for TPN behind one survey item: its index on the TPN tier with
    the source, period, respondents (at least 30) and the report, a new file or link, or the
    one already recorded for this item. Returns the answer and the report stored now (None
    when the recorded one was kept: the caller discards a new blob if the commit fails).

    Raises ValidationError (not a survey item, a field missing, too few respondents, no
    report), NotAllowedError (not the TPN's turn, or not a TPN member), ConflictError (someone
    saved the item in between), RejectedFileError (a report file the policy refuses). The
    caller runs it inside ``evidence.uploads.cleanup_on_failure`` and commits.
    """
    framework = assessments.framework_for(enrolment)
    if not framework.has_item(item_code) or item_code not in {
        i.code for i in survey_items(framework)
    }:
        raise ValidationError(_("Butir %(code)s bukan butir survei.", code=item_code))
    if TierCode.TPN not in {t.code for t in cycles.cycle_tiers(enrolment.cycle)}:
        raise ValidationError(_("Siklus ini tidak memiliki tingkat penilaian TPN."))
    assessments.check_edit(session, actor, enrolment, TierCode.TPN, item_code)
    problems = _problems(framework.item(item_code), given)
    recorded = actor.deployment is Deployment.AGENCY
    if recorded and (reason := reference_problem(given.portalrb_reference)):
        problems.append(reason)
    current = states(session, enrolment)[item_code]
    keep = current.report if current.record.copied_from is None else None
    uploading = (report is not None and bool(report.filename)) or bool(report_link)
    if not uploading and keep is None:
        problems.append(_("Lampirkan laporan hasil survei: berkas atau tautan."))
    if problems:
        raise ValidationError(" ".join(problems), problems=problems)
    stored = None
    if uploading:
        stored = uploads.attach(
            session,
            store=store,
            policy=policy,
            user=actor.user,
            enrolment=enrolment,
            target=Target(EvidencePurpose.SURVEY, item_code, REPORT_DOCUMENT),
            upload=report,
            link=report_link,
            title=_("Laporan survei %(code)s untuk TPN", code=item_code),
            required=True,
        )
    document = stored or keep
    assert document is not None  # checked above: a new report, or the one on file
    raw = {
        "index": given.index,
        SOURCE: " ".join(given.source.split()),
        PERIOD: " ".join(given.period.split()),
        RESPONDENTS: str(provenance.parse_respondents(given.respondents)),
        REPORT: document.public_id,
    }
    row = assessments.save_answer(
        session,
        actor=actor,
        enrolment=enrolment,
        tier=TierCode.TPN,
        item_code=item_code,
        raw=raw,
        note=given.note,
        expected_version=expected_version,
    )
    if recorded:
        audit.record(
            session,
            actor=actor.user,
            tag="accreditation:survey:portalrb",
            subject=enrolment,
            unit_id=enrolment.unit_id,
            agency_id=enrolment.agency_id,
            data={
                "item": item_code,
                "recorded_from": "PortalRB",
                "portalrb_reference": clean_reference(given.portalrb_reference),
            },
        )
    return row, stored


def _problems(item: Item, given: SurveyInput) -> list[str]:
    """Every problem with what was typed, before a report is stored for it."""
    found = []
    if not given.index.strip():
        found.append(_("Nilai indeks survei wajib diisi."))
    else:
        try:
            parse_answer(item, given.index)
        except ValidationError as exc:
            found.append(exc.message)
    if not given.source.strip():
        found.append(_("Penyelenggara survei (BPS atau pihak ketiga yang ditunjuk) wajib diisi."))
    if not given.period.strip():
        found.append(_("Periode survei wajib diisi."))
    if reason := provenance.respondents_problem(given.respondents):
        found.append(_("Jumlah responden tidak dapat diterima: %(why)s.", why=reason))
    return found
