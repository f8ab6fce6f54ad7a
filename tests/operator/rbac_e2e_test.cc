// deploy/'s RBAC, derived from what the operator is seen to do: the operator
// runs through its flows in each mode it can run in, kubesim records every
// authorization check the API server would make for it (its requests, an
// apply that creates, the OwnerReferencesPermissionEnforcement plugin's
// checks; GET /kubesim/requests), and the ClusterRole and Role of
// deploy/rbac.yaml must grant exactly those: nothing missing, and nothing
// more than the reasoned lists below.

#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/operator/operator_fixture.h"
#include "yaml-cpp/yaml.h"

namespace doris_operator {
namespace {

// One authorization check: RBAC verb, API group ("" for core), resource
// (with "/subresource"), namespace ("" for cluster scope or all namespaces).
struct Call {
  std::string verb, group, resource, ns;
  bool operator<(const Call& o) const {
    return std::tie(verb, group, resource, ns) < std::tie(o.verb, o.group, o.resource, o.ns);
  }
  std::string Text() const {
    return absl::StrCat(verb, " ", group.empty() ? "core" : group, "/", resource, ns.empty() ? "" : " in ", ns);
  }
};

// A rule of deploy/rbac.yaml, one verb on one resource: "ClusterRole" rules
// hold everywhere, "Role" rules in the operator's namespace only.
struct Grant {
  std::string scope, verb, group, resource;
  bool operator<(const Grant& o) const {
    return std::tie(scope, verb, group, resource) < std::tie(o.scope, o.verb, o.group, o.resource);
  }
  std::string Text() const { return absl::StrCat(scope, ": ", verb, " ", group.empty() ? "core" : group, "/", resource); }
};

// Grants no run below makes the operator use, each with why it is granted
// anyway. Keep this list short and its reasons true.
// (None now: every flow the operator has is run in each mode.)
const std::map<std::string, std::string>& UnobservedGrants() {
  static const auto* m = new std::map<std::string, std::string>{};
  return *m;
}

// Calls deploy/ must not grant, observed only in a mode deploy/ does not
// run: with --doris-access=apiserver-proxy the operator runs outside the
// cluster with its user's own credentials and reaches the FE through the
// API server's service proxy (docs/install.md).
const std::set<std::string>& ProxyOnlyResources() {
  static const auto* s = new std::set<std::string>{"services/proxy", "pods/proxy"};
  return *s;
}

struct Mode {
  std::string name;
  bool direct = false;       // --doris-access=direct (as deployed), else apiserver-proxy
  bool leader_elect = false;  // --leader-elect (as deployed)
};

class RbacE2eTest : public OperatorE2eTest {
 public:
  bool DirectDoris() const override { return mode_.direct; }
  std::vector<std::string> ExtraKubesimArgs() const override { return {"--hpa-sync-period-ms", "1000"}; }
  std::vector<std::string> ExtraOperatorArgs() const override {
    std::vector<std::string> args = {"--resync-period", "2s"};
    if (mode_.leader_elect) {
      for (const char* a : {"--leader-elect", "--leader-election-namespace"}) args.push_back(a);
      args.push_back(operator_namespace_);
      // Short timings so that the lease is taken within the test.
      for (const char* a : {"--leader-election-lease-duration", "4s", "--leader-election-renew-deadline", "3s",
                            "--leader-election-retry-period", "500ms"}) {
        args.push_back(a);
      }
    }
    return args;
  }

 protected:
  // Each mode starts its own kubesim and operator (RunMode).
  void SetUp() override {
    const YAML::Node k = YAML::LoadFile(testing::Runfile("deploy/kustomization.yaml"));
    operator_namespace_ = k["namespace"].as<std::string>();
  }

  void TearDown() override {
    operator_.reset();
    sim_.reset();
  }

