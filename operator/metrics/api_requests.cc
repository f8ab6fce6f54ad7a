#include "operator/metrics/api_requests.h"

namespace doris_operator::metrics {

ApiRequests::ApiRequests(Registry* registry)
    : family_(prometheus::BuildCounter()
                  .Name("doris_operator_api_requests_total")
                  .Help("Kubernetes API requests by verb and code.")
                  .Register(registry->families())) {}

void ApiRequests::Count(const std::string& verb, int code) {
  prometheus::Counter* c = nullptr;
  {
    absl::MutexLock lock(&mu_);
    prometheus::Counter*& slot = counters_[{verb, code}];
    if (slot == nullptr) slot = &family_.Add({{"verb", verb}, {"code", std::to_string(code)}});
    c = slot;
  }
  c->Increment();
}

}  // namespace doris_operator::metrics
