"""The Monday mail: due at ``reports.weekly_at`` desk time, queued once per week and recipient
across restarts and concurrent instances, HTML with inline charts, plain text and a CSV, in each
recipient's language; a department head sees only their own department."""

from __future__ import annotations

import csv
import email
import io
import threading
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from daemon.config import ConfigError, Settings, load
from daemon.mail import outbox
from daemon.mail.dispatch import Dispatcher
from daemon.report.mail import due_periods, queue_due_reports
from daemon.store.db import Database
from daemon.store.models import Outbox, SentKey
from tests.e2e import smtp_section
from tests.report import quarter
from tests.servers import SmtpSink

GM = "gm@desk.example"
CS_HEAD = "cs.head@desk.example"
ENG_HEAD = "eng.head@desk.example"
MONDAY_0900 = datetime(2027, 1, 11, 1, 0, tzinfo=UTC)
"""Monday 11 January 2027, 09:00 in Shanghai: the report on 2027-W01 is due."""


def _settings(db_url: str, sink: SmtpSink | None = None, **reports: object) -> Settings:
    data: dict = {
        "database": {"url": db_url},
        "desk": {"time_zone": quarter.ZONE, "address": "complaints@desk.example"},
        "routing": {"general_manager": GM},
        "departments": {
            "customer_service": {"head": CS_HEAD},
            "engineering": {"head": ENG_HEAD, "language": "zh"},
        },
        "reports": {
            "recipients": [
                {"address": GM, "language": "en"},
                {"address": CS_HEAD, "language": "es"},
                ENG_HEAD,
            ],
            "quarterly_day": 20,
            "yearly_date": "01-25",
            **reports,
        },
    }
    if sink is not None:
        data["smtp"] = smtp_section(sink)
    return Settings.model_validate(data)


@pytest.fixture
def db(db_url: str):
    database = Database(db_url)
    database.migrate()
    quarter.store(database, quarter.generate(count=300))
    yield database
    database.dispose()


def _pass(db_url: str, settings: Settings, now: datetime) -> list[int]:
    """One scheduler pass as a fresh process would make it: its own engine and transaction."""
    database = Database(db_url)
    try:
        with database.transaction() as session:
            return queue_due_reports(session, settings, now)
    finally:
        database.dispose()


def _rows(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Outbox))


def test_the_weekly_report_is_due_on_monday_at_the_configured_time(db_url):
    settings = _settings(db_url, weekly_at="08:30")
    before = MONDAY_0900 - timedelta(minutes=31)
    assert due_periods(settings, before) == []
    [period] = due_periods(settings, before + timedelta(minutes=1))
    assert (period.kind, period.label) == ("weekly", "2027-W01")
    # Sunday 23:59 desk time: 2027-W01 is not over; the week before is still the last one due.
    [period] = due_periods(settings, datetime(2027, 1, 10, 15, 59, tzinfo=UTC))
    assert period.label == "2026-W53"


def test_the_summaries_go_on_their_own_dates(db_url):
    settings = _settings(db_url, quarterly_day=5, yearly_date="01-08", monthly_day=3)
    on_the_5th = datetime(2027, 1, 5, 1, 0, tzinfo=UTC)
    labels = {(p.kind, p.label) for p in due_periods(settings, on_the_5th)}
    assert labels == {("weekly", "2026-W53"), ("monthly", "2026-12"), ("quarterly", "2026-Q4")}
    on_the_8th = datetime(2027, 1, 8, 1, 0, tzinfo=UTC)
    assert ("yearly", "2026") in {(p.kind, p.label) for p in due_periods(settings, on_the_8th)}
    assert ("yearly", "2026") not in labels


def test_the_monday_mail_goes_out_once_across_restarts(db, db_url, smtp_sink):
    settings = _settings(db_url, smtp_sink)
    assert _pass(db_url, settings, MONDAY_0900 - timedelta(minutes=1)) == []
    assert len(_pass(db_url, settings, MONDAY_0900)) == 3
    for minutes in (0, 1, 5, 60 * 24):  # restarted at 09:00, 09:01, ... and on Tuesday
        assert _pass(db_url, settings, MONDAY_0900 + timedelta(minutes=minutes)) == []
    assert _rows(db) == 3
    with db.transaction() as session:
        keys = set(session.scalars(select(SentKey.key)))
        assert keys == {f"report:weekly:2027-W01:{a}" for a in (GM, CS_HEAD, ENG_HEAD)}
        ids = list(session.scalars(select(Outbox.id)))
    Dispatcher(settings, db).send(ids)
    mails = {m.rcpt_tos[0]: m.message for m in smtp_sink.messages}
    assert set(mails) == {GM, CS_HEAD, ENG_HEAD}
    _check_mail(mails[GM], "Weekly complaint report · 2027-W01", everything=True)
    _check_mail(mails[CS_HEAD], "Informe semanal de reclamaciones · 2027-W01", everything=True)
    _check_mail(mails[ENG_HEAD], "投诉处理周报 · 工程部 · 2027-W01", everything=False)


