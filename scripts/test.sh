#!/usr/bin/env bash
# Quick-start command 2: set up, then run the whole test suite (unit, integration, back tests,
# doctests, the notebooks under nbval, the accessibility check in headless Chromium). Extra
# arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --browser
.venv/bin/python -m pytest "$@"
