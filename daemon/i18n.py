"""Words and dates shown to owners, in their own language and the desk's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

LOCALES = {"zh": "zh_CN", "es": "es_ES", "en": "en_GB"}

DEPARTMENTS = {
    "customer_service": {
        "en": "customer service",
        "zh": "客户服务中心",
        "es": "atención al cliente",
    },
    "engineering": {"en": "engineering", "zh": "工程部", "es": "ingeniería"},
    "design": {"en": "design", "zh": "设计部", "es": "diseño"},
    "property": {"en": "property services", "zh": "物业服务中心", "es": "servicios de la finca"},
    "finance": {"en": "finance", "zh": "财务部", "es": "administración"},
    "sales": {"en": "sales", "zh": "销售部", "es": "ventas"},
}


def department_name(department: str, language: str) -> str:
    names = DEPARTMENTS.get(department, {})
    return names.get(language) or names.get("en") or department.replace("_", " ")


def format_when(moment: datetime, language: str, time_zone: str) -> str:
    """A deadline as an owner reads it: weekday, date and time in the desk's time zone."""
    local = moment.astimezone(ZoneInfo(time_zone))
    locale = LOCALES.get(language, "en_GB")
    pattern = {"zh": "yyyy年M月d日 EEEE HH:mm", "es": "EEEE d 'de' MMMM 'de' yyyy, HH:mm"}.get(
        language, "EEEE d MMMM yyyy, HH:mm"
    )
    return format_datetime(local, pattern, tzinfo=local.tzinfo, locale=locale)
