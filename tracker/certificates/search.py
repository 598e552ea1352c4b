"""The public registry's search index (issue 18 §3): one search document per designation.

A registry entry shows, and is searched by, its certificate in force (the unit and agency names
printed on it and its number) or, for a designation recorded from before the tracker (D15), the
unit's and agency's current names and the decree's number. Searching those six columns across
three tables was a scan of every entry with a LIKE per column and word, and an OR across tables
that no index can drive. So each designation keeps the text its entry is searched by in
``designations.search_text`` (the three fields one per line: a word typed never spans two
fields, so a match means what it meant before), and one index serves it:

* PostgreSQL: a ``pg_trgm`` GIN index on the column, which answers ``ILIKE '%word%'``;
* SQLite: an FTS5 table with the trigram tokenizer (``designation_search``, rowid = the
  designation's id), asked with ``MATCH`` for words of three characters or more (a trigram
  index cannot hold shorter ones: those are read with LIKE from the same table).

The document follows the rows it is made of whatever service changes them: after every flush,
the designations whose certificate, unit name, agency name or own fields changed are refreshed
in the same transaction (``_after_flush``). Bulk writes that bypass the unit of work
(``session.execute(insert(...))``) call ``refresh`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    column,
    delete,
    event,
    exists,
    func,
    insert,
    select,
    table,
    true,
    union,
    update,
)
from sqlalchemy import inspect as inspect_object
from sqlalchemy.orm import Session, aliased

from tracker.accreditation.models import Designation
from tracker.agencies.models import Agency, Unit
from tracker.certificates.models import Certificate

INDEX_TABLE = "designation_search"  # SQLite's FTS5 table; FTS5 adds its shadow tables beside it
TRIGRAM = 3  # the shortest word a trigram index can find
MAX_WORDS = 8  # words of a search that count: each is one more index condition
_CHUNK = 500  # designation ids refreshed per statement: each IN list stays short

_index = table(INDEX_TABLE, column("rowid"), column("search_text"))
_designations: Any = Designation.__table__


def is_index_table(name: str) -> bool:
    """The FTS5 table or one of its shadow tables: derived from ``designations``, never data."""
    return name == INDEX_TABLE or name.startswith(INDEX_TABLE + "_")


def words(query: str) -> list[str]:
    """The distinct words of ``query`` that count, lower-cased, in the order typed."""
    return list(dict.fromkeys(query.lower().split()))[:MAX_WORDS]


def matching(dialect: str, query: str, number: str | None) -> Select[Any]:
    """The ids of the designations whose search document holds every word of ``query``, or
    whose certificate in force has exactly the (canonical) ``number``."""
    found: list[Select[Any]] = [_holding_every_word(dialect, words(query))]
    if number:
        replacement = aliased(Certificate)
        found.append(
            select(Certificate.designation_id).where(
                Certificate.number == number,
                ~exists().where(replacement.replaces_id == Certificate.id),
            )
        )
    return select(union(*found).subquery().c[0]) if len(found) > 1 else found[0]


def _holding_every_word(dialect: str, wanted: Sequence[str]) -> Select[Any]:
    if dialect == "sqlite":
        long_words = [w for w in wanted if len(w) >= TRIGRAM]
        conditions: list[ColumnElement[bool]] = [
            _index.c.search_text.icontains(w, autoescape=True) for w in wanted if len(w) < TRIGRAM
        ]
        if long_words:
            # Each word a quoted phrase: FTS5's query syntax taken literally ("" is a quote).
            phrases = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
            conditions.append(_index.c.search_text.op("MATCH")(phrases))
        return select(_index.c.rowid).where(and_(true(), *conditions))
    # Its own scan of designations, never correlated with a query over them that embeds it.
    return (
        select(Designation.id)
        .where(
            and_(true(), *(Designation.search_text.icontains(w, autoescape=True) for w in wanted))
        )
        .correlate(None)
    )


def _document() -> ColumnElement[str]:
    """The search text of the designation being updated, computed in SQL (correlated)."""
    replacement = aliased(Certificate)
    in_force = select(
        Certificate.unit_name + "\n" + Certificate.agency_name + "\n" + Certificate.number
    ).where(
        Certificate.designation_id == _designations.c.id,
        ~exists().where(replacement.replaces_id == Certificate.id),
    )
    unit_name = select(Unit.name).where(Unit.id == _designations.c.unit_id)
    agency_name = select(Agency.name).where(Agency.id == _designations.c.agency_id)
    recorded = (
        func.coalesce(unit_name.scalar_subquery(), "")
        + "\n"
        + func.coalesce(agency_name.scalar_subquery(), "")
        + "\n"
        + _designations.c.decree_number
    )
    return func.coalesce(in_force.scalar_subquery(), recorded)


def refresh(connection: Connection, ids: Iterable[int] | None = None) -> None:
    """Recompute the search documents of the designations ``ids`` (all with None)."""
    if ids is None:
        _refresh_where(connection, true(), true())
        return
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        _refresh_where(connection, _designations.c.id.in_(chunk), _index.c.rowid.in_(chunk))


def _refresh_where(
    connection: Connection, chosen: ColumnElement[bool], indexed: ColumnElement[bool]
) -> None:
    """The ``chosen`` designations' documents, and on SQLite their rows of the FTS5 table
    (``indexed`` picks the same rows there, by rowid)."""
    connection.execute(update(_designations).where(chosen).values(search_text=_document()))
    if connection.dialect.name == "sqlite":
        connection.execute(delete(_index).where(indexed))
        rows = select(_designations.c.id, _designations.c.search_text).where(chosen)
        connection.execute(insert(_index).from_select(["rowid", "search_text"], rows))


def _changed(obj: object, name: str) -> bool:
    return bool(inspect_object(obj).attrs[name].history.has_changes())


def _touched(session: Session) -> tuple[set[int], set[int], set[int]]:
    """Designation ids, unit ids and agency ids whose search documents this flush changed."""
    designation_ids: set[int] = set()
    unit_ids: set[int] = set()
    agency_ids: set[int] = set()
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Designation):
            designation_ids.add(obj.id)
        elif isinstance(obj, Certificate):
            designation_ids.add(obj.designation_id)
        elif isinstance(obj, Unit) and obj not in session.new and _changed(obj, "name"):
            unit_ids.add(obj.id)
        elif isinstance(obj, Agency) and obj not in session.new and _changed(obj, "name"):
            agency_ids.add(obj.id)
    return designation_ids, unit_ids, agency_ids


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    designation_ids, unit_ids, agency_ids = _touched(session)
    if not (designation_ids or unit_ids or agency_ids):
        return
    connection = session.connection()
    if unit_ids or agency_ids:
        renamed = select(_designations.c.id).where(
            _designations.c.unit_id.in_(unit_ids) | _designations.c.agency_id.in_(agency_ids)
        )
        designation_ids.update(connection.scalars(renamed))
    refresh(connection, designation_ids)
