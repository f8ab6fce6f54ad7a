#ifndef DORIS_OPERATOR_TESTS_FUZZ_FUZZ_CHECK_H_
#define DORIS_OPERATOR_TESTS_FUZZ_FUZZ_CHECK_H_

// The property checks of the fuzz targets: a violated property prints what
// was expected and aborts, which libFuzzer (and replay_main) report as a
// crash with the input that caused it.

#include <cstdio>
#include <cstdlib>
#include <string>

namespace doris_operator::fuzz {

[[noreturn]] inline void PropertyFailed(const char* file, int line, const char* cond,
                                        const std::string& detail) {
  std::fprintf(stderr, "%s:%d: property violated: %s\n  %s\n", file, line, cond,
               detail.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace doris_operator::fuzz

// FUZZ_CHECK(cond, detail): `detail` is any expression convertible to
// std::string, evaluated only on failure.
#define FUZZ_CHECK(cond, detail)                                                   \
  do {                                                                             \
    if (!(cond)) ::doris_operator::fuzz::PropertyFailed(__FILE__, __LINE__, #cond, \
                                                        std::string(detail));     \
  } while (0)

#endif  // DORIS_OPERATOR_TESTS_FUZZ_FUZZ_CHECK_H_
