#include "operator/reconcile/field_compare.h"

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "translator/quantity.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;

std::string PointerToken(const std::string& key) {
  return absl::StrReplaceAll(key, {{"~", "~0"}, {"/", "~1"}});
}

// The pointer's last `n`-th token (0: the last), or "" when it is shorter.
std::string_view Token(std::string_view path, int n) {
  for (; n > 0; --n) {
    const size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) return {};
    path = path.substr(0, slash);
  }
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
}

// Go's omitempty drops these, so the server never returns them.
bool IsEmpty(const Json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>().empty();
  return v.is_null() || ((v.is_object() || v.is_array()) && v.empty());
}

bool SameQuantity(const Json& desired, const Json& live) {
  absl::StatusOr<translator::Quantity> a = translator::Quantity::FromJson(desired);
  absl::StatusOr<translator::Quantity> b = translator::Quantity::FromJson(live);
  return a.ok() && b.ok() && *a == *b;
}

void Compare(const std::string& path, const Json& desired, const Json* live,
             std::vector<FieldDifference>* out) {
  if (live == nullptr || live->is_null()) {
    if (!desired.is_null() || live == nullptr) {
      out->push_back({path, &desired, live, IsEmpty(desired)});
    }
    return;
  }
  if (desired.is_object() && live->is_object()) {
    for (const auto& [k, v] : desired.items()) {
      auto it = live->find(k);
      Compare(absl::StrCat(path, "/", PointerToken(k)), v, it == live->end() ? nullptr : &*it, out);
    }
    return;
  }
  if (desired.is_array() && live->is_array() && desired.size() == live->size()) {
    for (size_t i = 0; i < desired.size(); ++i) {
      Compare(absl::StrCat(path, "/", i), desired[i], &(*live)[i], out);
    }
    return;
  }
  if (desired == *live) return;
  out->push_back({path, &desired, live, IsQuantityPath(path) && SameQuantity(desired, *live)});
}

}  // namespace

bool IsQuantityPath(const std::string& path) {
  const std::string_view last = Token(path, 0);
  const std::string_view parent = Token(path, 1);
  if (last.empty()) return false;
  if (parent == "requests" || parent == "limits") return true;
  if (last == "sizeLimit") return true;
  return parent == "target" && (last == "value" || last == "averageValue");
}

std::vector<FieldDifference> CompareFieldsAt(const std::string& path, const Json& desired,
                                             const Json& live) {
  std::vector<FieldDifference> out;
  Compare(path, desired, &live, &out);
  return out;
}

bool SameAsStored(const std::string& path, const Json& desired, const Json& live) {
  for (const FieldDifference& d : CompareFieldsAt(path, desired, live)) {
    if (!d.as_stored) return false;
  }
  return true;
}

std::vector<FieldDifference> CompareOwnedFields(const Json& desired, const Json& live,
                                                const std::vector<std::string>& tops) {
  std::vector<FieldDifference> out;
  if (!desired.is_object() || !live.is_object()) return out;
  for (const std::string& top : tops) {
    auto want = desired.find(top);
    if (want == desired.end()) continue;
    auto have = live.find(top);
    Compare(absl::StrCat("/", top), *want, have == live.end() ? nullptr : &*have, &out);
  }
  return out;
}

}  // namespace doris_operator::reconcile
