#include "tools/kubesim/protobuf_body.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "tools/kubesim/k8s_proto_json.h"

namespace doris_operator::kubesim {

namespace {

constexpr char kUnknown[] = "k8s.io.apimachinery.pkg.runtime.Unknown";

// The protobuf message of a built-in kind: k8s.io/api keeps group G's types
// in package k8s.io.api.<first label of G>.<version> ("core" for the
// legacy group), e.g. rbac.authorization.k8s.io/v1 Role ->
// k8s.io.api.rbac.v1.Role.
std::string MessageName(const std::string& api_version, const std::string& kind) {
  std::vector<std::string> gv = absl::StrSplit(api_version, '/');
  if (gv.size() == 1) return absl::StrCat("k8s.io.api.core.", gv[0], ".", kind);
  std::vector<std::string> labels = absl::StrSplit(gv[0], '.');
  return absl::StrCat("k8s.io.api.", labels[0], ".", gv[1], ".", kind);
}

ApiError Malformed(const std::string& what) {
  return ApiError{400, "BadRequest", absl::StrCat("protobuf body: ", what)};
}

}  // namespace

std::variant<Json, ApiError> DecodeProtobufBody(const std::string& body) {
  // runtime/serializer/protobuf: a 4-byte magic, then runtime.Unknown
  // {typeMeta, raw, contentEncoding, contentType}.
  static const std::string kMagic("k8s\0", 4);
  if (body.compare(0, kMagic.size(), kMagic) != 0) return Malformed("missing the k8s magic prefix");
  std::variant<Json, std::string> unknown = K8sProtoToJson(kUnknown, body.substr(kMagic.size()));
  if (auto* e = std::get_if<std::string>(&unknown)) return Malformed(*e);
  const Json& u = std::get<Json>(unknown);
  const std::string api_version = u.value("/typeMeta/apiVersion"_json_pointer, "");
  const std::string kind = u.value("/typeMeta/kind"_json_pointer, "");
  const std::string message = MessageName(api_version, kind);
  if (kind.empty() || !HasK8sMessage(message)) {
    return ApiError{415, "UnsupportedMediaType",
                    absl::StrCat("kubesim has no protobuf descriptor for ", api_version, "/", kind,
                                 "; send JSON (kubectl apply -f)")};
  }
  // raw is bytes: the converter wrote it as base64, as Go's JSON would.
  std::string raw;
  if (!absl::Base64Unescape(u.value("raw", ""), &raw)) return Malformed("raw does not decode");
  std::variant<Json, std::string> obj = K8sProtoToJson(message, raw);
  if (auto* e = std::get_if<std::string>(&obj)) return Malformed(*e);
  Json out = {{"apiVersion", api_version}, {"kind", kind}};
  out.update(std::get<Json>(obj));
  if (!out.contains("metadata")) out["metadata"] = Json::object();
  return out;
}

}  // namespace doris_operator::kubesim
