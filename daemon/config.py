"""Settings: one TOML file, overridden by COMPLAINTD_* environment variables, validated at start.

Order of precedence (highest first): environment > config file > built-in default.
An environment variable names a key by section and key joined with a double underscore,
e.g. ``COMPLAINTD_IMAP__HOST`` or ``COMPLAINTD_DATABASE__URL``.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

ENV_PREFIX = "COMPLAINTD_"
"""Environment variables with this prefix override keys of the config file."""

CONFIG_ENV = "COMPLAINTD_CONFIG"
"""Path of the config file when ``--config`` is not given."""

NOT_SETTINGS = ("COMPLAINTD_NOW",)
"""Variables with the prefix that are not settings (``--now``'s, read by the command line)."""


class ConfigError(Exception):
    """The configuration cannot be used; the message names the bad key."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _read_secret(value: SecretStr | None, file: Path | None, credential: str) -> SecretStr | None:
    """A secret comes from the value itself, a file, or a systemd credential of that name."""
    if value is not None:
        return value
    if file is not None:
        return SecretStr(file.read_text().strip())
    cred_dir = os.environ.get("CREDENTIALS_DIRECTORY")
    if cred_dir and (Path(cred_dir) / credential).is_file():
        return SecretStr((Path(cred_dir) / credential).read_text().strip())
    return None


class DeskSettings(Section):
    name: str = "Complaint Desk"
    address: str = "complaints@localhost"
    phone: str = ""
    web_url: str = ""
    time_zone: str = "Asia/Shanghai"
    default_language: Literal["zh", "es", "en"] = "en"
    number_format: str = "C{date:%Y%m%d}-{seq:04d}"
    max_acks_per_sender_per_hour: int = Field(5, ge=1)
    templates_dir: Path | None = None


class CalendarSettings(Section):
    """The business calendar deadlines are counted on; times are in ``desk.time_zone``."""

    country: str | None = "CN"
    subdivision: str | None = None
    working_days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = [
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
    ]
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)
    extra_days_off: list[date] = []
    extra_working_days: list[date] = []

    @model_validator(mode="after")
    def _hours(self) -> CalendarSettings:
        if self.day_end <= self.day_start:
            raise ValueError("day_end must be later than day_start")
        return self


CATEGORIES = (
    "repair",
    "construction_quality",
    "design",
    "property_service",
    "billing",
    "sales_contract",
    "other",
)
KINDS = ("complaint", "repair_request", "inquiry", "suggestion", "praise")
SEVERITIES = ("general", "important", "hot", "major")
LADDER_ROLES = ("head", "customer_service", "deputy_gm", "general_manager")
"""Who a ticket escalates to, in order, when its department has no ladder of its own."""

DEFAULT_ROUTES = {
    "repair": "engineering",
    "construction_quality": "engineering",
    "design": "design",
    "property_service": "property",
    "billing": "finance",
    "sales_contract": "sales",
    "other": "customer_service",
}


class DepartmentSettings(Section):
    """A department: its head gets the assignment mail; members and the ladder are its roster."""

    head: str | None = None
    members: list[str] = []
    escalation: list[str] = []
    language: Literal["zh", "es", "en"] | None = None
    names: dict[str, str] = {}


class RoutingSettings(Section):
    categories: dict[str, str] = DEFAULT_ROUTES
    butlers: dict[str, str] = {}
    general_manager: str | None = None
    hot_threshold: int = Field(3, ge=2)
    hot_window_hours: float = Field(48.0, gt=0)

    @model_validator(mode="after")
    def _known(self) -> RoutingSettings:
        unknown = set(self.categories) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories {sorted(unknown)}; known: {list(CATEGORIES)}")
        self.categories = {**DEFAULT_ROUTES, **self.categories}
        return self


class SlaRule(Section):
    """Overrides for the tickets that match every given field."""

    kind: Literal[KINDS] | None = None  # type: ignore[valid-type]
    category: Literal[CATEGORIES] | None = None  # type: ignore[valid-type]
    severity: Literal[SEVERITIES] | None = None  # type: ignore[valid-type]
    feedback_working_days: int | None = Field(None, ge=0)
    feedback_business_hours: float | None = Field(None, gt=0)
    resolve_working_days: int | None = Field(None, ge=0)


class SlaSettings(Section):
    """Deadlines; defaults from seeds 001 and 003."""

    feedback_working_days: int = Field(3, ge=0)
    survey_working_days: int = Field(1, ge=0)
    repair_single_working_days: int = Field(3, ge=0)
    repair_multi_working_days: int = Field(7, ge=0)
    resolve_working_days: int = Field(5, ge=0)
    butler_business_hours: float = Field(4.0, gt=0)
    revisit_working_days: int = Field(1, ge=0)
    rules: list[SlaRule] = [SlaRule(severity="major", feedback_business_hours=4)]
    reminder_fractions: list[Annotated[float, Field(gt=0, lt=1)]] = [0.75]
    """Reminders when these shares of a deadline's business time are gone."""
    remind_at_due_day_start: bool = True
    """And one at the opening of the working day a deadline falls on."""
    escalation: list[Literal[LADDER_ROLES]] = list(LADDER_ROLES)  # type: ignore[valid-type]
    """The ladder of a department without its own ``escalation`` list, by role."""
    escalation_working_days: int = Field(1, ge=1)
    escalation_business_hours_major: float = Field(2.0, gt=0)
    revisit_reminder_working_days: int = Field(2, ge=1)
    """After the revisit mail, one reminder this many working days later."""
    revisit_close_working_days: int = Field(5, ge=1)
    """After the revisit mail, a silent owner's ticket closes as "no answer" this much later."""
    revisit_in_person_working_days: int = Field(1, ge=0)
    """An unsatisfied owner is revisited in person by the customer-service head within this."""


class RepliesSettings(Section):
    """Signed reply addresses and what answers by mail may do."""

    secret: SecretStr | None = None
    secret_file: Path = Path("var/reply-secret")
    require_dkim: bool = False
    trusted_authserv_id: str | None = None
    review_department_answers: bool = False
    reopen_days: int = Field(30, ge=0)
    approvers: dict[str, str] = {}
    """Who holds each title of ``[approvals] tiers`` (title → address); without an entry,
    cs_manager is the customer-service head and gm the general manager."""

    @model_validator(mode="after")
    def _trusted_server(self) -> RepliesSettings:
        """Authentication-Results are trusted only from our own receiving server (RFC 8601)."""
        if self.require_dkim and not (self.trusted_authserv_id or "").strip():
            raise ValueError(
                "require_dkim needs trusted_authserv_id: the authserv-id your receiving mail "
                "server writes in Authentication-Results (e.g. mx.example.com)"
            )
        return self


class ApprovalTier(Section):
    """Costs up to ``up_to`` (inclusive; left out: every larger amount) need the approval of
    these titles, asked one after another in this order (``replies.approvers`` says who)."""

    up_to: float | None = Field(None, gt=0)
    chain: list[str] = Field(min_length=1)


DEFAULT_APPROVAL_TIERS = [
    ApprovalTier(up_to=1000, chain=["cs_manager"]),
    ApprovalTier(up_to=10000, chain=["deputy_chief_engineer", "deputy_gm"]),
    ApprovalTier(up_to=20000, chain=["gm"]),
    ApprovalTier(chain=["gm", "audit"]),
]
"""Seed 001 §3.6.1 and §2.7: the customer-service manager; the deputy chief engineer reviews,
then the deputy GM approves; the general manager; above 20,000 audit checks it as well."""


class ApprovalSettings(Section):
    """Repair costs (``#cost``): the tiers by amount and how long each approver has."""

    tiers: list[ApprovalTier] = DEFAULT_APPROVAL_TIERS
    working_days: int = Field(1, ge=1)
    """Each approver's deadline, in working days from when they are asked."""
    business_hours: float | None = Field(None, gt=0)
    """Or in business hours (wins over ``working_days`` when set)."""

    @field_validator("tiers")
    @classmethod
    def _ordered(cls, tiers: list[ApprovalTier]) -> list[ApprovalTier]:
        """Tiers rise by ``up_to``; only the last leaves it out, so every amount has a tier."""
        bounds = [tier.up_to for tier in tiers]
        if not bounds or bounds[-1] is not None or None in bounds[:-1]:
            raise ValueError("give every tier an up_to except the last, which has none")
        if any(low >= high for low, high in zip(bounds[:-2], bounds[1:-1], strict=True)):
            raise ValueError(f"up_to must rise from tier to tier, got {bounds[:-1]}")
        return tiers


class ClassifierSettings(Section):
    rules_file: Path | None = None
    extra_rules: dict = {}
    model_file: Path = Path("var/classifier.pkl")
    model_min_confidence: float = Field(0.7, ge=0, le=1)
    shipped_model: bool = True
    """Weigh the model shipped with the package (trained on a labelled corpus) with the rules."""


class EstateSettings(Section):
    """One estate of the company's register: the names owners write it by, and its buildings.

    Locate finds it in a complaint; its names are never read as words ("Greenfield Court")."""

    name: str = Field(min_length=2)
    aliases: dict[Literal["zh", "es", "en"], list[str]] = {}
    buildings: list[str] = []


class DatabaseSettings(Section):
    url: str = "sqlite:///var/complaintd.db"


class StorageSettings(Section):
    attachments_dir: Path = Path("var/attachments")
    max_attachment_bytes: int = Field(20 * 1024 * 1024, gt=0)
    max_message_bytes: int = Field(30 * 1024 * 1024, gt=0)


class ServiceSettings(Section):
    parse_helper: bool | None = None
    """Parse the next batch in a helper process beside the intake loop; None: when there is
    a CPU to spare for it."""

    def use_parse_helper(self) -> bool:
        """The setting, else whether this process may run on more than one CPU (its affinity,
        which systemd's CPUAffinity= or a container's cpuset narrow, not the machine's count)."""
        if self.parse_helper is not None:
            return self.parse_helper
        return len(os.sched_getaffinity(0)) > 1


class MaildirSettings(Section):
    path: Path = Path("var/inbox")
    poll_seconds: float = Field(1.0, gt=0)


class ImapSettings(Section):
    host: str
    port: int | None = Field(None, gt=0, lt=65536)
    security: Literal["tls", "starttls", "none"] = "tls"
    ca_file: Path | None = None
    user: str
    password: SecretStr | None = None
    password_file: Path | None = None
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    poll_seconds: float = Field(30.0, gt=0)
    idle_seconds: float = Field(5.0, gt=0)
    batch_size: int = Field(50, gt=0)

    @model_validator(mode="after")
    def _secret(self) -> ImapSettings:
        self.password = _read_secret(self.password, self.password_file, "imap_password")
        if self.password is None:
            raise ValueError(
                "no password: set imap.password_file, COMPLAINTD_IMAP__PASSWORD "
                "or the systemd credential imap_password"
            )
        if self.port is None:
            self.port = 993 if self.security == "tls" else 143
        return self


class SmtpSettings(Section):
    host: str
    port: int | None = Field(None, gt=0, lt=65536)
    security: Literal["tls", "starttls", "none"] = "starttls"
    ca_file: Path | None = None
    user: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    timeout_seconds: float = Field(30.0, gt=0)

    @model_validator(mode="after")
    def _secret(self) -> SmtpSettings:
        self.password = _read_secret(self.password, self.password_file, "smtp_password")
        if self.port is None:
            self.port = {"tls": 465, "starttls": 587, "none": 25}[self.security]
        return self


class OutboxSettings(Section):
    dir: Path = Path("var/outbox")
    max_attempts: int = Field(8, gt=0)
    retry_base_seconds: float = Field(30.0, gt=0)
    retry_max_seconds: float = Field(3600.0, gt=0)


class QueueSettings(Section):
    redis_url: str | None = None
    queue_name: str = "complaintd-mail"


class ReportRecipient(Section):
    """Who gets the scheduled reports. The general manager and the customer-service head get
    every department; a department head only their own; anyone else names a ``department``."""

    address: str
    language: Literal["zh", "es", "en"] | None = None
    department: str | None = None


class ReportSettings(Section):
    """The scheduled reports: the weekly one on Mondays at ``weekly_at`` (desk time), the
    summaries at the same time on their days; a day left empty sends none of that kind."""

    recipients: list[ReportRecipient] = []
    weekly_at: time = time(9, 0)
    monthly_day: int | None = Field(None, ge=1, le=28)
    quarterly_day: int | None = Field(5, ge=1, le=28)
    yearly_date: str | None = Field("01-10", pattern=r"^\d{2}-\d{2}$")

    @model_validator(mode="before")
    @classmethod
    def _plain_addresses(cls, data: Any) -> Any:
        """``recipients = ["gm@example.com"]`` is short for tables with just an address."""
        if isinstance(data, dict) and isinstance(data.get("recipients"), list):
            data = {
                **data,
                "recipients": [
                    {"address": r} if isinstance(r, str) else r for r in data["recipients"]
                ],
            }
        return data

    @model_validator(mode="after")
    def _yearly_date(self) -> ReportSettings:
        if self.yearly_date:
            month, day = (int(part) for part in self.yearly_date.split("-"))
            date(2001, month, day)  # a ValueError names a month or day that does not exist
        return self


SUBMISSION_FIELDS = (
    "name",
    "email",
    "description",
    "phone",
    "building",
    "unit",
    "kind",
    "category",
    "subject",
    "language",
    "reference",
)
"""Fields of a web submission that a feed's or webhook's ``fields`` mapping may fill."""


class FieldMapping(Section):
    """Where our submission fields are in a form service's JSON (dotted paths, e.g. a.b.0)."""

    id_field: str = "id"
    fields: dict[str, str] = {"name": "name", "email": "email", "description": "description"}
    files_field: str | None = None

    @model_validator(mode="after")
    def _known_fields(self) -> FieldMapping:
        unknown = sorted(set(self.fields) - set(SUBMISSION_FIELDS))
        if unknown:
            raise ValueError(f"fields: unknown {unknown}; known: {list(SUBMISSION_FIELDS)}")
        return self


class FeedSettings(FieldMapping):
    """An external form service polled over HTTP(S) for new submissions as JSON."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,50}$")
    url: str = Field(pattern=r"^https?://")
    interval_seconds: float = Field(60.0, gt=0)
    timeout_seconds: float = Field(20.0, gt=0)
    ca_file: Path | None = None
    auth_header: str | None = None
    auth_value: SecretStr | None = None
    auth_value_file: Path | None = None
    auth_file_hosts: list[str] = []
    params: dict[str, str] = {}
    items_key: str = ""
    cursor_param: str | None = None
    cursor_field: str | None = None
    next_cursor_key: str | None = None
    page_size: int | None = Field(None, gt=0)
    page_size_param: str | None = None
    max_pages_per_poll: int = Field(10, gt=0)

    @model_validator(mode="after")
    def _secret(self) -> FeedSettings:
        self.auth_value = _read_secret(self.auth_value, self.auth_value_file, f"feed_{self.name}")
        if self.auth_header and self.auth_value is None:
            raise ValueError(
                f"no auth_value: set auth_value_file, auth_value or the systemd credential "
                f"feed_{self.name}"
            )
        return self


class WebhookSettings(FieldMapping):
    """Form services that push submissions to POST /hooks/{name}, signed with HMAC-SHA256."""

    secret: SecretStr | None = None
    secret_file: Path | None = None
    feed: str | None = None
    max_body_bytes: int = Field(10 * 1024 * 1024, gt=0)

    @model_validator(mode="after")
    def _secret(self) -> WebhookSettings:
        self.secret = _read_secret(self.secret, self.secret_file, "webhook_secret")
        if self.secret is None or not self.secret.get_secret_value():
            raise ValueError(
                "no secret: set webhook.secret_file, COMPLAINTD_WEBHOOK__SECRET "
                "or the systemd credential webhook_secret"
            )
        return self


class Settings(Section):
    """The whole configuration; only the sections a deployment uses need to be written."""

    desk: DeskSettings = DeskSettings()
    calendar: CalendarSettings = CalendarSettings()
    departments: dict[str, DepartmentSettings] = {}
    routing: RoutingSettings = RoutingSettings()
    sla: SlaSettings = SlaSettings()
    classifier: ClassifierSettings = ClassifierSettings()
    replies: RepliesSettings = RepliesSettings()
    approvals: ApprovalSettings = ApprovalSettings()
    database: DatabaseSettings = DatabaseSettings()
    storage: StorageSettings = StorageSettings()
    service: ServiceSettings = ServiceSettings()
    maildir: MaildirSettings = MaildirSettings()
    imap: ImapSettings | None = None
    smtp: SmtpSettings | None = None
    outbox: OutboxSettings = OutboxSettings()
    queue: QueueSettings = QueueSettings()
    reports: ReportSettings = ReportSettings()
    feeds: list[FeedSettings] = []
    estates: list[EstateSettings] = []
    webhook: WebhookSettings | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @model_validator(mode="after")
    def _reply_secret(self) -> Settings:
        self.replies.secret = _read_secret(self.replies.secret, None, "reply_secret")
        return self

    @model_validator(mode="after")
    def _feeds_known(self) -> Settings:
        names = [feed.name for feed in self.feeds]
        if len(set(names)) != len(names):
            raise ValueError(f"feeds: names must be unique, got {names}")
        if self.webhook and self.webhook.feed and self.webhook.feed not in names:
            raise ValueError(f"webhook.feed: no feed named {self.webhook.feed!r}")
        return self

    @model_validator(mode="after")
    def _routes_exist(self) -> Settings:
        known = set(DEFAULT_ROUTES.values()) | set(self.departments)
        unknown = sorted(set(self.routing.categories.values()) - known)
        if unknown:
            raise ValueError(
                f"routing.categories names unknown departments {unknown}; "
                f"configure them under [departments] or use one of {sorted(known)}"
            )
        return self

    @model_validator(mode="after")
    def _report_scopes(self) -> Settings:
        for recipient in self.reports.recipients:
            report_scope(self, recipient)
        return self


def report_scope(settings: Settings, recipient: ReportRecipient) -> str | None:
    """The department a report recipient may see, or None for all of them (privacy, seed 000):
    the named department; everything for the general manager and the customer-service head;
    a department head's own department. Anyone else must be given a department."""
    known = set(DEFAULT_ROUTES.values()) | set(settings.departments)
    address = recipient.address.lower()
    if recipient.department is not None:
        if recipient.department not in known:
            raise ValueError(
                f"reports.recipients: {recipient.address} names unknown department "
                f"{recipient.department!r}; one of {sorted(known)}"
            )
        return recipient.department
    service = settings.departments.get("customer_service")
    heads_of_all = {settings.routing.general_manager, service.head if service else None}
    if address in {head.lower() for head in heads_of_all if head}:
        return None
    for name, department in settings.departments.items():
        if department.head and department.head.lower() == address:
            return name
    raise ValueError(
        f"reports.recipients: {recipient.address} is not the general manager, the "
        "customer-service head or a department head: give it a department"
    )


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV or name in NOT_SETTINGS:
            continue
        path = name[len(ENV_PREFIX) :].lower().split("__")
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return tree


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"{key}: {message}")
    return "; ".join(lines)


def load(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read, merge and validate the settings, or raise ConfigError naming the bad key."""
    environ = dict(os.environ if environ is None else environ)
    if path is None and environ.get(CONFIG_ENV):
        path = Path(environ[CONFIG_ENV])
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    data = _merge(data, _env_overrides(environ))
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path or 'configuration'}: {_describe(exc)}") from exc
    except OSError as exc:
        raise ConfigError(f"{path or 'configuration'}: {exc}") from exc
