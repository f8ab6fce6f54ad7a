# Sourced by the bad-sample tests of tests/crds: reading a sample's header
# lines (`# apiserver: ...`, `# fix: ...`) and what kubectl prints when the
# API server refuses it.

header() { sed -n "s/^# $2: //p" "$1"; }  # header FILE KEY
name_of() { sed -n 's/^  name: //p' "$1" | head -1; }

# What the API server says of FILE: its apiserver-cel header, else its
# apiserver one (one line per error); empty when it has neither.
apiserver_expectation() {  # apiserver_expectation FILE
  local cel
  cel="$(header "$1" apiserver-cel)"
  if [[ -n "$cel" ]]; then echo "$cel"; else header "$1" apiserver; fi
}

# What `kubectl apply -f FILE` prints when the API server refuses the KIND
# named NAME for API (an expectation as above).
kubectl_refusal() {  # kubectl_refusal KIND FILE NAME API
  local kind="$1" f="$2" name="$3" api="$4"
  if [[ "$api" == unknown\ field* ]]; then
    # Strict field validation (kubectl's default) refuses undeclared fields.
    echo "Error from server (BadRequest): error when creating \"$f\": $kind in version \"v1\" cannot be handled as a $kind: strict decoding error: $api"
  elif [[ "$api" == *$'\n'* ]]; then
    # Several errors: kubectl lists them one per line.
    echo "The $kind \"$name\" is invalid: $(while IFS= read -r line; do printf '\n* %s' "$line"; done <<<"$api")"
  else
    echo "The $kind \"$name\" is invalid: $api"
  fi
}
