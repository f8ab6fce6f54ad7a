#include "tools/kubesim/fake_doris.h"

#include <algorithm>
#include <vector>

#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers

void FakeDoris::MoveTablets(Cluster& c, const FeConfig& conf, int64_t dt) {
  // Decommissioning backends hand their tablets to the others: each
  // tablet needs a backend that holds no replica of it yet, so at least
  // replication_num others must take data.
  const int64_t rate = c.knobs.tablets_moved_per_second >= 0 ? c.knobs.tablets_moved_per_second
                                                             : options_.tablets_moved_per_second;
  const int64_t budget = rate * dt / 1000;
  for (auto& [host, be] : c.backends) {
    if (!be.decommissioned || be.tablets == 0) continue;
    std::vector<Node*> targets;
    for (auto& [h2, other] : c.backends) {
      if (&other != &be && other.alive && !other.decommissioned && other.role == "BACKEND") {
        targets.push_back(&other);
      }
    }
    if (targets.empty() || static_cast<int>(targets.size()) < c.knobs.replication_num) continue;
    int64_t move = std::min(be.tablets, std::max<int64_t>(budget, dt > 0 && rate > 0 ? 1 : 0));
    be.tablets -= move;
    for (size_t i = 0; move > 0; i = (i + 1) % targets.size(), --move) targets[i]->tablets++;
  }
  // SystemHandler: a decommissioned backend with no tablets left is
  // dropped by the master itself unless drop_backend_after_decommission
  // is false.
  if (conf.drop_backend_after_decommission) {
    for (auto it = c.backends.begin(); it != c.backends.end();) {
      if (it->second.decommissioned && it->second.tablets == 0) {
        c.dropped_pod_uids.insert(it->second.pod_uid);
        it = c.backends.erase(it);
      } else {
        ++it;
      }
    }
  }
}

}  // namespace doris_operator::kubesim
