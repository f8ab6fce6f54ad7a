#include "operator/kube/kubeconfig.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace doris_operator::kube {
namespace {

namespace fs = std::filesystem;

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream((dir_ / name).string()) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

TEST_F(KubeconfigTest, CurrentContextWithInlineDataAndToken) {
  const std::string path = Write("config", absl::StrCat(R"(apiVersion: v1
kind: Config
current-context: sim
clusters:
- name: sim
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: )", absl::Base64Escape("CA PEM"), R"(
- name: other
  cluster: {server: https://other:6443}
contexts:
- name: sim
  context: {cluster: sim, user: admin, namespace: doris}
- name: other
  context: {cluster: other, user: certs}
users:
- name: admin
  user: {token: abc123}
- name: certs
  user: {client-certificate: cert.pem, client-key: key.pem}
)"));
  absl::StatusOr<ClusterConfig> cfg = LoadKubeconfig(path);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->server, "https://127.0.0.1:6443");
  EXPECT_EQ(cfg->ca_pem, "CA PEM");
  EXPECT_EQ(cfg->bearer_token, "abc123");
  EXPECT_EQ(cfg->namespace_, "doris");
  EXPECT_FALSE(cfg->insecure_skip_tls_verify);
}

TEST_F(KubeconfigTest, NamedContextWithCertificateFiles) {
  Write("cert.pem", "CERT");
  const std::string key = Write("key.pem", "KEY");
  const std::string path = Write("config", absl::StrCat(R"(current-context: a
clusters:
- name: c
  cluster: {server: https://h:1, insecure-skip-tls-verify: true}
contexts:
- name: a
  context: {cluster: c}
- name: b
  context: {cluster: c, user: u}
users:
- name: u
  user: {client-certificate: cert.pem, client-key: )", key, "}\n"));
  absl::StatusOr<ClusterConfig> cfg = LoadKubeconfig(path, "b");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->client_cert_pem, "CERT");
  EXPECT_EQ(cfg->client_key_pem, "KEY");
  EXPECT_TRUE(cfg->insecure_skip_tls_verify);
  EXPECT_EQ(cfg->namespace_, "default");
}

TEST_F(KubeconfigTest, ErrorsNameTheProblem) {
  EXPECT_EQ(LoadKubeconfig((dir_ / "missing").string()).status().code(), absl::StatusCode::kNotFound);
  const std::string bad = Write("bad", "clusters: [unclosed\n");
  EXPECT_EQ(LoadKubeconfig(bad).status().code(), absl::StatusCode::kInvalidArgument);
  const std::string no_ctx = Write("noctx", "clusters: []\n");
  EXPECT_NE(LoadKubeconfig(no_ctx).status().message().find("current-context"), std::string::npos);
  const std::string dangling = Write("dangling", R"(current-context: x
contexts:
- name: x
  context: {cluster: nowhere}
)");
  absl::Status s = LoadKubeconfig(dangling).status();
  EXPECT_NE(s.message().find("\"nowhere\""), std::string::npos) << s;
  EXPECT_EQ(LoadKubeconfig(dangling, "y").status().code(), absl::StatusCode::kNotFound);
  const std::string b64 = Write("b64", R"(current-context: x
clusters:
- name: c
  cluster: {server: https://h, certificate-authority-data: "!!notbase64!!"}
contexts:
- name: x
  context: {cluster: c}
)");
  EXPECT_NE(LoadKubeconfig(b64).status().message().find("not base64"), std::string::npos);
}

TEST_F(KubeconfigTest, NestingBeyondTheReadersLimitIsNamed) {
  const std::string deep = Write("deep", "clusters: " + std::string(600, '[') + std::string(600, ']'));
  absl::Status s = LoadKubeconfig(deep).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("nests deeper than the YAML reader's limit of 500 levels"),
            std::string::npos)
      << s;
}

TEST_F(KubeconfigTest, InCluster) {
  InClusterOptions o;
  o.token_path = Write("token", "tok\n");
  o.ca_path = Write("ca.crt", "CA");
  o.namespace_path = Write("namespace", "doris-system");
  o.getenv = [](const char* name) -> std::string {
    if (std::string(name) == "KUBERNETES_SERVICE_HOST") return "fd00::1";
    if (std::string(name) == "KUBERNETES_SERVICE_PORT") return "443";
    return "";
  };
  absl::StatusOr<ClusterConfig> cfg = InClusterConfig(o);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->server, "https://[fd00::1]:443");
  EXPECT_EQ(cfg->bearer_token, "tok");
  EXPECT_EQ(cfg->namespace_, "doris-system");
  o.getenv = [](const char*) { return std::string(); };
  EXPECT_EQ(InClusterConfig(o).status().code(), absl::StatusCode::kFailedPrecondition);
}

// Found by tests/fuzz/kubeconfig_fuzzer: a document that is not a mapping,
// or a mapping entry that is a scalar or list where a map belongs, made
// yaml-cpp throw out of LoadKubeconfig.
TEST_F(KubeconfigTest, WrongShapesAreErrorsNotExceptions) {
  const std::string scalar = Write("scalar", "hello\n");
  absl::Status s;
  EXPECT_NO_THROW(s = LoadKubeconfig(scalar).status());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("not a YAML mapping"), std::string::npos) << s;
  EXPECT_NO_THROW(s = LoadKubeconfig(Write("list", "- a\n- b\n")).status());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  const std::string shapes = Write("shapes", R"(current-context: x
clusters:
- name: c
  cluster: [server, https://h]
contexts:
- name: x
  context: {cluster: c, user: u}
users:
- name: u
  user: tok
)");
  EXPECT_NO_THROW(s = LoadKubeconfig(shapes).status());
  EXPECT_NE(s.message().find("has no server"), std::string::npos) << s;
}

// Found by tests/fuzz/kubeconfig_fuzzer: a blank namespace file gave an
// empty namespace; client-go falls back to "default" (clientcmd's
// inClusterClientConfig.Namespace).
TEST_F(KubeconfigTest, InClusterBlankNamespaceFileMeansDefault) {
  InClusterOptions o;
  o.token_path = Write("token", "tok");
  o.ca_path = Write("ca.crt", "CA");
  o.getenv = [](const char* name) -> std::string {
    return std::string(name) == "KUBERNETES_SERVICE_HOST" ? "10.0.0.1" : "443";
  };
  for (const char* content : {"", " \n"}) {
    o.namespace_path = Write("namespace", content);
    absl::StatusOr<ClusterConfig> cfg = InClusterConfig(o);
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    EXPECT_EQ(cfg->namespace_, "default") << "namespace file \"" << content << "\"";
  }
}

}  // namespace
}  // namespace doris_operator::kube