  // Runs the operator in `mode` through creation with a Secret or adminUser,
  // a referenced ConfigMap, an HPA, scale-in through the FE, a config
  // restart, volume expansion (claims on the default StorageClass), removing the autoscaler and a component, an invalid spec (status
  // and Events, repeated by the resync), a drift report and a foreground
  // deletion; returns the checks kubesim recorded for it.
  std::set<Call> RunMode(const Mode& mode) {
    mode_ = mode;
    operator_.reset();
    sim_.reset();
    dir_ = testing::TempDir(absl::StrCat("rbac-", mode.name));
    std::vector<std::string> kubesim_args = ExtraKubesimArgs();
    if (mode.direct) {
      kubesim_args.push_back("--cluster-network-port");
      kubesim_args.push_back("0");
    }
    StartSimulatorWithCrd(dir_, &sim_, &client_, kubesim_args);
    if (HasFatalFailure()) return {};
    EXPECT_EQ(Kubectl({"create", "namespace", operator_namespace_}).exit_code, 0);
    // The DorisDisaggregatedCluster CRD is served: the operator watches it too.
    EXPECT_EQ(Kubectl({"apply", "-f",
                       testing::Runfile("crds/disaggregated.cluster.doris.com_dorisdisaggregatedclusters.yaml")})
                  .exit_code,
              0);
    EXPECT_TRUE(Eventually([&] { return Get("/apis/disaggregated.cluster.doris.com/v1").is_object(); }));
    StartOperator();
    if (HasFatalFailure()) return {};
    if (mode.direct) {
      // A ddc: created in Doris's order, status written, a compute group
      // scaled in through the FE (decommission, drop, then the shrink), as
      // adminUser (the live ddc read, its Secret written).
      auto ddc = [](int replicas) {
        return absl::StrCat(R"(apiVersion: disaggregated.cluster.doris.com/v1
kind: DorisDisaggregatedCluster
metadata:
  name: dd
  namespace: default
spec:
  adminUser:
    name: ops
    password: dd-rbac-pw
  metaService:
    replicas: 1
    image: apache/doris:ms-3.0.3
    fdb:
      address: "doris_fdb:abc@10.0.0.11:4500"
  feSpec:
    replicas: 1
    image: apache/doris:fe-3.0.3
  computeGroups:
  - uniqueId: cg1
    replicas: )", replicas, R"(
    image: apache/doris:be-3.0.3
)");
      };
      auto ddc_status = [&](const std::string& pointer) {
        return At(Get(kube::ObjectPath("disaggregated.cluster.doris.com/v1", "default", "dorisdisaggregatedclusters",
                                       "dd")),
                  pointer);
      };
      Apply(ddc(2));
      EXPECT_TRUE(Eventually([&] { return ddc_status("/status/clusterHealth/health") == "green"; }))
          << operator_->Output();
      Apply(ddc(1));
      EXPECT_TRUE(Eventually([&] {
        return StsReplicas("dd-cg1") == 1 && ddc_status("/status/clusterHealth/health") == "green";
      })) << operator_->Output();
    }

    // Doris credentials: the authSecret (direct), or adminUser without a
    // password (the API server's proxy carries none), read from the live
    // DorisCluster.
    std::string credentials;
    if (mode.direct) {
      Apply(AuthSecret("secret-pw"));
      credentials = "  authSecret: doris-auth\n";
    } else {
      credentials = "  adminUser:\n    name: root\n";
    }
    Apply(ConfConfigMap("be-conf", "be.conf", {"sys_log_level = INFO"}));
    // The claims name no class: they get the default one, which can expand.
    Apply(R"(apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubesim.io/fake
allowVolumeExpansion: true
)");
    std::string be_storage = "10Gi";
    const std::string cn = R"(  cnSpec:
    replicas: 1
    image: apache/doris:be-2.1.8
    requests:
      cpu: "1"
)";
    const std::string autoscaler = CnAutoscaler(1, 2);
    auto cluster = [&](int be, bool with_cn, bool with_autoscaler) {
      ClusterOptions o;
      o.spec_extra = absl::StrCat(credentials, "  enableRestartWhenConfigChange: true\n",
                                  with_cn ? cn : "", with_cn && with_autoscaler ? autoscaler : "");
      o.be_extra = ConfigMapInfo("be-conf", "be.conf");
      o.be_storage = be_storage;
      return Cluster("demo", 1, be, o);
    };
    auto exists = [&](const std::string& api_version, const std::string& resource, const std::string& name) {
      return Get(kube::ObjectPath(api_version, "default", resource, name)).is_object();
    };
    Apply(cluster(2, true, true));
    EXPECT_TRUE(Eventually([&] {
      return Available("demo") && exists("autoscaling/v2", "horizontalpodautoscalers", "demo-cn-autoscaler");
    })) << operator_->Output();
    // Scale-in through the FE.
    Apply(cluster(1, true, true));
    EXPECT_TRUE(Eventually([&] { return StsReplicas("demo-be") == 1 && Available("demo"); }))
        << operator_->Output();
    // A config restart: the restart stamp on the DorisCluster.
    Apply(ConfConfigMap("be-conf", "be.conf", {"sys_log_level = WARN"}));
    EXPECT_TRUE(Eventually([&] {
      const Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo"));
      return !At(dcr, "/metadata/annotations/apache.doris.be~1restartedAt").is_null();
    })) << operator_->Output();
    // The drift report reads live objects (the HPA among them) with the operator's credentials.
    auto drift = testing::Run({testing::Runfile("tools/dorisctl/dorisctl"), "drift", "demo", "--admin",
                               absl::StrCat("127.0.0.1:", admin_port_)});
    EXPECT_EQ(drift.exit_code, 0) << drift.output;
    // Volume expansion: the StorageClass is read, the claim patched, the
    // StatefulSet re-created with the grown template.
    EXPECT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
    be_storage = "20Gi";
    Apply(cluster(1, true, true));
    EXPECT_TRUE(Eventually([&] {
      const Json claim = Get("/api/v1/namespaces/default/persistentvolumeclaims/be-storage-demo-be-0");
      const Json sts = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "demo-be"));
      return At(claim, "/status/capacity/storage") == "20Gi" &&
             At(sts, "/spec/volumeClaimTemplates/0/spec/resources/requests/storage") == "20Gi" && Available("demo");
    })) << operator_->Output();
    // The autoscaler goes, then the whole component.
    Apply(cluster(1, true, false));
    EXPECT_TRUE(Eventually([&] { return !exists("autoscaling/v2", "horizontalpodautoscalers", "demo-cn-autoscaler"); }))
        << operator_->Output();
    Apply(cluster(1, false, false));
    EXPECT_TRUE(Eventually([&] { return !exists("apps/v1", "statefulsets", "demo-cn"); })) << operator_->Output();
    EXPECT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
    if (!mode.direct) {
      // adminUser leaves the spec: the Secret that carried it to the pods goes.
      EXPECT_TRUE(Eventually([&] { return exists("v1", "secrets", "demo-admin-user"); })) << operator_->Output();
      credentials.clear();
      Apply(cluster(1, false, false));
      EXPECT_TRUE(Eventually([&] { return !exists("v1", "secrets", "demo-admin-user"); })) << operator_->Output();
    }
    // An invalid cluster: a condition and a Warning Event; invalid again in
    // a new generation, the same Event is counted (patched).
    // (Kerberos without a keytab: the CRD accepts it, the operator does not.)
    const std::string kerberos = "  kerberosInfo:\n    krb5ConfigMap: krb5-conf\n";
    Apply(Cluster("broken", 1, 1, {.spec_extra = kerberos}));
    EXPECT_TRUE(Eventually([&] {
      return !At(Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "broken")),
                 "/status/conditions").is_null();
    })) << operator_->Output();
    Apply(Cluster("broken", 1, 1, {.version = "2.1.9", .spec_extra = kerberos}));
    EXPECT_TRUE(Eventually([&] {
      const Json events = Get("/api/v1/namespaces/default/events");
      for (const Json& e : events["items"]) {
        if (e["involvedObject"].value("name", "") == "broken" && e.value("count", 0) >= 2) return true;
      }
      return false;
    })) << operator_->Output();
    // Deleted in the foreground: the cluster waits, with the
    // foregroundDeletion finalizer, for what it owns to go; the operator's
    // calls while it is being deleted are the ones of the reconcile that
    // saw the deletion. The deletion ends, whatever a reconcile that had
    // not seen it yet wrote (deletion_e2e_test forces that case).
    EXPECT_EQ(Kubectl({"delete", "dcr", "demo", "--cascade=foreground", "--wait=false"}).exit_code, 0);
    EXPECT_TRUE(ReconcileThatSaw("demo", "doris.selectdb.com/v1", "DorisCluster", "demo", [](const Json& o) {
                  return !At(o, "/metadata/deletionTimestamp").is_null();
                }).has_value());
    EXPECT_TRUE(Eventually([&] {
      return !exists("doris.selectdb.com/v1", "dorisclusters", "demo") && !exists("apps/v1", "statefulsets", "demo-be") &&
             !exists("apps/v1", "statefulsets", "demo-fe");
    })) << operator_->Output() << Get("/apis/apps/v1/namespaces/default/statefulsets").dump();
    if (mode.leader_elect) {
      const Json lease = Get(kube::ObjectPath("coordination.k8s.io/v1", operator_namespace_, "leases",
                                              "doris-operator-leader"));
      EXPECT_FALSE(At(lease, "/spec/holderIdentity").is_null()) << lease.dump();
    }

    std::set<Call> out;
    auto used = client_->Get("/kubesim/requests?userAgent=doris-operator");
    EXPECT_TRUE(used.ok()) << used.status();
    if (!used.ok()) return out;
    for (const Json& u : (*used)["requests"]) {
      out.insert({u["verb"], u["group"], u["resource"], u["namespace"]});
    }
    return out;
  }

  std::set<Grant> Granted() {
    std::set<Grant> out;
    for (const YAML::Node& doc : YAML::LoadAllFromFile(testing::Runfile("deploy/rbac.yaml"))) {
      const std::string kind = doc["kind"].as<std::string>();
      if (kind != "ClusterRole" && kind != "Role") continue;
      for (const YAML::Node& rule : doc["rules"]) {
        EXPECT_FALSE(rule["resourceNames"]) << "resourceNames are not compared here";
        for (const YAML::Node& g : rule["apiGroups"]) {
          for (const YAML::Node& r : rule["resources"]) {
            for (const YAML::Node& v : rule["verbs"]) {
              out.insert({kind, v.as<std::string>(), g.as<std::string>(), r.as<std::string>()});
            }
          }
        }
      }
    }
    return out;
  }

  // The grant that allows `c`, or null: a Role rule only in the operator's
  // namespace (where deploy/ puts the Role), a ClusterRole rule anywhere.
  const Grant* Allowing(const std::set<Grant>& granted, const Call& c) {
    if (c.ns == operator_namespace_) {
      auto it = granted.find({"Role", c.verb, c.group, c.resource});
      if (it != granted.end()) return &*it;
    }
    auto it = granted.find({"ClusterRole", c.verb, c.group, c.resource});
    return it != granted.end() ? &*it : nullptr;
  }

  Mode mode_;
  std::string operator_namespace_;
};

