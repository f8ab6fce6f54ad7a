"""Compiles .proto files with the system protoc (and grpc_cpp_plugin)."""

def cc_proto(name, srcs, deps = [], grpc = False, visibility = None):
    """C++ library for `srcs` (paths relative to this package).

    Imports are resolved from the workspace root, e.g. `import "proto/x.proto"`.
    """
    base = [s[:-len(".proto")] for s in srcs]
    outs = [b + ".pb.h" for b in base] + [b + ".pb.cc" for b in base]
    if grpc:
        outs += [b + ".grpc.pb.h" for b in base] + [b + ".grpc.pb.cc" for b in base]
    dep_srcs = [d + "_srcs" for d in deps]
    pkg = native.package_name()
    cmd = "protoc -I. -I/usr/include --cpp_out=$(GENDIR) "
    if grpc:
        cmd += "--grpc_out=$(GENDIR) --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin "
    cmd += " ".join([pkg + "/" + s for s in srcs])
    native.filegroup(name = name + "_srcs", srcs = srcs + dep_srcs, visibility = visibility)
    native.genrule(
        name = name + "_gen",
        srcs = srcs + dep_srcs,
        outs = outs,
        cmd = cmd,
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = deps + ["@system//:protobuf"] + (["@system//:grpc"] if grpc else []),
        visibility = visibility,
    )