def test_two_instances_at_nine_queue_each_mail_once(db, db_url):
    settings = _settings(db_url)
    results: list[list[int]] = []
    start = threading.Barrier(2)

    def instance() -> None:
        start.wait()
        results.append(_pass(db_url, settings, MONDAY_0900))

    threads = [threading.Thread(target=instance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(len(r) for r in results) in ([0, 3], [1, 2], [3, 0])
    assert sum(len(r) for r in results) == 3
    assert _rows(db) == 3


def _check_mail(message: EmailMessage, subject: str, everything: bool) -> None:
    assert message["Subject"] == subject
    assert message["X-Complaintd-Purpose"] == "report"
    assert message["Auto-Submitted"] == "auto-generated"
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    assert html is not None and text is not None
    assert subject in text.get_content()
    images = {
        part["Content-ID"].strip("<>"): part.get_content()
        for part in message.walk()
        if part.get_content_type() == "image/png"
    }
    assert len(images) == 4
    content = html.get_content()
    for cid, png in images.items():
        assert f'src="cid:{cid}"' in content
        assert png.startswith(b"\x89PNG")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename().endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(attachment.get_content())))
    departments = {row["department"] for row in rows if row["section"] == "summary"}
    if everything:
        assert {"all", "engineering", "property", "finance"} <= departments
    else:
        assert departments == {"engineering"}
        assert {row["department"] for row in rows if row["section"] == "overdue_tickets"} <= {
            "engineering"
        }
        for other in ("物业服务中心", "财务部", "客户服务中心"):
            assert other not in content


def test_a_recipient_who_heads_nothing_must_be_given_a_department(db_url, tmp_path):
    with pytest.raises(ValueError, match="give it a department"):
        _settings(db_url, recipients=["someone@desk.example"])
    with pytest.raises(ValueError, match="unknown department 'plumbing'"):
        _settings(db_url, recipients=[{"address": "x@desk.example", "department": "plumbing"}])
    settings = _settings(db_url, recipients=[{"address": "x@desk.example", "department": "sales"}])
    assert settings.reports.recipients[0].department == "sales"
    path = tmp_path / "complaintd.toml"
    path.write_text('[reports]\nrecipients = ["someone@desk.example"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="someone@desk.example is not the general manager"):
        load(path, environ={})


def test_by_default_no_monthly_summary_the_quarterly_on_the_5th_the_yearly_on_10_january():
    settings = Settings.model_validate(
        {
            "desk": {"time_zone": quarter.ZONE},
            "routing": {"general_manager": GM},
            "reports": {"recipients": [GM]},
        }
    )

    def due(month: int, day: int, hour: int, minute: int = 0) -> set[str]:
        moment = datetime(2027, month, day, hour, minute, tzinfo=ZoneInfo(quarter.ZONE))
        return {p.kind for p in due_periods(settings, moment)}

    assert not any("monthly" in due(month, 28, 23) for month in range(1, 13))
    assert "quarterly" not in due(1, 4, 23, 59)
    assert "quarterly" not in due(1, 5, 8, 59)
    assert "quarterly" in due(1, 5, 9) and "quarterly" in due(4, 5, 9)
    assert "quarterly" not in due(4, 4, 23, 59)
    assert "yearly" not in due(1, 10, 8, 59)
    assert "yearly" in due(1, 10, 9)


def test_each_recipient_reads_their_language_else_their_departments_else_the_desks(tmp_path):
    settings = Settings.model_validate(
        {
            "database": {"url": f"sqlite:///{tmp_path}/complaintd.db"},
            "desk": {"time_zone": quarter.ZONE, "default_language": "es"},
            "routing": {"general_manager": GM},
            "departments": {
                "customer_service": {"head": CS_HEAD, "language": "en"},
                "engineering": {"head": ENG_HEAD, "language": "zh"},
                "property": {"head": "property.head@desk.example"},
            },
            "reports": {
                "recipients": [
                    GM,  # no department: the desk's language
                    CS_HEAD,  # heads customer service, which reads English
                    ENG_HEAD,
                    "property.head@desk.example",  # a department without a language
                    {"address": "auditor@desk.example", "department": "engineering"},
                    {"address": "owner.rep@desk.example", "department": "sales", "language": "en"},
                ],
                "quarterly_day": None,
                "yearly_date": None,
            },
        }
    )
    database = Database(settings.database.url)
    database.migrate()
    try:
        with database.transaction() as session:
            assert len(queue_due_reports(session, settings, MONDAY_0900)) == 6
        with database.transaction() as session:
            subjects = {
                row.recipient: str(
                    email.message_from_bytes(outbox.message_bytes(row), policy=policy.default)[
                        "Subject"
                    ]
                )
                for row in session.scalars(select(Outbox))
            }
    finally:
        database.dispose()
    assert subjects[GM] == "Informe semanal de reclamaciones · 2027-W01"
    assert subjects[CS_HEAD] == "Weekly complaint report · 2027-W01"
    assert subjects[ENG_HEAD].startswith("投诉处理周报 · 工程部")
    assert subjects["property.head@desk.example"].startswith("Informe semanal de reclamaciones")
    assert subjects["auditor@desk.example"].startswith("投诉处理周报 · 工程部")
    assert subjects["owner.rep@desk.example"].startswith("Weekly complaint report")
