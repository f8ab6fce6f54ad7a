#ifndef DORIS_OPERATOR_TRANSLATOR_RESOURCE_JSON_H_
#define DORIS_OPERATOR_TRANSLATOR_RESOURCE_JSON_H_

// Converts a custom resource as the API server stores it (JSON) into its
// typed model message by reflection, and a model message back into JSON. One
// converter for every resource this operator serves (DorisCluster, ddc), so
// field paths, type errors and unknown-field warnings read the same for all.

#include <string_view>

#include "google/protobuf/message.h"
#include "translator/canonical_json.h"
#include "translator/field_problem.h"

namespace doris_operator::translator {

struct ResourceProblems {
  FieldProblems errors;    // non-empty: the message is incomplete, do not use
  FieldProblems warnings;  // e.g. unknown fields, ignored
};

// `resource` is a model message with fields api_version, kind, metadata
// (model::v1::ObjectMeta), spec and status. Problems in status are warnings:
// status is the operator's own and a stale one must not stop a reconcile.
ResourceProblems ResourceFromJson(const Json& object, std::string_view api_version,
                                  std::string_view kind, google::protobuf::Message* resource);

// The message as JSON with the API's field names; `base` fields are inlined
// and fields named `password` are left out (credentials are never echoed).
Json MessageToJson(const google::protobuf::Message& msg);

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_RESOURCE_JSON_H_
