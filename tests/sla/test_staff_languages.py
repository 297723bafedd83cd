"""Staff mail is written in the reader's language, end to end on real servers: a Spanish
department's overdue ticket escalates up its ladder to an English-speaking customer-service head
and a Chinese-speaking general manager, while the Spanish head is still reminded in Spanish."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from daemon.clock import set_clock
from tests.e2e import (
    cli,
    complaint,
    imap_section,
    only_mail,
    plain_text,
    smtp_section,
    write_config,
)
from tests.servers import DovecotServer, ReceivedMessage, SmtpSink
from tests.sla.desk import CS_HEAD, GM, HEAD, desk_sections, make_desk

pytestmark = pytest.mark.imap

OWNER = "lucia@propietaria.example"
"""A Spanish-speaking owner."""
LEAK = (
    "Buenos días, hay una gotera en el techo del baño de mi piso (Torre 2, 5ºB) desde hace dos "
    "días. Por favor, envíen a un fontanero cuanto antes. Gracias."
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _run(config: Path, sink: SmtpSink, moment: str) -> list[ReceivedMessage]:
    seen = len(sink.messages)
    cli(config, "--now", moment, "run", "--once", timeout=60)
    return sink.messages[seen:]


def test_escalations_are_in_each_readers_language(
    dovecot: DovecotServer, smtp_sink: SmtpSink, make_settings, tmp_path: Path
) -> None:
    sections = desk_sections()
    sections["desk"]["default_language"] = "es"
    sections["departments"]["engineering"].update(language="es", escalation=[CS_HEAD, GM])
    sections["departments"]["customer_service"]["language"] = "en"
    sections["reports"] = {"recipients": [{"address": GM, "language": "zh"}]}
    settings = make_settings(
        imap=imap_section(dovecot),
        smtp=smtp_section(smtp_sink),
        classifier={"model_file": str(tmp_path / "no-model.pkl")},
        **sections,
    )
    config = write_config(tmp_path / "complaintd.toml", settings)

    dovecot.append(
        complaint(
            f"Lucía Pérez <{OWNER}>",
            subject="Gotera en el baño",
            body=LEAK,
            date="Tue, 01 Dec 2026 09:55:00 +0800",
        ).as_bytes()
    )
    first = _run(config, smtp_sink, "2026-12-01T10:00:00+08:00")
    assignment = only_mail(first, HEAD, "assignment")
    number = str(assignment["X-Complaintd-Ticket"])
    assert assignment["Content-Language"] == "es"

    # The survey is due Wednesday 18:00; the Spanish head is reminded in Spanish.
    reminder = only_mail(_run(config, smtp_sink, "2026-12-02T09:00:30+08:00"), HEAD, "reminder")
    subject = str(reminder["Subject"])
    assert reminder["Content-Language"] == "es"
    assert subject.startswith(f"[{number}] Recordatorio: visita de inspección"), subject

    # It passes: the customer-service head reads the escalation in English ...
    escalated = _run(config, smtp_sink, "2026-12-02T18:00:30+08:00")
    to_service = only_mail(escalated, CS_HEAD, "escalation")
    subject = str(to_service["Subject"])
    assert to_service["Content-Language"] == "en"
    assert subject.startswith(f"[{number}] Escalation (level 1): on-site survey"), subject
    assert "Wednesday" in subject and not CJK.search(subject)
    assert "engineering" in plain_text(to_service) and "gotera" in plain_text(to_service)
    assert not [r for r in escalated if r.rcpt_tos == [GM]]

    # ... and a working day later the general manager in Chinese.
    to_manager = only_mail(_run(config, smtp_sink, "2026-12-03T18:00:30+08:00"), GM, "escalation")
    subject = str(to_manager["Subject"])
    assert to_manager["Content-Language"] == "zh"
    assert subject.startswith(f"[{number}] 逐级上报（第2级）：现场查勘"), subject
    assert "星期三" in subject
    text = plain_text(to_manager)
    assert "总经理" in text and "工程部" in text and "gotera" in text


MEMBER = "pablo@desk.example"
DCE = "dce@desk.example"
SHANGHAI = ZoneInfo("Asia/Shanghai")
GAS = (
    "Hay un fuerte olor a gas en la cocina y en la escalera de la Torre 2, tenemos miedo de que "
    "explote. Vengan ya, por favor.",
    "Olor a gas",
)


def test_alerts_escalations_and_approvals_follow_the_reader(make_settings):
    """The general manager's major alert in their own language, a department member's
    escalation in the department's, an approver with no language of their own in the desk's."""
    sections = desk_sections()
    sections["desk"]["default_language"] = "en"
    sections["departments"]["engineering"].update(
        language="es", members=[MEMBER], escalation=[MEMBER, GM]
    )
    sections["replies"]["approvers"]["deputy_chief_engineer"] = DCE
    sections["reports"] = {"recipients": [{"address": GM, "language": "zh"}]}
    desk = make_desk(make_settings(**sections), datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI))
    try:
        result = desk.complain(*GAS, sender=OWNER)
        assert desk.ticket(result.ticket).department == "engineering"
        [alert] = desk.mails("major_alert", result.outbox_ids)
        assert alert.to == GM and alert.message["Content-Language"] == "zh"
        assert CJK.search(str(alert.message["Subject"]))
        [assignment] = desk.mails("assignment", result.outbox_ids)
        assert assignment.to == HEAD and assignment.message["Content-Language"] == "es"

        # The ladder's first rung is a member of engineering: the department's language.
        desk.advance(datetime(2026, 12, 1, 15, 0, tzinfo=SHANGHAI))
        escalations = desk.mails("escalation")
        assert escalations and {m.to for m in escalations} == {MEMBER}
        assert {m.message["Content-Language"] for m in escalations} == {"es"}

        asked = desk.reply(assignment, HEAD, "#coste 5000 cambiar la bajante", "c1")
        [request] = desk.mails("approval_request", asked.outbox_ids)
        assert request.to == DCE and request.message["Content-Language"] == "en"
        assert "deputy chief engineer" in request.text.lower(), request.text
        [confirmation] = desk.mails("confirmation", asked.outbox_ids)
        assert confirmation.to == HEAD and confirmation.message["Content-Language"] == "es"
    finally:
        set_clock(None)
        desk.db.dispose()
