// kubesim's protobuf body decoder on hand-encoded bodies: the Go JSON rules
// that kubectl's own generators do not all exercise (pointer zeros, inline
// structs, IntOrString, Time, []byte) and the errors.

#include "tools/kubesim/protobuf_body.h"

#include <string>
#include <variant>

#include "gtest/gtest.h"

namespace doris_operator::kubesim {
namespace {

std::string Varint(uint64_t v) {
  std::string out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(static_cast<char>(v ? b | 0x80 : b));
  } while (v);
  return out;
}
// Field `n` as varint (wire type 0) or length-delimited bytes (2).
std::string Int(int n, uint64_t v) { return Varint(n << 3) + Varint(v); }
std::string Bytes(int n, const std::string& b) { return Varint((n << 3) | 2) + Varint(b.size()) + b; }

std::string Body(const std::string& api_version, const std::string& kind, const std::string& raw) {
  const std::string type_meta = Bytes(1, api_version) + Bytes(2, kind);
  return std::string("k8s\0", 4) + Bytes(1, type_meta) + Bytes(2, raw) + Bytes(3, "") + Bytes(4, "");
}

Json Decode(const std::string& body) {
  std::variant<Json, ApiError> r = DecodeProtobufBody(body);
  if (auto* e = std::get_if<ApiError>(&r)) {
    ADD_FAILURE() << e->code << " " << e->message;
    return Json();
  }
  return std::get<Json>(r);
}

TEST(ProtobufBody, PointerZerosStayAndOmitemptyZerosGo) {
  // DeploymentSpec: *int32 replicas = 0 is sent and meant; int32
  // minReadySeconds and bool paused are always on the wire, omitempty.
  const std::string spec = Int(1, 0) + Int(5, 0) + Int(7, 0);
  const std::string meta = Bytes(1, "d") + Bytes(2, "") + Bytes(3, "");
  Json d = Decode(Body("apps/v1", "Deployment", Bytes(1, meta) + Bytes(2, spec)));
  EXPECT_EQ(d["apiVersion"], "apps/v1");
  EXPECT_EQ(d["kind"], "Deployment");
  EXPECT_EQ(d["metadata"], Json({{"name", "d"}}));
  EXPECT_EQ(d["spec"], Json({{"replicas", 0}}));
}

TEST(ProtobufBody, IntOrStringTimeAndNonOmitemptyFields) {
  // ServicePort.port has no omitempty (kept), nodePort does (dropped).
  const std::string named = Bytes(1, "http") + Int(3, 80) + Bytes(4, Int(1, 1) + Bytes(3, "web")) +
                            Int(5, 0);
  const std::string numbered = Int(3, 0) + Bytes(4, Int(1, 0) + Int(2, 8080));
  const std::string meta = Bytes(1, "s") + Bytes(8, Int(1, 1700000000) + Int(2, 5));
  Json s = Decode(Body("v1", "Service",
                       Bytes(1, meta) + Bytes(2, Bytes(1, named) + Bytes(1, numbered))));
  EXPECT_EQ(s["spec"]["ports"], Json::parse(R"([{"name":"http","port":80,"targetPort":"web"},
                                               {"port":0,"targetPort":8080}])"));
  // metav1.Time keeps whole seconds (time_proto.go).
  EXPECT_EQ(s["metadata"]["creationTimestamp"], "2023-11-14T22:13:20Z");
}

TEST(ProtobufBody, InlineStructsAndBytes) {
  // Volume's VolumeSource is `json:",inline"`; Secret data is []byte.
  const std::string volume = Bytes(1, "v") + Bytes(2, Bytes(2, ""));
  Json pod = Decode(Body("v1", "Pod", Bytes(1, Bytes(1, "p")) + Bytes(2, Bytes(1, volume))));
  EXPECT_EQ(pod["spec"]["volumes"], Json::parse(R"([{"name":"v","emptyDir":{}}])"));
  const std::string entry = Bytes(1, "k") + Bytes(2, std::string("\0\1", 2));
  Json secret = Decode(Body("v1", "Secret", Bytes(1, Bytes(1, "s")) + Bytes(2, entry)));
  EXPECT_EQ(secret["data"], Json({{"k", "AAE="}}));
  EXPECT_FALSE(secret.contains("type"));  // empty string, omitempty
}

TEST(ProtobufBody, Errors) {
  std::variant<Json, ApiError> r = DecodeProtobufBody(Body("example.com/v1", "Widget", ""));
  ASSERT_TRUE(std::holds_alternative<ApiError>(r));
  EXPECT_EQ(std::get<ApiError>(r).code, 415);
  r = DecodeProtobufBody("{}");
  ASSERT_TRUE(std::holds_alternative<ApiError>(r));
  EXPECT_EQ(std::get<ApiError>(r).code, 400);
  r = DecodeProtobufBody(Body("v1", "ConfigMap", "\xff"));  // a truncated varint
  ASSERT_TRUE(std::holds_alternative<ApiError>(r));
  EXPECT_EQ(std::get<ApiError>(r).code, 400);
}

}  // namespace
}  // namespace doris_operator::kubesim
