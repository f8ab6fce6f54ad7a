#!/usr/bin/env bash
# Regression run of one fuzz target: the seed corpus, then -runs=N inputs
# derived from it. New inputs libFuzzer finds go to a scratch directory,
# never into the checked-in corpus.
set -euo pipefail
fuzzer=$1 corpus=$2
shift 2
scratch="${TEST_TMPDIR:-$(mktemp -d)}/corpus"
mkdir -p "$scratch"
artifacts="${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}/"
exec "$fuzzer" "$scratch" "$corpus" -seed=1 -artifact_prefix="$artifacts" "$@"
