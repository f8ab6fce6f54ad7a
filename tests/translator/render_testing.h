#ifndef DORIS_OPERATOR_TESTS_TRANSLATOR_RENDER_TESTING_H_
#define DORIS_OPERATOR_TESTS_TRANSLATOR_RENDER_TESTING_H_

// What the translator tests of both resources (DorisCluster and the
// disaggregated cluster) share: rendering a file as `dorisctl render` does,
// in-process or as a second process, reading desired sets by object, and the
// inputs of the determinism properties (the same document, keys reversed).

#include <filesystem>
#include <map>
#include <string>

#include "nlohmann/json.hpp"
#include "translator/desired_object.h"

namespace doris_operator::translator::testing {

// The file's bytes ("" when it cannot be read).
std::string ReadFile(const std::filesystem::path& path);

// `dorisctl render -f path`'s standard output, run in this process; a
// failing render fails the calling test.
std::string RenderFile(const std::string& path);

// A shell command's standard output ("" when it cannot be started).
std::string RunProcess(const std::string& cmd);

// `v` as indented JSON with every object's keys in reverse order: the same
// document, text that differs wherever order could leak into the output.
std::string ReversedKeysText(const nlohmann::json& v);

// The set's objects by "Kind/name".
std::map<std::string, DesiredObject> ByName(const DesiredSet& s);

// A sample file's name as a gtest parameter name (alphanumerics kept, every
// other character an underscore).
std::string SampleTestName(const std::string& file);

}  // namespace doris_operator::translator::testing

#endif  // DORIS_OPERATOR_TESTS_TRANSLATOR_RENDER_TESTING_H_
