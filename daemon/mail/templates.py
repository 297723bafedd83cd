"""Mail templates per language and audience; an admin folder overrides bundled files one by one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

import daemon


def bundled_dir() -> Path:
    """Installed: daemon/templates; in a source checkout: the top-level templates/ folder."""
    here = Path(daemon.__file__).resolve().parent
    installed = here / "templates"
    return installed if installed.is_dir() else here.parent / "templates"


class Templates:
    """Renders ``<language>/<audience>/<name>.<part>.j2``, falling back to English.

    Which file serves a name is decided once; an edited file is read again, a file added
    later is seen after a restart."""

    def __init__(self, override_dir: Path | None = None) -> None:
        loaders: list[jinja2.BaseLoader] = []
        if override_dir is not None:
            loaders.append(jinja2.FileSystemLoader(str(override_dir)))
        loaders.append(jinja2.FileSystemLoader(str(bundled_dir())))
        self._text = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self._html = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self._found: dict[tuple[str, str, str], jinja2.Template | None] = {}

    def render(self, language: str, name: str, part: str, **context: Any) -> str:
        """Render one part (subject, txt, html) in the language, or in English when missing."""
        template = self._find(language, name, part)
        if template is None:
            raise jinja2.TemplatesNotFound(self._names(language, name, part))
        return template.render(**context)

    def has(self, language: str, name: str, part: str) -> bool:
        return self._find(language, name, part) is not None

    def _find(self, language: str, name: str, part: str) -> jinja2.Template | None:
        """The compiled template, looked up once per name; a file edited since is read again."""
        key = (language, name, part)
        if key in self._found:
            template = self._found[key]
            if template is None or template.is_up_to_date:
                return template
        env = self._html if part == "html" else self._text
        try:
            template = env.select_template(self._names(language, name, part))
        except jinja2.TemplatesNotFound:
            template = None
        self._found[key] = template
        return template

    @staticmethod
    def _names(language: str, name: str, part: str) -> list[str]:
        return [f"{language}/{name}.{part}.j2", f"en/{name}.{part}.j2"]
