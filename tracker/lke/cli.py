"""``flask lke ...`` commands for people and scripts (registered by the app factory)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from tracker.cli_support import cli_session, fail_on_domain_error
from tracker.errors import DomainError
from tracker.i18n import _
from tracker.lke.framework import get_framework
from tracker.lke.framework.master import MAX_BYTES, read_master
from tracker.lke.report import WORKBOOK_SUFFIXES, score_answers, score_file
from tracker.lke.services import import_master_list, latest_version
from tracker.lke.worksheet import WorksheetLayout, read_worksheet, write_worksheet

lke_cli = AppGroup("lke", help="Lembar Kerja Evaluasi (LKE) Zona Integritas: score, worksheet.")


@lke_cli.command("score", with_appcontext=False)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--framework",
    "framework_code",
    default="lke-2021",
    show_default=True,
    help="Framework definition (regulation version).",
)
@click.option("--has-wbk", is_flag=True, help="The unit already holds an active Menuju WBK.")
@click.option(
    "--column-group",
    type=click.Choice(["unit", "tpi"]),
    default="unit",
    show_default=True,
    help="Worksheet answer columns to read (.xlsx only).",
)
def score_command(path: Path, framework_code: str, has_wbk: bool, column_group: str) -> None:
    """Score PATH (an LKE worksheet .xlsx in either official layout, Lampiran III "LKE ZI" or
    PortalRB "Jawaban", detected from the file; or a JSON answers file) and print JSON."""
    try:
        result = _score(path, framework_code, has_wbk, column_group)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


def _score(path: Path, framework_code: str, has_wbk: bool, column_group: str) -> dict[str, Any]:
    """The CLI JSON; a workbook's also says which layout and sheet were read."""
    if not (path.is_file() and path.suffix.lower() in WORKBOOK_SUFFIXES):
        return score_file(path, framework_code, has_wbk=has_wbk, column_group=column_group)
    framework = get_framework(framework_code)
    sheet = read_worksheet(path, framework, column_group=column_group)
    result = score_answers(framework, sheet.answers, has_wbk=has_wbk, issues=sheet.issues)
    result["worksheet"] = {"layout": sheet.layout.value, "sheet": sheet.sheet}
    return result


@lke_cli.command("worksheet", with_appcontext=False)
@click.argument("output", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--framework", "framework_code", default="lke-2021", show_default=True)
@click.option(
    "--answers",
    "answers_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON answers file ({"answers": {...}}) to fill in.',
)
@click.option(
    "--layout",
    "layout_name",
    type=click.Choice([layout.value for layout in WorksheetLayout]),
    default=WorksheetLayout.LAMPIRAN3.value,
    show_default=True,
    help='Lampiran III (sheet "LKE ZI") or PortalRB\'s template (sheet "Jawaban").',
)
def worksheet_command(
    output: Path, framework_code: str, answers_path: Path | None, layout_name: str
) -> None:
    """Write the official worksheet (blank, or filled from a JSON answers file) to OUTPUT."""
    try:
        answers = json.loads(answers_path.read_text("utf-8"))["answers"] if answers_path else None
        framework = get_framework(framework_code)
        data = write_worksheet(framework, answers, layout=WorksheetLayout(layout_name))
        output.write_bytes(data)
    except (DomainError, ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(str(output))


framework_cli = AppGroup("framework", help="Versi kerangka LKE yang tersimpan.")
lke_cli.add_command(framework_cli)


@framework_cli.command("import-portalrb")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; store nothing.")
@click.option("--framework", "code", default="lke-2021", show_default=True)
@fail_on_domain_error
def import_portalrb_command(path: Path, dry_run: bool, code: str) -> None:
    """Compare KemenPANRB's master question list PATH (PortalRB JSON) with the latest stored
    version of the framework; when it changes the questions, store the next version."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise click.ClickException(
            _("Berkas %(path)s tidak dapat dibaca: %(error)s", path=path, error=exc.strerror)
        ) from exc
    master = read_master(raw)
    with cli_session() as session:
        row, result = import_master_list(session, master, code=code, source=str(path))
        if not result.changed:
            current = latest_version(session, code)
            version = current.version if current is not None else 0
            click.echo(
                _(
                    "Tidak ada perubahan soal terhadap %(code)s v%(version)s; "
                    "tidak ada versi baru.",
                    code=code,
                    version=version,
                )
            )
            return
        assert row is not None  # changed means stored
        for change in result.changes:
            click.echo(f"- {change.describe()}")
        counts = result.counts()
        summary = _(
            "%(added)s baru, %(removed)s dihapus, %(reworded)s berubah redaksi, "
            "%(reweighted)s berubah bobot, %(answer_type)s berubah jenis jawaban",
            **counts,
        )
        if dry_run:
            session.rollback()
            click.echo(_("Uji coba: %(summary)s; tidak ada yang disimpan.", summary=summary))
            return
        session.commit()
        click.echo(
            _(
                "Versi baru %(code)s v%(version)s tersimpan: %(summary)s.",
                code=row.code,
                version=row.version,
                summary=summary,
            )
        )
