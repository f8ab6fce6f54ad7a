# Sourced by the shell tests: the check bookkeeping every one of them prints
# ("ok NAME" / "FAIL NAME: expected ..."), the children they start (killed on
# exit), and starting kubesim on a free port.

failures=0
checks=0
check() {  # check NAME EXPECTED-REGEX ACTUAL
  checks=$((checks + 1))
  if [[ "$3" =~ $2 ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1: expected /$2/, got:"; echo "$3" | sed 's/^/     /'
    failures=$((failures + 1))
  fi
}
check_equal() {  # check_equal NAME EXPECTED ACTUAL (literal comparison)
  checks=$((checks + 1))
  if [[ "$3" == "$2" ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1"; echo "     expected: $2"; echo "     got:      $3"
    failures=$((failures + 1))
  fi
}
# Prints the tally; its status is the test's verdict.
check_summary() {
  echo "$((checks - failures)) passed, $failures failed"
  [[ $failures == 0 ]]
}

pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; wait $p 2>/dev/null; done' EXIT

# Starts KUBESIM with ARGS (plus --port 0), its output in LOG, and waits until
# it serves: 30 s of wall time (a loaded machine starts it slowly) or until it
# exits, whichever comes first. Exits the test when it never serves.
start_kubesim() {  # start_kubesim KUBESIM LOG ARGS...
  local kubesim="$1" log="$2"
  shift 2
  "$kubesim" --port 0 "$@" >"$log" 2>&1 &
  pids+=($!)
  local pid=$! deadline=$((SECONDS + 30))
  until grep -qs "serving on" "$log" || ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); do
    sleep 0.05
  done
  grep -q "serving on" "$log" || { echo "kubesim did not start"; cat "$log"; exit 1; }
}
