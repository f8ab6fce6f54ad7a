#include "operator/kube/kubeconfig.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/yaml.h"

namespace doris_operator::kube {

namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(what, ": cannot read ", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Finds the entry named `name` in a kubeconfig list (clusters, users,
// contexts) and returns its inner map (under `field`); nullopt if absent.
std::optional<YAML::Node> Named(const YAML::Node& list, const std::string& name,
                                const char* field) {
  if (!list || !list.IsSequence()) return std::nullopt;
  for (const YAML::Node& item : list) {
    if (item.IsMap() && item["name"] && item["name"].IsScalar() &&
        item["name"].as<std::string>() == name) {
      if (item[field] && item[field].IsMap()) return item[field];
      return YAML::Node(YAML::NodeType::Map);
    }
  }
  return std::nullopt;
}

// yaml-cpp throws on a subscript of a scalar or a sequence, so look into
// mappings only.
std::string Str(const YAML::Node& n, const char* key) {
  return n && n.IsMap() && n[key] && n[key].IsScalar() ? n[key].as<std::string>() : "";
}

// "<key>-data" holds base64 inline; "<key>" names a file relative to the
// kubeconfig's directory.
absl::StatusOr<std::string> Material(const YAML::Node& n, const std::string& key,
                                     const fs::path& base, const std::string& where) {
  const std::string data = Str(n, (key + "-data").c_str());
  if (!data.empty()) {
    std::string out;
    if (!absl::Base64Unescape(data, &out)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", key, "-data is not base64"));
    }
    return out;
  }
  const std::string file = Str(n, key.c_str());
  if (file.empty()) return std::string();
  const fs::path p = fs::path(file).is_absolute() ? fs::path(file) : base / file;
  return ReadFile(p.string(), absl::StrCat(where, ": ", key));
}

}  // namespace

absl::StatusOr<ClusterConfig> LoadKubeconfig(const std::string& path, const std::string& context) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return absl::NotFoundError(absl::StrCat("kubeconfig ", path, ": cannot read the file"));
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's nesting guard, whose own message says only "bad file".
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": line ", e.mark.line + 1,
                                                   ": nests deeper than the YAML reader's limit of ",
                                                   e.depth(), " levels"));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": ", e.what()));
  }
  // A scalar or a list would make every lookup below throw (found by
  // tests/fuzz/kubeconfig_fuzzer).
  if (root && !root.IsNull() && !root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat("kubeconfig ", path, ": not a kubeconfig (the file is not a YAML mapping)"));
  }
  const std::string ctx_name = context.empty() ? Str(root, "current-context") : context;
  if (ctx_name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("kubeconfig ", path, ": no current-context; pass --context"));
  }
  const std::optional<YAML::Node> found_ctx = Named(root["contexts"], ctx_name, "context");
  if (!found_ctx) {
    return absl::NotFoundError(absl::StrCat("kubeconfig ", path, ": no context \"", ctx_name, "\""));
  }
  const YAML::Node ctx = *found_ctx;
  const std::string cluster_name = Str(ctx, "cluster");
  const std::optional<YAML::Node> found_cluster = Named(root["clusters"], cluster_name, "cluster");
  if (!found_cluster) {
    return absl::NotFoundError(absl::StrCat("kubeconfig ", path, ": context \"", ctx_name,
                                            "\" names cluster \"", cluster_name,
                                            "\", which is not defined"));
  }
  const YAML::Node cluster = *found_cluster;
  ClusterConfig cfg;
  cfg.server = Str(cluster, "server");
  if (cfg.server.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("kubeconfig ", path, ": cluster \"", cluster_name, "\" has no server"));
  }
  cfg.insecure_skip_tls_verify = absl::AsciiStrToLower(Str(cluster, "insecure-skip-tls-verify")) == "true";
  cfg.namespace_ = Str(ctx, "namespace").empty() ? "default" : Str(ctx, "namespace");
  const fs::path base = fs::path(path).parent_path();
  const std::string where = absl::StrCat("kubeconfig ", path);
  absl::StatusOr<std::string> ca = Material(cluster, "certificate-authority", base, where);
  if (!ca.ok()) return ca.status();
  cfg.ca_pem = *ca;

  const std::string user_name = Str(ctx, "user");
  const std::optional<YAML::Node> user =
      user_name.empty() ? std::nullopt : Named(root["users"], user_name, "user");
  if (!user_name.empty() && !user) {
    return absl::NotFoundError(absl::StrCat(where, ": context \"", ctx_name, "\" names user \"",
                                            user_name, "\", which is not defined"));
  }
  if (user) {
    absl::StatusOr<std::string> cert = Material(*user, "client-certificate", base, where);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = Material(*user, "client-key", base, where);
    if (!key.ok()) return key.status();
    cfg.client_cert_pem = *cert;
    cfg.client_key_pem = *key;
    if (cfg.client_cert_pem.empty() != cfg.client_key_pem.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": user \"", user_name, "\" needs both a client certificate and key"));
    }
    cfg.bearer_token = Str(*user, "token");
    const std::string token_file = Str(*user, "tokenFile");
    if (cfg.bearer_token.empty() && !token_file.empty()) {
      cfg.bearer_token_file =
          (fs::path(token_file).is_absolute() ? fs::path(token_file) : base / token_file).string();
      absl::StatusOr<std::string> t = ReadFile(cfg.bearer_token_file, absl::StrCat(where, ": tokenFile"));
      if (!t.ok()) return t.status();
      cfg.bearer_token = std::string(absl::StripAsciiWhitespace(*t));
    }
  }
  return cfg;
}

absl::StatusOr<ClusterConfig> InClusterConfig(const InClusterOptions& options) {
  auto env = [&](const char* name) -> std::string {
    if (options.getenv) return options.getenv(name);
    const char* v = std::getenv(name);
    return v == nullptr ? "" : v;
  };
  const std::string host = env("KUBERNETES_SERVICE_HOST");
  const std::string port = env("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return absl::FailedPreconditionError(
        "not running in a pod (KUBERNETES_SERVICE_HOST/PORT unset); pass --kubeconfig");
  }
  ClusterConfig cfg;
  // IPv6 service hosts need brackets in a URL.
  cfg.server = host.find(':') != std::string::npos ? absl::StrCat("https://[", host, "]:", port)
                                                   : absl::StrCat("https://", host, ":", port);
  absl::StatusOr<std::string> token = ReadFile(options.token_path, "service account token");
  if (!token.ok()) return token.status();
  cfg.bearer_token = std::string(absl::StripAsciiWhitespace(*token));
  cfg.bearer_token_file = options.token_path;
  absl::StatusOr<std::string> ca = ReadFile(options.ca_path, "service account CA");
  if (!ca.ok()) return ca.status();
  cfg.ca_pem = *ca;
  absl::StatusOr<std::string> ns = ReadFile(options.namespace_path, "service account namespace");
  // As client-go's in-cluster config: a missing or blank namespace file
  // means "default" (an empty namespace would make every path malformed;
  // found by tests/fuzz/kubeconfig_fuzzer).
  cfg.namespace_ = ns.ok() ? std::string(absl::StripAsciiWhitespace(*ns)) : "";
  if (cfg.namespace_.empty()) cfg.namespace_ = "default";
  return cfg;
}

}  // namespace doris_operator::kube
