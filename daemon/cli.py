"""The ``complaintd`` command: one entry point for the service and every admin task."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path

from daemon import admin, config
from daemon.mail.delivery import deliver
from daemon.report import command as report_command
from daemon.sla import command as sla_command
from daemon.store.db import Database

EXAMPLE_CONFIG = Path(__file__).with_name("defaults") / "example.toml"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class EscapingFormatter(logging.Formatter):
    """Log lines carry no control characters from mail (a NUL or 0x19 in a Message-ID, a line
    break that would start a forged line): they are written as ``\\xNN``. Tracebacks, added
    after the message, keep their lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", super().formatMessage(record))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="complaintd", description=__doc__)
    parser.add_argument(
        "--config", type=Path, help="TOML config file (default: $COMPLAINTD_CONFIG)"
    )
    parser.add_argument(
        "--now",
        help="run this one command as if at TIMESTAMP (ISO 8601 with offset; $COMPLAINTD_NOW)",
        metavar="TIMESTAMP",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="the service: intake, pipeline, outgoing mail")
    run.add_argument("--once", action="store_true", help="handle what is waiting, then exit")
    ingest = commands.add_parser("ingest", help="put one raw message through the pipeline")
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--json", action="store_true")
    tickets = commands.add_parser("tickets", help="list or show tickets")
    tickets_sub = tickets.add_subparsers(dest="action", required=True)
    listing = tickets_sub.add_parser("list")
    listing.add_argument(
        "--limit", type=int, default=50, help="how many, newest first (default: 50)"
    )
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--overdue", action="store_true", help="only tickets past a deadline")
    listing.add_argument("--department", help="with --overdue: only this department's")
    show = tickets_sub.add_parser("show")
    show.add_argument("number")
    show.add_argument("--json", action="store_true")
    reclassify = tickets_sub.add_parser(
        "reclassify", help="correct kind, category or severity (re-routes on a new category)"
    )
    reclassify.add_argument("number")
    reclassify.add_argument("--category", help=f"one of: {', '.join(config.CATEGORIES)}")
    reclassify.add_argument("--kind", help=f"one of: {', '.join(config.KINDS)}")
    reclassify.add_argument("--severity", help=f"one of: {', '.join(config.SEVERITIES)}")
    reclassify.add_argument("--actor", help="who corrects it (default: the login name)")
    reclassify.add_argument("--json", action="store_true")
    classifier = commands.add_parser("classifier", help="train or evaluate the classifier")
    classifier_sub = classifier.add_subparsers(dest="action", required=True)
    train = classifier_sub.add_parser(
        "train", help="fit a model on the corrections (and labelled files); keep it where better"
    )
    train.add_argument(
        "--data", type=Path, nargs="+", action="extend", default=[], metavar="FILE.jsonl"
    )
    evaluate = classifier_sub.add_parser(
        "evaluate", help="per-class precision/recall on a labelled file"
    )
    evaluate.add_argument("file", type=Path, metavar="FILE.jsonl")
    evaluate.add_argument("--json", action="store_true")
    quarantine = commands.add_parser("quarantine", help="items that could not be processed")
    quarantine_sub = quarantine.add_subparsers(dest="action", required=True)
    quarantine_sub.add_parser("list").add_argument("--json", action="store_true")
    retry = quarantine_sub.add_parser("retry")
    retry.add_argument("ids", nargs="*", type=int, help="raw item ids (default: all)")
    commands.add_parser("check-config", help="validate the configuration and exit")
    init = commands.add_parser("init", help="write a commented example config")
    init.add_argument("path", type=Path, nargs="?", default=Path("complaintd.toml"))
    web = commands.add_parser("web", help="the owners' web form and status page")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8080)
    worker = commands.add_parser("worker", help="an rq worker that sends mail jobs")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    report_command.add_parser(commands)
    sla_command.add_parser(commands)
    return parser


LONG_RUNNING = ("web", "worker")
"""Commands that keep running, which --now would leave on a false clock (and ``run`` alone)."""


def _set_now(args: argparse.Namespace) -> str | None:
    """Apply ``--now`` / $COMPLAINTD_NOW; the reason it cannot be applied, or None."""
    import os

    from daemon import clock

    given = args.now or os.environ.get(clock.NOW_ENV)
    if not given:
        return None
    if args.command in LONG_RUNNING or (args.command == "run" and not args.once):
        return f"--now is for one-off commands; the long-running {args.command} refuses it"
    try:
        clock.start_at(clock.parse_moment(given))
    except ValueError as exc:
        return f"--now: {exc}"
    return None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "init":
        return _init(args.path)
    if refused := _set_now(args):
        print(f"complaintd: {refused}", file=sys.stderr)
        return 2
    try:
        settings = config.load(args.config)
    except config.ConfigError as exc:
        print(f"complaintd: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.config is not None:
        import os

        os.environ[config.CONFIG_ENV] = str(args.config.resolve())
    handler = logging.StreamHandler()
    handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command == "check-config":
        print(admin.config_summary(settings))
        return 0
    if args.command == "run":
        from daemon.service import Service

        return Service(settings).run(once=args.once)
    if args.command == "web":
        from daemon.web.server import serve

        return serve(settings, args.host, args.port)
    if args.command == "worker":
        if not settings.queue.redis_url:
            print("complaintd: worker needs queue.redis_url", file=sys.stderr)
            return 2
        from daemon.mail.queue import run_worker

        run_worker(settings, burst=args.burst)
        return 0
    if args.command == "classifier" and args.action == "evaluate":
        from daemon.classify import training

        return training.evaluate_command(settings, args.file, args.json)
    db = Database(settings.database.url)
    db.migrate()
    if args.command == "ingest":
        return _ingest(settings, db, args.file, args.json)
    if args.command == "report":
        return report_command.run(settings, db, args)
    if args.command == "schedule":
        return sla_command.run(settings, db, args)
    if args.command == "tickets" and args.action == "list" and args.overdue:
        return sla_command.list_overdue(db, args)
    if args.command == "tickets" and args.action == "reclassify":
        from daemon.classify import corrections

        return corrections.command(settings, db, args)
    if args.command == "classifier":
        from daemon.classify import training

        return training.train_command(settings, db, args.data)
    if args.command == "tickets":
        return admin.tickets(db, args)
    return admin.quarantine(settings, db, args)


def _init(path: Path) -> int:
    if path.exists():
        print(f"complaintd: {path} exists; not overwriting it", file=sys.stderr)
        return 1
    path.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"wrote {path}")
    return 0


def _ingest(settings: config.Settings, db: Database, file: Path, as_json: bool) -> int:
    import hashlib

    from daemon.pipeline import Pipeline

    try:
        raw = file.read_bytes()
    except OSError as exc:
        print(f"complaintd: cannot read {file}: {exc.strerror}", file=sys.stderr)
        return 1
    key = hashlib.sha256(raw).hexdigest()
    result = Pipeline(settings, db).receive("cli", key, raw)
    if result.outbox_ids:
        deliver(settings, db, result.outbox_ids)
    outcome = "duplicate" if result.repeated else result.outcome
    ack = admin.ack_message_id(db, result.outbox_ids)
    payload = {"outcome": outcome, "ticket": result.ticket, **result.details}
    payload.update(ack_message_id=ack, error=result.error, raw_item=result.raw_item_id)
    if as_json:
        admin.print_json(payload)
    else:
        print(f"{outcome}: {result.ticket or ''} {result.error or ''}".strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
