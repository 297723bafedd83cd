"""Mail templates: language fallback, admin overrides, and the lookup kept between renders."""

from __future__ import annotations

import os

import jinja2
import pytest

from daemon.mail.templates import Templates, bundled_dir


def test_language_falls_back_to_english_and_missing_parts_are_known(tmp_path):
    templates = Templates(tmp_path)
    (tmp_path / "en" / "t").mkdir(parents=True)
    (tmp_path / "en" / "t" / "hello.txt.j2").write_text("Hello {{ who }}\n")
    assert templates.render("zh", "t/hello", "txt", who="you") == "Hello you\n"
    assert not templates.has("zh", "t/hello", "html")
    assert not templates.has("zh", "t/hello", "html")
    with pytest.raises(jinja2.TemplatesNotFound):
        templates.render("zh", "t/hello", "html")


def test_an_edited_template_is_read_again(tmp_path):
    templates = Templates(tmp_path)
    path = tmp_path / "es" / "t" / "hello.txt.j2"
    path.parent.mkdir(parents=True)
    path.write_text("Hola\n")
    assert templates.render("es", "t/hello", "txt") == "Hola\n"
    path.write_text("Buenas\n")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 10))
    assert templates.render("es", "t/hello", "txt") == "Buenas\n"


def test_bundled_templates_render_in_each_language():
    templates = Templates()
    context = {
        "ticket": {"owner_name": "", "number": "C20261123-0001", "subject": "x"},
        "department_name": "d",
        "answer_by": "a",
        "status_url": "",
        "desk": {"name": "Desk", "phone": ""},
    }
    for language in ("zh", "es", "en"):
        assert "C20261123-0001" in templates.render(language, "owner/ack", "subject", **context)
        assert templates.has(language, "owner/ack", "html")
        assert not templates.has(language, "owner/answer", "html")


def test_every_bundled_mail_exists_in_chinese_spanish_and_english():
    """A mail missing in one language would reach its reader in English. (The report page is one
    template whose words come from daemon/report/strings.py.)"""
    root = bundled_dir()
    names = {
        path.relative_to(root / language).as_posix()
        for language in ("zh", "es", "en")
        for audience in ("owner", "department", "staff")
        for path in (root / language / audience).glob("*.j2")
    }
    missing = [
        f"{language}/{name}"
        for language in ("zh", "es", "en")
        for name in sorted(names)
        if not (root / language / name).exists()
    ]
    assert not missing
