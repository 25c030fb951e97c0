"""The default pack in a real browser: axe-core's full rule set on the index and every report.

Every rule axe-core knows is enabled (WCAG 2.x A, AA and AAA, best practice and experimental;
see ``tests/browser.py``), and any violation of any impact fails, printed as rule, impact,
what it means and the first elements it was found on. The pages are opened from disk in
Debian's Chromium (``/usr/bin/chromium``, installed by ``scripts/bootstrap.sh``) with no
network; the test is skipped, saying why, only where that browser is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import (
    axe_violations,
    chromium_context,
    chromium_missing_reason,
    describe_violations,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        chromium_missing_reason() is not None, reason=str(chromium_missing_reason())
    ),
]

@pytest.fixture(scope="module")
def browser_page():
    with chromium_context() as context:
        yield context.new_page()


def violations_of(page, html: Path) -> list[dict]:
    page.goto(html.resolve().as_uri())
    return axe_violations(page)


@pytest.fixture(scope="module")
def report_violations(default_pack, browser_page) -> dict[str, list[dict]]:
    """axe-core's violations on every report of the default pack, by report path."""
    reports = sorted(default_pack.glob("*/*.html"))
    assert reports, f"no reports in {default_pack}"
    return {
        html.relative_to(default_pack).as_posix(): violations_of(browser_page, html)
        for html in reports
    }


def describe_all(by_page: dict[str, list[dict]]) -> str:
    return "\n" + "\n".join(describe_violations(v, page) for page, v in by_page.items() if v)


def test_the_index_has_no_accessibility_violations(default_pack, browser_page):
    found = violations_of(browser_page, default_pack / "index.html")
    assert not found, "\n" + describe_violations(found, "index.html")


def test_every_report_has_no_accessibility_violations(report_violations):
    assert not any(report_violations.values()), describe_all(report_violations)


def test_every_report_page_is_titled_and_linked_into_the_pack(default_pack):
    """What axe cannot judge: the title names analysis, division and period (not
    "Notebook"), the page is British English, and its navigation reaches the index and the
    division's other reports."""
    period = re.search(
        r"<title>Adult social care performance pack, (.+?)</title>",
        (default_pack / "index.html").read_text(encoding="utf-8"),
    )[1]
    for html in sorted(default_pack.glob("*/*.html")):
        text = html.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", text)[1]
        assert title.startswith(f"{html.stem.title()} report: ") and title.endswith(period)
        assert '<html lang="en-GB">' in text
        nav = re.search(r'<nav aria-label="Report pack">(.*?)</nav>', text, re.S)[1]
        assert f'href="../index.html#{html.parent.name}"' in nav
        for sibling in html.parent.glob("*.html"):
            assert f'href="{sibling.name}"' in nav
        assert "¶" not in text and 'tabindex="0"' not in text
