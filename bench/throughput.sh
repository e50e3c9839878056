#!/usr/bin/env bash
# Episode POST throughput under wrk, the product path against a bare Django view doing the
# same INSERT, on one gunicorn (bench/throughput.py does the work and prints the figures).
# wrk comes from Debian's packages: installed here when missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is not installed: sudo apt-get install -y wrk" >&2
    exit 1
  fi
fi
exec .venv/bin/python bench/throughput.py "$@"
