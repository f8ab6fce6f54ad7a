#!/usr/bin/env bash
# Debian's python3 has python3-kubernetes (tools/bootstrap installs it).
exec /usr/bin/python3 tests/kubesim/python_client_test.py
