#include "tools/kubesim/service_allocation.h"

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/kubesim/invalid_error.h"

namespace doris_operator::kubesim {

namespace {

constexpr uint32_t kRangeBase = 0x0A600000;  // 10.96.0.0
constexpr uint32_t kRangeSize = 1u << 20;    // /12
// The bitmap allocator hands out dynamic IPs and ports from the upper part
// of the range first, leaving the lower part for static choices (KEP-3070,
// KEP-3668): offset min(max(16, size/16), 256) addresses and
// min(max(16, size/32), 128) ports.
constexpr uint32_t kIpOffset = 256;
constexpr int kPortOffset = 86;  // 2768 / 32

std::optional<uint32_t> ParseIpv4(const std::string& s) {
  std::vector<std::string> parts = absl::StrSplit(s, '.');
  if (parts.size() != 4) return std::nullopt;
  uint32_t ip = 0;
  for (const std::string& p : parts) {
    int v;
    if (p.empty() || p.size() > 3 || !absl::SimpleAtoi(p, &v) || v < 0 || v > 255) return std::nullopt;
    ip = ip << 8 | static_cast<uint32_t>(v);
  }
  return ip;
}

std::string Ipv4String(uint32_t ip) {
  return absl::StrCat(ip >> 24, ".", (ip >> 16) & 255, ".", (ip >> 8) & 255, ".", ip & 255);
}

// Go's %#v of a []string, as field errors print clusterIPs.
std::string GoStrings(const Json& list) {
  std::vector<std::string> quoted;
  if (list.is_array()) {
    for (const Json& s : list) quoted.push_back(s.is_string() ? Json(s).dump() : s.dump());
  }
  return list.is_array() && !list.empty() ? absl::StrCat("[]string{", absl::StrJoin(quoted, ", "), "}")
                                          : "[]string(nil)";
}

std::string Str(const Json& obj, const char* key) {
  return obj.is_object() && obj.contains(key) && obj[key].is_string() ? obj[key].get<std::string>() : "";
}

bool NeedsClusterIp(const Json& spec) { return Str(spec, "type") != "ExternalName"; }
bool NeedsNodePort(const Json& spec) {
  const std::string type = Str(spec, "type");
  return type == "NodePort" || type == "LoadBalancer";
}
bool ExternallyAccessible(const Json& spec) {
  const std::string type = Str(spec, "type");
  return type == "NodePort" || type == "LoadBalancer" ||
         (type == "ClusterIP" && spec.contains("externalIPs") && !spec["externalIPs"].empty());
}
bool HasSelector(const Json& spec) {
  return spec.contains("selector") && spec["selector"].is_object() && !spec["selector"].empty();
}

int NodePortOf(const Json& port) { return port.is_object() ? port.value("nodePort", 0) : 0; }

std::set<int> NodePorts(const Json& spec) {
  std::set<int> out;
  if (spec.contains("ports") && spec["ports"].is_array()) {
    for (const Json& p : spec["ports"]) {
      if (NodePortOf(p) != 0) out.insert(NodePortOf(p));
    }
  }
  return out;
}

Json Get(const Json& spec, const char* key) { return spec.contains(key) ? spec[key] : Json(); }

// What other Services hold.
struct Taken {
  std::set<uint32_t> ips;
  std::set<int> ports;
};

Taken TakenByOthers(const ObjectStore& store, const ResourceType& t, const std::string& ns,
                    const std::string& name) {
  Taken taken;
  for (const Json& s : store.List(t, "", "", "", 0, "").items) {
    if (s["metadata"].value("namespace", "") == ns && s["metadata"].value("name", "") == name) continue;
    if (!s.contains("spec")) continue;
    const Json& spec = s["spec"];
    if (spec.contains("clusterIPs") && spec["clusterIPs"].is_array()) {
      for (const Json& ip : spec["clusterIPs"]) {
        if (auto v = ip.is_string() ? ParseIpv4(ip) : std::nullopt) taken.ips.insert(*v);
      }
    }
    for (int p : NodePorts(spec)) taken.ports.insert(p);
    if (spec.value("healthCheckNodePort", 0) != 0) taken.ports.insert(spec.value("healthCheckNodePort", 0));
  }
  return taken;
}

std::optional<uint32_t> NextIp(const Taken& taken) {
  const uint32_t max = kRangeSize - 2;  // no network or broadcast address
  for (uint32_t i = 0; i < max; ++i) {
    const uint32_t index = (kIpOffset + i) % max;
    const uint32_t ip = kRangeBase + 1 + index;
    if (!taken.ips.count(ip)) return ip;
  }
  return std::nullopt;
}

std::optional<int> NextPort(const std::set<int>& used) {
  const int size = kNodePortMax - kNodePortMin + 1;
  for (int i = 0; i < size; ++i) {
    const int port = kNodePortMin + (kPortOffset + i) % size;
    if (!used.count(port)) return port;
  }
  return std::nullopt;
}

ApiError Internal(const std::string& message) {
  ApiError e{500, "InternalError", absl::StrCat("Internal error occurred: ", message)};
  e.details = {{"causes", Json::array({{{"message", message}}})}};
  return e;
}

// initIPFamilyFields on a single-stack IPv4 cluster.
void InitIpFamilies(const Json* old_spec, Json& spec, std::vector<FieldError>& errors) {
  if (!NeedsClusterIp(spec)) return;
  const bool headless_selectorless = Str(spec, "clusterIP") == "None" && !HasSelector(spec);
  if (!spec.contains("ipFamilyPolicy") || spec["ipFamilyPolicy"].is_null()) {
    if (old_spec != nullptr && old_spec->contains("ipFamilyPolicy") && !(*old_spec)["ipFamilyPolicy"].is_null()) {
      spec["ipFamilyPolicy"] = (*old_spec)["ipFamilyPolicy"];
    } else {
      spec["ipFamilyPolicy"] = headless_selectorless ? "RequireDualStack" : "SingleStack";
    }
  }
  const std::string policy = Str(spec, "ipFamilyPolicy");
  Json families = spec.contains("ipFamilies") && spec["ipFamilies"].is_array() ? spec["ipFamilies"] : Json::array();
  const Json ips = spec.contains("clusterIPs") && spec["clusterIPs"].is_array() ? spec["clusterIPs"] : Json::array();
  for (size_t i = 0; i < ips.size(); ++i) {
    if (ips[i] == "None") break;
    const bool v6 = ips[i].is_string() && ips[i].get<std::string>().find(':') != std::string::npos;
    if (i >= families.size()) {
      if (v6) {
        errors.push_back({"FieldValueInvalid", absl::StrCat("spec.clusterIPs[", i, "]"),
                          absl::StrCat("Invalid value: ", GoStrings(ips), ": IPv6 is not configured on this cluster")});
      } else {
        families.push_back("IPv4");
      }
    }
  }
  if (headless_selectorless) {
    if (families.empty()) families.push_back("IPv4");
    if (families.size() < 2 && policy != "SingleStack") families.push_back(families[0] == "IPv4" ? "IPv6" : "IPv4");
    spec["ipFamilies"] = families;
    return;
  }
  if (policy == "RequireDualStack") {
    errors.push_back({"FieldValueInvalid", "spec.ipFamilyPolicy",
                      "Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"});
  }
  for (size_t i = 0; i < families.size(); ++i) {
    if (families[i] != "IPv4") {
      errors.push_back({"FieldValueInvalid", absl::StrCat("spec.ipFamilies[", i, "]"),
                        absl::StrCat("Invalid value: ", families[i].dump(), ": not configured on this cluster")});
    }
  }
  if (families.empty()) families.push_back("IPv4");
  spec["ipFamilies"] = families;
}

// allocClusterIPs: the primary IP, given or the next free one.
std::optional<ApiError> AllocateClusterIp(const Taken& taken, bool dry_run, Json& spec,
                                          std::vector<FieldError>& errors) {
  if (!spec.contains("clusterIPs") || !spec["clusterIPs"].is_array() || spec["clusterIPs"].empty()) {
    spec["clusterIPs"] = Json::array({""});
  }
  Json& ips = spec["clusterIPs"];
  if (ips[0] == "None") return std::nullopt;
  const std::string want = ips[0].is_string() ? ips[0].get<std::string>() : "";
  if (want.empty() && dry_run) {
    // ipallocator's dryRunRange: no free address is looked for, the
    // answer is the range's network address (bitmap.go allocateNext).
    ips[0] = Ipv4String(kRangeBase);
  } else if (want.empty()) {
    std::optional<uint32_t> ip = NextIp(taken);
    if (!ip) return Internal("failed to allocate a serviceIP: range is full");
    ips[0] = Ipv4String(*ip);
  } else {
    std::optional<uint32_t> ip = ParseIpv4(want);
    if (!ip) {
      errors.push_back({"FieldValueInvalid", "spec.clusterIPs[0]",
                        absl::StrCat("Invalid value: ", Json(want).dump(),
                                     ": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")});
      return std::nullopt;
    }
    std::string problem;
    if (*ip <= kRangeBase || *ip >= kRangeBase + kRangeSize - 1) {
      problem = absl::StrCat("the provided IP (", want, ") is not in the valid range. The range of valid IPs is ",
                             kServiceClusterIpRange);
    } else if (taken.ips.count(*ip) && !dry_run) {  // a dry run checks the range only
      problem = "provided IP is already allocated";
    }
    if (!problem.empty()) {
      errors.push_back({"FieldValueInvalid", "spec.clusterIPs",
                        absl::StrCat("Invalid value: ", GoStrings(ips), ": failed to allocate IP ", want, ": ",
                                     problem)});
      return std::nullopt;
    }
  }
  spec["clusterIP"] = ips[0];
  return std::nullopt;
}

// One write's node ports, as a portallocator.PortAllocationOperation hands
// them out. A dry run reserves nothing (operation.go): a requested port is
// refused only when some Service holds it or this write took it already
// (the range is not checked), and a missing one gets a dummy number, one
// past the highest this write has, or 32769 for the first.
class PortOperation {
 public:
  PortOperation(std::set<int> used, bool dry_run) : used_(std::move(used)), dry_run_(dry_run) {}

