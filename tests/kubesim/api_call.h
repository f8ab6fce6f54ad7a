#ifndef DORIS_OPERATOR_TESTS_KUBESIM_API_CALL_H_
#define DORIS_OPERATOR_TESTS_KUBESIM_API_CALL_H_

// One request to an in-process ApiServer, as kubectl would send it (path
// with a query string, JSON body), and its answer parsed: the request helper
// kubesim's handler-level tests share.

#include <map>
#include <string>

#include "tools/kubesim/api_server.h"

namespace doris_operator::kubesim::testing {

struct ApiResult {
  int status = 0;
  Json body;
  std::map<std::string, std::string> headers;
};

inline ApiResult ApiCall(ApiServer& api, const std::string& method, const std::string& path_and_query,
                         const Json& body = Json(), const std::string& content_type = "application/json",
                         const std::string& user_agent = "") {
  HttpRequest req;
  req.method = method;
  const size_t q = path_and_query.find('?');
  req.path = path_and_query.substr(0, q);
  if (q != std::string::npos) {
    const std::string query = path_and_query.substr(q + 1);
    size_t start = 0;
    while (start <= query.size()) {
      const size_t amp = query.find('&', start);
      const std::string kv = query.substr(start, amp - start);
      const size_t eq = kv.find('=');
      req.query[UrlDecode(kv.substr(0, eq))] = eq == std::string::npos ? "" : UrlDecode(kv.substr(eq + 1));
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  req.headers["content-type"] = content_type;
  if (!user_agent.empty()) req.headers["user-agent"] = user_agent;
  if (!body.is_null()) req.body = body.dump();
  HttpResponse resp = api.Handle(req);
  return {resp.status, resp.body.empty() ? Json() : Json::parse(resp.body, nullptr, false), resp.headers};
}

}  // namespace doris_operator::kubesim::testing

#endif  // DORIS_OPERATOR_TESTS_KUBESIM_API_CALL_H_
