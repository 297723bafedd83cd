"""Unified numbers (统一编号): a daily sequence bumped inside the ticket's own transaction.

Because the bump and the ticket insert commit or roll back together, and the counter row
is locked by the UPDATE until then, numbers are unique and gap-free with any number of workers.
"""

from __future__ import annotations

import re
import string
from datetime import datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from daemon.store.models import NumberSequence

_SEQUENCES = NumberSequence.__table__
_BUMP = (
    update(_SEQUENCES)
    .where(_SEQUENCES.c.scope == bindparam("in_scope"))
    .values(last=_SEQUENCES.c.last + 1)
    .returning(_SEQUENCES.c.last)
)
"""A Core statement, built once: no ORM bulk-update bookkeeping on every ticket."""
_CREATE = insert(_SEQUENCES)

_DATE_WIDTH = {"%Y": r"\d{4}", "%y": r"\d{2}", "%m": r"\d{2}", "%d": r"\d{2}", "%j": r"\d{3}"}


def scope_for(number_format: str, local_time: datetime) -> str:
    """The counter a number is drawn from: one per date the format shows (``%Y%m%d``: one a
    day; ``%Y``: one a year), so that two numbers never repeat; "all" without a date."""
    shown = [
        format(local_time, spec)
        for _literal, field, spec, _conv in string.Formatter().parse(number_format)
        if field == "date"
    ]
    return "|".join(shown) if shown else "all"


def next_value(session: Session, scope: str) -> int:
    """Bump the scope's counter and return the new value, holding its row lock until commit.

    Runs on the session's own connection, so the bump is part of the ticket's transaction."""
    value = session.connection().execute(_BUMP, {"in_scope": scope}).scalar()
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.connection().execute(_CREATE, {"scope": scope, "last": 0})
    except IntegrityError:
        pass
    return session.connection().execute(_BUMP, {"in_scope": scope}).scalar_one()


def format_number(number_format: str, local_time: datetime, seq: int) -> str:
    return number_format.format(date=local_time, seq=seq)


def number_pattern(number_format: str) -> re.Pattern[str]:
    """A regex that finds numbers of this format in free text such as a subject line."""
    pieces = []
    for literal, field, spec, _conv in string.Formatter().parse(number_format):
        pieces.append(re.escape(literal))
        if field == "date":
            spec_re = re.escape(spec or "%Y%m%d")
            for code, digits in _DATE_WIDTH.items():
                spec_re = spec_re.replace(re.escape(code), digits)
            pieces.append(spec_re)
        elif field == "seq":
            pieces.append(r"\d+")
    return re.compile(r"(?<![\w])(" + "".join(pieces) + r")(?![\w])", re.IGNORECASE)
