#!/usr/bin/env bash
# Set up (or refresh) the project's virtual environment: .venv with the pinned dependencies,
# the package installed in editable mode, and the "python3" Jupyter kernel that papermill
# uses. Safe to run again: it reinstalls only when pyproject.toml has changed.
set -euo pipefail
cd "$(dirname "$0")/.."
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
