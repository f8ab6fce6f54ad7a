// Fuzzes kubesim's request bodies and patches (tools/kubesim) through the
// API server's handler, as its HTTP server hands requests over: byte 0 picks
// the operation (create as JSON, YAML or protobuf; update; merge, JSON,
// strategic merge or apply patch), byte 1 the resource, the rest is the body.
// Each input gets a fresh simulator holding one object "t" of that resource.
//
// Properties: nothing crashes; every answer is < 500 (a bad body is the
// client's fault, as on kube-apiserver); every error is a metav1.Status whose
// code is the HTTP status and that says what is wrong; a successful write
// answers with exactly the object a following GET returns.

#include <cstddef>
#include <cstdint>
#include <string>

#include "nlohmann/json.hpp"
#include "tests/fuzz/fuzz_check.h"
#include "tools/kubesim/api_server.h"

namespace {

using nlohmann::json;
namespace kubesim = doris_operator::kubesim;

struct Resource {
  const char* collection;
  const char* object;  // "t", created before the request
};

const Resource kResources[] = {
    {"/api/v1/namespaces/default/configmaps",
     R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t","labels":{"a":"b"}},"data":{"k":"v"}})"},
    {"/apis/apps/v1/namespaces/default/statefulsets",
     R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"t"},"spec":{"replicas":1,
        "selector":{"matchLabels":{"app":"s"}},"template":{"metadata":{"labels":{"app":"s"}},
        "spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],
        "env":[{"name":"A","value":"1"}]}]}}}})"},
    {"/api/v1/namespaces/default/services",
     R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"t"},"spec":{"selector":{"app":"s"},
        "ports":[{"name":"http","port":80,"targetPort":8080}]}})"},
    {"/api/v1/namespaces/default/secrets",
     R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"t"},"type":"Opaque","data":{"k":"dg=="}})"},
    {"/api/v1/namespaces/default/pods",
     R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"t"},"spec":{"containers":[{"name":"c","image":"i"}]}})"},
};

struct Operation {
  const char* method;
  const char* content_type;
  bool on_object;  // the request goes to .../t
};

const Operation kOperations[] = {
    {"POST", "application/json", false},
    {"POST", "application/yaml", false},
    {"POST", "application/vnd.kubernetes.protobuf", false},
    {"PUT", "application/json", true},
    {"PATCH", "application/merge-patch+json", true},
    {"PATCH", "application/json-patch+json", true},
    {"PATCH", "application/strategic-merge-patch+json", true},
    {"PATCH", "application/apply-patch+yaml", true},
};

kubesim::HttpResponse Call(kubesim::ApiServer& api, const std::string& method, const std::string& path,
                           const std::string& content_type, const std::string& body) {
  kubesim::HttpRequest req;
  req.method = method;
  req.path = path;
  req.body = body;
  if (!content_type.empty()) req.headers["content-type"] = content_type;
  req.headers["accept"] = "application/json";
  req.headers["user-agent"] = "kubesim_request_fuzzer";
  if (content_type == "application/apply-patch+yaml") {
    req.query["fieldManager"] = "fuzz";
    req.query["force"] = "true";
  }
  return api.Handle(req);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const Operation& op = kOperations[data[0] % (sizeof kOperations / sizeof kOperations[0])];
  const Resource& res = kResources[data[1] % (sizeof kResources / sizeof kResources[0])];
  const std::string body(reinterpret_cast<const char*>(data) + 2, size - 2);

  kubesim::ApiServer api;
  const kubesim::HttpResponse made = Call(api, "POST", res.collection, "application/json", res.object);
  FUZZ_CHECK(made.status == 201, "cannot create the target: " + made.body);

  const std::string path = op.on_object ? std::string(res.collection) + "/t" : res.collection;
  const kubesim::HttpResponse r = Call(api, op.method, path, op.content_type, body);
  FUZZ_CHECK(r.status < 500, std::to_string(r.status) + " for a request body: " + r.body);
  FUZZ_CHECK(!r.stream, "a write answered with a stream");
  const json answer = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(answer.is_object(), "the answer is not a JSON object: " + r.body);
  if (r.status >= 400) {
    FUZZ_CHECK(answer.value("kind", json()) == "Status" && answer.value("code", json()) == r.status,
               "an error that is not a Status of its code: " + r.body);
    const json message = answer.value("message", json());
    FUZZ_CHECK(message.is_string() && !message.get<std::string>().empty(), "a Status without a message");
    return 0;
  }
  FUZZ_CHECK(r.status == 200 || r.status == 201, "unexpected success code " + std::to_string(r.status));
  const json meta = answer.value("metadata", json());
  FUZZ_CHECK(meta.is_object() && meta.value("name", json()).is_string(), "a written object without a name");
  const std::string name = meta["name"].get<std::string>();
  const kubesim::HttpResponse got = Call(api, "GET", std::string(res.collection) + "/" + name, "", "");
  FUZZ_CHECK(got.status == 200, "the written object cannot be read back: " + got.body);
  FUZZ_CHECK(json::parse(got.body, nullptr, false) == answer,
             "the write answered another object than is stored:\n  answer: " + r.body +
                 "\n  stored: " + got.body);
  return 0;
}
