#include "translator/affinity.h"

#include <string>

namespace doris_operator::translator::internal {

Json PreferredTerm(int weight, std::string_view key, std::string_view value) {
  return {{"weight", weight},
          {"podAffinityTerm",
           {{"labelSelector",
             {{"matchExpressions", Json::array({{{"key", std::string(key)},
                                                 {"operator", "In"},
                                                 {"values", Json::array({std::string(value)})}}})}}},
            {"topologyKey", "kubernetes.io/hostname"}}}};
}

void WritePreferredTerm(JsonWriter& w, int weight, std::string_view key, std::string_view value) {
  w.BeginObject();
  w.Key("podAffinityTerm");
  w.BeginObject();
  w.Key("labelSelector");
  w.BeginObject();
  w.Key("matchExpressions");
  w.BeginArray();
  w.BeginObject();
  w.Field("key", key);
  w.Field("operator", "In");
  w.Key("values");
  w.BeginArray();
  w.String(value);
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.Field("topologyKey", "kubernetes.io/hostname");
  w.EndObject();
  w.Field("weight", weight);
  w.EndObject();
}

Json MergeAffinity(const Json& user, const Json& our_anti_terms, const Json& our_pod_terms) {
  Json anti_pref = our_anti_terms;
  Json affinity = Json::object();
  if (user.contains("podAntiAffinity")) {
    const Json& ua = user["podAntiAffinity"];
    if (ua.contains("preferredDuringSchedulingIgnoredDuringExecution")) {
      for (const Json& t : ua["preferredDuringSchedulingIgnoredDuringExecution"]) anti_pref.push_back(t);
    }
    if (ua.contains("requiredDuringSchedulingIgnoredDuringExecution")) {
      affinity["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] =
          ua["requiredDuringSchedulingIgnoredDuringExecution"];
    }
  }
  if (user.contains("nodeAffinity")) affinity["nodeAffinity"] = user["nodeAffinity"];
  if (user.contains("podAffinity")) affinity["podAffinity"] = user["podAffinity"];
  affinity["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] = anti_pref;
  if (!our_pod_terms.empty()) {
    Json& pa = affinity["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"];
    if (!pa.is_array()) pa = Json::array();
    for (const Json& t : our_pod_terms) pa.push_back(t);
  }
  return affinity;
}

}  // namespace doris_operator::translator::internal
