"""Screenshots of a report pack as a reader sees it, for docs/screenshots/.

Opens the pack's ``index.html`` and one report per analysis (of one division) in headless
Chromium (Debian's ``/usr/bin/chromium``; ``scripts/bootstrap.sh`` installs it) and writes
full-page PNGs::

    .venv/bin/kass report                        # the pack set in pack.yml
    .venv/bin/python scripts/screenshots.py      # -> docs/screenshots/*.png

Options: ``--pack reports/2024-25-Q3`` (default: the period in ``pack.yml``), ``--division``
(default: the first division in the pack's index), ``--out`` and ``--width``. Exits 2 with
one line saying why when the pack or the browser is missing.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project's own tests/browser.py and kassanalysis

from kassanalysis.periods import parse_period  # noqa: E402
from kassanalysis.report.context import slug_for_period  # noqa: E402
from tests.browser import chromium_context, chromium_missing_reason  # noqa: E402

MAX_HEIGHT = 12_000
"""Tallest screenshot, in CSS pixels: a longer page is cut there (and the run says so)."""


def default_pack() -> Path:
    """``reports/<period>`` for the period in ``pack.yml``."""
    import yaml

    config = yaml.safe_load((ROOT / "pack.yml").read_text(encoding="utf-8"))
    folder = config.get("reports", "reports")
    return ROOT / folder / slug_for_period(parse_period(str(config["period"])))


def pages_to_shoot(pack: Path, division: str | None) -> list[tuple[str, Path]]:
    """(PNG name, HTML file) for the index and each report of one division."""
    index = pack / "index.html"
    if division is None:
        found = re.search(r'<section id="([^"]+)"', index.read_text(encoding="utf-8"))
        if not found:
            raise SystemExit(f"screenshots: {index} lists no division")
        division = found[1]
    reports = sorted((pack / division).glob("*.html"))
    if not reports:
        raise SystemExit(f"screenshots: no reports in {pack / division}")
    return [("index.png", index)] + [(f"{division}-{r.stem}.png", r) for r in reports]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, help="pack folder (default: from pack.yml)")
    parser.add_argument("--division", help="division id (default: the first in the index)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args(argv)
    reason = chromium_missing_reason()
    if reason:
        print(f"screenshots: {reason}", file=sys.stderr)
        return 2
    pack = args.pack or default_pack()
    if not (pack / "index.html").is_file():
        print(f"screenshots: no pack at {pack} (run `kass report` first)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with chromium_context(width=args.width) as context:
        page = context.new_page()
        for name, html in pages_to_shoot(pack, args.division):
            page.goto(html.resolve().as_uri())
            height = page.evaluate("document.documentElement.scrollHeight")
            clip = {"x": 0, "y": 0, "width": args.width, "height": min(height, MAX_HEIGHT)}
            page.screenshot(path=str(args.out / name), full_page=True, clip=clip)
            cut = f" (cut at {MAX_HEIGHT} of {height} px)" if height > MAX_HEIGHT else ""
            print(f"{args.out / name}: {html.relative_to(pack)}{cut}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
