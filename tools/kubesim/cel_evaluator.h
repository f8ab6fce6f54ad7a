#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_CEL_EVALUATOR_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_CEL_EVALUATOR_H_

// Evaluates CRDs' x-kubernetes-validations (CEL) rules by talking to one
// long-lived `node cel/cel_server.mjs` child (a real CEL implementation,
// npm's @bufbuild/cel), started on first use and restarted if it dies.

#include <sys/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "tools/kubesim/structural_schema.h"

namespace doris_operator::kubesim {

struct CelEvaluatorOptions {
  std::string node = "node";
  std::string script;  // path of cel_server.mjs, with node_modules beside it
};

class CelEvaluator {
 public:
  explicit CelEvaluator(CelEvaluatorOptions options) : options_(std::move(options)) {}
  ~CelEvaluator();
  CelEvaluator(const CelEvaluator&) = delete;
  CelEvaluator& operator=(const CelEvaluator&) = delete;

  // Whether `schema` (a CRD version's openAPIV3Schema) declares any rule.
  bool HasRules(const std::shared_ptr<const nlohmann::json>& schema);

  // The rule failures for `object` under `schema`, as field errors with the
  // API server's paths and wording, or why the evaluator could not answer.
  // Transition rules (oldSelf) are not evaluated: no old object is passed.
  std::variant<std::vector<FieldError>, std::string> Validate(
      const std::shared_ptr<const nlohmann::json>& schema, const nlohmann::json& object);

 private:
  bool Start(std::string& error);
  std::string Stop();  // how the child ended ("" when unknown)
  const std::pair<std::string, bool>& Entry(const std::shared_ptr<const nlohmann::json>& schema);
  bool Roundtrip(const std::string& request, std::string& answer, std::string& error);

  const CelEvaluatorOptions options_;
  std::mutex mu_;
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffered_;           // read past the last answer's newline
  std::set<std::string> sent_;     // schema keys the running child holds
  // Each schema seen, held so its address is never reused for another:
  // its key for the child and whether it has rules.
  std::map<const nlohmann::json*, std::pair<std::shared_ptr<const nlohmann::json>, std::pair<std::string, bool>>>
      schemas_;
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_CEL_EVALUATOR_H_
