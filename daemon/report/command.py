"""``complaintd report weekly|monthly|quarterly|yearly``: one report, or with ``--explain`` the
rows behind one figure, as text, HTML, CSV or JSON, on stdout or into a folder."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from daemon.clock import utcnow
from daemon.config import Settings
from daemon.mail.templates import Templates
from daemon.report import charts, definitions, figures, periods, render
from daemon.report.strings import LANGUAGES, Words, rate_text
from daemon.store.db import Database

FORMATS = ("text", "html", "csv", "json")
EXTENSIONS = {"text": "txt", "html": "html", "csv": "csv", "json": "json"}


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``report`` subcommand's arguments."""
    report = commands.add_parser("report", help="the weekly report and the period summaries")
    report.add_argument("kind", choices=periods.KINDS)
    report.add_argument(
        "--period", help="2026-W49, 2026-12, 2026-Q4 or 2026 (default: the last complete one)"
    )
    report.add_argument("--department", help="only this department's figures")
    report.add_argument("--language", choices=LANGUAGES, help="default: desk.default_language")
    report.add_argument("--format", choices=FORMATS, default="text")
    report.add_argument("--out", type=Path, metavar="DIR", help="write a file there, not stdout")
    report.add_argument(
        "--explain",
        choices=list(definitions.FIGURES),
        metavar="FIGURE",
        help=f"list the tickets behind one figure: {', '.join(definitions.FIGURES)}",
    )


def run(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    """The command; a malformed period or an unknown department is exit status 2."""
    now = utcnow()
    zone = settings.desk.time_zone
    try:
        period = (
            periods.parse(args.kind, args.period, zone)
            if args.period
            else periods.last_complete(args.kind, now, zone)
        )
        if args.department is not None and args.department not in figures.departments(settings):
            raise figures.UnknownDepartment(
                f"unknown department {args.department!r}; "
                f"known: {', '.join(figures.departments(settings))}"
            )
    except (periods.PeriodError, figures.UnknownDepartment) as exc:
        print(f"complaintd: {exc}", file=sys.stderr)
        return 2
    words = Words(settings, args.language or settings.desk.default_language)
    with db.snapshot() as session:
        if args.explain:
            output = explain(
                session, settings, period, now, args.explain, args.department, args.format
            )
        else:
            report = figures.build(session, settings, period, now, args.department)
            output = make(report, words, settings, args.format)
    return _emit(output, args, period)


def make(report: dict[str, Any], words: Words, settings: Settings, form: str) -> str:
    """The report in one format (HTML with its charts as data URIs)."""
    if form == "json":
        return render.json_text(report)
    if form == "csv":
        return render.csv_text(report)
    if form == "html":
        images = render.data_uris(charts.render(report, words))
        return render.html(report, words, Templates(settings.desk.templates_dir), images)
    return render.text(report, words)


def explain(
    session: Any,
    settings: Settings,
    period: periods.Period,
    now: datetime,
    name: str,
    department: str | None,
    form: str,
) -> str:
    """Every row behind figure ``name``, marked when it counts in the numerator."""
    w = figures.window(period, now)
    zone = ZoneInfo(settings.desk.time_zone)
    rows = [
        {
            "number": number,
            "department": dept,
            "numerator": bool(hit),
            "at": _local(at, zone),
            "detail": detail,
        }
        for number, dept, hit, at, detail in session.execute(definitions.rows(name, w, department))
    ]
    rows.sort(key=lambda row: (row["at"] or "", row["number"]))
    hits = sum(row["numerator"] for row in rows)
    summary = {
        "figure": name,
        "period": period.label,
        "department": department,
        "denominator": len(rows),
        "numerator": hits,
        "rate": round(hits / len(rows), 4) if rows and name in definitions.RATES else None,
        "definition": " ".join((definitions.FIGURES[name].__doc__ or "").split()),
    }
    if form == "json":
        return json.dumps({**summary, "rows": rows}, ensure_ascii=False, indent=2) + "\n"
    if form == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, list(rows[0]) if rows else ["number"], lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    head = [f"{name} {period.label}: {summary['definition']}"]
    if name in definitions.RATES:
        head.append(f"{hits} / {len(rows)} = {rate_text(summary['rate'])}")
    else:
        head.append(str(len(rows)))
    lines = [
        f"{'*' if row['numerator'] and name in definitions.RATES else ' '} {row['number']}  "
        f"{row['department']}  {row['at']}  {row['detail']}"
        for row in rows
    ]
    if name in definitions.RATES:
        head.append("rows marked * count in the numerator; every row counts in the denominator")
    return "\n".join([*head, *lines]) + "\n"


def _local(at: Any, zone: ZoneInfo) -> str | None:
    if at is None:
        return None
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    return at.astimezone(zone).isoformat(timespec="minutes")


def _emit(output: str, args: argparse.Namespace, period: periods.Period) -> int:
    if args.out is None:
        sys.stdout.write(output)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"{args.kind}-{period.label}"
    if args.department:
        name += f"-{args.department}"
    if args.explain:
        name += f"-{args.explain}"
    path = args.out / f"{name}.{EXTENSIONS[args.format]}"
    path.write_text(output, encoding="utf-8")
    print(path)
    return 0
