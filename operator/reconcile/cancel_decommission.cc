#include "operator/reconcile/cancel_decommission.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "operator/doris/statement.h"
#include "operator/reconcile/doris_failures.h"

namespace doris_operator::reconcile {

std::string CancelDecommissionStatement(const std::vector<std::string>& host_ports) {
  std::vector<std::string> quoted;
  for (const std::string& hp : host_ports) quoted.push_back(doris::SqlString(hp));
  return absl::StrCat("CANCEL DECOMMISSION BACKEND ", absl::StrJoin(quoted, ", "));
}

std::string CancelDecommissions(Run& run, Component c, const std::vector<std::string>& host_ports) {
  if (host_ports.empty()) return "";
  const char* name = translator::ComponentName(c);
  const std::string sts = translator::StatefulSetName(run.key.name, c);
  absl::Status s;
  if (!run.doris_refused.empty()) {
    s = absl::FailedPreconditionError(run.doris_refused);
  } else {
    // Any FE runs it: the statement goes over the FE's own MySQL connection,
    // which forwards a DDL to the master.
    ++run.writes;
    s = run.services.fe->ExecuteStatement(run.fe, CancelDecommissionStatement(host_ports), /*read_only=*/false)
            .status();
    run.backends.reset();
  }
  run.Action("doris:cancel_decommission", RefFor("apps/v1", "StatefulSet", run.key.ns, sts),
             absl::StrJoin(host_ports, ","), s);
  run.Event(s.ok() ? "Normal" : "Warning", s.ok() ? "DecommissionCancelled" : "CancelDecommissionFailed",
            absl::StrCat(name, " scaled back out during a scale-in: ",
                         s.ok() ? "cancelled the decommission of " : "could not cancel the decommission of ",
                         absl::StrJoin(host_ports, ", "),
                         s.ok() ? "; they keep their tablets and take queries and data again"
                                : absl::StrCat(" (", s.message(), "); tried again on the next reconcile")));
  return s.ok() ? "" : RefusedWait("", absl::StrCat(absl::StrJoin(host_ports, ", "), " to stop decommissioning"), s);
}

}  // namespace doris_operator::reconcile
