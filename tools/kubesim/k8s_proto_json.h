#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_K8S_PROTO_JSON_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_K8S_PROTO_JSON_H_

// Turns a Kubernetes object in protobuf (the upstream generated.proto
// messages, compiled into kubesim as descriptors) into the JSON the API
// server's Go structs would print: json names, inline structs, omitempty,
// and the apimachinery types with their own JSON (IntOrString, Quantity,
// Time, MicroTime, Duration, RawExtension, FieldsV1).

#include <string>
#include <variant>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// `message` is the protobuf full name, e.g. "k8s.io.api.core.v1.Service".
// Fails with the reason when there is no such message or the bytes do not
// parse as one.
std::variant<Json, std::string> K8sProtoToJson(const std::string& message,
                                              const std::string& bytes);

// Whether kubesim holds the descriptor of `message`.
bool HasK8sMessage(const std::string& message);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_K8S_PROTO_JSON_H_
