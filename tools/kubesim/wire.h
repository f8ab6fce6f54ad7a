#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_WIRE_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_WIRE_H_

// How requests and answers look on the wire: request bodies (JSON, or the
// protobuf kubectl's typed generators send), metav1.Status errors, Warning
// headers and the API server's reading of boolean query flags.

#include <string>
#include <variant>
#include <vector>

#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

HttpResponse JsonResponse(int status, const Json& body);

// A metav1.Status for `e`; without explicit details, the resource `t` and
// object `name` fill them so kubectl prints the real server's message.
HttpResponse StatusResponse(const ApiError& e, const ResourceType* t = nullptr,
                            const std::string& name = "");

std::variant<Json, ApiError> ParseBody(const HttpRequest& req);

// Go's net/http Warning header: 299 - "text", comma-separated.
std::string WarningHeader(const std::vector<std::string>& warnings);

// Go's strconv.ParseBool, which the API server uses for query flags
// (the python client sends "True").
bool QueryFlag(const HttpRequest& req, const std::string& name);

// `kubectl get` asks for a meta.k8s.io Table.
bool WantsTable(const HttpRequest& req);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_WIRE_H_
