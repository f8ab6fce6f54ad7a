#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_PROTOBUF_BODY_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_PROTOBUF_BODY_H_

// Decodes `application/vnd.kubernetes.protobuf` request bodies (`k8s\0` +
// runtime.Unknown wrapping the object), which every `kubectl create
// <generator>` sends, into the JSON objects kubesim stores, as kube-apiserver
// decodes them into its Go types.

#include <string>
#include <variant>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// The object with apiVersion and kind, or 400 for a body that does not
// decode, or 415 for a kind kubesim holds no protobuf descriptor of.
std::variant<Json, ApiError> DecodeProtobufBody(const std::string& body);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_PROTOBUF_BODY_H_
