"""The HTML report in Debian's Chromium (Playwright): the charts load and the Chinese text is
drawn with a CJK font; and the charts themselves carry Chinese glyphs, not boxes.

The screenshot goes to a temporary folder; to refresh the one README shows, run
``COMPLAINTD_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest \
tests/report/test_report_browser.py``.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import matplotlib
from playwright.sync_api import sync_playwright

from daemon.config import Settings
from daemon.report import charts, figures, periods
from daemon.report.strings import Words
from daemon.store.db import Database
from tests.browser import launch
from tests.report import quarter
from tests.report.test_cli import _complaintd, _config, _db

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_chromium_shows_the_charts_and_the_chinese_text(tmp_path):
    config = _config(tmp_path)
    db = _db(config)
    quarter.store(db, quarter.generate())
    db.dispose()
    result = _complaintd(
        config,
        *("--now", quarter.NOW.isoformat(), "report", "weekly", "--period", "2026-W49"),
        *("--language", "zh", "--format", "html"),
        *("--out", str(tmp_path / "reports")),
    )
    assert result.returncode == 0, result.stderr
    page_file = Path(result.stdout.strip())
    folder = Path(os.environ.get("COMPLAINTD_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1700})
            page.goto(page_file.as_uri())
            title = page.locator("#report-title").inner_text()
            assert title == "投诉处理周报 · 2026-W49"
            loaded = page.eval_on_selector_all(
                ".charts img", "imgs => imgs.map(i => i.complete && i.naturalWidth)"
            )
            assert loaded == [700, 700, 700, 700]
            fonts = _fonts_drawing(page, "#report-title")
            cjk_glyphs = sum(count for name, count in fonts.items() if "CJK" in name)
            assert cjk_glyphs >= len(CJK.findall(title)), fonts
            assert page.locator("#summary td", has_text="及时率").count() == 1
            assert page.locator("#report-title + p").inner_text().endswith("(Asia/Shanghai)")
            page.screenshot(path=str(folder / "report-weekly-zh.png"))
        finally:
            browser.close()


def _fonts_drawing(page, selector: str) -> dict[str, int]:  # noqa: ANN001
    """The fonts Chromium used for an element's text, with how many glyphs each drew."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"]: font["glyphCount"] for font in fonts}


def test_the_charts_draw_chinese_glyphs_not_boxes(tmp_path):
    url = f"sqlite:///{tmp_path}/complaintd.db"
    settings = Settings.model_validate({"database": {"url": url}})
    db = Database(url)
    db.migrate()
    quarter.store(db, quarter.generate(count=150))
    period = periods.parse("quarterly", "2026-Q4", settings.desk.time_zone)
    with db.snapshot() as session:
        report = figures.build(session, settings, period, quarter.NOW)
    db.dispose()
    words = Words(settings, "zh")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drawn = charts.render(report, words)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert charts.cjk_font()[1] == "Noto Sans CJK SC"
    # The same chart with a font that lacks the glyphs: matplotlib draws boxes and says so.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
            tofu = charts._categories(report, words)
    assert [w for w in caught if "missing from font" in str(w.message)]
    assert tofu != drawn["categories"]
    assert all(png.startswith(b"\x89PNG") for png in drawn.values())
