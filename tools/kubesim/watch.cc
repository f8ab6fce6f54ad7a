#include "tools/kubesim/api_server.h"

#include <chrono>

#include "absl/strings/numbers.h"
#include "tools/kubesim/wire.h"

namespace doris_operator::kubesim {

HttpResponse ApiServer::Watch(const HttpRequest& req, const ResourceType& t, const std::string& ns) {
  const std::string rv_text = req.query.count("resourceVersion") ? req.query.at("resourceVersion") : "";
  int64_t rv = 0;
  absl::SimpleAtoi(rv_text, &rv);
  const std::string fields = req.query.count("fieldSelector") ? req.query.at("fieldSelector") : "";
  const std::string labels = req.query.count("labelSelector") ? req.query.at("labelSelector") : "";
  const bool bookmarks = QueryFlag(req, "allowWatchBookmarks");
  int timeout_s = 1800;
  if (req.query.count("timeoutSeconds")) absl::SimpleAtoi(req.query.at("timeoutSeconds"), &timeout_s);
  HttpResponse r;
  const int64_t epoch = watch_epoch_.load();
  r.stream = [this, t, ns, rv, rv_text, fields, labels, bookmarks, timeout_s, epoch](ChunkWriter& out) {
    int64_t from = rv;
    std::string name_filter;
    if (fields.rfind("metadata.name=", 0) == 0) name_filter = fields.substr(14);
    auto wanted = [&](const Json& obj) {
      if (!name_filter.empty() && obj["metadata"].value("name", "") != name_filter) return false;
      return MatchesLabels(obj, labels);
    };
    if (rv_text.empty() || rv_text == "0") {
      // Start with the current state as ADDED events, as the API server does.
      ObjectStore::ListResult list = store_.List(t, ns, labels, fields, 0, "");
      for (const Json& obj : list.items) {
        if (!wanted(obj)) continue;
        if (!out.Write(Json{{"type", "ADDED"}, {"object", obj}}.dump() + "\n")) return;
      }
      from = list.rv;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    auto last_bookmark = std::chrono::steady_clock::now();
    while (!out.Stopping() && std::chrono::steady_clock::now() < deadline &&
           watch_epoch_.load() == epoch) {
      auto events = store_.EventsSince(t, ns, from, 200);
      if (auto* e = std::get_if<ApiError>(&events)) {
        out.Write(Json{{"type", "ERROR"},
                       {"object", {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                                   {"message", e->message}, {"reason", e->reason}, {"code", e->code}}}}
                      .dump() + "\n");
        return;
      }
      for (const WatchEvent& ev : std::get<std::vector<WatchEvent>>(events)) {
        from = ev.rv;
        if (!wanted(ev.object)) continue;
        if (!out.Write(Json{{"type", ev.type}, {"object", ev.object}}.dump() + "\n")) return;
      }
      if (bookmarks && std::chrono::steady_clock::now() - last_bookmark > std::chrono::seconds(1)) {
        last_bookmark = std::chrono::steady_clock::now();
        if (!out.Write(Json{{"type", "BOOKMARK"},
                            {"object", {{"apiVersion", t.api_version()}, {"kind", t.kind},
                                        {"metadata", {{"resourceVersion", std::to_string(from)}}}}}}
                           .dump() + "\n")) {
          return;
        }
      }
    }
  };
  return r;
}

}  // namespace doris_operator::kubesim
