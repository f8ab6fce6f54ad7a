"""The admin API from an independent client: Debian's python3-grpcio, with
nothing generated from the project's protos. Services and message types come
from the server's reflection; only the reflection and health protos (from
Debian's grpc-proto) are compiled here, with the system protoc."""

import os
import subprocess
import sys
import tempfile

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

GRPC_PROTO = "/usr/share/grpc-proto"
failures = []
passes = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    (passes if cond else failures).append(what)


def compile_protos(out):
    # Compiled as top-level modules: a generated grpc/ package would be
    # shadowed by the installed grpc package.
    src = os.path.join(out, "src")
    os.makedirs(src)
    for rel in ("grpc/reflection/v1alpha/reflection.proto", "grpc/health/v1/health.proto"):
        with open(os.path.join(GRPC_PROTO, rel)) as f, \
                open(os.path.join(src, os.path.basename(rel)), "w") as g:
            g.write(f.read())
    subprocess.run(["protoc", "-I" + src, "--python_out=" + out, "reflection.proto", "health.proto"],
                   check=True)
    sys.path.insert(0, out)


def message_class(pool, name):
    desc = pool.FindMessageTypeByName(name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


def main():
    server_bin = sys.argv[1]
    server = subprocess.Popen([server_bin], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline().split()
        assert line and line[0] == "port", line
        port = int(line[1])
        with tempfile.TemporaryDirectory() as tmp:
            compile_protos(tmp)
            import reflection_pb2
            import health_pb2
            run(port, reflection_pb2, health_pb2)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    print("%d passed, %d failed" % (len(passes), len(failures)))
    return 1 if failures else 0


def run(port, reflection_pb2, health_pb2):
    channel = grpc.insecure_channel("127.0.0.1:%d" % port)
    reflect = channel.stream_stream(
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)

    def ask(**kw):
        return list(reflect(iter([reflection_pb2.ServerReflectionRequest(**kw)]), timeout=10))[0]

    services = [s.name for s in ask(list_services="").list_services_response.service]
    check("doris_operator.admin.v1.Admin" in services, "reflection lists the Admin service")
    check("grpc.health.v1.Health" in services, "reflection lists the health service")

    files = ask(file_containing_symbol="doris_operator.admin.v1.Admin")
    protos = [descriptor_pb2.FileDescriptorProto.FromString(b)
              for b in files.file_descriptor_response.file_descriptor_proto]
    pool = descriptor_pool.DescriptorPool()
    pending = {p.name: p for p in protos}
    while pending:  # dependencies first
        added = False
        for name, p in list(pending.items()):
            if all(d not in pending for d in p.dependency):
                pool.Add(p)
                del pending[name]
                added = True
        if not added:
            raise RuntimeError("reflection returned a file without its dependencies: %s" % list(pending))
    service = pool.FindServiceByName("doris_operator.admin.v1.Admin")
    methods = sorted(m.name for m in service.methods)
    check(methods == sorted(["History", "ListReconciles", "GetReconcile", "Replay", "Drift",
                             "Tail", "Export"]), "the Admin service has the documented methods: %s" % methods)

    def unary(method):
        m = service.methods_by_name[method]
        req, resp = message_class(pool, m.input_type.full_name), message_class(pool, m.output_type.full_name)
        call = channel.unary_unary("/doris_operator.admin.v1.Admin/" + method,
                                   request_serializer=lambda x: x.SerializeToString(),
                                   response_deserializer=resp.FromString)
        return req, call

    History, history = unary("History")
    req = History()
    req.cluster.namespace = "prod"
    req.cluster.name = "c1"
    req.page_size = 4
    resp = history(req, timeout=10)
    check(len(resp.records) == 4, "History returns a page of 4 records")
    check(resp.next_page_token != "", "History says there is a next page")
    check(resp.records[0].seq > resp.records[1].seq, "History is newest first by default")
    req.page_token = resp.next_page_token
    rest = history(req, timeout=10)
    check(len(rest.records) == 3 and rest.next_page_token == "", "the second page ends the history")

    req = History()
    req.cluster.namespace = "prod"
    req.cluster.name = "c1"
    req.page_size = 5000
    try:
        history(req, timeout=10)
        check(False, "page_size 5000 is refused")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.INVALID_ARGUMENT and "1000" in e.details(),
              "page_size 5000 is INVALID_ARGUMENT: %s" % e.details())

    req = History()
    req.cluster.namespace = "prod"
    req.cluster.name = "unknown"
    try:
        history(req, timeout=10)
        check(False, "an unknown cluster is refused")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.NOT_FOUND, "an unknown cluster is NOT_FOUND")

    List, list_reconciles = unary("ListReconciles")
    req = List()
    req.cluster.namespace = "prod"
    req.cluster.name = "c1"
    resp = list_reconciles(req, timeout=10)
    check(len(resp.reconciles) == 1 and resp.reconciles[0].trigger_seq_end == 6,
          "ListReconciles finds the reconcile and its trigger range")

    health = channel.unary_unary("/grpc.health.v1.Health/Check",
                                 request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                                 response_deserializer=health_pb2.HealthCheckResponse.FromString)
    status = health(health_pb2.HealthCheckRequest(service="doris_operator.admin.v1.Admin"), timeout=10)
    check(status.status == health_pb2.HealthCheckResponse.SERVING, "health says SERVING")


if __name__ == "__main__":
    sys.exit(main())
