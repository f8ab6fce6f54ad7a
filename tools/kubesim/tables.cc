#include "tools/kubesim/tables.h"

#include <ctime>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/kubesim/wire.h"

namespace doris_operator::kubesim {

namespace {

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

std::string Age(const Json& timestamp) {
  if (!timestamp.is_string()) return "<unknown>";
  std::tm tm{};
  const std::string ts = timestamp.get<std::string>();
  if (strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) return "<unknown>";
  const long secs = static_cast<long>(std::time(nullptr) - timegm(&tm));
  if (secs < 120) return absl::StrCat(std::max(0L, secs), "s");
  if (secs < 7200) return absl::StrCat(secs / 60, "m");
  if (secs < 172800) return absl::StrCat(secs / 3600, "h");
  return absl::StrCat(secs / 86400, "d");
}

std::string Cell(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}


}  // namespace

HttpResponse TableResponse(const ResourceType& t, const std::vector<Json>& items,
                           const std::string& rv) {
  Json columns = Json::array({{{"name", "Name"}, {"type", "string"}, {"format", "name"},
                               {"description", "Name"}, {"priority", 0}}});
  std::vector<std::function<std::string(const Json&)>> cells;
  auto add = [&](const std::string& name, std::function<std::string(const Json&)> f) {
    columns.push_back({{"name", name}, {"type", "string"}, {"format", ""}, {"description", name},
                       {"priority", 0}});
    cells.push_back(std::move(f));
  };
  if (t.kind == "Pod") {
    add("Ready", [](const Json& o) {
      int ready = 0, total = 0;
      for (const Json& c : Lookup(o, ".status.containerStatuses").is_array()
                               ? Lookup(o, ".status.containerStatuses") : Json::array()) {
        ++total;
        ready += c.value("ready", false);
      }
      return absl::StrCat(ready, "/", std::max(total, 1));
    });
    add("Status", [](const Json& o) { return Cell(Lookup(o, ".status.phase")); });
  } else if (t.kind == "StatefulSet") {
    add("Ready", [](const Json& o) {
      return absl::StrCat(Lookup(o, ".status.readyReplicas").is_number() ? Cell(Lookup(o, ".status.readyReplicas")) : "0",
                          "/", Cell(Lookup(o, ".spec.replicas")));
    });
  } else if (t.kind == "Service") {
    add("Type", [](const Json& o) { return Cell(Lookup(o, ".spec.type")); });
  }
  bool has_age = false;
  for (const Json& col : t.printer_columns) {
    const std::string path = col.value("jsonPath", "");
    if (col.value("type", "") == "date") {
      has_age = has_age || col.value("name", "") == "Age";
      add(col.value("name", ""), [path](const Json& o) { return Age(Lookup(o, path)); });
    } else {
      add(col.value("name", ""), [path](const Json& o) { return Cell(Lookup(o, path)); });
    }
  }
  if (!has_age) add("Age", [](const Json& o) { return Age(Lookup(o, ".metadata.creationTimestamp")); });
  Json rows = Json::array();
  for (const Json& item : items) {
    Json row = Json::array({item["metadata"].value("name", "")});
    for (const auto& f : cells) row.push_back(f(item));
    rows.push_back({{"cells", row},
                    {"object", {{"kind", "PartialObjectMetadata"},
                                {"apiVersion", "meta.k8s.io/v1"},
                                {"metadata", item["metadata"]}}}});
  }
  HttpResponse r = JsonResponse(200, {{"kind", "Table"},
                                      {"apiVersion", "meta.k8s.io/v1"},
                                      {"metadata", {{"resourceVersion", rv}}},
                                      {"columnDefinitions", columns},
                                      {"rows", rows}});
  r.content_type = "application/json;as=Table;v=v1;g=meta.k8s.io";
  return r;
}

}  // namespace doris_operator::kubesim
