#include "tools/kubesim/builtin_validation.h"

#include <regex>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/kubesim/builtin_schema.h"
#include "tools/kubesim/invalid_error.h"

namespace doris_operator::kubesim {

namespace {

// The messages of k8s.io/apimachinery/pkg/util/validation.
std::string MaxLenError(int n) { return absl::StrCat("must be no more than ", n, " characters"); }

std::vector<std::string> IsDNS1123Label(const std::string& v) {
  static const std::regex label("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  static const std::regex subdomain("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  std::vector<std::string> errs;
  if (v.size() > 63) errs.push_back(MaxLenError(63));
  if (!std::regex_match(v, label)) {
    if (std::regex_match(v, subdomain)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
          "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
          "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
    }
  }
  return errs;
}

std::vector<std::string> IsDNS1123Subdomain(const std::string& v) {
  static const std::regex subdomain("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  std::vector<std::string> errs;
  if (v.size() > 253) errs.push_back(MaxLenError(253));
  if (!std::regex_match(v, subdomain)) {
    errs.push_back(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
        "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
        "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  return errs;
}

std::vector<std::string> IsDNS1035Label(const std::string& v) {
  static const std::regex label("^[a-z]([-a-z0-9]*[a-z0-9])?$");
  std::vector<std::string> errs;
  if (v.size() > 63) errs.push_back(MaxLenError(63));
  if (!std::regex_match(v, label)) {
    errs.push_back(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
        "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
        "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  }
  return errs;
}

// k8s.io/apimachinery/pkg/api/validation/path.IsValidPathSegmentName.
std::vector<std::string> IsValidPathSegmentName(const std::string& v) {
  if (v == "." || v == "..") return {absl::StrCat("may not be '", v, "'")};
  std::vector<std::string> errs;
  for (const char* bad : {"/", "%"}) {
    if (absl::StrContains(v, bad)) errs.push_back(absl::StrCat("may not contain '", bad, "'"));
  }
  return errs;
}

std::vector<std::string> IsValidPortNum(int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {"must be between 1 and 65535, inclusive"};
}

std::vector<std::string> IsValidPortName(const std::string& port) {
  static const std::regex charset("^[-a-z0-9]+$");
  static const std::regex letter("[a-z]");
  std::vector<std::string> errs;
  if (port.size() > 15) errs.push_back(MaxLenError(15));
  if (!std::regex_match(port, charset)) {
    errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }
  if (!std::regex_search(port, letter)) errs.push_back("must contain at least one letter (a-z)");
  if (absl::StrContains(port, "--")) errs.push_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-')) {
    errs.push_back("must not begin or end with a hyphen");
  }
  return errs;
}

class Errors {
 public:
  void Invalid(const std::string& field, const Json& value, const std::vector<std::string>& msgs) {
    for (const std::string& m : msgs) {
      list.push_back({"FieldValueInvalid", field, absl::StrCat("Invalid value: ", value.dump(), ": ", m)});
    }
  }
  void Required(const std::string& field, const std::string& detail = "") {
    list.push_back({"FieldValueRequired", field,
                    detail.empty() ? "Required value" : absl::StrCat("Required value: ", detail)});
  }
  void Duplicate(const std::string& field, const Json& value) {
    list.push_back({"FieldValueDuplicate", field, absl::StrCat("Duplicate value: ", value.dump())});
  }
  std::vector<FieldError> list;
};

// The name rule each kind's ValidateObjectMeta is given
// (pkg/apis/*/validation): Services are DNS-1035 labels, namespaces
// DNS-1123 labels, RBAC objects path segments, the rest DNS-1123 subdomains.
std::vector<std::string> NameErrors(const std::string& group, const std::string& kind,
                                    const std::string& name) {
  if (group.empty() && kind == "Service") return IsDNS1035Label(name);
  if (group.empty() && kind == "Namespace") return IsDNS1123Label(name);
  if (group == "rbac.authorization.k8s.io") return IsValidPathSegmentName(name);
  return IsDNS1123Subdomain(name);
}

// ValidatePortNumOrName (pkg/apis/core/validation).
void PortNumOrName(const Json& port, const std::string& field, Errors& errs) {
  if (port.is_number_integer()) errs.Invalid(field, port, IsValidPortNum(port.get<int64_t>()));
  if (port.is_string()) errs.Invalid(field, port, IsValidPortName(port.get<std::string>()));
}

void Handler(const Json& h, const std::string& path, Errors& errs) {
  if (!h.is_object()) return;
  if (h.contains("httpGet") && h["httpGet"].is_object() && h["httpGet"].contains("port")) {
    PortNumOrName(h["httpGet"]["port"], path + ".httpGet.port", errs);
  }
  if (h.contains("tcpSocket") && h["tcpSocket"].is_object() && h["tcpSocket"].contains("port")) {
    PortNumOrName(h["tcpSocket"]["port"], path + ".tcpSocket.port", errs);
  }
  if (h.contains("grpc") && h["grpc"].is_object() && h["grpc"].contains("port") &&
      h["grpc"]["port"].is_number_integer()) {
    errs.Invalid(path + ".grpc.port", h["grpc"]["port"], IsValidPortNum(h["grpc"]["port"].get<int64_t>()));
  }
}

// validateInitContainers / validateContainers: names, ports, probes.
void PodSpec(const Json& spec, const std::string& path, Errors& errs) {
  if (!spec.is_object()) return;
  std::set<std::string> names;
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (size_t i = 0; i < spec[list].size(); ++i) {
      const Json& c = spec[list][i];
      if (!c.is_object()) continue;
      const std::string at = absl::StrCat(path, ".", list, "[", i, "]");
      const std::string name =
          c.contains("name") && c["name"].is_string() ? c["name"].get<std::string>() : "";
      if (c.contains("name") && name.empty()) {
        errs.Required(at + ".name");
      } else if (!name.empty()) {
        if (!names.insert(name).second) {
          errs.Duplicate(at + ".name", name);
        } else {
          errs.Invalid(at + ".name", name, IsDNS1123Label(name));
        }
      }
      for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
        if (c.contains(probe)) Handler(c[probe], absl::StrCat(at, ".", probe), errs);
      }
      if (c.contains("lifecycle") && c["lifecycle"].is_object()) {
        for (const char* hook : {"postStart", "preStop"}) {
          if (c["lifecycle"].contains(hook))
            Handler(c["lifecycle"][hook], absl::StrCat(at, ".lifecycle.", hook), errs);
        }
      }
      if (!c.contains("ports") || !c["ports"].is_array()) continue;
      for (size_t j = 0; j < c["ports"].size(); ++j) {
        const Json& p = c["ports"][j];
        if (!p.is_object()) continue;
        const std::string pat = absl::StrCat(at, ".ports[", j, "]");
        if (p.contains("name") && p["name"].is_string() && !p["name"].get<std::string>().empty()) {
          errs.Invalid(pat + ".name", p["name"], IsValidPortName(p["name"].get<std::string>()));
        }
        if (p.contains("containerPort") && p["containerPort"].is_number_integer()) {
          if (p["containerPort"].get<int64_t>() == 0) {
            errs.Required(pat + ".containerPort");
          } else {
            errs.Invalid(pat + ".containerPort", p["containerPort"],
                         IsValidPortNum(p["containerPort"].get<int64_t>()));
          }
        }
        if (p.contains("hostPort") && p["hostPort"].is_number_integer() &&
            p["hostPort"].get<int64_t>() != 0) {
          errs.Invalid(pat + ".hostPort", p["hostPort"], IsValidPortNum(p["hostPort"].get<int64_t>()));
        }
      }
    }
  }
}

std::vector<FieldError> Semantics(const std::string& group, const std::string& kind, const Json& obj) {
  Errors errs;
  const Json meta = obj.value("metadata", Json::object());
  if (meta.is_object() && meta.contains("name") && meta["name"].is_string() &&
      !meta["name"].get<std::string>().empty() && kind != "CustomResourceDefinition") {
    errs.Invalid("metadata.name", meta["name"], NameErrors(group, kind, meta["name"].get<std::string>()));
  }
  const Json spec = obj.value("spec", Json::object());
  if (kind == "Pod") {
    PodSpec(spec, "spec", errs);
  } else if (spec.is_object() && spec.contains("template") && spec["template"].is_object() &&
             spec["template"].contains("spec")) {
    PodSpec(spec["template"]["spec"], "spec.template.spec", errs);
  }
  return errs.list;
}

}  // namespace

BuiltinCheck CheckBuiltinObject(Json& obj) {
  BuiltinCheck check;
  if (!obj.is_object()) return check;
  const std::string api_version = obj.value("apiVersion", "");
  const size_t slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  const std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  const std::string kind = obj.value("kind", "");
  const std::string def = BuiltinDefinition(group, version, kind);
  if (def.empty()) return check;
  check.known = true;
  DecodeResult r = DecodeBuiltin(def, obj, /*status_only=*/false);
  check.unknown_fields = std::move(r.unknown_fields);
  check.type_error = std::move(r.type_error);
  check.errors = Semantics(group, kind, obj);
  check.errors.insert(check.errors.end(), r.errors.begin(), r.errors.end());
  return check;
}

std::optional<ApiError> DecodeAndValidateBuiltIn(const HttpRequest& req, const ResourceType& t, bool status_only,
                                     Json& obj, std::vector<std::string>& warnings) {
  if (t.schema || !obj.is_object()) return std::nullopt;
  const std::string def = BuiltinDefinition(t.group, t.version, t.kind);
  if (def.empty()) return std::nullopt;
  DecodeResult r = DecodeBuiltin(def, obj, status_only);
  const std::string cannot =
      absl::StrCat(t.kind, " in version \"", t.version, "\" cannot be handled as a ", t.kind, ": ");
  if (!r.type_error.empty()) return ApiError{400, "BadRequest", cannot + r.type_error};
  const std::string directive = req.query.count("fieldValidation") ? req.query.at("fieldValidation") : "Warn";
  std::vector<std::string> unknown;
  for (const std::string& f : r.unknown_fields) unknown.push_back(absl::StrCat("unknown field \"", f, "\""));
  if (!unknown.empty() && directive == "Strict") {
    return ApiError{400, "BadRequest",
                    absl::StrCat(cannot, "strict decoding error: ", absl::StrJoin(unknown, ", "))};
  }
  if (directive != "Ignore") warnings.insert(warnings.end(), unknown.begin(), unknown.end());
  std::vector<FieldError> errors;
  if (!status_only) errors = Semantics(t.group, t.kind, obj);
  errors.insert(errors.end(), r.errors.begin(), r.errors.end());
  if (errors.empty()) return std::nullopt;
  return InvalidError(t, obj, errors);
}

}  // namespace doris_operator::kubesim
