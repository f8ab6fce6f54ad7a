#ifndef DORIS_OPERATOR_OPERATOR_ADMIN_REDACT_H_
#define DORIS_OPERATOR_OPERATOR_ADMIN_REDACT_H_

// The admin API's last line for "Secret data never leaves the operator": the
// log should never hold it, but every object a response carries passes
// through here anyway.

#include "proto/log.pb.h"

namespace doris_operator::admin {

// Strips `data` and `stringData` from Secret objects, and
// spec.adminUser.password (with kubectl's last-applied annotation) from
// DorisClusters; other records are returned unchanged. `omit_objects` drops
// object JSON altogether.
void RedactRecord(log::v1::LogRecord* record, bool omit_objects = false);
void RedactObject(log::v1::StoredObject* object);

}  // namespace doris_operator::admin

#endif  // DORIS_OPERATOR_OPERATOR_ADMIN_REDACT_H_
