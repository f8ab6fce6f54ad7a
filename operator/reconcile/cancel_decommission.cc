#include "operator/reconcile/cancel_decommission.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "operator/doris/statement.h"

namespace doris_operator::reconcile {

std::string CancelDecommissionStatement(const std::vector<std::string>& host_ports) {
  std::vector<std::string> quoted;
  for (const std::string& hp : host_ports) quoted.push_back(doris::SqlString(hp));
  return absl::StrCat("CANCEL DECOMMISSION BACKEND ", absl::StrJoin(quoted, ", "));
}

}  // namespace doris_operator::reconcile
