#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_PRINTERS_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_PRINTERS_H_

// kube-apiserver's table printers for the built-in kinds: the columns
// `kubectl get` shows (priority 1 only with -o wide) and how each cell is
// computed from an object.

#include <functional>
#include <string>
#include <vector>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

struct PrinterColumn {
  std::string name;  // "Cluster-IP"; kubectl upper-cases it
  std::string type = "string";
  int priority = 0;
  std::function<Json(const Json&)> cell;
};

// Every column but the leading Name (events have none); empty for a kind
// without a printer.
std::vector<PrinterColumn> BuiltinPrinterColumns(const ResourceType& t);

// A dotted JSONPath (".status.phase"); null when absent.
Json Lookup(const Json& obj, const std::string& path);

// translateTimestampSince: the age of an RFC 3339 time, "<unknown>" if none.
std::string Age(const Json& timestamp);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_PRINTERS_H_
