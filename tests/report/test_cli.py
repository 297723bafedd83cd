"""``complaintd report`` as an admin runs it: periods in desk time (a ticket at 23:30 on Sunday
belongs to that week), the last complete period by default, empty periods with null rates,
clear errors with exit status 2, --explain, --out; and the Monday mail from ``run --once``
processes restarted around 09:00."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from daemon.config import Settings
from daemon.store.db import Database
from daemon.store.models import Deadline, Ticket
from tests.e2e import clean_env, complaintd_argv, write_config
from tests.report import quarter


def _config(tmp_path: Path, zone: str = "Asia/Shanghai", **reports: object) -> Path:
    data: dict = {
        "desk": {"address": "complaints@desk.example", "time_zone": zone},
        "database": {"url": f"sqlite:///{tmp_path}/complaintd.db"},
        "maildir": {"path": str(tmp_path / "inbox")},
        "outbox": {"dir": str(tmp_path / "outbox")},
        "replies": {"secret_file": str(tmp_path / "reply-secret")},
        "storage": {"attachments_dir": str(tmp_path / "attachments")},
    }
    if reports:
        data["routing"] = {"general_manager": "gm@desk.example"}
        data["departments"] = {"engineering": {"head": "eng.head@desk.example"}}
        data["reports"] = reports
    return write_config(tmp_path / "complaintd.toml", Settings.model_validate(data))


def _complaintd(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        complaintd_argv(config, *args),
        cwd=config.parent,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _db(config: Path) -> Database:
    db = Database(f"sqlite:///{config.parent}/complaintd.db")
    db.migrate()
    return db


def _ticket(db: Database, number: str, local: str, zone: str, **fields: object) -> None:
    created = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    with db.transaction() as session:
        session.add(
            Ticket(
                number=number,
                channel="email",
                language="zh",
                subject="s",
                body="b",
                created_at=created,
                **fields,
            )
        )


def _json(config: Path, *args: str) -> dict:
    result = _complaintd(config, *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("zone", "sunday", "monday", "week", "next_week"),
    [
        ("Asia/Shanghai", "2026-12-06T23:30", "2026-12-07T00:10", "2026-W49", "2026-W50"),
        # The night summer time ends in Madrid: that Sunday has 25 hours.
        ("Europe/Madrid", "2026-10-25T23:30", "2026-10-26T00:10", "2026-W43", "2026-W44"),
    ],
)
def test_a_ticket_at_half_past_eleven_on_sunday_belongs_to_that_week(
    tmp_path, zone, sunday, monday, week, next_week
):
    config = _config(tmp_path, zone)
    db = _db(config)
    _ticket(db, "C1", sunday, zone)
    _ticket(db, "C2", monday, zone)
    db.dispose()
    this = _json(config, "report", "weekly", "--period", week)
    after = _json(config, "report", "weekly", "--period", next_week)
    assert (this["received"], after["received"]) == (1, 1)
    assert this["daily"][-1] == {"date": sunday[:10], "received": 1, "closed": 0}
    assert after["daily"][0] == {"date": monday[:10], "received": 1, "closed": 0}
    explained = _json(config, "report", "weekly", "--period", week, "--explain", "received")
    assert [row["number"] for row in explained["rows"]] == ["C1"]


def test_without_a_period_the_last_complete_one(tmp_path):
    config = _config(tmp_path)
    monday = _json(config, "--now", "2026-12-07T00:00:00+08:00", "report", "weekly")
    sunday = _json(config, "--now", "2026-12-06T23:59:00+08:00", "report", "weekly")
    assert (monday["period"], sunday["period"]) == ("2026-W49", "2026-W48")
    quarterly = _json(config, "--now", "2027-01-01T00:30:00+08:00", "report", "quarterly")
    assert (quarterly["period"], quarterly["first_day"]) == ("2026-Q4", "2026-10-01")
    yearly = _json(config, "--now", "2026-06-01T00:00:00+08:00", "report", "yearly")
    assert (yearly["period"], yearly["last_day"]) == ("2025", "2025-12-31")


def test_an_empty_period_says_so_with_null_rates(tmp_path):
    config = _config(tmp_path)
    report = _json(config, "report", "monthly", "--period", "2026-02")
    keys = {"period", "received", "closed", "open", "overdue", "on_time_rate", "closure_rate"}
    keys |= {"revisit_rate", "satisfaction_rate", "departments", "previous", "change", "counts"}
    keys |= {"by_channel", "by_kind", "by_category", "by_severity", "daily", "history"}
    keys |= {"hot_topics", "major", "overdue_tickets", "first_answer_hours"}
    assert keys <= set(report)
    assert report["period"] == "2026-02"
    for department in report["departments"].values():
        assert keys - {"departments", "by_channel", "by_kind", "by_category", "by_severity"} - {
            "daily",
            "history",
            "hot_topics",
            "major",
            "overdue_tickets",
        } <= set(department)
    for key in ("received", "closed", "open", "overdue"):
        assert report[key] == 0
    for key in ("on_time_rate", "closure_rate", "revisit_rate", "satisfaction_rate"):
        assert report[key] is None
        assert all(d[key] is None for d in report["departments"].values())
    assert report["first_answer_hours"]["median"] is None
    text = _complaintd(config, "report", "monthly", "--period", "2026-02", "--language", "zh")
    assert text.returncode == 0, text.stderr
    assert "本期间没有任何投诉记录。" in text.stdout
    assert "及时率" in text.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("weekly", "--period", "2026-49"), "a weekly period is written like 2026-W49"),
        (("weekly", "--period", "2026-W54"), "no such weekly period"),
        (("monthly", "--period", "2026-13"), "no such monthly period"),
        (("quarterly", "--period", "2026-Q5"), "a quarterly period is written like 2026-Q4"),
        (("yearly", "--period", "2026-12"), "a yearly period is written like 2026"),
        (("weekly", "--department", "plumbing"), "unknown department 'plumbing'; known:"),
    ],
)
def test_a_bad_period_or_department_is_a_clear_error(tmp_path, args, message):
    result = _complaintd(_config(tmp_path), "report", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_explain_and_out(tmp_path):
    config = _config(tmp_path)
    db = _db(config)
    quarter.store(db, quarter.generate(count=200))
    db.dispose()
    args = ("report", "monthly", "--period", "2026-11")
    report = _json(config, *args)
    explained = _json(config, *args, "--explain", "on_time_rate")
    counts = report["counts"]["on_time_rate"]
    assert explained["denominator"] == counts["denominator"] == len(explained["rows"])
    assert explained["numerator"] == counts["numerator"]
    assert "met at or before the due time" in explained["definition"]
    text = _complaintd(config, *args, "--explain", "on_time_rate")
    marked = [line.split()[1] for line in text.stdout.splitlines() if line.startswith("* ")]
    hits = [row["number"] for row in explained["rows"] if row["numerator"]]
    assert sorted(marked) == sorted(hits)
    written = _complaintd(config, *args, "--format", "csv", "--out", str(tmp_path / "reports"))
    path = Path(written.stdout.strip())
    assert path == tmp_path / "reports" / "monthly-2026-11.csv"
    assert "summary,all,,received," + str(report["received"]) in path.read_text()


def test_run_once_restarted_around_nine_sends_the_monday_mail_once(tmp_path):
    recipients = ["gm@desk.example", "eng.head@desk.example"]
    config = _config(tmp_path, recipients=recipients, quarterly_day=20, yearly_date="01-25")
    db = _db(config)
    quarter.store(db, quarter.generate(count=120))
    with db.transaction() as session:
        assert session.query(Deadline).count() > 0
    db.dispose()
    outbox = tmp_path / "outbox"
    for moment, expected in (
        ("2027-01-11T08:59:30+08:00", 0),
        ("2027-01-11T09:00:00+08:00", 2),
        ("2027-01-11T09:00:10+08:00", 2),
        ("2027-01-11T09:01:00+08:00", 2),
    ):
        result = _complaintd(config, "--now", moment, "run", "--once")
        assert result.returncode == 0, result.stderr
        sent = [
            p for p in outbox.glob("*.eml") if b"X-Complaintd-Purpose: report" in p.read_bytes()
        ]
        assert len(sent) == expected, moment
