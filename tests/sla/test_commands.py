"""The command line for deadlines: ``--now`` / COMPLAINTD_NOW on one-off commands, ``schedule``,
``tickets list --overdue``, and ``run --once`` sending what is due."""

from __future__ import annotations

import email
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email import policy

import pytest

from tests.e2e import clean_env, cli, write_config
from tests.mails import complaint
from tests.sla.desk import CS_HEAD, HEAD, OWNER, desk_sections

ARRIVED = "2026-12-01T10:00:00+08:00"  # a Tuesday
LEAK = "3栋2单元1502卫生间天花板漏水，请派师傅维修。"
GAS = "3栋楼道里有很浓的煤气味，非常危险，请马上派人来！"


@pytest.fixture
def config(make_settings, tmp_path):
    path = write_config(tmp_path / "complaintd.toml", make_settings(**desk_sections()))
    mail = tmp_path / "leak.eml"
    mail.write_bytes(complaint(LEAK, subject="卫生间漏水", sender=OWNER))
    out = json.loads(cli(path, "--now", ARRIVED, "ingest", str(mail), "--json").stdout)
    assert out["outcome"] == "ticket_created" and out["ticket"].startswith("C20261201-")
    return path


def _sent(tmp_path, purpose):
    found = []
    for path in sorted((tmp_path / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["X-Complaintd-Purpose"] == purpose:
            found.append(message)
    return found


def test_schedule_lists_what_will_go_out_without_sending_it(config, tmp_path):
    out = cli(config, "--now", "2026-12-02T08:00:00+08:00", "schedule", "--hours", "12", "--json")
    planned = json.loads(out.stdout)
    assert [(p["purpose"], p["to"], p["at"][:16]) for p in planned] == [
        ("reminder", HEAD, "2026-12-02T01:00"),  # the survey's due day opens, 09:00
        ("reminder", HEAD, "2026-12-02T05:45"),  # 75 % of its business time
        ("escalation", HEAD, "2026-12-02T10:00"),  # missed at 18:00
    ]
    assert _sent(tmp_path, "reminder") == []
    again = cli(config, "--now", "2026-12-02T08:00:00+08:00", "schedule", "--hours", "12", "--json")
    assert json.loads(again.stdout) == planned  # nothing was recorded as sent


def test_schedule_looks_24_hours_ahead_unless_told(config, capsys):
    """At 09:30 on 3 December the next mails are an escalation now (CS head at 18:00), the survey's
    reminders in 23.5 and 23.75 hours and, 32.5 hours ahead, the next escalations: outside."""
    from daemon.cli import main
    from daemon.clock import set_clock

    moment = "2026-12-03T09:30:00+08:00"

    def schedule(*args: str) -> str:
        try:
            assert main(["--config", str(config), "--now", moment, "schedule", *args]) == 0
        finally:
            set_clock(None)
        return capsys.readouterr().out

    def planned(*hours: str) -> list[tuple[str, str]]:
        return [(p["purpose"], p["at"][:16]) for p in json.loads(schedule(*hours, "--json"))]

    default = planned()
    assert default == planned("--hours", "24")
    assert default[-2:] == [("reminder", "2026-12-04T01:00"), ("reminder", "2026-12-04T01:15")]
    assert len(planned("--hours", "23")) == len(default) - 2
    assert len(planned("--hours", "33")) > len(default)
    assert f"{len(default)} mail(s) in the next 24 hour(s)" in schedule()


def test_run_once_at_a_moment_sends_what_is_due_then(config, tmp_path):
    cli(config, "--now", "2026-12-02T13:46:00+08:00", "run", "--once")
    [reminder] = _sent(tmp_path, "reminder")  # the late pass sends the last useful one
    assert reminder["To"] == HEAD and "现场查勘" in str(reminder["Subject"])
    cli(config, "--now", "2026-12-02T18:00:30+08:00", "run", "--once")
    [escalation] = _sent(tmp_path, "escalation")
    assert escalation["To"] == HEAD and escalation["X-Complaintd-Ticket"].startswith("C2026")
    cli(config, "--now", "2026-12-02T18:01:00+08:00", "run", "--once")
    assert len(_sent(tmp_path, "escalation")) == 1 and len(_sent(tmp_path, "reminder")) == 1
    text = cli(config, "--now", "2026-12-03T08:00:00+08:00", "schedule", "--hours", "12").stdout
    assert any("escalation" in line and CS_HEAD in line for line in text.splitlines())
    assert "mail(s) in the next 12 hour(s)" in text


def test_overdue_tickets_by_department(config):
    late = json.loads(
        cli(
            config, "--now", "2026-12-03T09:00:00+08:00", "tickets", "list", "--overdue", "--json"
        ).stdout
    )
    assert [[o["step"] for o in t["overdue"]] for t in late] == [["survey"]]
    env_now = clean_env() | {"COMPLAINTD_NOW": "2026-12-05T09:00:00+08:00"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "daemon.cli",
            "--config",
            str(config),
            "tickets",
            "list",
            "--overdue",
            "--department",
            "engineering",
        ],
        cwd=config.parent,
        env=env_now,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "survey" in result.stdout and "feedback" in result.stdout and "answer" in result.stdout
    other = cli(
        config,
        "--now",
        "2026-12-05T09:00:00+08:00",
        "tickets",
        "list",
        "--overdue",
        "--department",
        "finance",
    ).stdout
    assert "0 overdue ticket(s)" in other
    early = cli(config, "--now", ARRIVED, "tickets", "list", "--overdue", "--json").stdout
    assert json.loads(early) == []


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--now", "2026-12-02T18:00:00+08:00", "run"], "refuses it"),
        (["--now", "2026-12-02 18:00", "schedule"], "give the offset"),
        (["--now", "yesterday", "schedule"], "not an ISO 8601 timestamp"),
    ],
)
def test_now_is_refused_where_it_cannot_hold(config, args, why):
    result = subprocess.run(
        [sys.executable, "-m", "daemon.cli", "--config", str(config), *args],
        cwd=config.parent,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and why in result.stderr


def test_tickets_show_marks_a_paused_ticket(config, tmp_path):
    from sqlalchemy import update

    from daemon.config import load
    from daemon.store.db import Database
    from daemon.store.models import Ticket

    number = json.loads(cli(config, "tickets", "list", "--json").stdout)[0]["number"]
    assert "paused" not in cli(config, "tickets", "show", number).stdout
    db = Database(load(config, environ={}).database.url)
    with db.transaction() as session:
        paused = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
        session.execute(update(Ticket).where(Ticket.number == number).values(paused_at=paused))
    db.dispose()
    shown = cli(config, "tickets", "show", number).stdout
    assert "paused: since 2026-12-01T03:00Z, waiting for the owner" in shown
    late = cli(config, "--now", "2026-12-03T09:00:00+08:00", "tickets", "list", "--overdue")
    assert "[paused]" in late.stdout


def test_the_running_service_acts_on_deadlines_by_itself(make_settings, tmp_path):
    from tests.e2e import running, sqlite_count, wait_until

    settings = make_settings(**desk_sections())
    config = write_config(tmp_path / "complaintd.toml", settings)
    mail = tmp_path / "gas.eml"
    mail.write_bytes(complaint(GAS, subject="煤气泄漏", sender=OWNER))
    days_ago = (datetime.now(UTC) - timedelta(days=5)).isoformat()
    out = json.loads(cli(config, "--now", days_ago, "ingest", str(mail), "--json").stdout)
    assert out["severity"] == "major"  # reminded and escalated at any hour of the day
    with running(config) as service:
        queued = "SELECT count(*) FROM outbox WHERE purpose = 'escalation'"
        wait_until(lambda: sqlite_count(settings, queued), 30, "an escalation", service)
        wait_until(
            lambda: len(_sent(tmp_path, "escalation")) == sqlite_count(settings, queued),
            30,
            "the escalations sent",
            service,
        )
    escalations = _sent(tmp_path, "escalation")
    # Each overdue deadline (feedback, and the survey and repair if it is read as a repair) went
    # up one rung to the head, once, though days overdue: not one rung per day missed.
    assert {m["To"] for m in escalations} == {HEAD}
    assert all("第1级" in str(m["Subject"]) for m in escalations)
    subjects = [str(m["Subject"]) for m in escalations]
    assert len(subjects) == len(set(subjects)) and any("向客服反馈" in s for s in subjects)
