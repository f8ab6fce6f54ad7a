"""doris_fuzz_test: one fuzz target, built two ways.

With --config=fuzz (clang) the binary links libFuzzer; otherwise (g++, the
normal build) it links replay_main.cc, which replays the seed corpus and a
fixed number of deterministic mutations of it. Either way the `<name>_test`
target runs it over `corpus/<name>` with `-runs=<runs>`, so `bazel test` and
tools/test carry a regression run of every fuzzer.
"""

def doris_fuzz_test(name, srcs, deps = [], runs = 500, size = "small", tags = []):
    native.cc_binary(
        name = name,
        testonly = True,
        srcs = srcs,
        deps = deps + [":fuzz_check"] + select({
            ":libfuzzer": [],
            "//conditions:default": [":replay_main"],
        }),
        linkopts = select({
            ":libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
    )
    corpus = native.glob(["corpus/%s/**" % name])
    if not corpus:
        fail("%s has no seed corpus in tests/fuzz/corpus/%s" % (name, name))
    native.sh_test(
        name = name + "_test",
        size = size,
        srcs = ["run_fuzzer.sh"],
        args = [
            "$(location :%s)" % name,
            "tests/fuzz/corpus/" + name,
            "-runs=%d" % runs,
        ],
        data = [":" + name] + corpus,
        tags = tags,
    )
