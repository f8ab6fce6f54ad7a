#include "operator/reconcile/status.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace doris_operator::reconcile {

namespace {

std::string ServiceFor(const ComponentStatusInput& in) {
  // Brokers have no access Service; name the internal one (contract §0).
  return in.component == "broker" ? absl::StrCat(in.cluster, "-broker-internal")
                                  : absl::StrCat(in.cluster, "-", in.component, "-service");
}

}  // namespace

model::v1::ComponentStatus ComputeComponentStatus(const ComponentStatusInput& in) {
  model::v1::ComponentStatus s;
  s.set_access_service(ServiceFor(in));
  s.set_core_config_map_hash_value(in.core_config_hash);
  const PodStatusView* first_failed = nullptr;
  const PodStatusView* first_creating = nullptr;
  std::vector<PodStatusView> pods = in.pods;
  std::sort(pods.begin(), pods.end(),
            [](const PodStatusView& a, const PodStatusView& b) { return a.name < b.name; });
  for (const PodStatusView& p : pods) {
    if (p.has_container_statuses && p.all_containers_ready) {
      s.add_running_instances(p.name);
    } else if (p.phase == "Running" || p.phase == "Pending") {
      s.add_creating_instances(p.name);
      if (first_creating == nullptr) first_creating = &p;
    } else {
      s.add_failed_instances(p.name);
      if (first_failed == nullptr) first_failed = &p;
    }
  }
  const std::string sts = absl::StrCat(in.cluster, "-", in.component);
  std::string phase, reason, message;
  if (in.hibernated && pods.empty()) {
    phase = "hibernated";
    reason = "Hibernated";
    message = "hibernated: no pods run; claims and Doris registrations are kept";
  } else if (in.scaling) {
    phase = "scaling";
    reason = "Scaling";
    message = in.waiting_on.empty() ? "scaling" : absl::StrCat("waiting for ", in.waiting_on);
  } else if (in.restarting) {
    phase = "restarting";
    reason = "Restarting";
    message = in.waiting_on.empty() ? "restarting" : absl::StrCat("waiting for ", in.waiting_on);
  } else if (in.upgrading) {
    phase = "upgrading";
    reason = "RollingUpdate";
    message = in.waiting_on.empty() ? "rolling update" : absl::StrCat("waiting for ", in.waiting_on);
  } else if (s.running_instances_size() == in.desired_replicas) {
    phase = "available";
    reason = "AllMembersReady";
    message = absl::StrCat(s.running_instances_size(), "/", in.desired_replicas, " ready");
  } else if (first_failed != nullptr) {
    phase = "haveMemberFailed";
    reason = first_failed->reason.empty() ? "MemberFailed" : first_failed->reason;
    message = absl::StrCat(first_failed->name, ": ",
                           first_failed->message.empty() ? first_failed->phase
                                                         : first_failed->message);
  } else if (pods.empty()) {
    phase = "waitScheduling";
    reason = "NoPods";
    message = absl::StrCat("no pods of ", sts, " yet");
  } else {
    phase = "initializing";
    reason = first_creating && !first_creating->reason.empty() ? first_creating->reason
                                                               : "MembersStarting";
    message = absl::StrCat(s.running_instances_size(), "/", in.desired_replicas, " ready");
  }
  model::v1::ComponentCondition* c = s.mutable_component_condition();
  c->set_sub_resource_name(sts);
  c->set_phase(phase);
  c->set_reason(reason);
  c->set_message(message);
  // The transition time moves only when the phase does.
  const bool same = in.previous != nullptr && in.previous->component_condition().phase() == phase;
  c->set_last_transition_time(same ? in.previous->component_condition().last_transition_time()
                                   : in.now);
  return s;
}

