#include "tools/kubesim/wire.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/kubesim/protobuf_body.h"

namespace doris_operator::kubesim {

HttpResponse JsonResponse(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  // Go's encoding/json coerces strings to valid UTF-8, replacing invalid
  // bytes with U+FFFD; nlohmann would throw (an echo of a malformed body in
  // an error message did; found by tests/fuzz/kubesim_request_fuzzer).
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

HttpResponse StatusResponse(const ApiError& e, const ResourceType* t,
                            const std::string& name) {
  Json details = e.details.is_null() ? Json::object() : e.details;
  if (!name.empty() && e.details.is_null()) details["name"] = name;
  if (t != nullptr && e.details.is_null()) {
    details["kind"] = t->resource;
    if (!t->group.empty()) details["group"] = t->group;
  }
  return JsonResponse(e.code, {{"kind", "Status"},
                               {"apiVersion", "v1"},
                               {"metadata", Json::object()},
                               {"status", "Failure"},
                               {"message", e.message},
                               {"reason", e.reason},
                               {"details", details},
                               {"code", e.code}});
}

namespace {

// kube-apiserver stops decoding JSON nested deeper than 10000 levels
// ("exceeded max depth of 10000", maxDepth in
// k8s.io/apimachinery/pkg/util/json/json.go); every walker here recurses
// per level, so the same bound keeps kubesim's stack safe.
constexpr int kMaxJsonDepth = 10000;

bool NestsDeeperThan(const std::string& text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if ((c == '{' || c == '[') && ++depth > max_depth) {
      return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

}  // namespace

std::variant<Json, ApiError> ParseBody(const HttpRequest& req) {
  if (req.Header("content-type").find("protobuf") != std::string::npos) {
    // `kubectl create configmap|secret|namespace` send their typed objects
    // as protobuf; answers stay JSON, which kubectl accepts.
    return DecodeProtobufBody(req.body);
  }
  if (NestsDeeperThan(req.body, kMaxJsonDepth)) {
    return ApiError{400, "BadRequest",
                    absl::StrCat("the request body is not JSON: exceeded max depth of ",
                                 kMaxJsonDepth)};
  }
  try {
    return Json::parse(req.body);
  } catch (const Json::exception& e) {
    return ApiError{400, "BadRequest", absl::StrCat("the request body is not JSON: ", e.what())};
  }
}

std::string WarningHeader(const std::vector<std::string>& warnings) {
  std::vector<std::string> parts;
  for (const std::string& w : warnings) parts.push_back(absl::StrCat("299 - ", Json(w).dump()));
  return absl::StrJoin(parts, ", ");
}

bool QueryFlag(const HttpRequest& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return false;
  const std::string& v = it->second;
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
}

bool WantsTable(const HttpRequest& req) {
  return req.Header("accept").find("as=Table") != std::string::npos;
}

}  // namespace doris_operator::kubesim