  // Why `port` cannot be had, or "" when it is reserved.
  std::string Allocate(int port) {
    if (dry_run_) {
      if (used_.count(port) || mine_.count(port)) return "provided port is already allocated";
      mine_.insert(port);
      return "";
    }
    if (port < kNodePortMin || port > kNodePortMax) {
      return absl::StrCat("provided port is not in the valid range. The range of valid ports is ", kNodePortMin,
                          "-", kNodePortMax);
    }
    if (used_.count(port)) return "provided port is already allocated";
    used_.insert(port);
    return "";
  }

  // The next free port, not one of `also_avoid`; nullopt when the range is full.
  std::optional<int> AllocateNext(const std::set<int>& also_avoid = {}) {
    if (dry_run_) {
      const int port = mine_.empty() ? 32769 : *mine_.rbegin() + 1;
      mine_.insert(port);
      return port;
    }
    std::set<int> all = used_;
    all.insert(also_avoid.begin(), also_avoid.end());
    std::optional<int> port = NextPort(all);
    if (port) used_.insert(*port);
    return port;
  }

 private:
  std::set<int> used_;  // by other Services, and by this write unless a dry run
  std::set<int> mine_;  // a dry run's picks
  const bool dry_run_;
};

// initNodePorts / updateNodePorts: requested ports reserved, missing ones
// allocated (one per distinct service port number on create).
std::optional<ApiError> AllocateNodePorts(const Taken& taken, bool dry_run, const Json* old_spec, Json& spec,
                                          std::vector<FieldError>& errors) {
  if (!spec.contains("ports") || !spec["ports"].is_array()) return std::nullopt;
  const bool allocate_new = !(Str(spec, "type") == "LoadBalancer" && spec.contains("allocateLoadBalancerNodePorts") &&
                              spec["allocateLoadBalancerNodePorts"] == false);
  const std::set<int> old_ports = old_spec != nullptr ? NodePorts(*old_spec) : std::set<int>();
  PortOperation op(taken.ports, dry_run);
  std::map<int, int> by_service_port;  // create: a port number's node port
  std::set<std::pair<std::string, int>> seen;  // update: (protocol, nodePort)
  std::set<int> allocated;                      // update: reserved by this write
  Json& ports = spec["ports"];
  for (size_t i = 0; i < ports.size(); ++i) {
    Json& p = ports[i];
    if (!p.is_object()) continue;
    int node_port = NodePortOf(p);
    if (node_port == 0 && !allocate_new) continue;
    const std::string field = absl::StrCat("spec.ports[", i, "].nodePort");
    auto reserve = [&](int port) -> bool {
      const std::string problem = op.Allocate(port);
      if (!problem.empty()) {
        errors.push_back({"FieldValueInvalid", field, absl::StrCat("Invalid value: ", port, ": ", problem)});
        return false;
      }
      return true;
    };
    if (old_spec == nullptr) {
      const int service_port = p.value("port", 0);
      if (by_service_port.count(service_port) && (node_port == 0 || node_port == by_service_port[service_port])) {
        p["nodePort"] = by_service_port[service_port];
        continue;
      }
      if (node_port != 0) {
        if (!reserve(node_port)) return std::nullopt;
      } else {
        std::optional<int> next = op.AllocateNext();
        if (!next) return Internal("failed to allocate a nodePort: range is full");
        node_port = *next;
        p["nodePort"] = node_port;
      }
      by_service_port[service_port] = node_port;
      continue;
    }
    if (node_port != 0) {
      // The Service's own ports stay its own; others are reserved once.
      if (!old_ports.count(node_port) && !allocated.count(node_port)) {
        if (!reserve(node_port)) return std::nullopt;
        allocated.insert(node_port);
      }
    } else {
      std::optional<int> next = op.AllocateNext(old_ports);
      if (!next) return Internal("failed to allocate a nodePort: range is full");
      node_port = *next;
      allocated.insert(node_port);
      p["nodePort"] = node_port;
    }
    const std::pair<std::string, int> key{p.value("protocol", "TCP"), node_port};
    if (seen.count(key)) {
      return Internal(absl::StrCat("duplicate nodePort: {", key.first, " ", key.second, "}"));
    }
    seen.insert(key);
  }
  return std::nullopt;
}

// patchAllocatedValues: an update that leaves allocated values out keeps
// them (kube-apiserver >= 1.20).
void PatchAllocatedValues(const Json& old_spec, Json& spec) {
  if (NeedsClusterIp(old_spec) && NeedsClusterIp(spec)) {
    if (Str(spec, "clusterIP").empty() && old_spec.contains("clusterIP")) spec["clusterIP"] = old_spec["clusterIP"];
    const bool no_ips = !spec.contains("clusterIPs") || !spec["clusterIPs"].is_array() || spec["clusterIPs"].empty();
    if (no_ips && old_spec.contains("clusterIPs") && old_spec["clusterIPs"].is_array() &&
        !old_spec["clusterIPs"].empty()) {
      spec["clusterIPs"] = old_spec["clusterIPs"];
    }
  }
  if (NeedsNodePort(old_spec) && NeedsNodePort(spec) && spec.contains("ports") && spec["ports"].is_array()) {
    const std::set<int> new_ports = NodePorts(spec);
    std::map<std::string, int> by_name;
    for (const Json& p : old_spec.value("ports", Json::array())) by_name[p.value("name", "")] = NodePortOf(p);
    for (Json& p : spec["ports"]) {
      if (!p.is_object() || NodePortOf(p) != 0) continue;
      const int old_port = by_name.count(p.value("name", "")) ? by_name[p.value("name", "")] : 0;
      // A port the update already gives another entry is not reused.
      const bool used = NodePorts(old_spec).count(old_port) && new_ports.count(old_port);
      if (old_port != 0 && !used) p["nodePort"] = old_port;
    }
  }
  if (Str(old_spec, "type") == "LoadBalancer" && Str(spec, "type") == "LoadBalancer" &&
      Str(old_spec, "externalTrafficPolicy") == "Local" && Str(spec, "externalTrafficPolicy") == "Local" &&
      spec.value("healthCheckNodePort", 0) == 0 && old_spec.contains("healthCheckNodePort")) {
    spec["healthCheckNodePort"] = old_spec["healthCheckNodePort"];
  }
}

// normalizeClusterIPs: clusterIP and clusterIPs kept in step.
void NormalizeClusterIps(const Json* old_spec, Json& spec) {
  const std::string ip = Str(spec, "clusterIP");
  const bool no_ips = !spec.contains("clusterIPs") || !spec["clusterIPs"].is_array() || spec["clusterIPs"].empty();
  if (old_spec == nullptr) {
    if (!ip.empty() && no_ips) spec["clusterIPs"] = Json::array({ip});
    return;
  }
  const Json old_ips = Get(*old_spec, "clusterIPs");
  if (old_ips.is_array() && !old_ips.empty() && no_ips && Str(*old_spec, "clusterIP") == ip) {
    spec["clusterIPs"] = old_ips;
  }
  const bool same_ips = Get(*old_spec, "clusterIPs") == Get(spec, "clusterIPs");
  if (Str(*old_spec, "clusterIP") != ip) {
    if (!Str(*old_spec, "clusterIP").empty() && ip.empty()) {
      if (same_ips) spec.erase("clusterIPs");
    } else if (same_ips) {
      spec["clusterIPs"] = Json::array({ip});
    }
  }
}

// The service strategy's dropTypeDependentFields: what the new type does
// not use, and the user did not change, is cleared (nodePorts are released).
void DropTypeDependentFields(const Json& old_spec, Json& spec) {
  if (NeedsClusterIp(old_spec) && !NeedsClusterIp(spec)) {
    if (Get(old_spec, "clusterIP") == Get(spec, "clusterIP") && Get(old_spec, "clusterIPs") == Get(spec, "clusterIPs")) {
      spec.erase("clusterIP");
      spec.erase("clusterIPs");
    }
    if (Get(old_spec, "ipFamilies") == Get(spec, "ipFamilies")) spec.erase("ipFamilies");
    if (Get(old_spec, "ipFamilyPolicy") == Get(spec, "ipFamilyPolicy")) spec.erase("ipFamilyPolicy");
  }
  if (NeedsNodePort(old_spec) && !NeedsNodePort(spec) && spec.contains("ports") && spec["ports"].is_array()) {
    const std::set<int> old_ports = NodePorts(old_spec);
    bool superset = true;
    for (int p : NodePorts(spec)) superset &= old_ports.count(p) > 0;
    if (superset) {
      for (Json& p : spec["ports"]) {
        if (p.is_object()) p.erase("nodePort");
      }
    }
  }
  const bool old_hc = Str(old_spec, "type") == "LoadBalancer" && Str(old_spec, "externalTrafficPolicy") == "Local";
  const bool new_hc = Str(spec, "type") == "LoadBalancer" && Str(spec, "externalTrafficPolicy") == "Local";
  if (old_hc && !new_hc && Get(old_spec, "healthCheckNodePort") == Get(spec, "healthCheckNodePort")) {
    spec.erase("healthCheckNodePort");
  }
  if (Str(old_spec, "type") == "LoadBalancer" && Str(spec, "type") != "LoadBalancer") {
    if (Get(old_spec, "allocateLoadBalancerNodePorts") == Get(spec, "allocateLoadBalancerNodePorts")) {
      spec.erase("allocateLoadBalancerNodePorts");
    }
    if (Get(old_spec, "loadBalancerClass") == Get(spec, "loadBalancerClass")) spec.erase("loadBalancerClass");
  }
  if (ExternallyAccessible(old_spec) && !ExternallyAccessible(spec) &&
      Get(old_spec, "externalTrafficPolicy") == Get(spec, "externalTrafficPolicy")) {
    spec.erase("externalTrafficPolicy");
  }
}

// ValidateService / ValidateServiceUpdate rules the allocation touches.
void Validate(const Json* old_spec, const Json& spec, std::vector<FieldError>& errors) {
  if (Str(spec, "type") == "ClusterIP" && spec.contains("ports") && spec["ports"].is_array()) {
    for (size_t i = 0; i < spec["ports"].size(); ++i) {
      if (NodePortOf(spec["ports"][i]) != 0) {
        errors.push_back({"FieldValueForbidden", absl::StrCat("spec.ports[", i, "].nodePort"),
                          "Forbidden: may not be used when `type` is 'ClusterIP'"});
      }
    }
  }
  if (old_spec == nullptr || !NeedsClusterIp(spec) || !NeedsClusterIp(*old_spec)) return;
  const Json old_ips = Get(*old_spec, "clusterIPs");
  const Json ips = Get(spec, "clusterIPs");
  const bool old_headless = old_ips.is_array() && old_ips.size() == 1 && old_ips[0] == "None";
  const bool new_headless = ips.is_array() && ips.size() == 1 && ips[0] == "None";
  if (old_headless && new_headless) return;
  const size_t old_n = old_ips.is_array() ? old_ips.size() : 0;
  const size_t new_n = ips.is_array() ? ips.size() : 0;
  if (new_n == 0 && old_n > 0) {
    errors.push_back({"FieldValueInvalid", "spec.clusterIPs[0]",
                      absl::StrCat("Invalid value: ", GoStrings(ips), ": primary clusterIP can not be unset")});
  } else if (old_n > 0 && old_ips[0] != ips[0]) {
    errors.push_back({"FieldValueInvalid", "spec.clusterIPs[0]",
                      absl::StrCat("Invalid value: ", GoStrings(ips), ": may not change once set")});
  }
}

}  // namespace

std::optional<ApiError> AdmitService(const ObjectStore& store, const ResourceType& t, const std::string& ns,
                                     const Json* old, bool dry_run, Json& svc) {
  if (!svc.is_object()) return std::nullopt;
  if (!svc.contains("spec") || !svc["spec"].is_object()) svc["spec"] = Json::object();
  Json& spec = svc["spec"];
  const std::string name = svc.contains("metadata") ? Str(svc["metadata"], "name") : "";
  const Json* old_spec = old != nullptr && old->contains("spec") ? &(*old)["spec"] : nullptr;
  std::vector<FieldError> errors;
  if (old_spec != nullptr) PatchAllocatedValues(*old_spec, spec);
  NormalizeClusterIps(old_spec, spec);
  InitIpFamilies(old_spec, spec, errors);
  if (!errors.empty()) return InvalidError(t, name, errors);
  const Taken taken = TakenByOthers(store, t, ns, name);
  const bool allocate_ip = NeedsClusterIp(spec) && (old_spec == nullptr || !NeedsClusterIp(*old_spec));
  if (allocate_ip) {
    if (auto e = AllocateClusterIp(taken, dry_run, spec, errors)) return e;
  }
  if (errors.empty() && NeedsNodePort(spec)) {
    if (auto e = AllocateNodePorts(taken, dry_run, old_spec, spec, errors)) return e;
  }
  if (!errors.empty()) return InvalidError(t, name, errors);
  if (old_spec != nullptr) DropTypeDependentFields(*old_spec, spec);
  Validate(old_spec, spec, errors);
  if (!errors.empty()) return InvalidError(t, name, errors);
  return std::nullopt;
}

}  // namespace doris_operator::kubesim
