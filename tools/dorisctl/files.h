#ifndef DORIS_OPERATOR_TOOLS_DORISCTL_FILES_H_
#define DORIS_OPERATOR_TOOLS_DORISCTL_FILES_H_

// Reading the files dorisctl's commands are given (cluster YAML, config
// files, bundles, CA and token files), so each command only says what it
// could not read.

#include <string>

namespace doris_operator::dorisctl {

// The whole file at `path`, byte for byte, into `*out`; false when it
// cannot be opened.
bool ReadFile(const std::string& path, std::string* out);

}  // namespace doris_operator::dorisctl

#endif  // DORIS_OPERATOR_TOOLS_DORISCTL_FILES_H_
