#include "tools/kubesim/invalid_error.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace doris_operator::kubesim {

ApiError InvalidError(const ResourceType& t, const std::string& name, const std::vector<FieldError>& errors) {
  Json causes = Json::array();
  std::vector<std::string> texts;
  for (const FieldError& e : errors) {
    causes.push_back({{"reason", e.reason}, {"message", e.message}, {"field", e.field}});
    texts.push_back(e.ToString());
  }
  const std::string qualified = t.group.empty() ? t.kind : absl::StrCat(t.kind, ".", t.group);
  ApiError err{
      422, "Invalid",
      absl::StrCat(qualified, " \"", name, "\" is invalid: ",
                   texts.size() == 1 ? texts[0] : absl::StrCat("[", absl::StrJoin(texts, ", "), "]"))};
  err.details = {{"name", name}, {"group", t.group}, {"kind", t.kind}, {"causes", causes}};
  return err;
}

ApiError InvalidError(const ResourceType& t, const Json& obj, const std::vector<FieldError>& errors) {
  const Json meta = obj.is_object() ? obj.value("metadata", Json::object()) : Json::object();
  return InvalidError(t, meta.is_object() ? meta.value("name", "") : "", errors);
}

}  // namespace doris_operator::kubesim
