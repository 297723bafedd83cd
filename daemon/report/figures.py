"""A period's report as plain data (the JSON output; the other outputs and the charts are drawn
from it): every figure a GROUP BY over the rows its definition selects, overall and per
department, beside the previous period's."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from daemon.config import DEFAULT_ROUTES, Settings
from daemon.report import definitions as defs
from daemon.report.business import first_answer_hours
from daemon.report.definitions import T, Window, epoch_seconds, received_where
from daemon.report.periods import Period
from daemon.sla.calendar import BusinessCalendar

HISTORY = 6
"""Periods shown in the rates chart, the reported one included."""

BUCKET_SECONDS = 900
"""Tickets are counted per quarter hour in SQL and put on local days here: every time zone's
offset is a multiple of 15 minutes."""

BREAKDOWNS = ("channel", "kind", "category", "severity")
MAJOR_LIMIT = 200
"""At most this many major tickets are listed (the count is always whole)."""
OVERDUE_LIMIT = 500
"""At most this many overdue tickets are listed, the longest overdue (the count is whole)."""


class UnknownDepartment(ValueError):
    """A department the configuration does not know."""


def departments(settings: Settings) -> list[str]:
    """Every department the desk knows: the default routes' and the configured ones."""
    return sorted(set(DEFAULT_ROUTES.values()) | set(settings.departments))


def window(period: Period, now: datetime) -> Window:
    return Window(period.start, period.end, min(period.end, now))


def build(
    session: Session,
    settings: Settings,
    period: Period,
    now: datetime,
    department: str | None = None,
) -> dict[str, Any]:
    """The report on ``period`` as seen at ``now``: of one department, or of the whole desk."""
    if department is not None and department not in departments(settings):
        known = ", ".join(departments(settings))
        raise UnknownDepartment(f"unknown department {department!r}; known: {known}")
    if session.get_bind().dialect.name == "postgresql":
        # Its JIT compiles each of these short queries for longer than they run.
        session.execute(text("SET LOCAL jit = off"))
    calendar = BusinessCalendar.from_settings(settings.calendar, settings.desk.time_zone)
    w = window(period, now)
    current = _figures(session, calendar, w, department)
    before = _figures(session, calendar, window(period.previous(), now), department)
    names = [department] if department else departments(settings)
    names += sorted(set(current) - set(names) - {None})
    report: dict[str, Any] = {
        "kind": period.kind,
        "period": period.label,
        "first_day": period.first.isoformat(),
        "last_day": period.last.isoformat(),
        "time_zone": period.zone,
        "department": department,
        "generated_at": now.astimezone(UTC).isoformat(),
        "complete": now >= period.end,
        **_with_change(current.get(None), before.get(None), period.previous().label),
        "departments": {
            name: {
                "period": period.label,
                **_with_change(current.get(name), before.get(name), period.previous().label),
            }
            for name in names
        },
    }
    report["previous"]["period"] = period.previous().label
    report.update(_breakdowns(session, w, department))
    report["daily"] = _daily(session, period, w, department)
    known = {period.label: current[None], period.previous().label: before[None]}
    report["history"] = _history(session, period, now, department, known)
    report["hot_topics"] = _hot_topics(session, w, department)
    report["major"] = _major(session, w, department)
    report["overdue_tickets"] = _overdue_tickets(session, w, department)
    return report


def _figures(
    session: Session, calendar: BusinessCalendar, w: Window, department: str | None
) -> dict[str | None, dict[str, Any]]:
    """Every defined figure of the window per department, and overall under ``None``."""
    counted: dict[str | None, dict[str, tuple[int, int]]] = defaultdict(dict)
    for name in defs.FIGURES:
        for dept, rows, hits in session.execute(defs.by_department(name, w, department)):
            counted[dept][name] = (int(rows), int(hits))
    overall = {
        name: (
            sum(c.get(name, (0, 0))[0] for c in counted.values()),
            sum(c.get(name, (0, 0))[1] for c in counted.values()),
        )
        for name in defs.FIGURES
    }
    answers = first_answer_hours(session, calendar, w, department)
    result = {dept: _summary(c, answers.get(dept)) for dept, c in counted.items()}
    result[None] = _summary(overall, answers[None])
    return result


def _summary(counted: dict[str, tuple[int, int]], answers: dict | None) -> dict[str, Any]:
    summary: dict[str, Any] = {name: counted.get(name, (0, 0))[0] for name in defs.COUNTS}
    summary["counts"] = {}
    for name in defs.RATES:
        rows, hits = counted.get(name, (0, 0))
        summary[name] = round(hits / rows, 4) if rows else None
        summary["counts"][name] = {"numerator": hits, "denominator": rows}
    summary["first_answer_hours"] = answers or {"answered": 0, "median": None, "p90": None}
    return summary


