"""Words and dates shown to owners, in their own language and the desk's time zone."""

from __future__ import annotations

from datetime import datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.units import format_unit

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


CATEGORIES = {
    "repair": {"en": "repair", "zh": "报修", "es": "reparación"},
    "construction_quality": {
        "en": "construction quality",
        "zh": "工程质量",
        "es": "calidad de obra",
    },
    "design": {"en": "design", "zh": "设计", "es": "diseño"},
    "property_service": {
        "en": "property services",
        "zh": "物业服务",
        "es": "servicios de la finca",
    },
    "billing": {"en": "fees and billing", "zh": "收费", "es": "cuotas y cobros"},
    "sales_contract": {"en": "sales and contracts", "zh": "销售合同", "es": "venta y contratos"},
    "other": {"en": "other matters", "zh": "其他", "es": "otros asuntos"},
}
KINDS = {
    "complaint": {"en": "complaint", "zh": "投诉", "es": "reclamación"},
    "repair_request": {"en": "repair request", "zh": "报修", "es": "solicitud de reparación"},
    "inquiry": {"en": "inquiry", "zh": "咨询", "es": "consulta"},
    "suggestion": {"en": "suggestion", "zh": "建议", "es": "sugerencia"},
    "praise": {"en": "praise", "zh": "表扬", "es": "felicitación"},
}
SEVERITIES = {
    "general": {"en": "general", "zh": "一般", "es": "normal"},
    "important": {"en": "important", "zh": "重要", "es": "importante"},
    "hot": {"en": "hot topic", "zh": "热点", "es": "tema candente"},
    "major": {"en": "MAJOR", "zh": "重大", "es": "GRAVE"},
}


STEPS = {
    "feedback": {"en": "feedback to the desk", "zh": "向客服反馈", "es": "respuesta al servicio"},
    "survey": {"en": "on-site survey", "zh": "现场查勘", "es": "visita de inspección"},
    "repair": {"en": "repair done", "zh": "维修完成", "es": "reparación terminada"},
    "resolve": {"en": "resolved", "zh": "处理完毕", "es": "resuelta"},
    "butler": {"en": "butler's answer", "zh": "管家回复", "es": "respuesta del conserje"},
    "revisit": {"en": "revisit", "zh": "回访", "es": "seguimiento"},
    "revisit_in_person": {"en": "revisit in person", "zh": "上门回访", "es": "visita en persona"},
    "approval": {"en": "cost approval", "zh": "费用审批", "es": "aprobación del coste"},
}


def step_names(language: str) -> dict[str, str]:
    return {step: _name(STEPS, step, language) for step in STEPS}


def _name(table: dict[str, dict[str, str]], key: str, language: str) -> str:
    names = table.get(key, {})
    return names.get(language) or names.get("en") or key.replace("_", " ")


def department_name(department: str, language: str, names: dict[str, str] | None = None) -> str:
    """A department's name for readers of that language; the config's ``names`` win."""
    if names and names.get(language):
        return names[language]
    return _name(DEPARTMENTS, department, language)


def category_name(category: str, language: str) -> str:
    return _name(CATEGORIES, category, language)


def kind_name(kind: str, language: str) -> str:
    return _name(KINDS, kind, language)


def severity_name(severity: str, language: str) -> str:
    return _name(SEVERITIES, severity, language)


LOCATION_PARTS = {
    "en": {"building": "building {}", "unit": "unit {}", "room": "room {}"},
    "es": {"building": "edificio {}", "unit": "portal {}", "room": "piso {}"},
    "zh": {"building": "{}栋", "unit": "{}单元", "room": "{}室"},
}
LOCATION_SEPARATOR = {"en": " / ", "es": " / ", "zh": ""}


def location_text(location: dict[str, str] | None, language: str = "en") -> str:
    """Building / unit / room in the reader's language: "3栋2单元1502室", "edificio 3 / portal 2 /
    piso 5ºB", "building 3 / unit 2 / room 1502"."""
    if not location:
        return ""
    parts = LOCATION_PARTS.get(language, LOCATION_PARTS["en"])
    written = []
    for part in ("building", "unit", "room"):
        if part in location:
            value = location[part]
            # "1502室", but a room written the Spanish way ("5ºB") takes no 室.
            fits = language != "zh" or part != "room" or value.isdigit()
            written.append(parts[part].format(value) if fits else value)
    return LOCATION_SEPARATOR.get(language, " / ").join(written)


KILOBYTE = 1024
MEGABYTE = 1024 * KILOBYTE


def format_size(size: int, language: str) -> str:
    """A size in bytes as people read it ("195 kB", "1.5 MB", "1,5 MB"), rounded down, so that a
    file of the size shown always fits under the limit it describes."""
    if size >= MEGABYTE:
        value, unit = size * 10 // MEGABYTE / 10, "digital-megabyte"
    elif size >= KILOBYTE:
        value, unit = size // KILOBYTE, "digital-kilobyte"
    else:
        value, unit = size, "digital-byte"
    locale = _locale(LOCALES.get(language, "en_GB"))
    return format_unit(value, unit, length="short", format="#,##0.#", locale=locale)


@cache
def _locale(name: str) -> Locale:
    """Babel's locale, parsed once: parsing zh_CN costs more than formatting the date."""
    return Locale.parse(name)


@lru_cache(maxsize=512)
def format_when(moment: datetime, language: str, time_zone: str) -> str:
    """A deadline as an owner reads it: weekday, date and time in the desk's time zone.

    Kept per instant: a day's tickets mostly share the same close-of-business deadline."""
    local = moment.astimezone(ZoneInfo(time_zone))
    locale = _locale(LOCALES.get(language, "en_GB"))
    pattern = {"zh": "yyyy年M月d日 EEEE HH:mm", "es": "EEEE d 'de' MMMM 'de' yyyy, HH:mm"}.get(
        language, "EEEE d MMMM yyyy, HH:mm"
    )
    return format_datetime(local, pattern, tzinfo=local.tzinfo, locale=locale)
