#ifndef DORIS_OPERATOR_TESTS_KUBESIM_API_CALL_H_
#define DORIS_OPERATOR_TESTS_KUBESIM_API_CALL_H_

// One request to an in-process kubesim ApiServer, built as the HTTP server
// would hand it over (path and decoded query apart, lower-case headers), and
// its answer with the body parsed: for the unit tests of tests/kubesim.

#include <map>
#include <string>

#include "tools/kubesim/api_server.h"
#include "tools/kubesim/http_server.h"

namespace doris_operator::kubesim {

struct ApiResult {
  int status;
  Json body;  // null when the answer has no body
  std::map<std::string, std::string> headers;
};

struct ApiCallOptions {
  std::string content_type = "application/json";
  std::string user_agent;  // none when empty
  std::string accept;      // none when empty
};

// `path_and_query` is "/api/v1/...?a=b&c=d", with URL-encoded values.
inline ApiResult CallApi(ApiServer& api, const std::string& method, const std::string& path_and_query,
                         const Json& body = Json(), const ApiCallOptions& options = {}) {
  HttpRequest req;
  req.method = method;
  const size_t q = path_and_query.find('?');
  req.path = path_and_query.substr(0, q);
  if (q != std::string::npos) {
    const std::string query = path_and_query.substr(q + 1);
    for (size_t start = 0; start <= query.size();) {
      const size_t amp = query.find('&', start);
      const std::string kv = query.substr(start, amp - start);
      const size_t eq = kv.find('=');
      req.query[UrlDecode(kv.substr(0, eq))] = eq == std::string::npos ? "" : UrlDecode(kv.substr(eq + 1));
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  req.headers["content-type"] = options.content_type;
  if (!options.user_agent.empty()) req.headers["user-agent"] = options.user_agent;
  if (!options.accept.empty()) req.headers["accept"] = options.accept;
  if (!body.is_null()) req.body = body.dump();
  HttpResponse resp = api.Handle(req);
  return {resp.status, resp.body.empty() ? Json() : Json::parse(resp.body), resp.headers};
}

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TESTS_KUBESIM_API_CALL_H_
