#ifndef DORIS_OPERATOR_STORE_FOLD_H_
#define DORIS_OPERATOR_STORE_FOLD_H_

// The pure fold of the event log: State' = Fold(State, record). No clock, no
// I/O, no randomness; the same records always give the same state bytes.
// Pass the state by move to fold in place: `s = Fold(std::move(s), r)`.

#include <string>
#include <vector>

#include "proto/log.pb.h"
#include "store/state.h"

namespace doris_operator::store {

// ADDED/MODIFIED (and re-list differences) store the object's new version
// under the record's cluster; DELETED removes it. Every watch record moves its
// stream's cursor to its resourceVersion; a WATCH_CURSOR_RESET drops it.
// Other records only advance last_seq. Records at or below state.last_seq() are ignored, so
// folding is idempotent over overlapping ranges.
State Fold(State state, const log::v1::LogRecord& record);
// Same result; takes the object's bytes from `record` instead of copying them.
State Fold(State state, log::v1::LogRecord&& record);

// The bytes of the state that folding `records` (in order) into `state` gives,
// with `state` left exactly as it was. For the snapshot written in the same
// batch as the records it summarises: the state cannot change before the
// batch commits, and copying a large state would cost more than serialising
// it. Costs the serialisation plus a copy of the objects the records touch.
std::string SerializeFolded(State& state, const std::vector<const log::v1::LogRecord*>& records);

}  // namespace doris_operator::store

#endif  // DORIS_OPERATOR_STORE_FOLD_H_
