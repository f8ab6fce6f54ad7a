#include "tools/kubesim/fake_doris.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
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
        c.membership_log.push_back({{"op", "DROP/be"},
                                    {"hostPorts", Json::array({it->first})},
                                    {"by", "fe"},
                                    {"resourceVersion", store_->CurrentRv()},
                                    {"code", 0}});
        c.dropped_pod_uids.insert(it->second.pod_uid);
        it = c.backends.erase(it);
      } else {
        ++it;
      }
    }
  }
}

// SHOW PROC '/cluster_health/tablet_health' (TabletHealthProcDir): one row
// per database and a Total row, every cell a string. kubesim's cluster has
// one database whose tablets are the backends' replicas divided by the
// replication number; a tablet with a replica on a backend that is not
// alive is ReplicaMissing, on an alive decommissioned backend
// ReplicaRelocating, and on a backend that came back (or was marked by the
// `unhealthy` knob) VersionIncomplete until its repair time has passed
// (Tablet.getHealthStatusWithPriority); the `replicaMissingTablets` knob
// adds tablets whose replica is lost for a reason the backends do not show.
// 2.x dropped the ReplicaMissingInClusterNum column that 1.2 has.
Json FakeDoris::TabletHealthRows(const Cluster& c, const FeConfig& conf) const {
  int64_t replicas = 0, missing = 0, relocating = 0, incomplete = 0;
  for (const auto& [hp, be] : c.backends) {
    if (be.role != "BACKEND") continue;
    replicas += be.tablets;
    if (!be.alive) {
      missing += be.tablets;
    } else if (be.decommissioned) {
      relocating += be.tablets;
    } else if (c.last_tick_ms < be.repair_until_ms) {
      incomplete += be.tablets;
    }
  }
  const int64_t tablets = replicas / std::max(1, c.knobs.replication_num);
  // Each replica on such a backend is a distinct tablet; a tablet counts once.
  missing = std::min(missing + c.knobs.replica_missing_tablets, tablets);
  relocating = std::min(relocating, tablets - missing);
  incomplete = std::min(incomplete, tablets - missing - relocating);
  const int64_t healthy = tablets - missing - relocating - incomplete;
  const bool v12 = conf.major < 2;
  auto row = [&](const std::string& id, const std::string& name) {
    Json r = Json::array({id, name, std::to_string(tablets), std::to_string(healthy), std::to_string(missing),
                          std::to_string(incomplete), std::to_string(relocating), "0"});
    if (v12) r.push_back("0");  // ReplicaMissingInClusterNum
    // ReplicaMissingForTag, ForceRedundant, ColocateMismatch,
    // ColocateRedundant, NeedFurtherRepair, Unrecoverable,
    // ReplicaCompactionTooSlow, Inconsistent, Oversize, Cloning.
    for (int i = 0; i < 10; ++i) r.push_back("0");
    return r;
  };
  return Json::array({row(std::to_string(kDatabaseId), kDatabaseName), row("Total", "1")});
}

// TabletHealthProcDir.TITLE_NAMES, in the order of the cells above.
Json FakeDoris::TabletHealthTitles(const FeConfig& conf) const {
  Json t = Json::array({"DbId", "DbName", "TabletNum", "HealthyNum", "ReplicaMissingNum",
                        "VersionIncompleteNum", "ReplicaRelocatingNum", "RedundantNum"});
  if (conf.major < 2) t.push_back("ReplicaMissingInClusterNum");
  for (const char* name : {"ReplicaMissingForTagNum", "ForceRedundantNum", "ColocateMismatchNum",
                           "ColocateRedundantNum", "NeedFurtherRepairNum", "UnrecoverableNum",
                           "ReplicaCompactionTooSlowNum", "InconsistentNum", "OversizeNum", "CloningNum"}) {
    t.push_back(name);
  }
  return t;
}


}  // namespace doris_operator::kubesim
