#!/usr/bin/env bash
# Quick-start command 2: set up, then run the whole test suite (unit, integration, back tests,
# doctests and the notebooks under nbval). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/python -m pytest "$@"
