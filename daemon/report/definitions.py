"""What each figure of a report counts, written once as a selection of rows: the report groups
these rows by department in SQL, and ``report --explain NAME`` lists them. README "Reports" says
the same in words; each row has a ticket ``number``, a ``department``, ``hit`` (1 when the row
counts in the rate's numerator), ``at`` (the time that placed it in the period) and ``detail``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from daemon.store.models import OPEN_TICKET, Deadline, Ticket

CLOSED_STATES = ("closed", "revisited", "fed_back")
"""A ticket in one of these states is closed (跟踪关闭 and the steps after it)."""

SATISFIED = 4
"""A rating of 4 or 5 on the 1-5 scale (满意, 非常满意) counts as satisfied."""

T = Ticket.__table__
D = Deadline.__table__


@dataclass(frozen=True)
class Window:
    """A period's instants (UTC): ``start`` included, ``end`` excluded; ``as_of`` is the end, or
    now for a period still running (nothing after it can have happened yet)."""

    start: datetime
    end: datetime
    as_of: datetime


class epoch_seconds(FunctionElement):
    """Seconds since 1970 of a stored (naive UTC) time, as an integer, on either database."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler, **kw) -> str:  # noqa: ANN001
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler, **kw) -> str:  # noqa: ANN001
    return f"CAST(extract(epoch FROM {compiler.process(element.clauses, **kw)}) AS BIGINT)"


class unindexed(FunctionElement):
    """A column as it is, but not to be looked up by its index: SQLite's unary ``+``, which
    tells its planner to read a join from the other side (PostgreSQL's statistics see it)."""

    inherit_cache = True

    def __init__(self, column: ColumnElement) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler, **kw) -> str:  # noqa: ANN001
    return f"+{compiler.process(element.clauses, **kw)}"


@compiles(unindexed)
def _unindexed_other(element: unindexed, compiler, **kw) -> str:  # noqa: ANN001
    return compiler.process(element.clauses, **kw)


def _closed() -> ColumnElement[bool]:
    return T.c.status.in_(CLOSED_STATES)


def _open_branches(at: datetime) -> list[ColumnElement[bool]]:
    """Tickets created before ``at`` and not closed before it, as two index ranges: those open
    now (the partial index of open tickets) and those closed only at or after ``at``."""
    return [
        and_(text(OPEN_TICKET), T.c.created_at < at),
        and_(_closed(), T.c.closed_at >= at, T.c.created_at < at),
    ]


def _rows(
    department: ColumnElement, hit: ColumnElement, at: ColumnElement, detail: ColumnElement
) -> list[ColumnElement]:
    return [
        T.c.number.label("number"),
        department.label("department"),
        cast(hit, Integer).label("hit"),
        at.label("at"),
        cast(detail, T.c.category.type).label("detail"),
    ]


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def received_where(w: Window) -> ColumnElement[bool]:
    """Tickets created in the period (any channel, any kind)."""
    return and_(T.c.created_at >= w.start, T.c.created_at < w.end)


def received(w: Window) -> Select:
    """Received: tickets created in the period."""
    return select(*_rows(T.c.department, literal(1), T.c.created_at, T.c.category)).where(
        received_where(w)
    )


def closed(w: Window) -> Select:
    """Closed: tickets closed in the period that are still closed (a re-opened one is open)."""
    return select(*_rows(T.c.department, literal(1), T.c.closed_at, T.c.status)).where(
        _closed(), T.c.closed_at >= w.start, T.c.closed_at < w.end
    )


def open_(w: Window) -> CompoundSelect:
    """Open: created before the end of the period and not closed before it."""
    columns = _rows(T.c.department, literal(1), T.c.created_at, T.c.status)
    return union_all(*(select(*columns).where(branch) for branch in _open_branches(w.as_of)))


def _unpaused(due: ColumnElement) -> ColumnElement[bool]:
    """A deadline not met while the desk waits for the owner, from before it fell due, is not
    due: its due time moves on by the pause when the owner answers."""
    return or_(T.c.paused_at.is_(None), T.c.paused_at > due)


