"""What operators run against a whole store (``flask evidence verify``): re-hash every blob the
database knows, list and remove orphans, list the temporary files of uploads.

Nothing here knows the database: ``tracker.evidence.services`` passes in the keys and digests
its rows hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tracker.evidence.storage.blobs import BlobInfo, BlobNotFoundError, TempFile, VerifyStatus

if TYPE_CHECKING:
    from tracker.evidence.storage import MaintainableStore

# An unreferenced blob younger than this may belong to an upload whose row is not committed yet.
DEFAULT_ORPHAN_MIN_AGE = timedelta(hours=1)
# A temporary file not written to for this long belongs to no live upload: one rewrites its file
# at least every 256 KiB it receives (about four minutes even at 1 KB/s), and the checks after
# the last write take seconds. Uploads slower than that are cut off by the server's timeouts.
DEFAULT_TEMP_MIN_AGE = timedelta(hours=1)


@dataclass(slots=True)
class VerifyReport:
    """Outcome of ``verify_all``: keys missing from the store, keys whose content changed."""

    ok_count: int = 0
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.missing and not self.altered


def verify_all(store: MaintainableStore, expected: Mapping[str, str]) -> VerifyReport:
    """Re-hash every blob in ``expected`` (key -> sha256, from the database). Raises what
    ``store.verify`` raises for errors other than missing/altered content."""
    report = VerifyReport()
    for key, sha256 in sorted(expected.items()):
        status = store.verify(key, sha256)
        if status is VerifyStatus.OK:
            report.ok_count += 1
        else:
            (report.missing if status is VerifyStatus.MISSING else report.altered).append(key)
    return report


@dataclass(slots=True)
class OrphanSurvey:
    """What ``survey_orphans`` found besides the blobs rows refer to.

    ``old``: blobs no row refers to, unchanged for ``min_age``: safe to remove. ``young``: blobs
    no row refers to yet, written within ``min_age``: they may belong to an upload whose row is
    not committed yet, so they are listed, never removed. ``temp``: every temporary file, with
    ``stale`` the names of those unchanged for ``temp_min_age`` (a killed upload's leftovers).
    """

    old: list[BlobInfo] = field(default_factory=list)
    young: list[BlobInfo] = field(default_factory=list)
    temp: list[TempFile] = field(default_factory=list)
    stale: set[str] = field(default_factory=set)


def survey_orphans(
    store: MaintainableStore,
    referenced_keys: Set[str],
    *,
    min_age: timedelta = DEFAULT_ORPHAN_MIN_AGE,
    temp_min_age: timedelta = DEFAULT_TEMP_MIN_AGE,
    now: datetime | None = None,
) -> OrphanSurvey:
    """Orphans old and young, and temporary files (see ``OrphanSurvey``). Raises what the
    store's listing raises."""
    now = now or datetime.now(UTC)
    survey = OrphanSurvey()
    for blob in store.iter_blobs():
        if blob.key not in referenced_keys:
            (survey.old if blob.modified <= now - min_age else survey.young).append(blob)
    survey.temp = list(store.iter_temp())
    survey.stale = {temp.name for temp in survey.temp if temp.modified <= now - temp_min_age}
    return survey


def find_orphans(
    store: MaintainableStore,
    referenced_keys: Set[str],
    *,
    min_age: timedelta = DEFAULT_ORPHAN_MIN_AGE,
    now: datetime | None = None,
) -> list[str]:
    """Keys of blobs no row refers to and not written (or reused) within ``min_age``.

    The grace period keeps a blob whose upload has written the file but not yet committed its
    row out of the list. Raises what ``store.iter_blobs`` raises.
    """
    cutoff = (now or datetime.now(UTC)) - min_age
    return [
        blob.key
        for blob in store.iter_blobs()
        if blob.key not in referenced_keys and blob.modified <= cutoff
    ]


def remove_orphans(
    store: MaintainableStore,
    keys: Iterable[str],
    *,
    min_age: timedelta = DEFAULT_ORPHAN_MIN_AGE,
    now: datetime | None = None,
) -> list[str]:
    """Delete the ``keys`` (from ``find_orphans``) that are still older than ``min_age``,
    re-checked just before each delete in case an upload reused one meanwhile. Returns the
    keys removed. Raises what the store raises."""
    cutoff = (now or datetime.now(UTC)) - min_age
    removed = []
    for key in keys:
        try:
            if store.modified(key) > cutoff:
                continue
        except BlobNotFoundError:
            continue
        store.delete(key)
        removed.append(key)
    return removed
