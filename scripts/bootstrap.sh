#!/usr/bin/env bash
# Set up (or refresh) the project's virtual environment: .venv with the pinned dependencies,
# the package installed in editable mode, and the "python3" Jupyter kernel that papermill
# uses. Safe to run again: it reinstalls only when pyproject.toml has changed.
# With --browser (scripts/test.sh passes it) it also makes sure Debian's chromium is at
# /usr/bin/chromium for the accessibility and screenshot checks (tests/browser.py): installed
# with apt-get when missing and running as root (as on a fresh CI machine); otherwise it says
# how to install it and those tests are skipped, saying why. Playwright's own browser
# download is never used.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "bootstrap: installing Debian's chromium for the accessibility checks"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null; }; then
      echo "bootstrap: installing chromium failed; the accessibility and screenshot tests" \
        "will be skipped" >&2
    fi
  else
    echo "bootstrap: /usr/bin/chromium is missing and cannot be installed here (not root" \
      "with apt-get); the accessibility and screenshot tests will be skipped. Install it" \
      "with: sudo apt-get install chromium" >&2
  fi
fi
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.kass-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: installing dependencies (pinned in pyproject.toml)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
  echo "$want" > "$stamp"
fi
# The kernel papermill and nbval run: this environment's python, registered inside .venv.
.venv/bin/python -m ipykernel install --sys-prefix --name python3 \
  --display-name "Python 3 (kassanalysis)" > /dev/null
