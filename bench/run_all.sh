#!/usr/bin/env bash
# Every benchmark of bench/README.md's sections 1, 2 and 5, in about six minutes:
#   bench/run_all.sh [LABEL]      results in bench/.data/*-LABEL.json, logs in bench/.data/*.log
set -euo pipefail
cd "$(dirname "$0")/.."
label="${1:-}"
py=.venv/bin/python
[ -f bench/.data/seed.json ] || "$py" bench/seed.py --profiles 1000
"$py" bench/http_read.py --label "$label" | tee "bench/.data/http_read${label:+-$label}.log"
"$py" bench/http_list.py --label "$label" | tee "bench/.data/http_list${label:+-$label}.log"
"$py" bench/memory.py --label "$label" | tee "bench/.data/memory${label:+-$label}.log"
