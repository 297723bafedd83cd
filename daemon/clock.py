"""The one source of "now", so tests can move time and every stored time is UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return _now()


def set_clock(now: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); ``None`` restores the real one."""
    global _now
    _now = now or (lambda: datetime.now(UTC))


NOW_ENV = "COMPLAINTD_NOW"
"""An ISO 8601 moment with offset: run a one-off command as if at that moment."""


def parse_moment(text: str) -> datetime:
    """An ISO 8601 timestamp with its UTC offset (``2026-12-04T09:00:00+08:00``), as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}") from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"give the offset, e.g. {text.strip()}+08:00 or {text.strip()}Z")
    return moment.astimezone(UTC)


def start_at(moment: datetime) -> None:
    """Make "now" ``moment`` and let it run on from there at the real pace (drills, tests)."""
    from time import monotonic

    began = monotonic()
    set_clock(lambda: moment + timedelta(seconds=monotonic() - began))
