#!/usr/bin/env bash
# The dashboard, the rules and docs/metrics.md agree (monitoring_test.py).
# Debian's python3 has python3-yaml (tools/bootstrap installs it).
set -euo pipefail
exec /usr/bin/python3 -B tests/monitoring/monitoring_test.py "$PWD"
