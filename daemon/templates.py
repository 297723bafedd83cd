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
    """Renders ``<language>/<audience>/<name>.<part>.j2``, falling back to English."""

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

    def render(self, language: str, name: str, part: str, **context: Any) -> str:
        """Render one part (subject, txt, html) in the language, or in English when missing."""
        env = self._html if part == "html" else self._text
        names = [f"{language}/{name}.{part}.j2", f"en/{name}.{part}.j2"]
        return env.select_template(names).render(**context)

    def has(self, language: str, name: str, part: str) -> bool:
        try:
            self._text.select_template([f"{language}/{name}.{part}.j2", f"en/{name}.{part}.j2"])
        except jinja2.TemplatesNotFound:
            return False
        return True
