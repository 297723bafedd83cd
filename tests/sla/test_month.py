"""A month of traffic across Chinese public holidays and make-up working days (tests/sla/month.py):
the reminders, escalations and owner notices sent are exactly what the deadlines dictate — in one
process, with the process killed and restarted at random moments (SQLite), and with two
instances passing at once on PostgreSQL."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from daemon.clock import set_clock
from daemon.config import Settings
from daemon.sla.calendar import BusinessCalendar
from daemon.store.db import Database
from tests.e2e import clean_env, wait_until, write_config
from tests.sla.desk import desk_sections
from tests.sla.month import SHANGHAI, Month, expected, sent

NATIONAL_DAY = {date(2026, 10, d) for d in range(1, 8)} | {date(2026, 9, 25)}
MAKE_UP_DAYS = {date(2026, 9, 20), date(2026, 10, 10)}  # a Sunday and a Saturday


@pytest.fixture
def month_settings(make_settings):
    def build(database_url: str | None = None) -> Settings:
        return make_settings(**desk_sections(database_url))

    return build


def _check(settings: Settings, db: Database) -> list:
    """The sent mails equal the oracle's, and none went out at night or on a day off."""
    wanted, got = expected(settings, db), sent(db)
    assert len(got) == len(set(got)), "a mail was sent twice"
    assert set(got) == set(wanted), (
        f"missing {sorted(set(wanted) - set(got))[:5]}, extra {sorted(set(got) - set(wanted))[:5]}"
    )
    calendar = BusinessCalendar.from_settings(settings.calendar, settings.desk.time_zone)
    assert all(calendar.is_business_time(mail.at) for mail in got)
    days = {mail.at.astimezone(SHANGHAI).date() for mail in got}
    assert not days & NATIONAL_DAY and days & MAKE_UP_DAYS
    return got


def test_a_month_sends_exactly_what_the_deadlines_dictate(month_settings):
    settings = month_settings()
    month = Month(settings)
    try:
        month.simulate()
        got = _check(settings, month.db)
    finally:
        set_clock(None)
        month.db.dispose()
    kinds = Counter(mail.purpose for mail in got)
    assert kinds["reminder"] > 50 and kinds["escalation"] > 100 and kinds["delay"] > 20


def _run(config: Path, state: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.sla.month", str(config), str(state), *extra],
        cwd=Path(__file__).resolve().parents[2],
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _progress(state: Path) -> str:
    return state.read_text() if state.exists() else ""


@pytest.mark.timeout(900)  # a month of passes, restarted many times: minutes on a busy machine
def test_killed_and_restarted_at_random_moments_nothing_twice_nothing_skipped(
    month_settings, tmp_path
):
    settings = month_settings()
    config = write_config(tmp_path / "complaintd.toml", settings)
    state = tmp_path / "month.state"
    rng = random.Random(4)
    kills = 0
    while not state.with_suffix(".finished").exists():
        before = _progress(state)
        process = _run(config, state)
        # Kill at a random moment once this run has got somewhere (however slow the machine).
        moved = lambda run=process, seen=before: _progress(state) != seen or run.poll() is not None  # noqa: E731
        wait_until(moved, 120, "progress")
        try:
            process.wait(timeout=rng.uniform(0.0, 3.0))
        except subprocess.TimeoutExpired:
            process.kill()  # SIGKILL: no clean-up of any kind
            process.wait()
            kills += 1
        else:
            assert process.returncode == 0, process.stderr.read().decode()[-3000:]
    assert kills >= 3
    db = Database(settings.database.url)
    try:
        _check(settings, db)
    finally:
        db.dispose()


@pytest.mark.timeout(900)
def test_two_instances_on_postgresql_send_each_mail_once(month_settings, pg_db_url, tmp_path):
    settings = month_settings(pg_db_url)
    config = write_config(tmp_path / "complaintd.toml", settings)
    Database(pg_db_url).migrate()
    leader_state, stop = tmp_path / "leader.state", tmp_path / "follower.stop"
    follower = _run(config, stop, "--follow", str(leader_state))
    leader = _run(config, leader_state)
    try:
        assert leader.wait(timeout=600) == 0, leader.stderr.read().decode()[-3000:]
    finally:
        stop.write_text("stop")
        assert follower.wait(timeout=60) == 0, follower.stderr.read().decode()[-3000:]
    db = Database(pg_db_url)
    try:
        _check(settings, db)
    finally:
        db.dispose()
    passes, queued = (int(n) for n in stop.with_suffix(".done").read_text().split())
    assert passes > 100  # the follower really passed beside the leader, moment by moment