std::vector<model::v1::Condition> ComputeConditions(
    const std::vector<const model::v1::ComponentStatus*>& components, int64_t generation,
    const std::vector<model::v1::Condition>& previous, const std::string& now) {
  std::vector<std::string> not_ready, progressing, degraded;
  for (const model::v1::ComponentStatus* c : components) {
    const std::string& phase = c->component_condition().phase();
    const std::string& name = c->component_condition().sub_resource_name();
    if (phase != "available") not_ready.push_back(absl::StrCat(name, " is ", phase));
    if (phase == "scaling" || phase == "upgrading" || phase == "restarting" ||
        phase == "initializing" || phase == "reconciling" || phase == "waitScheduling") {
      progressing.push_back(absl::StrCat(name, ": ", c->component_condition().message()));
    }
    if (phase == "haveMemberFailed") {
      degraded.push_back(absl::StrCat(name, ": ", c->component_condition().message()));
    }
  }
  std::map<std::string, const model::v1::Condition*> prev;
  for (const auto& p : previous) prev[p.type()] = &p;
  auto make = [&](const std::string& type, bool status, const std::string& reason,
                  const std::vector<std::string>& details, const std::string& ok_message) {
    model::v1::Condition c;
    c.set_type(type);
    c.set_status(status ? "True" : "False");
    c.set_observed_generation(generation);
    c.set_reason(reason);
    c.set_message(details.empty() ? ok_message : absl::StrJoin(details, "; "));
    auto it = prev.find(type);
    c.set_last_transition_time(it != prev.end() && it->second->status() == c.status()
                                   ? it->second->last_transition_time()
                                   : now);
    return c;
  };
  bool hibernated = !components.empty();
  for (const model::v1::ComponentStatus* c : components) {
    hibernated &= c->component_condition().phase() == "hibernated";
  }
  return {make("Ready", not_ready.empty(),
               not_ready.empty() ? "AllComponentsAvailable" : hibernated ? "Hibernated" : "ComponentsNotAvailable",
               not_ready, "all components available"),
          make("Progressing", !progressing.empty(), progressing.empty() ? "Stable" : "Changing",
               progressing, "no change in progress"),
          make("Degraded", !degraded.empty(), degraded.empty() ? "Healthy" : "MemberFailed",
               degraded, "no member failed")};
}

model::v1::Condition ComputeSyncedCondition(const SyncInput& in,
                                            const std::vector<model::v1::Condition>& previous,
                                            const std::string& now) {
  model::v1::Condition c;
  c.set_type("Synced");
  c.set_observed_generation(in.generation);
  if (!in.failed_writes.empty()) {
    c.set_status("False");
    c.set_reason("WriteFailed");
    std::vector<std::string> all = in.failed_writes;
    all.insert(all.end(), in.not_applied.begin(), in.not_applied.end());
    c.set_message(absl::StrJoin(all, "; "));
  } else if (!in.doris_refused.empty()) {
    c.set_status("False");
    c.set_reason("DorisAccessRefused");
    std::vector<std::string> all = {in.doris_refused};
    all.insert(all.end(), in.not_applied.begin(), in.not_applied.end());
    c.set_message(absl::StrJoin(all, "; "));
  } else if (!in.not_applied.empty()) {
    c.set_status("False");
    c.set_reason("NotApplicable");
    c.set_message(absl::StrJoin(in.not_applied, "; "));
  } else {
    c.set_status("True");
    c.set_reason("Applied");
    c.set_message(absl::StrCat("every write of generation ", in.generation, " succeeded"));
  }
  c.set_last_transition_time(now);
  for (const model::v1::Condition& p : previous) {
    if (p.type() == "Synced" && p.status() == c.status()) c.set_last_transition_time(p.last_transition_time());
  }
  return c;
}

int64_t ObservedGeneration(const SyncInput& in, int64_t previous_observed) {
  return in.failed_writes.empty() && in.not_applied.empty() && in.doris_refused.empty()
             ? in.generation
             : previous_observed;
}

}  // namespace doris_operator::reconcile
