"""Routing at pipeline level: department, head, butler, deadlines, major alerts and hot topics.

Time is fixed with ``daemon.clock.set_clock`` (the ``clock`` fixture restores the real one), so
every deadline is checked against a concrete date worked out by hand from the holiday data of
the ``holidays`` package. Business hours are the default 09:00-18:00, Monday to Friday.
"""

from __future__ import annotations

import email
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from daemon.clock import set_clock, utcnow
from daemon.config import ConfigError, Settings
from daemon.config import load as load_config
from daemon.mail import outbox
from daemon.pipeline import Pipeline, Result
from daemon.sla import deadlines
from daemon.store.db import Database
from daemon.store.models import Event, Outbox, Ticket
from tests.mails import complaint

MADRID = ZoneInfo("Europe/Madrid")
SHANGHAI = ZoneInfo("Asia/Shanghai")

ENGINEERING_HEAD = "jefe.obras@desk.example"
CUSTOMER_SERVICE_HEAD = "kefu@desk.example"
GENERAL_MANAGER = "gm@desk.example"
BUTLER_3 = "butler3@desk.example"

ANA = "ana.garcia@owner.example"

SPANISH_LEAK = (
    "Fuga de agua en la cocina",
    "Buenos días. Desde el lunes hay una fuga de agua en el grifo de la cocina y el agua "
    "gotea sin parar. Vivo en la Torre 3, portal 2, 5ºB. Por favor, envíen un fontanero. "
    "Gracias.",
)
"""One trade (plumbing): building 3, unit 2, room 5ºB."""

SPANISH_TWO_TRADES = (
    "Fuga de agua y enchufes sin corriente",
    "Buenos días. Hay una fuga de agua en la tubería de la cocina y desde entonces salta el "
    "diferencial y los enchufes no funcionan. Torre 3, 5ºB. Necesito un fontanero y un "
    "electricista.",
)
"""A repair that needs a plumber and an electrician."""

CHINESE_GAS = (
    "煤气泄漏",
    "您好，3栋2单元1502厨房里有很重的燃气味，怀疑煤气泄漏，家里有老人小孩，请马上派人来处理！",
)
CHINESE_LEAK = ("厨房水龙头漏水", "您好，5栋1单元302厨房水龙头漏水，请派师傅维修。")


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)


def utc(moment: datetime) -> str:
    """A deadline as the ticket stores it: ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat()


# --- fixtures and helpers --------------------------------------------------------------------


class Clock:
    """The time ``daemon.clock.utcnow`` returns; tests set and move it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Iterator[Clock]:
    fixed = Clock()
    set_clock(lambda: fixed.now)
    try:
        yield fixed
    finally:
        set_clock(None)


@dataclass
class Mail:
    purpose: str
    recipient: str
    raw: bytes
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


