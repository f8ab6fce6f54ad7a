#include "tools/kubesim/tables.h"

#include <functional>

#include "tools/kubesim/printers.h"
#include "tools/kubesim/wire.h"

namespace doris_operator::kubesim {

namespace {

std::string Cell(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

Json ColumnDefinition(const std::string& name, const std::string& type, int priority,
                      const std::string& format = "") {
  return {{"name", name}, {"type", type}, {"format", format}, {"description", name}, {"priority", priority}};
}

}  // namespace

HttpResponse TableResponse(const ResourceType& t, const std::vector<Json>& items, const std::string& rv) {
  Json columns = Json::array();
  std::vector<std::function<Json(const Json&)>> cells;
  auto name_column = [&] {
    columns.push_back(ColumnDefinition("Name", "string", 0, "name"));
    cells.push_back([](const Json& o) -> Json { return Cell(Lookup(o, ".metadata.name")); });
  };
  auto add = [&](const PrinterColumn& c) {
    columns.push_back(ColumnDefinition(c.name, c.type, c.priority));
    cells.push_back(c.cell);
  };
  if (t.schema) {
    // Custom resources: the CRD version's additionalPrinterColumns, date
    // columns as ages (the apiextensions table convertor).
    name_column();
    bool has_age = false;
    for (const Json& col : t.printer_columns) {
      const std::string path = col.value("jsonPath", "");
      const int priority = col.value("priority", 0);
      if (col.value("type", "") == "date") {
        has_age = has_age || col.value("name", "") == "Age";
        add({col.value("name", ""), "date", priority,
             [path](const Json& o) -> Json { return Age(Lookup(o, path)); }});
      } else {
        add({col.value("name", ""), col.value("type", "string"), priority,
             [path](const Json& o) -> Json { return Cell(Lookup(o, path)); }});
      }
    }
    if (!has_age)
      add({"Age", "date", 0,
           [](const Json& o) -> Json { return Age(Lookup(o, ".metadata.creationTimestamp")); }});
  } else if (std::vector<PrinterColumn> builtin = BuiltinPrinterColumns(t); !builtin.empty()) {
    if (t.kind != "Event") name_column();  // an event's name is its last, wide column
    for (const PrinterColumn& c : builtin) add(c);
  } else {
    // The default table convertor (RBAC roles, CRDs, ...): the creation
    // time itself, not an age.
    name_column();
    add({"Created At", "date", 0,
         [](const Json& o) -> Json { return Cell(Lookup(o, ".metadata.creationTimestamp")); }});
  }
  Json rows = Json::array();
  for (const Json& item : items) {
    Json row = Json::array();
    for (const auto& f : cells) row.push_back(f(item));
    rows.push_back({{"cells", row},
                    {"object",
                     {{"kind", "PartialObjectMetadata"},
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
