#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_TRANSLATE_STEP_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_TRANSLATE_STEP_H_

// Translate: the pure translator's desired objects for this reconcile, with
// what the decide steps chose (held replicas, restart stamps, partitions) as
// inputs; their hashes go into the record, and objects that cannot start yet
// (BE, CN and brokers before the FE serves) are withheld.

#include "absl/status/statusor.h"
#include "operator/reconcile/run.h"
#include "translator/translator.h"

namespace doris_operator::reconcile {

// The desired objects; a failure is recorded in the run (the reconcile fails).
absl::StatusOr<translator::DesiredSet> TranslateDesired(Run& run);

// Records the desired set's hashes, then withholds what must wait for the FE
// (the record keeps the whole set, so a replay sees what was wanted).
void RecordAndWithhold(Run& run, translator::DesiredSet* desired);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_TRANSLATE_STEP_H_
