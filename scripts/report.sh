#!/usr/bin/env bash
# Quick-start command 1: set up, build data/processed from data/raw, produce the report pack.
# Extra arguments go to `kass report` (e.g. --period "2013-14 Q1" --jobs 2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/kass build
.venv/bin/kass report "$@"
