"""A ticket's state follows the eight steps of the complaint process (seed 001); every change is
an event with who made it and through which channel."""

from __future__ import annotations

from sqlalchemy.orm import Session

from daemon.clock import utcnow
from daemon.store import history
from daemon.store.models import Ticket

STEPS = (
    "accepted",  # 受理
    "confirmed",  # 确认
    "assessed",  # 评估
    "investigating",  # 调查
    "replied",  # 回复
    "closed",  # 跟踪关闭
    "revisited",  # 回访
    "fed_back",  # 信息反馈
)
CLOSED = ("closed", "revisited", "fed_back")
"""States after the track-and-close step: a ticket in one of them is closed (an owner writing
again re-opens it)."""


def move(
    session: Session, ticket: Ticket, status: str, *, actor: str, channel: str, note: str = ""
) -> None:
    """Change the state and record it; a closed ticket that moves back has been re-opened."""
    if status not in STEPS:
        raise ValueError(f"unknown state {status!r}")
    if status == ticket.status:
        return
    old = ticket.status
    ticket.status = status
    if status == "closed":
        ticket.closed_at = utcnow()
    history.record(
        session,
        ticket,
        "status",
        actor=actor,
        channel=channel,
        text=note or None,
        data={"from": old, "to": status},
    )
