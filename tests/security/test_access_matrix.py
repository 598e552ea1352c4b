"""Every route of the app against every kind of user and scope.

The routes come from ``app.url_map``: a route without an entry in ``MATRIX`` fails the test, so
nobody adds a page without saying who may open it. Each entry names a policy; the test builds a
world with an enrolment, evidence, a designation and its certificate, and asks as each persona:
the own unit's people, a unit of the same agency, another agency, the national and admin roles,
and an anonymous visitor. Someone outside a policy must be turned away (login, 403 or 404) and
must never receive the unit's data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from tests.helpers import csrf_token, login_as

ANON = "anonymous"
PERSONAS = [
    "admin",
    "tpn",
    "tpi",
    "pimpinan",
    "penilai",
    "koordinator",
    "pokja",
    "sibling",
    "tpi_other",
    "pimpinan_other",
    ANON,
]
OWN_UNIT = {"admin", "tpn", "tpi", "pimpinan", "penilai", "koordinator", "pokja"}
SIGNED_IN = set(PERSONAS) - {ANON}


@dataclass(frozen=True)
class Policy:
    allowed: frozenset[str]
    # For POSTs a permitted persona may still be refused by a finer rule (a role that does not
    # fill this tier, a stage that does not allow the action): only scope is checked for them.
    scope_only: bool = False


def allow(*names: str, scope_only: bool = False) -> Policy:
    return Policy(frozenset(names), scope_only)


PUBLIC = allow(*PERSONAS)
SIGNED = allow(*SIGNED_IN)
ADMIN = allow("admin")
UNIT = allow(*OWN_UNIT)
UNIT_ACTION = allow(*OWN_UNIT, scope_only=True)

MATRIX: dict[str, Policy] = {
    "static": PUBLIC,
    "core.healthz": PUBLIC,
    # Issue 18 §6: readiness is public like /healthz; /metrics is guarded by address or bearer
    # token, not by login (tests/observability/): the test client is the loopback.
    "observability.readyz": PUBLIC,
    "observability.metrics_page": PUBLIC,
    "core.set_language": PUBLIC,
    "auth.login": PUBLIC,
    "certificates.verify": PUBLIC,
    "certificates.verify_lookup": PUBLIC,
    "certificates.registry": PUBLIC,
    "certificates.registry_export": PUBLIC,  # issue 16 §6: the public registry as a file
    "core.index": SIGNED,
    "auth.logout": SIGNED,
    "auth.change_password": SIGNED,
    "agencies.index": SIGNED,
    "auth.users": ADMIN,
    "auth.user": ADMIN,
    "auth.create_user": ADMIN,
    "auth.add_grant": ADMIN,
    "auth.revoke_grant": ADMIN,
    "auth.set_lead": ADMIN,
    "auth.reset_password": ADMIN,
    "auth.set_active": ADMIN,
    "agencies.create_agency": ADMIN,
    "agencies.update_agency": ADMIN,
    "agencies.create_unit": ADMIN,
    "agencies.import_csv": ADMIN,
    "agencies.update_unit": ADMIN,
    "accreditation.create_cycle": ADMIN,
    "accreditation.extend_deadline": ADMIN,
    "accreditation.set_quota": ADMIN,
    # D15: designations made before the tracker, their import and revocation.
    "accreditation.designations_admin": ADMIN,
    "accreditation.record_designation": ADMIN,
    "accreditation.import_designations": ADMIN,
    "accreditation.revoke_form": ADMIN,
    "accreditation.revoke_designation": ADMIN,
    "accreditation.designation_scan": ADMIN,
    "certificates.settings": ADMIN,
    "certificates.save_signatory": ADMIN,
    "certificates.save_emblem": ADMIN,
    "certificates.emblem": ADMIN,
    "certificates.signature_image": ADMIN,
    "accreditation.cycles_index": allow("admin", "tpn"),
    "accreditation.cycle": allow("admin", "tpn"),
    "accreditation.record_kkn": allow("admin", "tpn"),
    "accreditation.dashboard": allow(
        "admin", "tpn", "tpi", "pimpinan", "tpi_other", "pimpinan_other"
    ),
    # Issue 16 §4, §6: the dashboard's download and the assessor calibration page, for the
    # dashboard's readers (each sees the units of their scope).
    "accreditation.dashboard_export": allow(
        "admin", "tpn", "tpi", "pimpinan", "tpi_other", "pimpinan_other"
    ),
    "accreditation.calibration": allow(
        "admin", "tpn", "tpi", "pimpinan", "tpi_other", "pimpinan_other"
    ),
    "accreditation.queue": allow("tpn", "tpi", "penilai", "tpi_other"),
    # Issue 15 §4: only a lead of the deciding tier assigns and reads the workload (403 else).
    "accreditation.assign_reviewer": allow("tpn", "tpi", "penilai", scope_only=True),
    "accreditation.workload": allow("tpn", "tpi", "penilai", "tpi_other", scope_only=True),
    "agencies.agency": allow("admin", "tpn", "tpi", "pimpinan"),
    "agencies.unit": UNIT,
    "accreditation.unit_overview": UNIT,
    "accreditation.enrolment": UNIT,
    "accreditation.lke": UNIT,
    "accreditation.item_fragment": UNIT,
    # Issue 16 §1: the gap plan and "what if" (its POST scores tried answers, stores nothing).
    "accreditation.lke_plan": UNIT,
    "accreditation.what_if": UNIT,
    "accreditation.compare": UNIT,
    # Issue 16 §3: year over year. The coordinator carries and confirms (others are refused
    # by the service); the comparison is the unit's; the agency view its agency's and national.
    "accreditation.carried": UNIT,
    "accreditation.carry_answers": UNIT_ACTION,
    "accreditation.confirm_carried": UNIT_ACTION,
    "accreditation.unit_years": UNIT,
    "accreditation.agency_years": allow("admin", "tpn", "tpi", "pimpinan"),
    "accreditation.export_worksheet": UNIT,
    # Issue 16 §5: the process's documents, as the unit's pages; a scan's upload is refused
    # to those who do not sign that document by the service.
    "documents.index": UNIT,
    "documents.lke_pdf": UNIT,
    "documents.pdf": UNIT,
    "documents.scan": UNIT,
    "documents.upload_scan": UNIT_ACTION,
    "evidence.download": UNIT,
    "evidence.prerequisite_download": UNIT,  # issue 14 §2: a prerequisite's file, by enrolment
    "accreditation.audit_trail": allow("admin", "tpn", "tpi", "penilai"),
    "accreditation.prerequisites": UNIT_ACTION,
    # Issue 15 §5: the agency's leadership declares (the administrator on its behalf).
    "accreditation.enrol": allow("admin", "pimpinan", scope_only=True),
    "accreditation.advance": UNIT_ACTION,
    "accreditation.save_answer": UNIT_ACTION,
    "accreditation.save_area_answers": UNIT_ACTION,  # issue 14 §1: one form per area
    "accreditation.decide": UNIT_ACTION,
    "accreditation.resubmit": UNIT_ACTION,
    "accreditation.sign_off": UNIT_ACTION,
    "accreditation.approve_pending": UNIT_ACTION,
    "accreditation.import_worksheet": UNIT_ACTION,
    "accreditation.confirm_import": UNIT_ACTION,
    "accreditation.record_survey": UNIT_ACTION,  # D14: the TPN's own survey
    "evidence.upload_stream": UNIT_ACTION,
    "evidence.upload_form": UNIT_ACTION,
    "evidence.add_link": UNIT_ACTION,
    "evidence.withdraw": UNIT_ACTION,
    "evidence.check_document": UNIT_ACTION,
    # Certificates: leadership of the unit's agency, TPN and admins print; TPN and admins reissue.
    "certificates.index": allow("admin", "tpn", "pimpinan", "pimpinan_other"),
    "certificates.detail": allow("admin", "tpn", "pimpinan"),
    "certificates.pdf": allow("admin", "tpn", "pimpinan"),
    "certificates.reissue": allow("admin", "tpn", scope_only=True),
    "certificates.print_batch": allow(
        "admin", "tpn", "pimpinan", "pimpinan_other", scope_only=True
    ),
    "certificates.job": allow(),
    "certificates.job_status": allow(),
    "certificates.download": allow(),  # print jobs belong to whoever asked for them
    "certificates.retry_job": allow(),  # an administrator's, for a job that exists
    "accreditation.import_soal": UNIT_ACTION,  # TPN scores keyed by soal_id (issue 12)
    "system.settings": ADMIN,
    "system.save_public_url": ADMIN,
    # PortalRB (issue 12): the agency's token page for its pimpinan and the administrator ...
    "portalrb.index": allow("admin", "pimpinan", "pimpinan_other"),
    "portalrb.agency_page": allow("admin", "pimpinan"),
    "portalrb.create_token": allow("admin", "pimpinan", scope_only=True),
    "portalrb.revoke_token": allow("admin", "pimpinan", scope_only=True),
    # ... and the API, which answers a bearer token only: a signed-in session gets 401.
    "portalrb_api.openapi": PUBLIC,
    "portalrb_api.units_wbk": allow(),
    "portalrb_api.units_wbbm": allow(),
    "portalrb_api.unit_answers": allow(),
    "portalrb_api.evidence": allow(),
    # Notifications (issue 15 §2): everyone their own; one belongs to the coordinator only.
    "notifications.index": SIGNED,
    "notifications.open": allow("koordinator"),
    "notifications.read_all": SIGNED,
    "notifications.preferences": SIGNED,
    "notifications.save_preferences": allow(*SIGNED_IN, scope_only=True),
    "notifications.admin": ADMIN,
    "notifications.send_test": allow("admin", scope_only=True),
    # Issue 17 §2: the public complaint form of a designated unit; the register for the unit's
    # people, its agency's TPI and leadership, TPN and admins (not the parent unit's assessor);
    # handlers record and move complaints. A file or letter named by another id answers 404.
    "complaints.public_form": PUBLIC,
    "complaints.public_submit": PUBLIC,
    "complaints.public_sent": PUBLIC,
    "complaints.register": allow("admin", "tpn", "tpi", "pimpinan", "koordinator", "pokja"),
    "complaints.detail": allow("admin", "tpn", "tpi", "pimpinan", "koordinator", "pokja"),
    "complaints.download": allow(
        "admin", "tpn", "tpi", "pimpinan", "koordinator", "pokja", scope_only=True
    ),
    "complaints.record": allow("admin", "tpn", "tpi", "pimpinan", "koordinator", scope_only=True),
    "complaints.move": allow("admin", "tpn", "tpi", "pimpinan", "koordinator", scope_only=True),
    "complaints.take": allow("admin", "tpn", "tpi", "pimpinan", "koordinator", scope_only=True),
    "complaints.attach": allow("admin", "tpn", "tpi", "pimpinan", "koordinator", scope_only=True),
    # Issue 17 §3: monitoring reports (TPI files them) and verification tasks (TPI, TPN decide).
    "complaints.monitoring_page": allow("admin", "tpn", "tpi", "pimpinan", "koordinator", "pokja"),
    "complaints.letter": allow(
        "admin", "tpn", "tpi", "pimpinan", "koordinator", "pokja", scope_only=True
    ),
    "complaints.file_report": allow("admin", "tpi", scope_only=True),
    "complaints.verification": allow("admin", "tpn", "tpi", "pimpinan", "koordinator", "pokja"),
    "complaints.decide": allow("admin", "tpn", "tpi", scope_only=True),
    # Issue 17 §1: TPN's clearance round on the enrolment page (the service refuses non-TPN);
    # the cycle's overseers are the administrator's. §4, §5: the unit's Ombudsman results
    # (its leadership and coordinator record) and lineage (administrator or leadership).
    "accreditation.clearance_ask": UNIT_ACTION,
    "accreditation.clearance_answer": UNIT_ACTION,
    "accreditation.clearance_resolve": UNIT_ACTION,
    "accreditation.clearance_override": UNIT_ACTION,
    "accreditation.cycle_overseers": ADMIN,
    "accreditation.ombudsman_record": UNIT_ACTION,
    "accreditation.ombudsman_certificate": UNIT,
    "accreditation.lineage_record": UNIT_ACTION,
}


def test_every_route_has_an_entry(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "new routes need an access-matrix entry"
    assert set(MATRIX) - endpoints == set(), "the matrix lists routes that no longer exist"


def _denied(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302, 303) and "/login" in location


# Query arguments some routes need to name what they act on (not part of the path).
QUERY = {"evidence.upload_stream": {"item": "A.I.1.i.a"}}


def _requests(app: Flask, values: dict):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        args = {k: values[k] for k in rule.arguments} | QUERY.get(rule.endpoint, {})
        url = rule.build(args, append_unknown=True)[1]
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            yield rule.endpoint, method, url


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reaches_exactly_what_the_matrix_allows(
    app, client, route_world, persona
) -> None:
    personas, values = route_world
    if persona != ANON:
        login_as(client, personas[persona])
    token = csrf_token(client, "/login" if persona == ANON else "/")
    problems = []
    for endpoint, method, url in _requests(app, values):
        if endpoint in ("auth.logout", "auth.change_password") and method == "POST":
            continue  # would end this persona's session mid-test; covered in tests/auth
        response = (
            client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        )
        response.close()
        policy = MATRIX[endpoint]
        if response.status_code >= 500:
            problems.append(f"{method} {url}: {response.status_code}")
        elif persona in policy.allowed:
            scope_refusal = response.status_code == 404 or (persona == ANON and _denied(response))
            if (policy.scope_only and scope_refusal) or (
                not policy.scope_only and _denied(response)
            ):
                problems.append(f"{method} {url}: refused ({response.status_code}) but allowed")
        elif not _denied(response):
            problems.append(f"{method} {url}: answered {response.status_code} but not allowed")
    assert not problems, f"{persona}:\n" + "\n".join(problems)