def _with_change(current: dict | None, before: dict | None, label: str) -> dict[str, Any]:
    """The figures, the previous period's and the change (None where either side is None)."""
    empty = _summary({}, None)
    current, before = current or empty, before or empty
    change = {}
    for name in [*defs.FIGURES]:
        now_value, then_value = current[name], before[name]
        change[name] = (
            None if now_value is None or then_value is None else round(now_value - then_value, 4)
        )
    previous = {key: value for key, value in before.items() if key != "counts"}
    return {**current, "previous": {"period": label, **previous}, "change": change}


def _where(query, department: str | None):  # noqa: ANN001, ANN202
    return query if department is None else query.where(T.c.department == department)


def _breakdowns(session: Session, w: Window, department: str | None) -> dict[str, Any]:
    """Received by channel, kind, category and severity: one GROUP BY."""
    columns = [T.c[name] for name in BREAKDOWNS]
    query = _where(select(*columns, func.count()).where(received_where(w)), department)
    result: dict[str, dict[str, int]] = {f"by_{name}": defaultdict(int) for name in BREAKDOWNS}
    for *values, count in session.execute(query.group_by(*columns)):
        for name, value in zip(BREAKDOWNS, values, strict=True):
            result[f"by_{name}"][value] += int(count)
    return {
        key: dict(sorted(value.items(), key=lambda kv: -kv[1])) for key, value in result.items()
    }


def _per_bucket(session: Session, column, where, department: str | None):  # noqa: ANN001, ANN202
    bucket = (epoch_seconds(column) / BUCKET_SECONDS).label("bucket")
    query = _where(select(bucket, func.count()).where(where), department).group_by(bucket)
    return session.execute(query).all()


def _daily(session: Session, period: Period, w: Window, department: str | None) -> list[dict]:
    """Received and closed per local day of the period."""
    zone = ZoneInfo(period.zone)
    days = {day: {"date": day.isoformat(), "received": 0, "closed": 0} for day in period.days()}
    closed = defs.closed(w).whereclause
    for key, column, where in (
        ("received", T.c.created_at, received_where(w)),
        ("closed", T.c.closed_at, closed),
    ):
        for bucket, count in _per_bucket(session, column, where, department):
            day = datetime.fromtimestamp(int(bucket) * BUCKET_SECONDS, UTC).astimezone(zone).date()
            if day in days:
                days[day][key] += int(count)
    return list(days.values())


def _history(
    session: Session,
    period: Period,
    now: datetime,
    department: str | None,
    known: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """The four rates of this period and the ones before it, oldest first (``known``: periods
    counted already)."""
    periods = [period]
    while len(periods) < HISTORY:
        periods.insert(0, periods[0].previous())
    history = []
    for each in periods:
        if each.label in known:
            history.append({"period": each.label, **{n: known[each.label][n] for n in defs.RATES}})
            continue
        w = window(each, now)
        entry: dict[str, Any] = {"period": each.label}
        for name in defs.RATES:
            rows = hits = 0
            for _dept, n, h in session.execute(defs.by_department(name, w, department)):
                rows, hits = rows + int(n), hits + int(h)
            entry[name] = round(hits / rows, 4) if rows else None
        history.append(entry)
    return history


def _hot_topics(session: Session, w: Window, department: str | None) -> list[dict[str, Any]]:
    query = select(
        T.c.hot_topic, func.count(), func.min(T.c.category), func.min(T.c.building)
    ).where(received_where(w), T.c.hot_topic.is_not(None))
    query = _where(query, department).group_by(T.c.hot_topic).order_by(func.count().desc())
    return [
        {"topic": topic, "tickets": int(count), "category": category, "building": building}
        for topic, count, category, building in session.execute(query)
    ]


def _major(session: Session, w: Window, department: str | None) -> list[dict[str, Any]]:
    query = select(T.c.number, T.c.department, T.c.category, T.c.status, T.c.created_at).where(
        received_where(w), T.c.severity == "major"
    )
    query = _where(query, department).order_by(T.c.created_at).limit(MAJOR_LIMIT)
    return [
        {
            "number": number,
            "department": dept,
            "category": category,
            "status": status,
            "received_at": _utc(created).isoformat(),
        }
        for number, dept, category, status, created in session.execute(query)
    ]


def _overdue_tickets(session: Session, w: Window, department: str | None) -> list[dict[str, Any]]:
    """The longest overdue tickets (at most ``OVERDUE_LIMIT``), with whole days overdue (rounded
    up); the ``overdue`` figure counts them all."""
    rows = defs.rows("overdue", w, department).subquery()
    query = select(rows).order_by(rows.c.at, rows.c.number).limit(OVERDUE_LIMIT)
    listed = []
    for number, dept, _hit, due, step in session.execute(query):
        late = (w.as_of - _utc(due)).total_seconds()
        listed.append(
            {
                "number": number,
                "department": dept,
                "step": step,
                "due_at": _utc(due).isoformat(),
                "days_overdue": max(1, -int(-late // 86400)),
            }
        )
    return sorted(listed, key=lambda row: (-row["days_overdue"], row["number"]))


def _utc(moment: datetime | str) -> datetime:
    """A time from a raw (Core) row: naive UTC, or text on SQLite."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
