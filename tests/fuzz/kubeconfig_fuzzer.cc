// Fuzzes where the operator learns how to reach the API server
// (operator/kube/kubeconfig): a kubeconfig file, and the in-cluster
// environment (service host/port variables, token, CA and namespace files).
//
// The first byte picks which: even = the rest is a kubeconfig, odd = the
// rest is host, port, token, CA and namespace separated by NUL bytes.
// Properties: no exception or crash; a kubeconfig error names the file; a
// loaded config has a server, a namespace, and a client certificate exactly
// when it has a key; an in-cluster config is https://host:port (brackets for
// IPv6), a token without surrounding whitespace and a non-empty namespace.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "operator/kube/kubeconfig.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace fs = std::filesystem;
namespace kube = doris_operator::kube;

const fs::path& Dir() {
  static const fs::path dir = [] {
    const char* tmp = getenv("TEST_TMPDIR");
    fs::path d = fs::path(tmp != nullptr ? tmp : "/tmp") /
                 ("kubeconfig_fuzzer." + std::to_string(getpid()));
    fs::create_directories(d);
    // Files a kubeconfig may name relative to itself.
    std::ofstream(d / "ca.crt") << "CA PEM";
    std::ofstream(d / "cert.pem") << "CERT";
    std::ofstream(d / "key.pem") << "KEY";
    std::ofstream(d / "token") << " tok\n";
    return d;
  }();
  return dir;
}

void Write(const fs::path& p, absl::string_view text) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// A kubeconfig names files to read; one naming a device or a kernel file
// (/dev/zero, /proc/kmsg) would make the fuzzer read forever, which is the
// user's file doing what it says, not a parser bug.
bool NamesSpecialFiles(absl::string_view text) {
  for (const char* s : {"dev", "proc", "sys", "..", "\\"}) {
    if (absl::StrContains(text, s)) return true;
  }
  return false;
}

void FuzzKubeconfig(absl::string_view text) {
  if (NamesSpecialFiles(text)) return;
  const fs::path path = Dir() / "config";
  Write(path, text);
  absl::StatusOr<kube::ClusterConfig> cfg = kube::LoadKubeconfig(path.string());
  if (!cfg.ok()) {
    FUZZ_CHECK(absl::StrContains(cfg.status().message(), path.string()),
               "a kubeconfig error that does not name the file: " + cfg.status().ToString());
    return;
  }
  FUZZ_CHECK(!cfg->server.empty(), "a kubeconfig config without a server");
  FUZZ_CHECK(!cfg->namespace_.empty(), "a kubeconfig config without a namespace");
  FUZZ_CHECK(cfg->client_cert_pem.empty() == cfg->client_key_pem.empty(),
             "a client certificate without a key, or a key without a certificate");
}

void FuzzInCluster(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, '\0');
  parts.resize(5);
  kube::InClusterOptions o;
  o.token_path = (Dir() / "ic-token").string();
  o.ca_path = (Dir() / "ic-ca.crt").string();
  o.namespace_path = (Dir() / "ic-namespace").string();
  Write(o.token_path, parts[2]);
  Write(o.ca_path, parts[3]);
  Write(o.namespace_path, parts[4]);
  const std::string host = parts[0], port = parts[1];
  o.getenv = [&](const char* name) -> std::string {
    if (absl::string_view(name) == "KUBERNETES_SERVICE_HOST") return host;
    if (absl::string_view(name) == "KUBERNETES_SERVICE_PORT") return port;
    return "";
  };
  absl::StatusOr<kube::ClusterConfig> cfg = kube::InClusterConfig(o);
  if (host.empty() || port.empty()) {
    FUZZ_CHECK(!cfg.ok(), "an in-cluster config without KUBERNETES_SERVICE_HOST/PORT");
    return;
  }
  FUZZ_CHECK(cfg.ok(), "in-cluster config failed: " + cfg.status().ToString());
  const std::string want = host.find(':') != std::string::npos
                               ? "https://[" + host + "]:" + port
                               : "https://" + host + ":" + port;
  FUZZ_CHECK(cfg->server == want, "server " + cfg->server + ", want " + want);
  FUZZ_CHECK(cfg->bearer_token == absl::StripAsciiWhitespace(parts[2]), "token not stripped");
  FUZZ_CHECK(cfg->ca_pem == parts[3], "CA differs from the file");
  FUZZ_CHECK(!cfg->namespace_.empty(), "an in-cluster config with an empty namespace");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    FuzzInCluster(rest);
  } else {
    FuzzKubeconfig(rest);
  }
  return 0;
}