class Desk:
    """A pipeline on SQLite plus the look-ups a customer-service manager would make."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings.database.url)
        self.db.migrate()
        self.pipeline = Pipeline(settings, self.db)
        self._keys = iter(range(1, 10_000))

    def receive(self, subject: str, body: str, sender: str = ANA, name: str = "") -> Result:
        raw = complaint(body, subject=subject, sender=sender, name=name)
        result = self.pipeline.receive("test", str(next(self._keys)), raw)
        assert result.outcome == "ticket_created", result
        return result

    def ticket(self, number: str) -> Ticket:
        with self.db.transaction() as session:
            ticket = session.scalar(select(Ticket).where(Ticket.number == number))
            session.expunge(ticket)
            return ticket

    def events(self, number: str) -> list[Event]:
        with self.db.transaction() as session:
            found = session.scalars(
                select(Event).join(Ticket).where(Ticket.number == number).order_by(Event.id)
            ).all()
            session.expunge_all()
            return list(found)

    def mails(self, purpose: str | None = None, result: Result | None = None) -> list[Mail]:
        query = select(Outbox).order_by(Outbox.id)
        if purpose is not None:
            query = query.where(Outbox.purpose == purpose)
        if result is not None:
            query = query.where(Outbox.id.in_(result.outbox_ids))
        with self.db.transaction() as session:
            return [
                Mail(
                    row.purpose,
                    row.recipient,
                    outbox.message_bytes(row),
                    email.message_from_bytes(outbox.message_bytes(row), policy=policy.default),
                )
                for row in session.scalars(query)
            ]

    def mail(self, result: Result, purpose: str) -> Mail:
        found = self.mails(purpose, result)
        assert len(found) == 1, f"{len(found)} {purpose!r} mails for {result.ticket}"
        return found[0]


@pytest.fixture
def desk(make_settings: Callable[..., Settings], tmp_path: Path) -> Callable[..., Desk]:
    """A desk with the given config sections; no trained classifier model, only the rules."""

    def build(**sections: dict) -> Desk:
        sections.setdefault("classifier", {"model_file": str(tmp_path / "no-model.pkl")})
        return Desk(make_settings(**sections))

    return build


def madrid_desk(desk: Callable[..., Desk], **sections: dict) -> Desk:
    """A Madrid desk whose engineering head reads Spanish."""
    base: dict[str, dict] = {
        "desk": {"time_zone": "Europe/Madrid", "default_language": "es"},
        "calendar": {"country": "ES", "subdivision": "MD"},
        "departments": {"engineering": {"head": ENGINEERING_HEAD, "language": "es"}},
    }
    return desk(**{**base, **sections})


def china_desk(desk: Callable[..., Desk], **sections: dict) -> Desk:
    base: dict[str, dict] = {
        "desk": {"time_zone": "Asia/Shanghai", "default_language": "zh"},
        "calendar": {"country": "CN"},
        "departments": {
            "engineering": {"head": "gongcheng@desk.example", "language": "zh"},
            "customer_service": {"head": CUSTOMER_SERVICE_HEAD, "language": "zh"},
        },
        "routing": {"general_manager": GENERAL_MANAGER},
    }
    return desk(**{**base, **sections})


# --- Madrid: the Spanish leak ----------------------------------------------------------------

# Received Thursday 3 December 2026, 10:00 in Madrid. The holidays package has, for ES-MD
# 2026, Monday 7 December (Constitution Day, 6 December, falls on a Sunday and Madrid moves it
# to the Monday) and Tuesday 8 December (Immaculate Conception). So the working days after
# the 3rd are: Fri 4 (1st), [Sat 5, Sun 6, Mon 7, Tue 8 off], Wed 9 (2nd), Thu 10 (3rd),
# Fri 11 (4th), Mon 14 (5th), Tue 15 (6th), Wed 16 (7th); each deadline is the close of
# business (18:00 CET, 17:00 UTC) of its day.
MADRID_RECEIVED = local(MADRID, 2026, 12, 3, 10, 0)
MADRID_SURVEY = local(MADRID, 2026, 12, 4, 18, 0)  # 1 working day
MADRID_FEEDBACK = local(MADRID, 2026, 12, 10, 18, 0)  # 3 working days
MADRID_REPAIR_SINGLE = local(MADRID, 2026, 12, 10, 18, 0)  # 3 working days
MADRID_REPAIR_MULTI = local(MADRID, 2026, 12, 16, 18, 0)  # 7 working days


def test_the_holiday_data_the_madrid_dates_rely_on():
    madrid = holidays.country_holidays("ES", subdiv="MD", years=2026)
    assert date(2026, 12, 7) in madrid and date(2026, 12, 8) in madrid
    assert not {date(2026, 12, d) for d in (3, 4, 9, 10, 11, 14, 15, 16)} & set(madrid)


def test_spanish_leak_goes_to_the_engineering_head_with_deadlines(desk, clock):
    madrid = madrid_desk(desk)
    clock.set(MADRID_RECEIVED)

    result = madrid.receive(*SPANISH_LEAK, name="Ana García")

    ticket = madrid.ticket(result.ticket)
    assert (ticket.language, ticket.kind, ticket.category) == ("es", "repair_request", "repair")
    assert (ticket.department, ticket.assignee) == ("engineering", ENGINEERING_HEAD)
    assert ticket.severity == "general" and ticket.hot_topic is None and ticket.butler is None
    assert ticket.location == {"building": "3", "unit": "2", "room": "5ºB"}
    assert result.ticket.startswith("C20261203-")
    assert ticket.deadlines == {
        "feedback": utc(MADRID_FEEDBACK),
        "survey": utc(MADRID_SURVEY),
        "repair": utc(MADRID_REPAIR_SINGLE),
        "answer": utc(MADRID_FEEDBACK),
    }
    kinds = [e.kind for e in madrid.events(result.ticket)]
    assert kinds == ["received", "classified", "routed", "acknowledged", "assigned"]

    # The head's assignment: in Spanish, everything needed to act, and no owner's address.
    assignment = madrid.mail(result, "assignment")
    assert assignment.recipient == ENGINEERING_HEAD
    assert assignment.message["To"].addresses[0].addr_spec == ENGINEERING_HEAD
    assert result.ticket in assignment.subject
    text = assignment.text
    for expected in (
        result.ticket,
        "reparación",  # the category, in the department's language
        "edificio 3 / portal 2 / piso 5ºB",  # the location, in Spanish
        "visita de inspección: viernes 4 de diciembre de 2026, 18:00",
        "respuesta al servicio: jueves 10 de diciembre de 2026, 18:00",
        "reparación terminada: jueves 10 de diciembre de 2026, 18:00",
        "Ana García",
        SPANISH_LEAK[1][:60],  # the owner's own words
    ):
        assert expected in text, f"{expected!r} missing from the assignment:\n{text}"
    raw = assignment.raw.decode("utf-8", "replace")
    assert ANA not in raw and ANA not in text  # seed 000: no more personal data than needed
    assert str(assignment.message["Reply-To"]).startswith("complaints+" + result.ticket + ".d.")

    # The owner's acknowledgement promises the answer date, in Spanish.
    ack = madrid.mail(result, "ack")
    assert ack.recipient == ANA
    assert "a más tardar el jueves 10 de diciembre de 2026, 18:00" in ack.text, ack.text
    assert "ingeniería" in ack.text


def test_a_repair_needing_two_trades_gets_seven_working_days(desk, clock):
    madrid = madrid_desk(desk)
    clock.set(MADRID_RECEIVED)

    result = madrid.receive(*SPANISH_TWO_TRADES)

    ticket = madrid.ticket(result.ticket)
    assert (ticket.category, ticket.department) == ("repair", "engineering")
    assert ticket.deadlines["survey"] == utc(MADRID_SURVEY)
    assert ticket.deadlines["feedback"] == utc(MADRID_FEEDBACK)
    assert ticket.deadlines["repair"] == utc(MADRID_REPAIR_MULTI)
    assert "miércoles 16 de diciembre de 2026, 18:00" in madrid.mail(result, "assignment").text


def test_a_complaint_after_hours_counts_from_the_next_morning(desk, clock):
    # Friday 4 December 19:30 is after closing; the 1st working day after the 4th is Wed 9.
    madrid = madrid_desk(desk)
    clock.set(local(MADRID, 2026, 12, 4, 19, 30))

    result = madrid.receive(*SPANISH_LEAK)

    ticket = madrid.ticket(result.ticket)
    assert ticket.deadlines["survey"] == utc(local(MADRID, 2026, 12, 9, 18, 0))
    assert ticket.deadlines["feedback"] == utc(local(MADRID, 2026, 12, 11, 18, 0))


# --- China: the Spring Festival ---------------------------------------------------------------

# Received Friday 13 February 2026, 10:00 in Shanghai, the last Friday before the Spring
# Festival. Per the holidays package (CN 2026): 16-20 and 23 February are holidays or days
# off (15, 21, 22 are Sundays/Saturdays), and Saturday 14 February is an official make-up
# working day (调休). Working days after the 13th: Sat 14 (1st), Tue 24 (2nd), Wed 25 (3rd).
SPRING_RECEIVED = local(SHANGHAI, 2026, 2, 13, 10, 0)
SPRING_SURVEY = local(SHANGHAI, 2026, 2, 14, 18, 0)
SPRING_FEEDBACK = local(SHANGHAI, 2026, 2, 25, 18, 0)


def test_the_holiday_data_the_spring_festival_dates_rely_on():
    china = holidays.country_holidays("CN", years=2026)
    off = {date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)}
    assert off <= set(china)
    assert date(2026, 2, 14) in china.weekend_workdays
    assert not {date(2026, 2, d) for d in (13, 14, 24, 25)} & set(china)


def test_chinese_complaint_before_the_spring_festival(desk, clock):
    china = china_desk(desk)
    clock.set(SPRING_RECEIVED)

    result = china.receive(*CHINESE_LEAK, sender="wang@owner.example", name="王女士")

    ticket = china.ticket(result.ticket)
    assert (ticket.category, ticket.department, ticket.severity) == (
        "repair",
        "engineering",
        "general",
    )
    assert ticket.deadlines["survey"] == utc(SPRING_SURVEY)  # the make-up Saturday
    assert ticket.deadlines["feedback"] == utc(SPRING_FEEDBACK)
    assert ticket.deadlines["repair"] == utc(SPRING_FEEDBACK)
    assert ticket.deadlines["answer"] == utc(SPRING_FEEDBACK)
    assert "2026年2月25日 星期三 18:00" in china.mail(result, "ack").text
    assignment = china.mail(result, "assignment").text
    assert "现场查勘：2026年2月14日 星期六 18:00" in assignment, assignment
    assert "位置：    5栋1单元302室" in assignment, assignment
    assert not china.mails("major_alert")


# --- major: gas ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "feedback"),
    [
        # 10:00 + 4 business hours = 14:00 the same day.
        (local(SHANGHAI, 2026, 11, 24, 10, 0), local(SHANGHAI, 2026, 11, 24, 14, 0)),
        # 16:30: 1.5 h today, 2.5 h from 09:00 on Wednesday.
        (local(SHANGHAI, 2026, 11, 24, 16, 30), local(SHANGHAI, 2026, 11, 25, 11, 30)),
        # Friday 13 Feb 17:00: 1 h, then 3 h on the make-up Saturday.
        (local(SHANGHAI, 2026, 2, 13, 17, 0), local(SHANGHAI, 2026, 2, 14, 12, 0)),
    ],
)
def test_gas_leak_is_major_with_four_business_hours_and_the_gm_is_told(
    desk, clock, received, feedback
):
    china = china_desk(desk)
    clock.set(received)

    result = china.receive(*CHINESE_GAS, sender="li@owner.example", name="李先生")

    ticket = china.ticket(result.ticket)
    assert ticket.severity == "major"
    assert ticket.deadlines["feedback"] == utc(feedback)
    assert ticket.deadlines["answer"] == utc(feedback)
    alert = china.mail(result, "major_alert")
    assert alert.recipient == GENERAL_MANAGER
    assert result.ticket in alert.subject and "重大" in alert.subject
    assert result.ticket in alert.text and "燃气味" in alert.text
    assert "li@owner.example" not in alert.raw.decode("utf-8", "replace")
    when = feedback.strftime("%H:%M")
    assert f"{feedback.year}年{feedback.month}月{feedback.day}日" in china.mail(result, "ack").text
    assert when in china.mail(result, "ack").text
    assert any(e.kind == "major_alert" for e in china.events(result.ticket))


def test_a_general_ticket_is_not_reported_to_the_gm(desk, clock):
    china = china_desk(desk)
    clock.set(local(SHANGHAI, 2026, 11, 24, 10, 0))
    result = china.receive(*CHINESE_LEAK)
    assert china.ticket(result.ticket).severity == "general"
    assert not china.mails("major_alert")
    assert {m.purpose for m in china.mails()} == {"ack", "assignment"}


def test_major_without_a_general_manager_goes_to_customer_service(desk, clock):
    china = china_desk(desk, routing={})
    clock.set(local(SHANGHAI, 2026, 11, 24, 10, 0))
    result = china.receive(*CHINESE_GAS)
    assert china.mail(result, "major_alert").recipient == CUSTOMER_SERVICE_HEAD


# --- hot topics ------------------------------------------------------------------------------


def leak_in(building: int, room: int) -> tuple[str, str]:
    return ("卫生间漏水", f"您好，{building}栋1单元{room}卫生间水管漏水，请尽快派人维修。")


def test_three_tickets_about_one_building_form_a_hot_topic(desk, clock):
    china = china_desk(desk)
    start = local(SHANGHAI, 2026, 11, 24, 10, 0)
    clock.set(start)

    def receive(building: int, room: int, hours_after_start: float) -> str:
        clock.set(start + timedelta(hours=hours_after_start))
        result = china.receive(*leak_in(building, room), sender=f"owner{room}@owner.example")
        return result.ticket

    first = receive(3, 101, 0)
    second = receive(3, 202, 5)
    assert china.ticket(first).hot_topic is None and china.ticket(second).hot_topic is None
    assert not china.mails("hot_topic_alert")

    third = receive(3, 303, 47)  # within 48 h of the first
    for number in (first, second, third):
        ticket = china.ticket(number)
        assert (ticket.hot_topic, ticket.severity) == (first, "hot"), number
    [alert] = china.mails("hot_topic_alert")
    assert alert.recipient == CUSTOMER_SERVICE_HEAD
    assert first in alert.subject
    assert all(number in alert.text for number in (first, second, third)), alert.text
    assert "owner101@owner.example" not in alert.raw.decode("utf-8", "replace")

    fourth = receive(3, 404, 48)
    assert (china.ticket(fourth).hot_topic, china.ticket(fourth).severity) == (first, "hot")
    assert len(china.mails("hot_topic_alert")) == 1  # no second alert for the same topic

    elsewhere = receive(5, 505, 48.5)  # same category, another building
    assert china.ticket(elsewhere).hot_topic is None
    assert china.ticket(elsewhere).severity == "general"

    clock.set(start + timedelta(hours=49))  # another category about building 3
    billing = china.receive("物业费多收了", "您好，3栋1单元708的物业费多收了两百元，请退还。")
    ticket = china.ticket(billing.ticket)
    assert (ticket.category, ticket.building, ticket.hot_topic) == ("billing", "3", None)

    # More than 48 h after the last ticket of the topic: nothing recent to join.
    late = receive(3, 606, 48 + 48 + 0.1)
    assert china.ticket(late).hot_topic is None
    assert china.ticket(late).severity == "general"
    assert len(china.mails("hot_topic_alert")) == 1


def test_a_major_ticket_in_a_hot_topic_stays_major(desk, clock):
    china = china_desk(desk)
    clock.set(local(SHANGHAI, 2026, 11, 24, 10, 0))
    gas_leaks = [
        ("燃气味", f"3栋1单元{room}厨房有燃气味，请马上派人来处理！") for room in (101, 202, 303)
    ]
    numbers = []
    for n, mail in enumerate(gas_leaks):
        numbers.append(china.receive(*mail, sender=f"o{n}@owner.example").ticket)
        clock.advance(hours=1)
    assert [china.ticket(n).severity for n in numbers] == ["major"] * 3
    assert {china.ticket(n).hot_topic for n in numbers} == {numbers[0]}
    assert len(china.mails("hot_topic_alert")) == 1
    assert len(china.mails("major_alert")) == 3


# --- butlers, heads, overrides ---------------------------------------------------------------


def test_the_buildings_butler_gets_four_business_hours(desk, clock):
    madrid = madrid_desk(desk, routing={"butlers": {"3": BUTLER_3}})
    # Friday 4 December 16:00: 2 h on Friday, then 2 h from 09:00 on Wednesday 9 December
    # (Saturday, Sunday and the holidays of Monday 7 and Tuesday 8 are skipped).
    clock.set(local(MADRID, 2026, 12, 4, 16, 0))

    result = madrid.receive(*SPANISH_LEAK)

    ticket = madrid.ticket(result.ticket)
    assert ticket.butler == BUTLER_3
    assert ticket.deadlines["butler"] == utc(local(MADRID, 2026, 12, 9, 11, 0))
    text = madrid.mail(result, "assignment").text
    assert BUTLER_3 in text
    assert "respuesta del conserje: miércoles 9 de diciembre de 2026, 11:00" in text, text

    notice = madrid.mail(result, "butler_notice")
    assert notice.recipient == BUTLER_3 and result.ticket in notice.subject
    assert ANA not in notice.raw.decode("utf-8", "replace")

    other = madrid.receive("Fuga de agua", "Hay una fuga de agua en el grifo. Torre 4, 1ºA.")
    assert madrid.ticket(other.ticket).butler is None
    assert not madrid.mails("butler_notice", other)
    assert "butler" not in madrid.ticket(other.ticket).deadlines


@pytest.mark.parametrize(
    "departments",
    [
        {"engineering": {"members": ["tecnico@desk.example"], "language": "es"}},
        {},
    ],
    ids=["department-without-head", "department-not-configured"],
)
def test_without_a_head_the_ticket_is_marked_unassigned(desk, clock, departments):
    madrid = madrid_desk(desk, departments=departments)
    clock.set(MADRID_RECEIVED)

    result = madrid.receive(*SPANISH_LEAK)

    ticket = madrid.ticket(result.ticket)
    assert (ticket.department, ticket.assignee) == ("engineering", None)
    [event] = [e for e in madrid.events(result.ticket) if e.kind == "unassigned"]
    assert "engineering" in event.text
    assert not madrid.mails("assignment")
    assert [m.purpose for m in madrid.mails()] == ["ack"]  # the owner is still answered


def test_routing_categories_override_sends_design_to_engineering(desk, clock):
    madrid = madrid_desk(
        desk,
        routing={"categories": {"design": "engineering"}},
        departments={
            "engineering": {"head": ENGINEERING_HEAD, "language": "es"},
            "design": {"head": "diseno@desk.example"},
        },
    )
    clock.set(MADRID_RECEIVED)
    assert madrid.settings.routing.categories["billing"] == "finance"  # the rest keep defaults

    result = madrid.receive(
        "Poor daylight",
        "The layout of my flat is badly designed: the living room gets no daylight because "
        "of the design of the balcony. Block 3.",
    )

    ticket = madrid.ticket(result.ticket)
    assert (ticket.category, ticket.department) == ("design", "engineering")
    assert ticket.assignee == ENGINEERING_HEAD
    assert madrid.mail(result, "assignment").recipient == ENGINEERING_HEAD
    assert not [m for m in madrid.mails() if m.recipient == "diseno@desk.example"]


def test_unknown_category_in_routing_is_refused_by_name(make_settings, tmp_path):
    with pytest.raises(ValidationError, match="gardening"):
        make_settings(routing={"categories": {"gardening": "property"}})

    config = tmp_path / "complaintd.toml"
    config.write_text('[routing]\ncategories = { gardening = "property" }\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(config, environ={})
    assert "gardening" in str(refused.value) and "routing" in str(refused.value)


def test_routing_to_an_unknown_department_is_refused_by_name(make_settings):
    with pytest.raises(ValidationError, match="enginering"):
        make_settings(routing={"categories": {"design": "enginering"}})
    settings = make_settings(
        routing={"categories": {"design": "architects"}},
        departments={"architects": {"head": "arq@desk.example"}},
    )
    assert settings.routing.categories["design"] == "architects"


def test_a_follow_up_that_reveals_danger_makes_the_ticket_major(desk, clock):
    china = china_desk(desk)
    clock.set(local(SHANGHAI, 2026, 11, 24, 10, 0))
    first = china.receive(*CHINESE_LEAK)
    assert china.ticket(first.ticket).severity == "general"

    raw = complaint(
        "现在楼道里燃气味很重，我要找记者曝光！",
        subject=f"Re: [{first.ticket}] 卫生间漏水",
        sender=ANA,
    )
    follow = china.pipeline.receive("test", "follow-up", raw)

    assert (follow.outcome, follow.ticket) == ("appended", first.ticket)
    assert china.ticket(first.ticket).severity == "major"
    assert china.mail(follow, "major_alert").recipient == GENERAL_MANAGER
    assert any(e.kind == "escalated" for e in china.events(first.ticket))


# --- pausing the clock -----------------------------------------------------------------------


def test_pause_and_resume_move_every_deadline_by_the_business_time_paused(desk, clock):
    madrid = madrid_desk(desk, routing={"butlers": {"3": BUTLER_3}})
    clock.set(MADRID_RECEIVED)
    number = madrid.receive(*SPANISH_LEAK).ticket
    before = madrid.ticket(number).deadlines
    assert set(before) == {"feedback", "survey", "repair", "butler", "answer"}

    # Paused Friday 4 December 10:00, resumed Thursday 10 December 10:00: Friday 8 h
    # (10:00-18:00), the weekend and the 7th/8th holidays nothing, Wednesday 9 h, Thursday
    # 1 h = 18 business hours, two full business days.
    paused_at = local(MADRID, 2026, 12, 4, 10, 0)
    resumed_at = local(MADRID, 2026, 12, 10, 10, 0)
    with madrid.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        deadlines.pause(ticket, paused_at)
    with madrid.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket.paused_at == paused_at
        deadlines.pause(ticket, resumed_at)  # pausing twice keeps the first instant
        assert ticket.paused_at == paused_at
        assert deadlines.resume(ticket, madrid.pipeline.calendar, resumed_at) == 18 * 3600
    after = madrid.ticket(number)
    assert after.paused_at is None
    # Each deadline moves on 18 business hours, i.e. two working days at the same time.
    assert after.deadlines == {
        "survey": utc(local(MADRID, 2026, 12, 10, 18, 0)),  # Fri 4 → Wed 9 → Thu 10
        # Thu 3 14:00: 4 h left that day, 9 h on Fri 4, the last 5 h on Wed 9.
        "butler": utc(local(MADRID, 2026, 12, 9, 14, 0)),
        "feedback": utc(local(MADRID, 2026, 12, 14, 18, 0)),  # Thu 10 → Fri 11 → Mon 14
        "repair": utc(local(MADRID, 2026, 12, 14, 18, 0)),
        "answer": utc(local(MADRID, 2026, 12, 14, 18, 0)),
    }
    with madrid.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        assert deadlines.resume(ticket, madrid.pipeline.calendar, utcnow()) == 0.0
