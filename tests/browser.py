"""The system Chromium, driven by Playwright, for checks of the pack as readers see it.

Used by the accessibility test (``tests/integration/test_accessibility.py``) and by
``scripts/screenshots.py``. Playwright's own browser download is never used (downloads are
blocked where the pack runs and a second browser is not needed): Debian's ``chromium``
package, installed by ``scripts/bootstrap.sh``, is launched headless with a fresh profile
and everything that would talk to the network at start-up turned off.

The accessibility check is axe-core (the copy bundled with ``axe-playwright-python``) with
*every* rule it knows enabled, including the best-practice, AAA and experimental ones that
its default run leaves out.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_missing_reason() -> str | None:
    """Why the browser checks cannot run here, or ``None`` when they can."""
    if not CHROMIUM.is_file():
        return (
            f"{CHROMIUM} is not installed (scripts/bootstrap.sh installs Debian's chromium "
            "when run as root; otherwise `sudo apt-get install chromium`)"
        )
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install -e '.[test]')"
    return None


@contextlib.contextmanager
def chromium_context(width: int = 1280, height: int = 900) -> Iterator:
    """A Playwright browser context on the system Chromium with a throw-away profile.

    Yields
    ------
    playwright.sync_api.BrowserContext
        Pages opened from it load ``file://`` URLs; the profile folder is removed on exit.
    """
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="kass-chromium-"))
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(profile),
                executable_path=str(CHROMIUM),
                headless=True,
                args=list(CHROMIUM_ARGS),
                viewport={"width": width, "height": height},
                locale="en-GB",
                offline=True,
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def axe_violations(page) -> list[dict]:
    """Run axe-core with every rule enabled on an open page; its violations.

    Returns
    -------
    list of dict
        axe-core's violation objects (``id``, ``impact``, ``help``, ``helpUrl``, ``nodes``).
    """
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page.evaluate(axe.axe_script)
    rules = page.evaluate("axe.getRules().map(r => r.ruleId)")
    options = {
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": True} for rule in rules},
    }
    return axe.run(page, options=options).response["violations"]


def describe_violations(violations: list[dict], page_name: str, limit: int = 5) -> str:
    """Violations as readable lines: rule, impact, what it means, and where (first few).

    Examples
    --------
    >>> v = [{"id": "region", "impact": "moderate", "help": "All content in landmarks",
    ...       "nodes": [{"target": ["p"], "html": "<p>Hi</p>"}]}]
    >>> print(describe_violations(v, "index.html"))
    index.html: region (moderate): All content in landmarks [1 element]
        p: <p>Hi</p>
    """
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"{page_name}: {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(nodes)} element{'s' if len(nodes) != 1 else ''}]"
        )
        for node in nodes[:limit]:
            target = " ".join(str(t) for t in node["target"])
            snippet = " ".join(node.get("html", "").split())
            if len(snippet) > 160:
                snippet = snippet[:157] + "..."
            lines.append(f"    {target}: {snippet}")
        if len(nodes) > limit:
            lines.append(f"    ... and {len(nodes) - limit} more")
    return "\n".join(lines)
