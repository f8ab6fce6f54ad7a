#!/usr/bin/env bash
# history_bench at a tiny size (3 clusters, 2 simulated days): both logs keep
# every reconcile (the counts add up to the same total), and the coalesced
# one does it in fewer records.
set -euo pipefail
bench="$1"
dir="${TEST_TMPDIR:-$(mktemp -d)}/history"
out=$("$bench" --clusters=3 --days=2 --dir="$dir")
echo "$out"
field() { grep "^RESULT $1 " <<<"$out" | sed -E "s/.* $2=([0-9]+).*/\1/"; }
plain_records=$(field plain records); coalesced_records=$(field coalesced records)
plain_reconciles=$(field plain reconciles); coalesced_reconciles=$(field coalesced reconciles)
[[ -n "$plain_records" && -n "$coalesced_records" ]] || { echo "no RESULT lines"; exit 1; }
if [[ "$plain_reconciles" != "$coalesced_reconciles" ]]; then
  echo "reconciles differ: plain $plain_reconciles, coalesced $coalesced_reconciles"; exit 1
fi
if (( coalesced_records >= plain_records )); then
  echo "coalescing kept $coalesced_records records, not fewer than $plain_records"; exit 1
fi
echo "ok: $plain_reconciles reconciles in $plain_records records plain, $coalesced_records coalesced"
