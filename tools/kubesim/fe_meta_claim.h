#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_FE_META_CLAIM_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_FE_META_CLAIM_H_

// Which claim holds an FE pod's metadata directory. Both fake Dorises
// (DorisCluster and ddc) remember the claims that held a dropped FE's meta:
// the images' entrypoints start an FE whose meta_dir has image/ROLE as the
// node it was, without joining, and the group that dropped that node never
// takes it back, so an FE pod started on such a claim never becomes a member.

#include <map>
#include <string>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

inline constexpr char kDefaultFeMetaDir[] = "/opt/apache-doris/fe/doris-meta";

// fe.conf's meta_dir (parsed key = value lines), $DORIS_HOME taken as the
// image's /opt/apache-doris/fe; the image's default when it is not set.
std::string FeMetaDir(const std::map<std::string, std::string>& fe_conf);

// The UID of the claim mounted at `meta_dir` in `pod`'s first container
// ("" when the meta dir is on no claim, or the claim does not exist).
std::string FeMetaClaimUid(const ObjectStore& store, const Json& pod, const std::string& meta_dir);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_FE_META_CLAIM_H_
