#ifndef DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_CONTEXT_H_
#define DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_CONTEXT_H_

// What the ddc's per-object builders share: the context of one component (the
// meta service, FE or one compute group), its labels, ports and config file.
// Internal to translator/disaggregated; the public API is translator.h.

#include <string>
#include <string_view>
#include <vector>

#include "proto/doris_disaggregated_cluster.pb.h"
#include "translator/desired_object.h"
#include "translator/doris_conf.h"
#include "translator/field_problem.h"
#include "translator/json_writer.h"
#include "translator/disaggregated/defaults.h"
#include "translator/disaggregated/translator.h"

namespace doris_operator::translator::disaggregated {

namespace dv1 = model::disaggregated::v1;

enum class Kind { kMs, kFe, kCg };

const char* TypeLabel(Kind k);      // "ms", "fe", "compute"
const char* ContainerName(Kind k);  // "metaservice", "fe", "compute"
const char* DorisHome(Kind k);
const char* ConfFileKey(Kind k);    // "doris_cloud.conf", "fe.conf", "be.conf"

// Everything the builders need about one component of one ddc.
struct Ctx {
  const dv1::DorisDisaggregatedCluster* ddc;
  const TranslateInputs* inputs;
  Kind kind;
  const dv1::CommonSpec* base;
  const dv1::ComputeGroup* cg;  // kCg only
  const DorisConf* conf;        // this component's config file
  const DorisConf* fe_conf;     // FE's: the query port BEs dial
  const DorisConf* ms_conf;     // the meta service's: the port FE dials
  const std::string* owner_refs;
  std::string sts;  // the StatefulSet's name

  const std::string& name() const { return ddc->metadata().name(); }
  const std::string& ns() const { return ddc->metadata().namespace_(); }
  int Port(std::string_view key, int fallback) const {
    return static_cast<int>(conf->Int(key, fallback));
  }
};

// The component's config file from its ConfigMaps (first holding the key);
// a listed ConfigMap that was not observed is a warning at `path`.
DorisConf LoadConf(const TranslateInputs& in, const dv1::CommonSpec& base, Kind k,
                   const std::string& path, FieldProblems* warnings);

// Replicas with the reference's defaults (defaults.h) for the component.
int32_t Replicas(const dv1::CommonSpec& base, Kind k);

struct Port {
  std::string name;
  int port;
};
// The component's ports as configured, in contract order (§4.3).
std::vector<Port> Ports(const Ctx& x);
// The one port the headless Service carries: FE query, BE heartbeat, MS brpc.
Port HeadlessPort(const Ctx& x);

// Labels of the StatefulSet and the access Service; of the pods' selector.
void WriteObjectLabels(const Ctx& x, JsonWriter& w, const char* role = nullptr);
void WriteSelectorLabels(const Ctx& x, JsonWriter& w);

// metadata's name, namespace and ownerReferences (after annotations, labels).
void WriteMetaTail(const Ctx& x, JsonWriter& w, const std::string& name);
// metadata's labels (WriteObjectLabels) and tail; closes metadata.
void WriteLabelsAndMetaTail(const Ctx& x, JsonWriter& w, const std::string& name,
                            const char* role = nullptr);

using internal::Written;
using Builder = Written (*)(const Ctx&, JsonWriter&, const std::string* hash);

}  // namespace doris_operator::translator::disaggregated

#endif  // DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_CONTEXT_H_
