#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_SECRET_DATA_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_SECRET_DATA_H_

// A Secret's write-only stringData, merged into data as the API server's
// conversion does (kubernetes pkg/apis/core/v1/conversion.go,
// Convert_v1_Secret_To_core_Secret: "StringData overwrites Data"); the
// stored object has no stringData.

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// `obj` unchanged for kinds other than Secret.
Json SecretStringData(const ResourceType& t, Json obj);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_SECRET_DATA_H_
