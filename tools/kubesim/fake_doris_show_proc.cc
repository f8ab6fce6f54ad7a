#include "tools/kubesim/fake_doris.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers

// GET /api/show_proc?path=P (ShowAction.show_proc): the rows of SHOW PROC
// 'P', without column names, in the usual envelope. A path that does not
// start with '/' or names no proc node is an AnalysisException, answered
// with okWithCommonError (code 1) as ShowAction does. Repeated '/' are
// swallowed and a trailing '/' ignored, as ProcService.open does.
HttpResponse FakeDoris::ShowProc(const Cluster& c, const FeConfig& conf, const HttpRequest& req) const {
  auto it = req.query.find("path");
  const std::string path = it == req.query.end() || it->second.empty() ? "/" : it->second;
  if (path[0] != '/') return DorisError(absl::StrCat("Path(", path, ") does not start with '/'"));
  std::string canonical;
  for (char ch : path) {
    if (ch == '/' && !canonical.empty() && canonical.back() == '/') continue;
    canonical.push_back(ch);
  }
  if (canonical.size() > 1 && canonical.back() == '/') canonical.pop_back();
  if (canonical == "/cluster_health/tablet_health") return Envelope(TabletHealthRows(c, conf));
  if (canonical == "/backends" || canonical == "/frontends") {
    // SHOW PROC '/backends' is what the node list serves (NodeAction
    // fetchNodeInfo opens the same proc node), rows only here.
    const HttpResponse list = NodeList(c, conf, "/rest/v2/manager/node" + canonical);
    return Envelope(Json::parse(list.body)["data"]["rows"]);
  }
  // ProcService.open: ErrorReport ERR_WRONG_PROC_PATH. kubesim serves only
  // the nodes above; any other path is refused as unknown (stricter).
  return DorisError(absl::StrCat("Proc path '", path, "' doesn't exist"));
}

}  // namespace doris_operator::kubesim
