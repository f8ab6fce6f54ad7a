#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_PROTOBUF_BODY_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_PROTOBUF_BODY_H_

// Decodes the protobuf request bodies `kubectl create configmap|secret|
// namespace` send (`k8s\0` + runtime.Unknown wrapping the object) into the
// JSON objects kubesim stores. Only the fields those generators set.

#include <string>
#include <variant>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// An object with apiVersion, kind, metadata and the kind's fields, or 415
// for kinds it does not decode / 400 for a malformed body.
std::variant<Json, ApiError> DecodeProtobufBody(const std::string& body);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_PROTOBUF_BODY_H_
