"""A report's outputs, drawn from its data: plain text, HTML (template ``report/report.html.j2``,
charts as data URIs or mail content ids), CSV and JSON."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any

from daemon.mail.templates import Templates
from daemon.report.definitions import COUNTS, FIGURES, RATES
from daemon.report.strings import Words, change_text, figure_text

SUMMARY = (*COUNTS, *RATES)
BREAKDOWNS = ("by_channel", "by_kind", "by_category", "by_severity")


def title(report: dict[str, Any], words: Words) -> str:
    """The report's title, e.g. "投诉处理周报 · 工程部 · 2026-W49"."""
    parts = [words[report["kind"]]]
    if report["department"]:
        parts.append(words.department(report["department"]))
    parts.append(report["period"])
    return " · ".join(parts)


def is_empty(report: dict[str, Any]) -> bool:
    """Nothing happened and nothing was pending: no figure but zeros and empty rates."""
    return not any(report[name] for name in COUNTS) and all(report[name] is None for name in RATES)


def summary_rows(report: dict[str, Any], words: Words) -> list[tuple[str, str, str, str]]:
    """(figure, this period, previous period, change) as text, in the reader's language."""
    rows = [
        (
            words[name],
            figure_text(name, report[name]),
            figure_text(name, report["previous"][name]),
            change_text(name, report["change"][name]),
        )
        for name in SUMMARY
    ]
    for key in ("median", "p90"):
        now, then = report["first_answer_hours"][key], report["previous"]["first_answer_hours"][key]
        delta = None if now is None or then is None else round(now - then, 2)
        rows.append(
            (
                words[key],
                figure_text(key, now),
                figure_text(key, then),
                "—" if delta is None else f"{delta:+.1f}",
            )
        )
    return rows


def text(report: dict[str, Any], words: Words) -> str:
    lines = [
        title(report, words),
        f"{words['period']}: {report['first_day']} – {report['last_day']}",
    ]
    if not report["complete"]:
        lines[-1] += " " + words["running"]
    if is_empty(report):
        lines += ["", words["empty"]]
    lines += [
        "",
        _table(
            [(words["figure"], words["this"], words["before"], words["change"])]
            + summary_rows(report, words)
        ),
    ]
    if not report["department"]:
        header = (words["department"], *(words[name] for name in SUMMARY))
        body = [
            (words.department(name), *(figure_text(k, dept[k]) for k in SUMMARY))
            for name, dept in report["departments"].items()
        ]
        lines += ["", words["departments"], _table([header, *body])]
    for key in BREAKDOWNS:
        counts = report[key]
        if counts:
            lines += [
                "",
                words[key],
                _table([(words.value(key, k), str(v)) for k, v in counts.items()]),
            ]
    lines += [
        "",
        f"{words['hot_topics']}: "
        + _listed([f"{h['topic']} ({h['tickets']})" for h in report["hot_topics"]], words),
    ]
    lines += [f"{words['major']}: " + _listed([m["number"] for m in report["major"]], words)]
    lines += [
        "",
        f"{words['overdue_tickets']}: " + (words["none"] if not report["overdue_tickets"] else ""),
    ]
    if report["overdue_tickets"]:
        lines.append(
            _table(
                [(words["number"], words["department"], words["step"], words["days_overdue"])]
                + [
                    (
                        o["number"],
                        words.department(o["department"]),
                        words.step(o["step"]),
                        str(o["days_overdue"]),
                    )
                    for o in report["overdue_tickets"]
                ]
            )
        )
    lines += ["", words["definitions"]]
    return "\n".join(lines) + "\n"


def _listed(items: list[str], words: Words) -> str:
    return ", ".join(items) if items else words["none"]


def _table(rows: list[tuple[str, ...]]) -> str:
    """Columns padded by display width (a Chinese character takes two)."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
        for row in rows
    )


def _width(cell: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in cell)


def html(
    report: dict[str, Any],
    words: Words,
    templates: Templates,
    images: dict[str, str],
) -> str:
    """The HTML report; ``images`` maps each chart's name to its ``src`` (data URI or cid:)."""
    return templates.render(
        "en",
        "report/report",
        "html",
        report=report,
        words=words,
        title=title(report, words),
        empty=is_empty(report),
        summary=summary_rows(report, words),
        figures=SUMMARY,
        breakdowns=[key for key in BREAKDOWNS if report[key]],
        images=images,
        figure_text=figure_text,
        lang=words.language,
    )


def data_uris(charts: dict[str, bytes]) -> dict[str, str]:
    return {
        name: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        for name, png in charts.items()
    }


def csv_text(report: dict[str, Any]) -> str:
    """One row per figure: section, department, key (category, day, ticket...), figure, value,
    previous, change; codes rather than translated names, for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "department", "key", "figure", "value", "previous", "change"])
    scope = report["department"] or "all"
    scopes = [("all", report)] if not report["department"] else []
    for department, figures in [*scopes, *report["departments"].items()]:
        for name in FIGURES:
            before, change = figures["previous"][name], figures["change"][name]
            writer.writerow(["summary", department, "", name, figures[name], before, change])
        for name in ("median", "p90"):
            now = figures["first_answer_hours"][name]
            before = figures["previous"]["first_answer_hours"][name]
            writer.writerow(["summary", department, "", f"first_answer_hours_{name}", now, before])
    for section in BREAKDOWNS:
        for key, count in report[section].items():
            writer.writerow([section, scope, key, "received", count])
    for day in report["daily"]:
        writer.writerow(["daily", scope, day["date"], "received", day["received"]])
        writer.writerow(["daily", scope, day["date"], "closed", day["closed"]])
    for row in report["overdue_tickets"]:
        writer.writerow(
            [
                "overdue_tickets",
                row["department"],
                row["number"],
                "days_overdue",
                row["days_overdue"],
            ]
        )
    for row in report["hot_topics"]:
        writer.writerow(["hot_topics", scope, row["topic"], "tickets", row["tickets"]])
    for row in report["major"]:
        writer.writerow(["major", row["department"], row["number"], "status", row["status"]])
    return out.getvalue()


def json_text(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
