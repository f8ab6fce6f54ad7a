#ifndef DORIS_OPERATOR_TRANSLATOR_JSON_PARTS_H_
#define DORIS_OPERATOR_TRANSLATOR_JSON_PARTS_H_

// Small writers every object builder shares, whatever the resource: user
// JSON copied through canonically, resource quantities in the API server's
// form, string maps, paths. Internal to translator/.

#include <string>
#include <string_view>

#include "proto/doris_cluster.pb.h"
#include "translator/canonical_json.h"
#include "translator/json_writer.h"

namespace doris_operator::translator::internal {

// The user's JSON, parsed; `fallback` when absent or unparseable.
Json RawOr(const model::v1::RawJson& raw, Json fallback = Json());

// Writes what Canonical(RawOr(raw, fallback)) would, without parsing when
// the stored text is already canonical (it is when it came from ModelFromJson).
void WriteRaw(JsonWriter& w, const model::v1::RawJson& raw, std::string_view fallback);

// `"key": <raw>` when the spec set the field; nothing otherwise.
void WriteRawField(JsonWriter& w, std::string_view key, bool present,
                   const model::v1::RawJson& raw);

// `"key": <ResourceList>` when the spec set it, every quantity in the form
// the API server stores ({"cpu":8,"memory":"1024Mi"} -> {"cpu":"8","memory":"1Gi"}),
// so what we write is what we read back.
void WriteResourceListField(JsonWriter& w, std::string_view key, bool present,
                            const model::v1::RawJson& raw);

// `list` (a ResourceList) with canonical quantities; values that are not
// quantities (validation reported them) are left as they are.
Json CanonicalResourceList(Json list);

// A user's PersistentVolumeClaimSpec with canonical resources quantities.
Json CanonicalClaimSpec(Json spec);

// HPA v2 metrics with canonical target value/averageValue quantities.
Json CanonicalMetrics(Json metrics);

void WriteStringMap(JsonWriter& w, const google::protobuf::Map<std::string, std::string>& m,
                    std::string_view skip_key = {});

std::string TrimSlash(std::string path);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_JSON_PARTS_H_
