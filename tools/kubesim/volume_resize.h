#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_VOLUME_RESIZE_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_VOLUME_RESIZE_H_

// The simulated volume expansion of bound claims whose storage request grew
// past their capacity: the external resizer expands the volume (condition
// Resizing), then waits for the node (FileSystemResizePending), and the
// kubelet of a running pod that mounts the claim grows the file system
// (status.capacity follows, the conditions go). A claim no running pod
// mounts stays FileSystemResizePending, as on a real cluster.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

class VolumeResizer {
 public:
  // `controller_ms`: how long the controller side of an expansion takes.
  VolumeResizer(ObjectStore* store, int64_t controller_ms = 200);

  // One step of every claim's expansion; `pods` are the pods as they are
  // after this tick.
  void Tick(int64_t now_ms, const std::vector<Json>& pods);

 private:
  ObjectStore* store_;
  const int64_t controller_ms_;
  ResourceType pvcs_;
  std::map<std::string, int64_t> started_ms_;  // claim uid -> when its expansion began
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_VOLUME_RESIZE_H_