TEST_F(RbacE2eTest, DeployGrantsExactlyWhatTheOperatorIsSeenToUseInEveryMode) {
  const std::set<Grant> granted = Granted();
  ASSERT_FALSE(granted.empty());
  const std::vector<Mode> modes = {
      {.name = "deployed", .direct = true, .leader_elect = true},
      {.name = "proxy", .direct = false, .leader_elect = false},
  };
  std::set<Grant> used;
  std::map<std::string, std::set<Call>> seen;
  for (const Mode& mode : modes) {
    seen[mode.name] = RunMode(mode);
    ASSERT_FALSE(HasFatalFailure()) << mode.name;
    for (const Call& c : seen[mode.name]) {
      if (const Grant* g = Allowing(granted, c)) {
        used.insert(*g);
      } else if (mode.direct || !ProxyOnlyResources().count(c.resource)) {
        ADD_FAILURE() << mode.name << ": the operator needs \"" << c.Text() << "\", which deploy/rbac.yaml does not grant";
      }
    }
  }
  // Nothing granted that no run used, but the reasoned exceptions.
  for (const Grant& g : granted) {
    if (!used.count(g) && !UnobservedGrants().count(g.Text())) {
      ADD_FAILURE() << "deploy/rbac.yaml grants \"" << g.Text()
                    << "\", which the operator never used; remove it, or say in UnobservedGrants why it is needed";
    }
  }
  for (const auto& [text, why] : UnobservedGrants()) {
    bool found = false;
    for (const Grant& g : granted) found |= g.Text() == text;
    EXPECT_TRUE(found) << "UnobservedGrants lists \"" << text << "\", which deploy/rbac.yaml no longer grants";
  }
  // The proxy mode does use what deploy/ leaves out, and the deployed mode
  // does not; the leases are the Role's, in the operator's namespace.
  bool proxied = false;
  for (const Call& c : seen["proxy"]) proxied |= ProxyOnlyResources().count(c.resource) > 0;
  EXPECT_TRUE(proxied) << "the proxy mode reached no FE through the API server";
  for (const Call& c : seen["deployed"]) {
    EXPECT_FALSE(ProxyOnlyResources().count(c.resource)) << c.Text();
    if (c.group == "coordination.k8s.io") {
      EXPECT_EQ(c.ns, operator_namespace_) << c.Text();
    }
  }
  // The runs did exercise the flows they are meant to.
  std::set<std::string> deployed;
  for (const Call& c : seen["deployed"]) deployed.insert(absl::StrCat(c.verb, " ", c.group, "/", c.resource));
  for (const char* call : {"get /secrets", "get /configmaps", "update coordination.k8s.io/leases",
                           "patch doris.selectdb.com/dorisclusters", "delete autoscaling/horizontalpodautoscalers",
                           "delete apps/statefulsets", "patch /events", "get apps/statefulsets",
                           "update doris.selectdb.com/dorisclusters/finalizers", "get storage.k8s.io/storageclasses",
                           "patch /persistentvolumeclaims", "list disaggregated.cluster.doris.com/dorisdisaggregatedclusters",
                           "patch disaggregated.cluster.doris.com/dorisdisaggregatedclusters/status",
                           "update disaggregated.cluster.doris.com/dorisdisaggregatedclusters/finalizers",
                           "get disaggregated.cluster.doris.com/dorisdisaggregatedclusters"}) {
    EXPECT_TRUE(deployed.count(call)) << call << " not seen; seen: " << absl::StrJoin(deployed, ", ");
  }
  bool live_cluster_read = false;
  for (const Call& c : seen["proxy"]) live_cluster_read |= c.verb == "get" && c.resource == "dorisclusters";
  EXPECT_TRUE(live_cluster_read) << "adminUser: the live DorisCluster was not read";
}

}  // namespace
}  // namespace doris_operator
