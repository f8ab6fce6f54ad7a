#include "tools/kubesim/printers.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

// The columns and cells follow kube-apiserver's printers
// (pkg/printers/internalversion/printers.go); the server always prints the
// wide (priority 1) columns, which kubectl shows only with -o wide.

namespace doris_operator::kubesim {

namespace {

const Json& Array(const Json& obj, const std::string& path) {
  static const Json* const empty = new Json(Json::array());
  const Json* cur = &obj;
  for (absl::string_view part : absl::StrSplit(path, '.', absl::SkipEmpty())) {
    const std::string key(part);
    if (!cur->is_object() || !cur->contains(key)) return *empty;
    cur = &(*cur)[key];
  }
  return cur->is_array() ? *cur : *empty;
}

std::string Str(const Json& obj, const std::string& path) {
  const Json v = Lookup(obj, path);
  return v.is_string() ? v.get<std::string>() : "";
}

int64_t Int(const Json& obj, const std::string& path) {
  const Json v = Lookup(obj, path);
  return v.is_number() ? v.get<int64_t>() : 0;
}

// k8s.io/apimachinery/pkg/util/duration.HumanDuration.
std::string HumanDurationSeconds(long secs) {
  if (secs < -1) return "<invalid>";
  if (secs < 0) return "0s";
  if (secs < 120) return absl::StrCat(secs, "s");
  const long minutes = secs / 60;
  if (minutes < 10) {
    return secs % 60 == 0 ? absl::StrCat(minutes, "m") : absl::StrCat(minutes, "m", secs % 60, "s");
  }
  if (minutes < 180) return absl::StrCat(minutes, "m");
  const long hours = secs / 3600;
  if (hours < 8)
    return minutes % 60 == 0 ? absl::StrCat(hours, "h") : absl::StrCat(hours, "h", minutes % 60, "m");
  if (hours < 48) return absl::StrCat(hours, "h");
  if (hours < 24 * 8)
    return hours % 24 == 0 ? absl::StrCat(hours / 24, "d") : absl::StrCat(hours / 24, "d", hours % 24, "h");
  if (hours < 24 * 365 * 2) return absl::StrCat(hours / 24, "d");
  if (hours < 24 * 365 * 8) {
    const long dy = (hours / 24) % 365;
    return dy == 0 ? absl::StrCat(hours / 24 / 365, "y") : absl::StrCat(hours / 24 / 365, "y", dy, "d");
  }
  return absl::StrCat(hours / 24 / 365, "y");
}

std::string Cell(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string OrNone(const std::string& s) { return s.empty() ? "<none>" : s; }

// labels.FormatLabels: sorted k=v pairs, "<none>" when empty.
std::string FormatLabels(const Json& m) {
  if (!m.is_object() || m.empty()) return "<none>";
  std::vector<std::string> parts;
  for (auto it = m.begin(); it != m.end(); ++it)
    parts.push_back(absl::StrCat(it.key(), "=", Cell(it.value())));
  return absl::StrJoin(parts, ",");
}

// layoutContainerCells: container names and images, comma-separated.
std::pair<std::string, std::string> ContainerCells(const Json& containers) {
  std::vector<std::string> names, images;
  for (const Json& c : containers) {
    names.push_back(c.value("name", ""));
    images.push_back(c.value("image", ""));
  }
  return {absl::StrJoin(names, ","), absl::StrJoin(images, ",")};
}

// helper.GetAccessModesAsString.
std::string AccessModes(const Json& modes) {
  std::set<std::string> have;
  for (const Json& m : modes) have.insert(Cell(m));
  std::vector<std::string> out;
  for (const auto& [mode, abbrev] :
       std::vector<std::pair<std::string, std::string>>{{"ReadWriteOnce", "RWO"},
                                                        {"ReadOnlyMany", "ROX"},
                                                        {"ReadWriteMany", "RWX"},
                                                        {"ReadWriteOncePod", "RWOP"}}) {
    if (have.count(mode)) out.push_back(abbrev);
  }
  return absl::StrJoin(out, ",");
}

std::string StorageClass(const Json& o) {
  const Json ann = Lookup(o, ".metadata.annotations");
  if (ann.is_object() && ann.contains("volume.beta.kubernetes.io/storage-class")) {
    return Cell(ann["volume.beta.kubernetes.io/storage-class"]);
  }
  return Str(o, ".spec.storageClassName");
}

std::string UnsetOr(const Json& o, const std::string& path) {
  const Json v = Lookup(o, path);
  return v.is_null() ? "<unset>" : Cell(v);
}

// printPod's Status, Ready and Restarts.
struct PodSummary {
  std::string reason;
  int ready = 0;
  int total = 0;
  int restarts = 0;
  std::string last_restart;  // RFC 3339, "" if none
};

PodSummary SummarizePod(const Json& pod) {
  PodSummary s;
  s.total = static_cast<int>(Array(pod, ".spec.containers").size());
  s.reason = Str(pod, ".status.phase");
  if (!Str(pod, ".status.reason").empty()) s.reason = Str(pod, ".status.reason");
  auto note_restart = [&](const Json& c) {
    s.restarts += c.value("restartCount", 0);
    const Json finished = Lookup(c, ".lastState.terminated.finishedAt");
    if (finished.is_string() && finished.get<std::string>() > s.last_restart)
      s.last_restart = finished.get<std::string>();
  };
  const Json& inits = Array(pod, ".status.initContainerStatuses");
  const size_t init_specs = Array(pod, ".spec.initContainers").size();
  bool initializing = false;
  for (size_t i = 0; i < inits.size(); ++i) {
    const Json& c = inits[i];
    note_restart(c);
    const Json term = Lookup(c, ".state.terminated");
    const std::string waiting = Str(c, ".state.waiting.reason");
    if (term.is_object() && term.value("exitCode", 0) == 0) continue;
    if (term.is_object()) {
      s.reason =
          term.value("reason", "").empty()
              ? (term.value("signal", 0) != 0 ? absl::StrCat("Init:Signal:", term.value("signal", 0))
                                              : absl::StrCat("Init:ExitCode:", term.value("exitCode", 0)))
              : "Init:" + term.value("reason", "");
    } else if (!waiting.empty() && waiting != "PodInitializing") {
      s.reason = "Init:" + waiting;
    } else {
      s.reason = absl::StrCat("Init:", i, "/", init_specs);
    }
    initializing = true;
    break;
  }
  bool initialized_true = false;
  for (const Json& c : Array(pod, ".status.conditions")) {
    if (c.value("type", "") == "Initialized" && c.value("status", "") == "True") initialized_true = true;
  }
  if (!initializing || initialized_true) {
    s.restarts = 0;
    s.last_restart.clear();
    bool running = false;
    const Json& cs = Array(pod, ".status.containerStatuses");
    for (size_t k = cs.size(); k-- > 0;) {
      const Json& c = cs[k];
      note_restart(c);
      const std::string waiting = Str(c, ".state.waiting.reason");
      const Json term = Lookup(c, ".state.terminated");
      if (!waiting.empty()) {
        s.reason = waiting;
      } else if (term.is_object() && !term.value("reason", "").empty()) {
        s.reason = term.value("reason", "");
      } else if (term.is_object()) {
        s.reason = term.value("signal", 0) != 0 ? absl::StrCat("Signal:", term.value("signal", 0))
                                                : absl::StrCat("ExitCode:", term.value("exitCode", 0));
      } else if (c.value("ready", false) && Lookup(c, ".state.running").is_object()) {
        running = true;
        ++s.ready;
      }
    }
    if (s.reason == "Completed" && running) {
      bool ready = false;
      for (const Json& c : Array(pod, ".status.conditions")) {
        if (c.value("type", "") == "Ready" && c.value("status", "") == "True") ready = true;
      }
      s.reason = ready ? "Running" : "NotReady";
    }
  }
  const bool deleting = Lookup(pod, ".metadata.deletionTimestamp").is_string();
  const std::string phase = Str(pod, ".status.phase");
  if (deleting && Str(pod, ".status.reason") == "NodeLost") {
    s.reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    s.reason = "Terminating";
  }
  return s;
}

// formatEndpoints: up to three ip:port pairs, then "+ N more...".
std::string FormatEndpoints(const Json& o) {
  std::vector<std::string> list;
  int count = 0;
  for (const Json& ss : Array(o, ".subsets")) {
    const Json& addrs = Array(ss, ".addresses");
    const Json& ports = Array(ss, ".ports");
    for (const Json& a : addrs) {
      if (ports.empty()) {
        if (list.size() < 3) list.push_back(a.value("ip", ""));
        ++count;
        continue;
      }
      for (const Json& p : ports) {
        if (list.size() < 3) list.push_back(absl::StrCat(a.value("ip", ""), ":", p.value("port", 0)));
        ++count;
      }
    }
  }
  if (list.empty()) return "<none>";
  std::string ret = absl::StrJoin(list, ",");
  if (count > 3) absl::StrAppend(&ret, " + ", count - 3, " more...");
  return ret;
}

// formatHPAMetrics for the resource metrics the operator writes; autoscaling
// v1's targetCPUUtilizationPercentage is such a metric once converted, and a
// missing target defaults to 80% CPU.
std::string HpaTargets(const Json& o, bool v1) {
  Json metrics = Array(o, ".spec.metrics");
  Json current = Array(o, ".status.currentMetrics");
  if (v1) {
    const Json target = Lookup(o, ".spec.targetCPUUtilizationPercentage");
    metrics =
        Json::array({{{"type", "Resource"},
                      {"resource",
                       {{"name", "cpu"},
                        {"target", {{"averageUtilization", target.is_number() ? target : Json(80)}}}}}}});
    const Json cur = Lookup(o, ".status.currentCPUUtilizationPercentage");
    current = cur.is_number() ? Json::array({{{"resource", {{"current", {{"averageUtilization", cur}}}}}}})
                              : Json::array();
  } else if (Lookup(o, ".spec.metrics").is_null()) {
    metrics = Json::array(
        {{{"type", "Resource"}, {"resource", {{"name", "cpu"}, {"target", {{"averageUtilization", 80}}}}}}});
  }
  if (metrics.empty()) return "<none>";
  std::vector<std::string> list;
  for (size_t i = 0; i < metrics.size(); ++i) {
    const Json& m = metrics[i];
    const std::string type = m.value("type", "");
    const Json cur = i < current.size() ? current[i] : Json::object();
    std::string key = type == "Resource"            ? "resource"
                      : type == "ContainerResource" ? "containerResource"
                      : type == "Pods"              ? "pods"
                      : type == "Object"            ? "object"
                                                    : "external";
    const Json target = Lookup(m, "." + key + ".target");
    const Json now = Lookup(cur, "." + key + ".current");
    const std::string name = Str(m, "." + key + ".name");
    if ((type == "Resource" || type == "ContainerResource") && target.contains("averageUtilization")) {
      const Json u =
          now.is_object() && now.contains("averageUtilization") ? now["averageUtilization"] : Json();
      list.push_back(absl::StrCat(name, ": ",
                                  u.is_number() ? absl::StrCat(u.get<int64_t>(), "%") : "<unknown>", "/",
                                  Cell(target["averageUtilization"]), "%"));
    } else {
      const std::string field = target.contains("averageValue") ? "averageValue" : "value";
      const Json c = now.is_object() && now.contains(field) ? now[field] : Json();
      const std::string text =
          absl::StrCat(c.is_null() ? "<unknown>" : Cell(c), "/", Cell(target.value(field, Json())));
      list.push_back(type == "Resource" || type == "ContainerResource" ? absl::StrCat(name, ": ", text)
                                                                       : text);
    }
  }
  if (list.size() > 2) {
    return absl::StrCat(list[0], ", ", list[1], " + ", list.size() - 2, " more...");
  }
  return absl::StrJoin(list, ", ");
}

// rbac.SubjectsStrings.
std::string Subjects(const Json& o, const std::string& kind) {
  std::vector<std::string> out;
  for (const Json& s : Array(o, ".subjects")) {
    if (s.value("kind", "") != kind) continue;
    out.push_back(kind == "ServiceAccount" ? absl::StrCat(s.value("namespace", ""), ":", s.value("name", ""))
                                           : s.value("name", ""));
  }
  return absl::StrJoin(out, ", ");
}

// formatEventSource.
std::string EventSource(const Json& source, const std::string& controller, const std::string& instance) {
  std::string component = source.is_object() ? source.value("component", "") : "";
  std::string host = source.is_object() ? source.value("host", "") : "";
  if (component.empty()) component = controller;
  if (host.empty()) host = instance;
  return host.empty() ? component : absl::StrCat(component, ", ", host);
}


// printEvent: no leading Name column (it comes last, wide). Fields of
// events.k8s.io/v1 are read under their own names.
std::vector<PrinterColumn> EventColumns(bool events_v1) {
  auto first = [events_v1](const Json& o) -> std::string {
    const Json f = Lookup(o, events_v1 ? ".deprecatedFirstTimestamp" : ".firstTimestamp");
    return f.is_string() ? Age(f) : Age(Lookup(o, ".eventTime"));
  };
  auto involved = events_v1 ? std::string(".regarding") : std::string(".involvedObject");
  return {{"Last Seen", "string", 0,
           [=](const Json& o) -> Json {
             const Json series = Lookup(o, ".series.lastObservedTime");
             if (series.is_string()) return Age(series);
             const Json last = Lookup(o, events_v1 ? ".deprecatedLastTimestamp" : ".lastTimestamp");
             return last.is_string() ? Age(last) : first(o);
           }},
          {"Type", "string", 0, [](const Json& o) -> Json { return Str(o, ".type"); }},
          {"Reason", "string", 0, [](const Json& o) -> Json { return Str(o, ".reason"); }},
          {"Object", "string", 0,
           [=](const Json& o) -> Json {
             const std::string kind = absl::AsciiStrToLower(Str(o, involved + ".kind"));
             const std::string name = Str(o, involved + ".name");
             return name.empty() ? kind : absl::StrCat(kind, "/", name);
           }},
          {"Subobject", "string", 1, [=](const Json& o) -> Json { return Str(o, involved + ".fieldPath"); }},
          {"Source", "string", 1,
           [=](const Json& o) -> Json {
             return EventSource(Lookup(o, events_v1 ? ".deprecatedSource" : ".source"),
                                Str(o, ".reportingController"),
                                Str(o, events_v1 ? ".reportingInstance" : ".reportingInstance"));
           }},
          {"Message", "string", 0,
           [=](const Json& o) -> Json {
             return std::string(absl::StripAsciiWhitespace(Str(o, events_v1 ? ".note" : ".message")));
           }},
          {"First Seen", "string", 1, [=](const Json& o) -> Json { return first(o); }},
          {"Count", "string", 1,
           [=](const Json& o) -> Json {
             const Json series = Lookup(o, ".series.count");
             if (series.is_number()) return series.get<int64_t>();
             const int64_t count = Int(o, events_v1 ? ".deprecatedCount" : ".count");
             return count == 0 ? 1 : count;
           }},
          {"Name", "string", 1, [](const Json& o) -> Json { return Str(o, ".metadata.name"); }}};
}

}  // namespace

// A simple JSONPath of dotted fields (".status.phase"), as CRD printer
// columns use; anything fancier yields "".
Json Lookup(const Json& obj, const std::string& path) {
  const Json* cur = &obj;
  for (absl::string_view part : absl::StrSplit(path, '.', absl::SkipEmpty())) {
    const std::string key(part);
    if (!cur->is_object() || !cur->contains(key)) return Json();
    cur = &(*cur)[key];
  }
  return *cur;
}

// translateTimestampSince: "<unknown>" for a zero time.
std::string Age(const Json& timestamp) {
  if (!timestamp.is_string() || timestamp.get<std::string>().empty()) return "<unknown>";
  std::tm tm{};
  const std::string ts = timestamp.get<std::string>();
  if (strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return "<unknown>";
  return HumanDurationSeconds(static_cast<long>(std::time(nullptr) - timegm(&tm)));
}


std::vector<PrinterColumn> BuiltinPrinterColumns(const ResourceType& t) {
  if (t.kind == "Event" && (t.group.empty() || t.group == "events.k8s.io")) return EventColumns(t.group == "events.k8s.io");
  using C = std::vector<PrinterColumn>;
  auto age = [](const Json& o) -> Json { return Age(Lookup(o, ".metadata.creationTimestamp")); };
  const std::string& k = t.kind;
  if (k == "Pod") {
    return C{{"Ready", "string", 0,
              [](const Json& o) -> Json {
                const PodSummary s = SummarizePod(o);
                return absl::StrCat(s.ready, "/", s.total);
              }},
             {"Status", "string", 0, [](const Json& o) -> Json { return SummarizePod(o).reason; }},
             {"Restarts", "string", 0,
              [](const Json& o) -> Json {
                const PodSummary s = SummarizePod(o);
                if (s.restarts == 0 || s.last_restart.empty()) return std::to_string(s.restarts);
                return absl::StrCat(s.restarts, " (", Age(s.last_restart), " ago)");
              }},
             {"Age", "string", 0, age},
             {"IP", "string", 1,
              [](const Json& o) -> Json {
                const Json& ips = Array(o, ".status.podIPs");
                std::string ip = ips.empty() ? "" : ips[0].value("ip", "");
                return OrNone(ip);
              }},
             {"Node", "string", 1, [](const Json& o) -> Json { return OrNone(Str(o, ".spec.nodeName")); }},
             {"Nominated Node", "string", 1,
              [](const Json& o) -> Json { return OrNone(Str(o, ".status.nominatedNodeName")); }},
             {"Readiness Gates", "string", 1, [](const Json& o) -> Json {
                const Json& gates = Array(o, ".spec.readinessGates");
                if (gates.empty()) return "<none>";
                int ok = 0;
                for (const Json& g : gates) {
                  for (const Json& c : Array(o, ".status.conditions")) {
                    if (c.value("type", "") == g.value("conditionType", "")) {
                      ok += c.value("status", "") == "True";
                      break;
                    }
                  }
                }
                return absl::StrCat(ok, "/", gates.size());
              }}};
  }
  if (k == "Service") {
    return C{{"Type", "string", 0, [](const Json& o) -> Json { return Str(o, ".spec.type"); }},
             {"Cluster-IP", "string", 0,
              [](const Json& o) -> Json {
                const Json& ips = Array(o, ".spec.clusterIPs");
                return ips.empty() ? "<none>" : Cell(ips[0]);
              }},
             {"External-IP", "string", 0,
              [](const Json& o) -> Json {
                const std::string type = Str(o, ".spec.type");
                std::vector<std::string> external;
                for (const Json& ip : Array(o, ".spec.externalIPs")) external.push_back(Cell(ip));
                if (type == "ClusterIP" || type == "NodePort")
                  return external.empty() ? "<none>" : absl::StrJoin(external, ",");
                if (type == "ExternalName") return Str(o, ".spec.externalName");
                if (type == "LoadBalancer") {
                  std::set<std::string> lb;
                  for (const Json& in : Array(o, ".status.loadBalancer.ingress")) {
                    if (!in.value("ip", "").empty()) {
                      lb.insert(in.value("ip", ""));
                    } else if (!in.value("hostname", "").empty()) {
                      lb.insert(in.value("hostname", ""));
                    }
                  }
                  std::vector<std::string> all(lb.begin(), lb.end());
                  all.insert(all.end(), external.begin(), external.end());
                  return all.empty() ? "<pending>" : absl::StrJoin(all, ",");
                }
                return "<unknown>";
              }},
             {"Port(s)", "string", 0,
              [](const Json& o) -> Json {
                std::vector<std::string> pieces;
                for (const Json& p : Array(o, ".spec.ports")) {
                  const int64_t node_port = p.value("nodePort", 0);
                  pieces.push_back(
                      node_port > 0
                          ? absl::StrCat(p.value("port", 0), ":", node_port, "/", p.value("protocol", ""))
                          : absl::StrCat(p.value("port", 0), "/", p.value("protocol", "")));
                }
                return OrNone(absl::StrJoin(pieces, ","));
              }},
             {"Age", "string", 0, age},
             {"Selector", "string", 1,
              [](const Json& o) -> Json { return FormatLabels(Lookup(o, ".spec.selector")); }}};
  }
  if (k == "StatefulSet") {
    return C{{"Ready", "string", 0,
              [](const Json& o) -> Json {
                return absl::StrCat(Int(o, ".status.readyReplicas"), "/", Int(o, ".spec.replicas"));
              }},
             {"Age", "string", 0, age},
             {"Containers", "string", 1,
              [](const Json& o) -> Json {
                return ContainerCells(Array(o, ".spec.template.spec.containers")).first;
              }},
             {"Images", "string", 1, [](const Json& o) -> Json {
                return ContainerCells(Array(o, ".spec.template.spec.containers")).second;
              }}};
  }
  if (k == "ConfigMap") {
    return C{{"Data", "string", 0,
              [](const Json& o) -> Json {
                const Json d = Lookup(o, ".data"), b = Lookup(o, ".binaryData");
                return (d.is_object() ? d.size() : 0) + (b.is_object() ? b.size() : 0);
              }},
             {"Age", "string", 0, age}};
  }
  if (k == "Secret") {
    return C{{"Type", "string", 0, [](const Json& o) -> Json { return Str(o, ".type"); }},
             {"Data", "string", 0,
              [](const Json& o) -> Json {
                const Json d = Lookup(o, ".data");
                return d.is_object() ? d.size() : 0;
              }},
             {"Age", "string", 0, age}};
  }
  if (k == "PersistentVolumeClaim") {
    auto bound = [](const Json& o) { return !Str(o, ".spec.volumeName").empty(); };
    return C{
        {"Status", "string", 0,
         [](const Json& o) -> Json {
           return Lookup(o, ".metadata.deletionTimestamp").is_string() ? "Terminating"
                                                                       : Str(o, ".status.phase");
         }},
        {"Volume", "string", 0, [](const Json& o) -> Json { return Str(o, ".spec.volumeName"); }},
        {"Capacity", "string", 0,
         [bound](const Json& o) -> Json {
           return bound(o) ? Cell(Lookup(o, ".status.capacity.storage")) : "";
         }},
        {"Access Modes", "string", 0,
         [bound](const Json& o) -> Json {
           return bound(o) ? AccessModes(Array(o, ".status.accessModes")) : "";
         }},
        {"StorageClass", "string", 0, [](const Json& o) -> Json { return StorageClass(o); }},
        {"VolumeAttributesClass", "string", 0,
         [](const Json& o) -> Json { return UnsetOr(o, ".spec.volumeAttributesClassName"); }},
        {"Age", "string", 0, age},
        {"VolumeMode", "string", 1, [](const Json& o) -> Json { return UnsetOr(o, ".spec.volumeMode"); }}};
  }
  if (k == "PersistentVolume") {
    return C{
        {"Capacity", "string", 0,
         [](const Json& o) -> Json { return Cell(Lookup(o, ".spec.capacity.storage")); }},
        {"Access Modes", "string", 0,
         [](const Json& o) -> Json { return AccessModes(Array(o, ".spec.accessModes")); }},
        {"Reclaim Policy", "string", 0,
         [](const Json& o) -> Json { return Str(o, ".spec.persistentVolumeReclaimPolicy"); }},
        {"Status", "string", 0,
         [](const Json& o) -> Json {
           return Lookup(o, ".metadata.deletionTimestamp").is_string() ? "Terminating"
                                                                       : Str(o, ".status.phase");
         }},
        {"Claim", "string", 0,
         [](const Json& o) -> Json {
           const Json ref = Lookup(o, ".spec.claimRef");
           return ref.is_object() ? absl::StrCat(ref.value("namespace", ""), "/", ref.value("name", "")) : "";
         }},
        {"StorageClass", "string", 0, [](const Json& o) -> Json { return StorageClass(o); }},
        {"VolumeAttributesClass", "string", 0,
         [](const Json& o) -> Json { return UnsetOr(o, ".spec.volumeAttributesClassName"); }},
        {"Reason", "string", 0, [](const Json& o) -> Json { return Str(o, ".status.reason"); }},
        {"Age", "string", 0, age},
        {"VolumeMode", "string", 1, [](const Json& o) -> Json { return UnsetOr(o, ".spec.volumeMode"); }}};
  }
  if (k == "StorageClass") {
    // printStorageClass (pkg/printers/internalversion/printers.go).
    return C{{"Provisioner", "string", 0, [](const Json& o) -> Json { return Str(o, ".provisioner"); }},
             {"ReclaimPolicy", "string", 0, [](const Json& o) -> Json { return Str(o, ".reclaimPolicy"); }},
             {"VolumeBindingMode", "string", 0,
              [](const Json& o) -> Json { return Str(o, ".volumeBindingMode"); }},
             {"AllowVolumeExpansion", "string", 0,
              [](const Json& o) -> Json {
                return Lookup(o, ".allowVolumeExpansion") == Json(true) ? "true" : "false";
              }},
             {"Age", "string", 0, age}};
  }
  if (k == "Endpoints") {
    return C{{"Endpoints", "string", 0, [](const Json& o) -> Json { return FormatEndpoints(o); }},
             {"Age", "string", 0, age}};
  }
  if (k == "Namespace") {
    return C{{"Status", "string", 0, [](const Json& o) -> Json { return Str(o, ".status.phase"); }},
             {"Age", "string", 0, age}};
  }
  if (k == "ServiceAccount") {
    return C{{"Secrets", "string", 0, [](const Json& o) -> Json { return Array(o, ".secrets").size(); }},
             {"Age", "string", 0, age}};
  }
  if (k == "Lease") {
    return C{{"Holder", "string", 0, [](const Json& o) -> Json { return Str(o, ".spec.holderIdentity"); }},
             {"Age", "string", 0, age}};
  }
  if (k == "PodDisruptionBudget") {
    auto intstr = [](const Json& o, const std::string& path) -> Json {
      const Json v = Lookup(o, path);
      return v.is_null() ? "N/A" : Cell(v);
    };
    return C{
        {"Min Available", "string", 0, [intstr](const Json& o) { return intstr(o, ".spec.minAvailable"); }},
        {"Max Unavailable", "string", 0,
         [intstr](const Json& o) { return intstr(o, ".spec.maxUnavailable"); }},
        {"Allowed Disruptions", "integer", 0,
         [](const Json& o) -> Json { return Int(o, ".status.disruptionsAllowed"); }},
        {"Age", "string", 0, age}};
  }
  if (k == "HorizontalPodAutoscaler") {
    const bool v1 = t.version == "v1";
    return C{
        {"Reference", "string", 0,
         [](const Json& o) -> Json {
           return absl::StrCat(Str(o, ".spec.scaleTargetRef.kind"), "/", Str(o, ".spec.scaleTargetRef.name"));
         }},
        {"Targets", "string", 0, [v1](const Json& o) -> Json { return HpaTargets(o, v1); }},
        {"MinPods", "string", 0,
         [](const Json& o) -> Json {
           const Json v = Lookup(o, ".spec.minReplicas");
           return v.is_number() ? Json(v.get<int64_t>()) : Json("<unset>");
         }},
        {"MaxPods", "string", 0, [](const Json& o) -> Json { return Int(o, ".spec.maxReplicas"); }},
        {"Replicas", "string", 0, [](const Json& o) -> Json { return Int(o, ".status.currentReplicas"); }},
        {"Age", "string", 0, age}};
  }
  if (k == "ControllerRevision") {
    return C{{"Controller", "string", 0,
              [](const Json& o) -> Json {
                for (const Json& ref : Array(o, ".metadata.ownerReferences")) {
                  if (!ref.value("controller", false)) continue;
                  const std::string api_version = ref.value("apiVersion", "");
                  const size_t slash = api_version.find('/');
                  std::string group_kind = ref.value("kind", "");
                  if (slash != std::string::npos)
                    absl::StrAppend(&group_kind, ".", api_version.substr(0, slash));
                  return absl::StrCat(absl::AsciiStrToLower(group_kind), "/", ref.value("name", ""));
                }
                return "<none>";
              }},
             {"Revision", "string", 0, [](const Json& o) -> Json { return Int(o, ".revision"); }},
             {"Age", "string", 0, age}};
  }
  if (k == "RoleBinding" || k == "ClusterRoleBinding") {
    return C{{"Role", "string", 0,
              [](const Json& o) -> Json {
                return absl::StrCat(Str(o, ".roleRef.kind"), "/", Str(o, ".roleRef.name"));
              }},
             {"Age", "string", 0, age},
             {"Users", "string", 1, [](const Json& o) -> Json { return Subjects(o, "User"); }},
             {"Groups", "string", 1, [](const Json& o) -> Json { return Subjects(o, "Group"); }},
             {"ServiceAccounts", "string", 1,
              [](const Json& o) -> Json { return Subjects(o, "ServiceAccount"); }}};
  }
  return {};
}

}  // namespace doris_operator::kubesim
