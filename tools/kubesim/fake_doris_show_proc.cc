#include "tools/kubesim/fake_doris.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers

// ProcService.open: repeated '/' are swallowed and a trailing '/' ignored; a
// path that does not start with '/' or names no node is an
// AnalysisException. kubesim serves only the nodes below; any other path is
// refused as unknown (stricter than Doris, which has many more).
bool FakeDoris::ProcNode(const Cluster& c, const FeConfig& conf, const std::string& path, Json* titles,
                         Json* rows, std::string* error) const {
  if (path.empty() || path[0] != '/') {
    *error = absl::StrCat("Path(", path, ") does not start with '/'");
    return false;
  }
  std::string canonical;
  for (char ch : path) {
    if (ch == '/' && !canonical.empty() && canonical.back() == '/') continue;
    canonical.push_back(ch);
  }
  if (canonical.size() > 1 && canonical.back() == '/') canonical.pop_back();
  if (canonical == "/cluster_health/tablet_health") {
    *titles = TabletHealthTitles(conf);
    *rows = TabletHealthRows(c, conf);
    return true;
  }
  if (canonical == "/backends" || canonical == "/frontends") {
    // SHOW PROC '/backends' is what the node list serves (NodeAction
    // fetchNodeInfo opens the same proc node).
    const Json list = Json::parse(NodeList(c, conf, "/rest/v2/manager/node" + canonical).body)["data"];
    *titles = list["column_names"];
    *rows = list["rows"];
    return true;
  }
  *error = absl::StrCat("Proc path '", path, "' doesn't exist");
  return false;
}

// GET /api/show_proc?path=P (ShowAction.show_proc): the rows of SHOW PROC
// 'P', without column names, in the usual envelope; an unknown path is
// answered with okWithCommonError (code 1) as ShowAction does.
HttpResponse FakeDoris::ShowProc(const Cluster& c, const FeConfig& conf, const HttpRequest& req) const {
  auto it = req.query.find("path");
  const std::string path = it == req.query.end() || it->second.empty() ? "/" : it->second;
  Json titles, rows;
  std::string error;
  if (!ProcNode(c, conf, path, &titles, &rows, &error)) return DorisError(error);
  return Envelope(rows);
}

}  // namespace doris_operator::kubesim
