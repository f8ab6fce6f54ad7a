#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DIFF_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DIFF_H_

// Compares what the translator wants with what exists and says what to
// write. Guided by the content-hash annotation: an object whose hash matches
// is left alone, so changes Kubernetes makes itself (defaults, status,
// replicas set by an autoscaler) are never fought. Pure.

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "translator/translator.h"

namespace doris_operator::reconcile {

struct LiveObject {
  std::string api_version;
  std::string kind;
  std::string name;
  nlohmann::json object;
  // Carries this DorisCluster's controller owner reference (its UID). Only
  // owned objects are ever deleted; others are only updated when desired.
  bool owned = true;
};

enum class Verb {
  kCreate,  // not there yet
  kApply,   // there, content hash differs: server-side apply of the desired object
  kDelete,  // owned by the cluster, no longer desired
};

struct PlannedWrite {
  Verb verb;
  std::string api_version;
  std::string kind;
  std::string name;
  std::string body;    // canonical JSON to send (empty for kDelete)
  std::string reason;  // why, for the reconcile record and Events
};

struct DiffResult {
  std::vector<PlannedWrite> writes;  // creates/applies in desired order, then deletes
  std::vector<std::string> notes;    // e.g. immutable fields kept as they are
};

// `live` holds the objects of the kinds the operator manages that carry an
// owner reference to this DorisCluster (plus any desired name found live).
DiffResult Diff(const translator::DesiredSet& desired, const std::vector<LiveObject>& live);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DIFF_H_
