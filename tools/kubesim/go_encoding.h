#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_GO_ENCODING_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_GO_ENCODING_H_

// What kube-apiserver's Go types make of an object on the way through
// storage: fields tagged `omitempty` vanish when empty, fields without it
// are always written (a new StatefulSet's `status.replicas: 0`).

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// Drops the empty ObjectMeta fields Go's encoder omits (`generateName: ""`,
// `labels: {}`, `generation: 0`, ...) and adds the zero-valued status fields
// of built-in kinds it never omits. Custom resources keep their JSON, but
// their metadata is ObjectMeta too.
void NormalizeAsGoEncodes(const ResourceType& t, Json& obj);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_GO_ENCODING_H_
