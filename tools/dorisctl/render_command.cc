#include "tools/dorisctl/render_command.h"

#include <map>
#include <ostream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/dorisctl/files.h"
#include "tools/dorisctl/yaml_json.h"
#include "translator/canonical_json.h"
#include "translator/component.h"
#include "translator/model_json.h"
#include "translator/disaggregated/model_json.h"
#include "translator/disaggregated/translator.h"
#include "translator/translator.h"

namespace doris_operator::dorisctl {

namespace {

using nlohmann::json;
using translator::Component;

constexpr char kUsage[] =
    "usage: dorisctl render -f CLUSTER.yaml [--configmap KEY=PATH ...] [-o yaml|json]\n"
    "\n"
    "Prints the Kubernetes objects the operator would create for a DorisCluster or a\n"
    "DorisDisaggregatedCluster, without contacting a cluster. ConfigMaps in the same\n"
    "file are used to resolve ports and paths (and a ddc's FDB cluster-file, by\n"
    "namespace/name); --configmap fe.conf=./fe.conf supplies a config file for every\n"
    "component whose core ConfigMap (a ddc: any of its configMaps) should hold that key.\n";

// A translation's outcome as `render` prints it: the objects (YAML
// documents, or a JSON List) on `out`, warnings and errors on `err`; the
// exit code.
int PrintDesired(const absl::StatusOr<translator::DesiredSet>& set, const std::string& format,
                 std::ostream& out, std::ostream& err) {
  if (!set.ok()) {
    std::istringstream lines{std::string(set.status().message())};
    for (std::string line; std::getline(lines, line);) err << "error: " << line << "\n";
    return 1;
  }
  for (const auto& w : set->warnings) err << "warning: " << w.ToString() << "\n";
  if (format == "json") {
    json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", json::array()}};
    for (const auto& o : set->objects) list["items"].push_back(json::parse(o.json));
    out << list.dump(2) << "\n";
    return 0;
  }
  bool first = true;
  for (const auto& o : set->objects) {
    if (!first) out << "---\n";
    first = false;
    out << ToYaml(json::parse(o.json));
  }
  return 0;
}

}  // namespace

int RunRender(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string file, format = "yaml";
  std::vector<std::pair<std::string, std::string>> conf_files;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&](std::string* dst) {
      if (i + 1 >= args.size()) return false;
      *dst = args[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      out << kUsage;
      return 0;
    } else if (a == "-f" || a == "--filename") {
      if (!next(&file)) return err << kUsage, 2;
    } else if (a == "-o" || a == "--output") {
      if (!next(&format) || (format != "yaml" && format != "json")) {
        err << "dorisctl render: -o must be yaml or json\n";
        return 2;
      }
    } else if (a == "--configmap") {
      std::string kv;
      if (!next(&kv) || kv.find('=') == std::string::npos) {
        err << "dorisctl render: --configmap takes KEY=PATH, e.g. fe.conf=./fe.conf\n";
        return 2;
      }
      conf_files.emplace_back(kv.substr(0, kv.find('=')), kv.substr(kv.find('=') + 1));
    } else {
      err << "dorisctl render: unexpected argument \"" << a << "\"\n" << kUsage;
      return 2;
    }
  }
  if (file.empty()) {
    err << kUsage;
    return 2;
  }
  std::string text;
  if (!ReadFile(file, &text)) {
    err << "dorisctl render: cannot read " << file << "\n";
    return 1;
  }
  absl::StatusOr<std::vector<json>> docs = ParseYamlDocuments(text);
  if (!docs.ok()) {
    err << file << ": " << docs.status().message() << "\n";
    return 1;
  }
  const json* cluster_doc = nullptr;
  const json* ddc_doc = nullptr;
  translator::TranslateInputs inputs;
  // ConfigMaps by namespace/name: the ddc's FDB ConfigMap may be in any namespace.
  std::map<std::string, std::map<std::string, std::string>> namespaced;
  for (const json& d : *docs) {
    const std::string kind = d.is_object() && d.contains("kind") && d["kind"].is_string()
                                 ? d["kind"].get<std::string>()
                                 : "";
    if (kind == "DorisDisaggregatedCluster") {
      if (ddc_doc != nullptr) {
        err << file << ": holds more than one DorisDisaggregatedCluster; render one at a time\n";
        return 1;
      }
      ddc_doc = &d;
    } else if (kind == "DorisCluster") {
      if (cluster_doc != nullptr) {
        err << file << ": holds more than one DorisCluster; render one at a time\n";
        return 1;
      }
      cluster_doc = &d;
    } else if (kind == "ConfigMap" && d.contains("data") && d["data"].is_object()) {
      // `d` is const: operator[] on a missing key would be undefined (found
      // by tests/fuzz/doris_cluster_fuzzer), so look the name up with find.
      const auto meta = d.find("metadata");
      const json no_name;
      const json& name_value =
          meta != d.end() && meta->is_object() && meta->contains("name") ? (*meta)["name"] : no_name;
      if (!name_value.is_string() || name_value.get<std::string>().empty()) {
        err << file << ": a ConfigMap has no metadata.name; every ConfigMap needs one\n";
        return 1;
      }
      const std::string name = name_value.get<std::string>();
      const auto ns = meta->find("namespace");
      const std::string cm_ns =
          ns != meta->end() && ns->is_string() ? ns->get<std::string>() : "default";
      for (const auto& [k, v] : d["data"].items()) {
        if (v.is_string()) {
          inputs.config_maps[name][k] = v.get<std::string>();
          namespaced[cm_ns + "/" + name][k] = v.get<std::string>();
        }
      }
    }
  }
  if (ddc_doc != nullptr && cluster_doc != nullptr) {
    err << file << ": holds a DorisCluster and a DorisDisaggregatedCluster; render one at a time\n";
    return 1;
  }
  if (ddc_doc != nullptr) {
    namespace dd = translator::disaggregated;
    dd::ModelFromJsonResult model = dd::ModelFromJson(*ddc_doc);
    for (const auto& w : model.warnings) err << "warning: " << w.ToString() << "\n";
    if (!model.errors.empty()) {
      for (const auto& e : model.errors) err << "error: " << e.ToString() << "\n";
      return 1;
    }
    if (model.ddc.metadata().namespace_().empty()) model.ddc.mutable_metadata()->set_namespace_("default");
    dd::TranslateInputs ddc_inputs;
    ddc_inputs.config_maps = inputs.config_maps;
    const std::vector<dd::NeededConfigMap> needs = dd::NeededConfigMaps(model.ddc);
    for (const dd::NeededConfigMap& need : needs) {
      if (need.key != "cluster-file") continue;  // config files: by name, above
      auto fdb = namespaced.find(need.namespace_ + "/" + need.name);
      if (fdb != namespaced.end() && fdb->second.count(need.key)) {
        ddc_inputs.fdb_cluster_file = fdb->second.at(need.key);
      }
    }
    for (const auto& [key, path] : conf_files) {
      std::string content;
      if (!ReadFile(path, &content)) {
        err << "dorisctl render: cannot read " << path << "\n";
        return 1;
      }
      bool used = false;
      for (const dd::NeededConfigMap& need : needs) {
        if (need.key != key) continue;
        ddc_inputs.config_maps[need.name][key] = content;
        used = true;
      }
      if (!used) {
        err << "warning: --configmap " << key
            << " is not the config file of any component with configMaps; ignored\n";
      }
    }
    return PrintDesired(dd::Translate(model.ddc, ddc_inputs), format, out, err);
  }
  if (cluster_doc == nullptr) {
    err << file << ": no DorisCluster or DorisDisaggregatedCluster in the file\n";
    return 1;
  }
  translator::ModelFromJsonResult model = translator::ModelFromJson(*cluster_doc);
  for (const auto& w : model.warnings) err << "warning: " << w.ToString() << "\n";
  if (!model.errors.empty()) {
    for (const auto& e : model.errors) err << "error: " << e.ToString() << "\n";
    return 1;
  }
  // Rendering needs names; default the namespace like kubectl would.
  if (model.cluster.metadata().namespace_().empty()) {
    model.cluster.mutable_metadata()->set_namespace_("default");
  }
  for (const auto& [key, path] : conf_files) {
    std::string content;
    if (!ReadFile(path, &content)) {
      err << "dorisctl render: cannot read " << path << "\n";
      return 1;
    }
    bool used = false;
    for (Component c : translator::kAllComponents) {
      const auto* base = translator::BaseOf(model.cluster.spec(), c);
      if (base == nullptr || key != translator::ConfFileKey(c)) continue;
      const std::string cm = translator::CoreConfigMapName(*base);
      if (cm.empty()) continue;
      inputs.config_maps[cm][key] = content;
      used = true;
    }
    if (!used) {
      err << "warning: --configmap " << key
          << " is not the core config of any component with configMapInfo; ignored\n";
    }
  }
  return PrintDesired(translator::Translate(model.cluster, inputs), format, out, err);
}

}  // namespace doris_operator::dorisctl
