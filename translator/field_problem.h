#ifndef DORIS_OPERATOR_TRANSLATOR_FIELD_PROBLEM_H_
#define DORIS_OPERATOR_TRANSLATOR_FIELD_PROBLEM_H_

// A problem with one field of a user's resource, named by its JSON path
// (`spec.beSpec.replicas`), so every error can be fixed without guessing.

#include <string>
#include <vector>

namespace doris_operator::translator {

struct FieldProblem {
  std::string path;
  std::string message;

  std::string ToString() const { return path + ": " + message; }
  bool operator==(const FieldProblem&) const = default;
};

using FieldProblems = std::vector<FieldProblem>;

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_FIELD_PROBLEM_H_
