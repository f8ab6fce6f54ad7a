#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_WORKLOADS_INTERNAL_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_WORKLOADS_INTERNAL_H_

// What the simulated controllers' files (workloads.cc, kubelet_holds.cc)
// share about pods: a pod condition, a container's waiting status, where
// a pod's start begins. Not for use outside them.

#include <cstdint>
#include <string>

#include "tools/kubesim/object_store.h"
#include "tools/kubesim/workloads.h"

namespace doris_operator::kubesim::workloads_internal {

Json Condition(const char* type, bool status, const char* reason = nullptr, const std::string& message = "");

// A container that has not started, waiting for `reason`.
Json WaitingStatus(const Json& container, const std::string& reason, const std::string& message = "");

// The image of a pod's first container.
std::string ImageOf(const Json& pod);

// How long the sandbox and the image pulls take before the first container.
int64_t StartDelay(const Json& pod, const WorkloadOptions& options);

// spec.containers or spec.initContainers; an empty array when absent.
const Json& ContainersOf(const Json& pod, const char* field);

}  // namespace doris_operator::kubesim::workloads_internal

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_WORKLOADS_INTERNAL_H_