def overdue(w: Window) -> Select:
    """Overdue: tickets open at the end of the period with a deadline that fell due before it
    and was not met by then (deadlines frozen by a pause excepted); ``at`` is the earliest.
    Read from the open tickets to their deadline rows."""
    met = unindexed(D.c.met_at)
    unmet = or_(and_(met.is_(None), _unpaused(D.c.due_at)), met >= w.as_of)
    branches = [
        select(T.c.number, T.c.department, D.c.due_at, D.c.step)
        .select_from(T.join(D, D.c.ticket_id == T.c.id))
        .where(branch, unindexed(D.c.due_at) < w.as_of, unmet)
        for branch in _open_branches(w.as_of)
    ]
    rows = union_all(*branches).subquery()
    return select(
        rows.c.number,
        rows.c.department,
        literal(1).label("hit"),
        func.min(rows.c.due_at).label("at"),
        func.min(rows.c.step).label("detail"),
    ).group_by(rows.c.number, rows.c.department)


def on_time_rate(w: Window) -> Select:
    """On time (及时率): deadline rows that fell due in the period (up to now for a running one);
    hit when met at or before the due time. The deadline's department is counted; its due time
    already includes pauses and agreed extensions; a deadline frozen by a pause is left out."""
    met = and_(D.c.met_at.is_not(None), D.c.met_at <= D.c.due_at)
    # The ticket is looked up per row (its number, and its pause only for rows not met), so
    # the counts read the period's deadline rows alone.
    number = select(T.c.number).where(T.c.id == D.c.ticket_id).scalar_subquery()
    frozen = exists().where(T.c.id == D.c.ticket_id, T.c.paused_at <= D.c.due_at)
    return select(
        number.label("number"),
        D.c.department.label("department"),
        cast(_flag(met), Integer).label("hit"),
        D.c.due_at.label("at"),
        cast(D.c.step, T.c.category.type).label("detail"),
    ).where(
        D.c.due_at >= w.start,
        D.c.due_at < w.as_of,
        or_(D.c.met_at.is_not(None), ~frozen),
    )


def closure_rate(w: Window) -> Select:
    """Closure (封闭率): tickets received in the period; hit when closed before its end."""
    hit = _flag(and_(_closed(), T.c.closed_at < w.as_of))
    return select(*_rows(T.c.department, hit, T.c.created_at, T.c.status)).where(received_where(w))


def revisit_rate(w: Window) -> Select:
    """Revisit (回访率): tickets resolved in the period; hit when the revisit is recorded (at any
    time up to the report: it comes after the resolution by design)."""
    hit = _flag(T.c.revisited_at.is_not(None))
    return select(*_rows(T.c.department, hit, T.c.resolved_at, T.c.status)).where(
        T.c.resolved_at >= w.start, T.c.resolved_at < w.end
    )


def satisfaction_rate(w: Window) -> Select:
    """Satisfaction (满意率): tickets closed in the period that carry a rating (1-5); hit when
    rated 4 or 5."""
    hit = _flag(T.c.satisfaction >= SATISFIED)
    return select(*_rows(T.c.department, hit, T.c.closed_at, T.c.satisfaction)).where(
        _closed(), T.c.closed_at >= w.start, T.c.closed_at < w.end, T.c.satisfaction.is_not(None)
    )


COUNTS: dict[str, Callable[[Window], Select | CompoundSelect]] = {
    "received": received,
    "closed": closed,
    "open": open_,
    "overdue": overdue,
}
RATES: dict[str, Callable[[Window], Select]] = {
    "on_time_rate": on_time_rate,
    "closure_rate": closure_rate,
    "revisit_rate": revisit_rate,
    "satisfaction_rate": satisfaction_rate,
}
FIGURES = {**COUNTS, **RATES}
"""Every figure with a definition, by its JSON key."""


def rows(name: str, w: Window, department: str | None = None) -> Select:
    """The rows behind figure ``name``, of one department or all."""
    sub = FIGURES[name](w).subquery()
    query = select(sub)
    if department is not None:
        query = query.where(sub.c.department == department)
    return query


def by_department(name: str, w: Window, department: str | None = None) -> Select:
    """(department, rows, hits) for figure ``name``: one GROUP BY over its rows."""
    sub = FIGURES[name](w).subquery()
    query = select(sub.c.department, func.count(), func.coalesce(func.sum(sub.c.hit), 0))
    if department is not None:
        query = query.where(sub.c.department == department)
    return query.group_by(sub.c.department)
