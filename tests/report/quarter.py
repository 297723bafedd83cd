"""A generated quarter of tickets with known outcomes, and the report's figures worked out from
them in plain Python, independently of the SQL (README "Reports" is the specification)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from daemon.sla.calendar import BusinessCalendar
from daemon.store.db import Database
from daemon.store.models import Deadline, Ticket

CLOSED = ("closed", "revisited", "fed_back")
OPEN = ("accepted", "confirmed", "assessed", "investigating", "replied")
DEPARTMENTS = ("engineering", "property", "finance", "customer_service")
CHANNELS = ("email", "web", "phone", "visit")
KINDS = ("complaint", "repair_request", "inquiry", "suggestion")
CATEGORIES = ("repair", "property_service", "billing", "other", "construction_quality")
SEVERITIES = ("general", "important", "hot", "major")
STEPS = ("feedback", "resolve", "repair")
ZONE = "Asia/Shanghai"
FIRST = datetime(2026, 9, 1, tzinfo=UTC)
LAST = datetime(2027, 1, 10, tzinfo=UTC)
NOW = datetime(2027, 1, 20, 3, 0, tzinfo=UTC)
"""When the reports are made: every period of 2026-Q4 is complete."""


@dataclass
class Due:
    step: str
    department: str
    due_at: datetime
    met_at: datetime | None


@dataclass
class Spec:
    number: str
    created_at: datetime
    department: str
    channel: str
    kind: str
    category: str
    severity: str
    status: str
    closed_at: datetime | None = None
    resolved_at: datetime | None = None
    revisited_at: datetime | None = None
    first_answer_at: datetime | None = None
    satisfaction: int | None = None
    paused_at: datetime | None = None
    hot_topic: str | None = None
    deadlines: list[Due] = field(default_factory=list)


def _at(rng: random.Random, start: datetime, end: datetime) -> datetime:
    seconds = rng.uniform(0, (end - start).total_seconds())
    return (start + timedelta(seconds=seconds)).replace(microsecond=0)


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=int(rng.uniform(low, high) * 3600))


def generate(count: int = 700, seed: int = 13) -> list[Spec]:
    """Tickets from September 2026 to early January 2027 with every outcome the definitions
    tell apart: closed, re-opened, resolved without closure, revisited or not, rated,
    paused, deadlines met early, late or never, some owed by another department."""
    rng = random.Random(seed)
    specs = []
    for n in range(count):
        created = _at(rng, FIRST, LAST)
        spec = Spec(
            number=f"C{n:05d}",
            created_at=created,
            department=rng.choice(DEPARTMENTS),
            channel=rng.choice(CHANNELS),
            kind=rng.choice(KINDS),
            category=rng.choice(CATEGORIES),
            severity=rng.choices(SEVERITIES, weights=(80, 12, 5, 3))[0],
            status=rng.choice(OPEN),
        )
        if rng.random() < 0.8:
            spec.first_answer_at = created + _hours(rng, 0.2, 90)
        roll = rng.random()
        if roll < 0.6:
            spec.closed_at = created + _hours(rng, 1, 24 * 20)
            spec.status = rng.choice(CLOSED)
            spec.resolved_at = spec.closed_at - _hours(rng, 0, 30)
            spec.resolved_at = max(spec.resolved_at, created)
            if rng.random() < 0.8:
                spec.satisfaction = rng.randint(1, 5)
            if rng.random() < 0.1:  # re-opened since: open again, closed_at kept
                spec.status = "investigating"
        elif roll < 0.7:
            spec.resolved_at = created + _hours(rng, 1, 24 * 10)
            spec.status = "replied"
        if spec.resolved_at and rng.random() < 0.7:
            spec.revisited_at = spec.resolved_at + _hours(rng, 1, 72)
        if spec.status in OPEN and rng.random() < 0.15:
            spec.paused_at = created + _hours(rng, 0, 24 * 6)
        if rng.random() < 0.06:
            spec.hot_topic = f"H{rng.randint(1, 4)}"
        for step in rng.sample(STEPS, rng.randint(1, 3)):
            due = created + _hours(rng, 4, 24 * 10)
            department = spec.department if rng.random() < 0.9 else rng.choice(DEPARTMENTS)
            met = None
            if rng.random() < 0.6:
                met = due + _hours(rng, -48, 72)
                met = max(met, created)
            spec.deadlines.append(Due(step, department, due, met))
        specs.append(spec)
    return specs


def store(db: Database, specs: list[Spec]) -> None:
    """The tickets and their deadline rows, as the pipeline and the scheduler would leave them."""
    with db.transaction() as session:
        for spec in specs:
            ticket = Ticket(
                number=spec.number,
                status=spec.status,
                channel=spec.channel,
                language="zh",
                subject="测试",
                body="测试",
                kind=spec.kind,
                category=spec.category,
                severity=spec.severity,
                department=spec.department,
                hot_topic=spec.hot_topic,
                paused_at=spec.paused_at,
                satisfaction=spec.satisfaction,
                first_answer_at=spec.first_answer_at,
                resolved_at=spec.resolved_at,
                revisited_at=spec.revisited_at,
                closed_at=spec.closed_at,
                created_at=spec.created_at,
            )
            session.add(ticket)
            session.flush()
            for due in spec.deadlines:
                session.add(
                    Deadline(
                        ticket_id=ticket.id,
                        step=due.step,
                        department=due.department,
                        due_at=due.due_at,
                        met_at=due.met_at,
                    )
                )


# --- the figures, worked out in Python ------------------------------------------------------


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def _closed_before(spec: Spec, at: datetime) -> bool:
    return spec.status in CLOSED and spec.closed_at is not None and spec.closed_at < at


def _open_at(spec: Spec, at: datetime) -> bool:
    return spec.created_at < at and not _closed_before(spec, at)


def _frozen(spec: Spec, due: Due) -> bool:
    return due.met_at is None and spec.paused_at is not None and spec.paused_at <= due.due_at


def expected(
    specs: list[Spec], start: datetime, end: datetime, calendar: BusinessCalendar
) -> dict[str | None, dict]:
    """Every figure per department (and None for all) for the period [start, end)."""
    as_of = min(end, NOW)
    rows: dict[str, list[tuple[str | None, bool]]] = {
        name: []
        for name in (
            "received",
            "closed",
            "open",
            "overdue",
            "on_time_rate",
            "closure_rate",
            "revisit_rate",
            "satisfaction_rate",
        )
    }
    answered: dict[str, list[float]] = {}
    for s in specs:
        if _in(s.created_at, start, end):
            rows["received"].append((s.department, True))
            rows["closure_rate"].append((s.department, _closed_before(s, as_of)))
            if s.first_answer_at:
                hours = calendar.business_seconds_between(s.created_at, s.first_answer_at) / 3600
                answered.setdefault(s.department, []).append(hours)
        if s.status in CLOSED and _in(s.closed_at, start, end):
            rows["closed"].append((s.department, True))
            if s.satisfaction is not None:
                rows["satisfaction_rate"].append((s.department, s.satisfaction >= 4))
        if _open_at(s, as_of):
            rows["open"].append((s.department, True))
            late = [
                d
                for d in s.deadlines
                if d.due_at < as_of
                and ((d.met_at is None and not _frozen(s, d)) or (d.met_at and d.met_at >= as_of))
            ]
            if late:
                rows["overdue"].append((s.department, True))
        if _in(s.resolved_at, start, end):
            rows["revisit_rate"].append((s.department, s.revisited_at is not None))
        for d in s.deadlines:
            if start <= d.due_at < as_of and not _frozen(s, d):
                on_time = d.met_at is not None and d.met_at <= d.due_at
                rows["on_time_rate"].append((d.department, on_time))
    result: dict[str | None, dict] = {}
    for scope in (None, *DEPARTMENTS):
        figures: dict = {}
        for name, listed in rows.items():
            mine = [hit for dept, hit in listed if scope is None or dept == scope]
            if name.endswith("_rate"):
                figures[name] = round(sum(mine) / len(mine), 4) if mine else None
                figures[f"{name}_counts"] = {"numerator": sum(mine), "denominator": len(mine)}
            else:
                figures[name] = len(mine)
        hours = sorted(
            h for dept, values in answered.items() if scope in (None, dept) for h in values
        )
        figures["median"] = _rank(hours, 0.5)
        figures["p90"] = _rank(hours, 0.9)
        result[scope] = figures
    return result


def _rank(values: list[float], share: float) -> float | None:
    if not values:
        return None
    return round(values[max(math.ceil(share * len(values)) - 1, 0)], 2)


def local(day: datetime) -> datetime:
    return day.astimezone(ZoneInfo(ZONE))
