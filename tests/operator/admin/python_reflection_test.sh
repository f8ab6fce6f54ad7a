#!/usr/bin/env bash
# Debian's python3 has python3-grpcio and python3-protobuf; grpc-proto holds
# the reflection and health protos (tools/bootstrap installs all three).
exec /usr/bin/python3 tests/operator/admin/python_reflection_test.py tests/operator/admin/admin_server_main
