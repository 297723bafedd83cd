"""A database made by an earlier release keeps working: the installed ``complaintd`` finds the
migrations in the package, brings the schema to the newest revision and goes on numbering.

``tests/data/store/made-by-0007.sqlite.gz`` was made by main at migration 0007 (before daemon/ was
split into packages): 61 mails of ``tests/corpus`` through ``complaintd run --once``.
"""

from __future__ import annotations

import gzip
import json
import sqlite3

from sqlalchemy import create_engine

from daemon.store import db
from tests.mails import complaint
from tests.paths import TESTS
from tests.test_cli import cli

OLD = TESTS / "data" / "store" / "made-by-0007.sqlite.gz"
TICKETS_BEFORE = 41


def unpack(tmp_path):
    path = tmp_path / "var" / "complaintd.db"
    path.parent.mkdir(parents=True)
    path.write_bytes(gzip.decompress(OLD.read_bytes()))
    return path


def test_the_installed_command_takes_over_an_old_database_and_numbers_on(tmp_path):
    path = unpack(tmp_path)
    before = json.loads(cli(tmp_path, "tickets", "list", "--limit", "1000", "--json").stdout)
    assert len(before) == TICKETS_BEFORE

    inbox = tmp_path / "var" / "inbox" / "new"
    inbox.mkdir(parents=True)
    body = "El ascensor del portal 2 lleva una semana parado."
    mail = complaint(body, subject="Ascensor parado", sender="lucia.ramos@owner.example")
    (inbox / "after-upgrade.eml").write_bytes(mail)
    cli(tmp_path, "run", "--once")

    after = json.loads(cli(tmp_path, "tickets", "list", "--limit", "1000", "--json").stdout)
    assert len(after) == TICKETS_BEFORE + 1
    assert {t["number"] for t in before} < {t["number"] for t in after}
    with sqlite3.connect(path) as connection:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version == db.HEAD


def test_alembic_runs_the_chain_from_the_package_on_an_old_database(tmp_path):
    """Down to the first revision and up again: every migration file is found where it now lives."""
    from alembic import command
    from alembic.config import Config

    path = unpack(tmp_path)
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    assert db.revision(engine) == "0006"
    db.upgrade(engine)
    assert db.revision(engine) == db.HEAD
    with sqlite3.connect(path) as connection:
        (tickets,) = connection.execute("SELECT count(*) FROM tickets").fetchone()
    assert tickets == TICKETS_BEFORE
