"""The words of a report in Chinese, Spanish and English (names of categories, departments and
the like come from ``daemon.i18n``)."""

from __future__ import annotations

from typing import Any

from daemon import i18n
from daemon.config import Settings

LANGUAGES = ("zh", "es", "en")

WORDS: dict[str, dict[str, str]] = {
    "weekly": {
        "zh": "投诉处理周报",
        "es": "Informe semanal de reclamaciones",
        "en": "Weekly complaint report",
    },
    "monthly": {
        "zh": "投诉处理月报",
        "es": "Resumen mensual de reclamaciones",
        "en": "Monthly complaint summary",
    },
    "quarterly": {
        "zh": "投诉处理季报",
        "es": "Resumen trimestral de reclamaciones",
        "en": "Quarterly complaint summary",
    },
    "yearly": {
        "zh": "投诉处理年报",
        "es": "Resumen anual de reclamaciones",
        "en": "Yearly complaint summary",
    },
    "all": {"zh": "全部部门", "es": "todos los departamentos", "en": "all departments"},
    "period": {"zh": "统计期间", "es": "Periodo", "en": "Period"},
    "running": {
        "zh": "（期间未结束，截至生成时）",
        "es": "(periodo en curso, hasta ahora)",
        "en": "(period still running, up to now)",
    },
    "empty": {
        "zh": "本期间没有任何投诉记录。",
        "es": "No hay ninguna reclamación en este periodo.",
        "en": "No tickets in this period.",
    },
    "figure": {"zh": "指标", "es": "Indicador", "en": "Figure"},
    "this": {"zh": "本期", "es": "Este periodo", "en": "This period"},
    "before": {"zh": "上期", "es": "Periodo anterior", "en": "Previous period"},
    "change": {"zh": "变化", "es": "Cambio", "en": "Change"},
    "received": {"zh": "受理", "es": "Recibidas", "en": "Received"},
    "closed": {"zh": "关闭", "es": "Cerradas", "en": "Closed"},
    "open": {"zh": "期末未关闭", "es": "Abiertas al cierre", "en": "Open at the end"},
    "overdue": {"zh": "期末超时", "es": "Vencidas al cierre", "en": "Overdue at the end"},
    "on_time_rate": {"zh": "及时率", "es": "Puntualidad", "en": "On-time rate"},
    "closure_rate": {"zh": "封闭率", "es": "Tasa de cierre", "en": "Closure rate"},
    "revisit_rate": {"zh": "回访率", "es": "Tasa de seguimiento", "en": "Revisit rate"},
    "satisfaction_rate": {"zh": "满意率", "es": "Satisfacción", "en": "Satisfaction rate"},
    "median": {
        "zh": "首次答复时长中位数（工作小时）",
        "es": "Mediana hasta la primera respuesta (horas hábiles)",
        "en": "Median time to first answer (business hours)",
    },
    "p90": {
        "zh": "首次答复时长90分位（工作小时）",
        "es": "Percentil 90 hasta la primera respuesta (horas hábiles)",
        "en": "90th percentile to first answer (business hours)",
    },
    "departments": {"zh": "各部门", "es": "Por departamento", "en": "By department"},
    "department": {"zh": "部门", "es": "Departamento", "en": "Department"},
    "by_channel": {"zh": "按渠道", "es": "Por canal", "en": "By channel"},
    "by_kind": {"zh": "按类型", "es": "Por tipo", "en": "By kind"},
    "by_category": {"zh": "按类别", "es": "Por categoría", "en": "By category"},
    "by_severity": {"zh": "按性质", "es": "Por gravedad", "en": "By severity"},
    "hot_topics": {"zh": "热点投诉", "es": "Temas candentes", "en": "Hot topics"},
    "major": {"zh": "重大投诉", "es": "Reclamaciones graves", "en": "Major tickets"},
    "overdue_tickets": {"zh": "超时工单", "es": "Reclamaciones vencidas", "en": "Overdue tickets"},
    "number": {"zh": "编号", "es": "Número", "en": "Number"},
    "days_overdue": {"zh": "超时天数", "es": "Días de retraso", "en": "Days overdue"},
    "step": {"zh": "环节", "es": "Paso", "en": "Step"},
    "tickets": {"zh": "件数", "es": "Reclamaciones", "en": "Tickets"},
    "topic": {"zh": "热点", "es": "Tema", "en": "Topic"},
    "status": {"zh": "状态", "es": "Estado", "en": "Status"},
    "category": {"zh": "类别", "es": "Categoría", "en": "Category"},
    "none": {"zh": "无", "es": "ninguna", "en": "none"},
    "chart_daily": {
        "zh": "每日受理与关闭",
        "es": "Recibidas y cerradas por día",
        "en": "Received and closed per day",
    },
    "chart_rates": {"zh": "四率走势", "es": "Las cuatro tasas", "en": "The four rates over time"},
    "chart_categories": {"zh": "投诉类别", "es": "Categorías", "en": "Categories"},
    "chart_overdue": {
        "zh": "各部门超时工单",
        "es": "Vencidas por departamento",
        "en": "Overdue by department",
    },
    "definitions": {
        "zh": "指标定义见 README「报表」一节；--explain 可列出每个比率背后的工单。",
        "es": "Definiciones: README («Reports»); --explain lista las reclamaciones de cada tasa.",
        "en": 'Definitions: README, "Reports"; --explain lists the tickets behind each rate.',
    },
    "attachment": {
        "zh": "附件为本报表的 CSV 数据。",
        "es": "Se adjuntan los datos en CSV.",
        "en": "The figures are attached as CSV.",
    },
}

CHANNELS = {
    "email": {"zh": "邮件", "es": "correo", "en": "e-mail"},
    "web": {"zh": "网页表单", "es": "formulario web", "en": "web form"},
    "phone": {"zh": "电话", "es": "teléfono", "en": "phone"},
    "visit": {"zh": "来访", "es": "visita", "en": "visit"},
}


class Words:
    """The report's words in one language, and the names of what it counts."""

    def __init__(self, settings: Settings, language: str) -> None:
        self.settings = settings
        self.language = language if language in LANGUAGES else "en"

    def __getitem__(self, key: str) -> str:
        entry = WORDS.get(key)
        return (entry.get(self.language) or entry["en"]) if entry else key

    def department(self, name: str | None) -> str:
        if name is None:
            return self["all"]
        configured = self.settings.departments.get(name)
        return i18n.department_name(name, self.language, configured.names if configured else None)

    def value(self, breakdown: str, value: str) -> str:
        """The name of a channel, kind, category or severity."""
        if breakdown == "by_category":
            return i18n.category_name(value, self.language)
        if breakdown == "by_kind":
            return i18n.kind_name(value, self.language)
        if breakdown == "by_severity":
            return i18n.severity_name(value, self.language)
        return CHANNELS.get(value, {}).get(self.language, value)

    def step(self, step: str) -> str:
        return i18n.step_names(self.language).get(step, step)


def rate_text(value: Any) -> str:
    """A rate as a percentage, or a dash when there was nothing to count."""
    return "—" if value is None else f"{value * 100:.1f}%"


def change_text(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if name.endswith("_rate"):
        return f"{value * 100:+.1f} pp"
    return f"{value:+d}"


def figure_text(name: str, value: Any) -> str:
    if name.endswith("_rate"):
        return rate_text(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return "—" if value is None else str(value)
