#ifndef DORIS_OPERATOR_TRANSLATOR_CONTAINER_PARTS_H_
#define DORIS_OPERATOR_TRANSLATOR_CONTAINER_PARTS_H_

// Writers for pieces of containers every resource's pod template shares:
// resource requirements and the init containers of `systemInitialization`
// and of the BE's default system set-up.

#include <string>

#include "proto/doris_cluster.pb.h"
#include "translator/json_writer.h"

namespace doris_operator::translator::internal {

// The init containers' image: systemInitialization.initImage, else the
// reference's default (selectdb/alpine), which on BE pods is the BE image
// itself: it has sysctl and is already pulled (the reference's
// UseNewDefaultInitContainerImage).
std::string InitImage(const model::v1::SystemInitialization& si, bool be,
                      const std::string& be_image);

// `"resources": {claims, limits, requests}` from the fields the spec set
// (quantities in the API server's form); nothing when none is set.
void WriteResources(JsonWriter& w, bool requests, const model::v1::RawJson& req, bool limits,
                    const model::v1::RawJson& lim, bool claims, const model::v1::RawJson& cl);

// `"lifecycle": {"preStop": {"exec": {"command": [script]}}}`.
void WritePreStopLifecycle(JsonWriter& w, const std::string& script);

// The privileged `default-init` container that sets vm.max_map_count and
// turns swap off before a BE starts.
void WriteDefaultInitContainer(JsonWriter& w, const std::string& image);

// The user's systemInitialization as the privileged container `init`.
void WriteSystemInitContainer(JsonWriter& w, const model::v1::SystemInitialization& si,
                              const std::string& image);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_CONTAINER_PARTS_H_
