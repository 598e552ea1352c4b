"""The signed-scan upload form of the documents page."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired

from tracker.forms import L, TrackerForm


class ScanForm(TrackerForm):
    file = FileField(
        L("Pindaian bertanda tangan (PDF, JPG atau PNG)"),
        validators=[FileRequired(L("Pilih berkas pindaian yang sudah ditandatangani."))],
    )
