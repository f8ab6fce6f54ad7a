#include "tools/kubesim/dry_run.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace doris_operator::kubesim {

namespace {

// The options kind each verb's handler decodes (apiserver
// pkg/endpoints/handlers/{create,update,patch,delete}.go).
const char* OptionsKind(const std::string& method) {
  if (method == "POST") return "CreateOptions";
  if (method == "PUT") return "UpdateOptions";
  if (method == "PATCH") return "PatchOptions";
  if (method == "DELETE") return "DeleteOptions";
  return nullptr;
}

}  // namespace

std::variant<bool, ApiError> DryRunOf(const HttpRequest& req) {
  const char* kind = OptionsKind(req.method);
  if (kind == nullptr) return false;
  std::vector<std::string> values;
  bool given = false;
  if (req.method == "DELETE" && !req.body.empty()) {
    // With a body, the handler decodes DeleteOptions from it and never
    // looks at the query (delete.go).
    Json options = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (options.is_object() && options.contains("dryRun") && !options["dryRun"].is_null()) {
      given = true;
      if (!options["dryRun"].is_array()) {
        return ApiError{400, "BadRequest",
                        "json: cannot unmarshal " +
                            std::string(options["dryRun"].is_string() ? "string" : "value") +
                            " into Go struct field DeleteOptions.dryRun of type []string"};
      }
      for (const Json& v : options["dryRun"]) values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    }
  } else if (auto it = req.query.find("dryRun"); it != req.query.end()) {
    given = true;
    values.push_back(it->second);
  }
  if (!given) return false;
  std::vector<std::string> quoted;
  bool all = true;
  for (const std::string& v : values) {
    quoted.push_back(Json(v).dump());
    all &= v == "All";
  }
  // An empty list is no dry run (dryrun.IsDryRun: len > 0).
  if (all) return !values.empty();
  // field.NotSupported(dryRun, []string{...}, ["All"]), printed with %#v.
  const std::string message =
      absl::StrCat("Unsupported value: []string{", absl::StrJoin(quoted, ", "), "}: supported values: \"All\"");
  ApiError e{422, "Invalid", absl::StrCat(kind, ".meta.k8s.io \"\" is invalid: dryRun: ", message)};
  e.details = {{"group", "meta.k8s.io"},
               {"kind", kind},
               {"name", ""},
               {"causes", Json::array({{{"reason", "FieldValueNotSupported"}, {"message", message}, {"field", "dryRun"}}})}};
  return e;
}

}  // namespace doris_operator::kubesim
