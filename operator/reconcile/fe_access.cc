#include "operator/reconcile/fe_access.h"

#include "absl/strings/str_cat.h"
#include "operator/reconcile/doris_nodes.h"

namespace doris_operator::reconcile {

namespace {

// The refusal, said once per reconcile when the FE is needed.
void DorisRefused(Run& run) {
  if (run.doris_refused.empty() || run.doris_refusal_said) return;
  run.doris_refusal_said = true;
  run.Event("Warning", "DorisAccessRefused", run.doris_refused);
}

}  // namespace

void CheckDorisAccess(Run& run) {
  if (run.services.fe->access() != doris::Access::kApiServerProxy || run.fe.password.empty()) return;
  // kube-apiserver authenticates the request by its Authorization header and
  // removes it before proxying, so Basic credentials never reach the FE;
  // sending a Doris password to the API server is not done either.
  run.doris_refused = absl::StrCat(
      "--doris-access=apiserver-proxy cannot carry Doris credentials (the API server consumes the "
      "Authorization header); the FE of ", run.key.name,
      " needs a password (authSecret or adminUser): run the operator with --doris-access=direct");
}

const absl::StatusOr<std::vector<doris::NodeRow>>& Frontends(Run& run) {
  DorisRefused(run);
  if (!run.frontends) {
    run.frontends = run.doris_refused.empty()
                        ? run.services.fe->Frontends(run.fe)
                        : absl::StatusOr<std::vector<doris::NodeRow>>(
                              absl::FailedPreconditionError(run.doris_refused));
  }
  return *run.frontends;
}

const absl::StatusOr<std::vector<doris::NodeRow>>& Backends(Run& run) {
  DorisRefused(run);
  if (!run.backends) {
    run.backends = run.doris_refused.empty()
                       ? run.services.fe->Backends(run.fe)
                       : absl::StatusOr<std::vector<doris::NodeRow>>(
                             absl::FailedPreconditionError(run.doris_refused));
  }
  return *run.backends;
}

absl::StatusOr<doris::FeTarget> MasterTarget(Run& run) {
  const absl::StatusOr<std::vector<doris::NodeRow>>& rows = Frontends(run);
  if (!rows.ok()) return rows.status();
  absl::StatusOr<FrontendList> fes = FrontendsOf(*rows, run.node_map);
  if (!fes.ok()) return fes.status();
  if (fes->master_host.empty()) return absl::UnavailableError("the FE lists no master");
  if (fes->master_pod.empty()) {
    return absl::UnavailableError(
        absl::StrCat("the master FE ", fes->master_host, " is none of this cluster's running pods"));
  }
  // Writes reaching another FE are redirected (Doris 2.x) or forwarded;
  // address the master itself.
  doris::FeTarget t = run.fe;
  t.pod = fes->master_pod;
  t.host = fes->master_host;
  if (fes->master_http_port > 0) t.http_port = fes->master_http_port;
  return t;
}

}  // namespace doris_operator::reconcile
