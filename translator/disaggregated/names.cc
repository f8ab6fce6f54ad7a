#include "translator/disaggregated/names.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "translator/hash.h"

namespace doris_operator::translator::disaggregated {

namespace {

std::string Dashed(std::string s) {
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

}  // namespace

std::string MetaServiceName(const std::string& ddc) { return ddc + "-ms"; }
std::string FeName(const std::string& ddc) { return ddc + "-fe"; }
std::string FeInternalServiceName(const std::string& ddc) { return ddc + "-fe-internal"; }

std::string ComputeGroupStatefulSetName(const std::string& ddc, const std::string& unique_id) {
  return absl::StrCat(ddc, "-", Dashed(unique_id));
}

std::string ComputeGroupExternalServiceName(const std::string& ddc, const std::string& unique_id) {
  return absl::StrCat(ddc, "-", Dashed(unique_id), "-external");
}

std::string ComputeGroupName(const std::string& unique_id) {
  std::string s = unique_id;
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

std::string AdminUserSecretName(const std::string& ddc) { return ddc + "-admin-user"; }

std::string ComputeGroupPart(const std::string& unique_id) { return "cg/" + unique_id; }

std::optional<std::string> ComputeGroupOfPart(std::string_view part) {
  constexpr std::string_view kPrefix = "cg/";
  if (!part.starts_with(kPrefix)) return std::nullopt;
  return std::string(part.substr(kPrefix.size()));
}

std::string PartStatefulSet(const std::string& ddc, std::string_view part) {
  if (part == kMetaServicePart) return MetaServiceName(ddc);
  if (part == kFePart) return FeName(ddc);
  if (std::optional<std::string> unique_id = ComputeGroupOfPart(part)) {
    return ComputeGroupStatefulSetName(ddc, *unique_id);
  }
  return "";
}

std::string ClusterId(const std::string& ns, const std::string& name) {
  const std::string hex = Sha256Hex(absl::StrCat(ns, "-", name));
  // The digest as a big-endian integer mod 10^9, one hex digit at a time.
  uint64_t r = 0;
  for (char ch : hex) {
    const uint64_t d = ch <= '9' ? ch - '0' : ch - 'a' + 10;
    r = (r * 16 + d) % 1000000000ULL;
  }
  return std::to_string(r + 1000000000ULL);
}

}  // namespace doris_operator::translator::disaggregated
