#ifndef DORIS_OPERATOR_TRANSLATOR_OBJECT_BUILDER_H_
#define DORIS_OPERATOR_TRANSLATOR_OBJECT_BUILDER_H_

// What the per-object builders (services, StatefulSet, autoscaler) share:
// the context of one component of one cluster, the labels every object
// carries, and the small writers for user JSON and ports. Internal to
// translator/; the public API is translator.h.

#include <string>
#include <string_view>
#include <vector>

#include "proto/doris_cluster.pb.h"
#include "translator/canonical_json.h"
#include "translator/component.h"
#include "translator/doris_conf.h"
#include "translator/desired_object.h"
#include "translator/json_parts.h"
#include "translator/json_writer.h"
#include "translator/translator.h"

namespace doris_operator::translator::internal {

inline constexpr char kOwnerRefLabel[] = "app.doris.ownerreference/name";
inline constexpr char kComponentLabel[] = "app.kubernetes.io/component";
inline constexpr char kClusterLabel[] = "app.doris.cluster";
inline constexpr char kServiceRoleLabel[] = "app.doris.service/role";
inline constexpr char kConfigMountPath[] = "/etc/doris";
inline const char* const kDebugAnnotations[] = {"selectdb.com.doris/runmode",
                                                "apache.org.doris/runmode"};

// Everything the builders need about one component of one cluster.
struct Ctx {
  const model::v1::DorisCluster* cluster;
  const TranslateInputs* inputs;
  Component c;
  const model::v1::BaseSpec* base;
  const DorisConf* conf;     // this component's core config
  const DorisConf* fe_conf;  // FE's, for the query port other components dial
  const std::string* owner_refs;  // canonical ownerReferences, shared by all objects
  std::string sts_name;

  const std::string& name() const { return cluster->metadata().name(); }
  const std::string& ns() const { return cluster->metadata().namespace_(); }
  const char* comp() const { return ComponentName(c); }
  const std::string& sts() const { return sts_name; }
  int Port(std::string_view key, int fallback) const {
    return static_cast<int>(conf->Int(key, fallback));
  }
};

// Writes one whole object; `hash` is null on the first pass (the hash is of
// the object without its hash annotation) and set on the second, if any.
using Builder = Written (*)(const Ctx&, JsonWriter&, const std::string* hash);

void WriteSelectorLabels(const Ctx& x, JsonWriter& w);

// metadata's name, namespace and ownerReferences (after annotations, labels).
void WriteMetaTail(const Ctx& x, JsonWriter& w, const std::string& name);

// Opens the object and writes apiVersion, kind and metadata of an object
// labelled for the whole cluster (owner-reference label = the cluster's name,
// component label `component`); the caller writes the rest and closes it.
void WriteClusterObjectHead(const Ctx& x, JsonWriter& w, const Written& out, std::string_view component);

struct PortOut {
  std::string_view name;
  int port;
  bool protocol;  // emit protocol: TCP
};

// The component's ports as configured, in contract order.
std::vector<PortOut> Ports(const Ctx& x, bool with_protocol_quirk);

// The port liveness probes and the internal Service use.
int LivenessPort(const Ctx& x);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_OBJECT_BUILDER_H_
