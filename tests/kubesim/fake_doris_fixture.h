#ifndef DORIS_OPERATOR_TESTS_KUBESIM_FAKE_DORIS_FIXTURE_H_
#define DORIS_OPERATOR_TESTS_KUBESIM_FAKE_DORIS_FIXTURE_H_

// An API server with the simulated workload controllers and fake Doris
// behind its proxies, on a clock the test steps: a DorisCluster `c` with
// FE and BE StatefulSets of three pods each, and helpers to reach its FE.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/fake_doris.h"
#include "tools/kubesim/workloads.h"

namespace doris_operator::kubesim {

class FakeDorisTest : public ::testing::Test {
 protected:
  // `fe_meta_claim`: the FE pods keep their meta_dir on a claim (Sts).
  explicit FakeDorisTest(bool fe_meta_claim = false)
      : workloads_(&api_.store(), {.start_ms = 100, .ready_ms = 100}),
        doris_(&api_.store(), {.tablets_per_backend = 100, .tablets_moved_per_second = 500}) {
    api_.SetServiceProxy([this](const std::string& ns, const std::string& svc, const std::string& path,
                                const HttpRequest& req) { return doris_.Handle(ns, svc, path, req); });
    api_.SetPodProxy([this](const std::string& ns, const std::string& pod, const std::string& path,
                            const HttpRequest& req) { return doris_.HandlePod(ns, pod, path, req); });
    Post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
         {{"metadata", {{"name", "dorisclusters.doris.selectdb.com"}}},
          {"spec", {{"group", "doris.selectdb.com"}, {"scope", "Namespaced"},
                    {"names", {{"plural", "dorisclusters"}, {"kind", "DorisCluster"}}},
                    {"versions", Json::array({{{"name", "v1"}, {"served", true}, {"storage", true}}})}}}});
    Post("/apis/doris.selectdb.com/v1/namespaces/default/dorisclusters",
         {{"metadata", {{"name", "c"}}}, {"spec", Json::object()}});
    Sts("fe", 3, "apache/doris:fe-2.1.8", fe_meta_claim);
    Sts("be", 3, "apache/doris:be-2.1.8");
  }

  int Post(const std::string& path, const Json& body) {
    HttpRequest req;
    req.method = "POST";
    req.path = path;
    req.body = body.dump();
    return api_.Handle(req).status;
  }

  // `meta_claim`: a claim template `fe-meta` mounted at the FE's default meta_dir.
  void Sts(const std::string& comp, int replicas, const std::string& image, bool meta_claim = false) {
    const Json labels = {{"app.doris.cluster", "c"}, {"app.kubernetes.io/component", comp},
                         {"app.doris.ownerreference/name", "c-" + comp}};
    Json container = {{"name", comp}, {"image", image},
                      {"env", Json::array({{{"name", "ELECT_NUMBER"}, {"value", "3"}}})}};
    Json spec = {{"replicas", replicas}, {"podManagementPolicy", "Parallel"},
                 {"serviceName", "c-" + comp + "-internal"},
                 {"selector", {{"matchLabels", {{"app.doris.ownerreference/name", "c-" + comp}}}}},
                 {"template", {{"metadata", {{"labels", labels}}}, {"spec", Json::object()}}}};
    if (meta_claim) {
      container["volumeMounts"] = Json::array({{{"name", "fe-meta"}, {"mountPath", "/opt/apache-doris/fe/doris-meta"}}});
      spec["volumeClaimTemplates"] = Json::array(
          {{{"metadata", {{"name", "fe-meta"}}},
            {"spec", {{"accessModes", Json::array({"ReadWriteOnce"})},
                      {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}});
    }
    spec["template"]["spec"]["containers"] = Json::array({container});
    Post("/apis/apps/v1/namespaces/default/statefulsets", {{"metadata", {{"name", "c-" + comp}}}, {"spec", spec}});
  }

  // The cluster's spec: FE image and the fe.conf of its ConfigMap ("" = none).
  void Spec(const std::string& fe_image, const std::string& fe_conf) {
    Json spec = {{"feSpec", {{"image", fe_image}}}};
    if (!fe_conf.empty()) {
      Post("/api/v1/namespaces/default/configmaps",
           {{"metadata", {{"name", "fe-conf"}}}, {"data", {{"fe.conf", fe_conf}}}});
      spec["feSpec"]["configMapInfo"] = {{"configMapName", "fe-conf"}, {"resolveKey", "fe.conf"}};
    }
    HttpRequest patch;
    patch.method = "PATCH";
    patch.path = "/apis/doris.selectdb.com/v1/namespaces/default/dorisclusters/c";
    patch.headers["content-type"] = "application/merge-patch+json";
    patch.body = Json{{"spec", spec}}.dump();
    ASSERT_EQ(api_.Handle(patch).status, 200);
  }

  // A request through the API server's service proxy to the FE (or, with
  // `pod`, to that FE pod).
  std::pair<int, Json> Fe(const std::string& method, const std::string& path, const Json& body = Json(),
                          const std::string& user = "root:", const std::string& pod = "",
                          HttpResponse* raw = nullptr) {
    HttpRequest req;
    req.method = method;
    req.path = pod.empty() ? "/api/v1/namespaces/default/services/c-fe-service:8030/proxy" + path
                           : "/api/v1/namespaces/default/pods/" + pod + ":8030/proxy" + path;
    if (!user.empty()) req.headers["authorization"] = "Basic " + absl::Base64Escape(user);
    if (!body.is_null()) req.body = body.dump();
    HttpResponse r = api_.Handle(req);
    if (raw != nullptr) *raw = r;
    Json j;
    try {
      j = Json::parse(r.body);
    } catch (...) {
    }
    return {r.status, j};
  }

  // A node list as column -> value per row.
  std::vector<Json> Rows(const std::string& which) {
    auto [status, j] = Fe("GET", "/rest/v2/manager/node/" + which);
    std::vector<Json> out;
    const Json& cols = j["data"]["column_names"];
    for (const Json& row : j["data"]["rows"]) {
      Json named = Json::object();
      for (size_t i = 0; i < cols.size(); ++i) named[cols[i].get<std::string>()] = row[i];
      out.push_back(named);
    }
    return out;
  }

  std::map<std::string, Json> Backends() {
    std::map<std::string, Json> out;
    for (const Json& named : Rows("backends")) {
      out[named["Host"].get<std::string>().substr(0, 6)] = named;  // "c-be-N"
    }
    return out;
  }

  // GET /api/show_proc?path=P through the service proxy: the envelope.
  Json ShowProcEnvelope(const std::string& proc_path) {
    HttpRequest req;
    req.method = "GET";
    req.path = "/api/v1/namespaces/default/services/c-fe-service:8030/proxy/api/show_proc";
    req.query["path"] = proc_path;
    req.headers["authorization"] = "Basic " + absl::Base64Escape("root:");
    return Json::parse(api_.Handle(req).body, nullptr, false);
  }
  // Its rows (data), or null on an error envelope.
  Json ShowProc(const std::string& proc_path) {
    Json j = ShowProcEnvelope(proc_path);
    return j.is_object() && j.value("code", -1) == 0 ? j["data"] : Json();
  }

  // Simulator knobs of cluster c.
  void Knobs(const Json& knobs) {
    auto [status, j] = Fe("POST", "/api/_sim/config", knobs);
    ASSERT_EQ(j["code"], 0) << j.dump();
  }

  std::string PodIp(const std::string& pod) {
    HttpRequest req;
    req.method = "GET";
    req.path = "/api/v1/namespaces/default/pods/" + pod;
    return Json::parse(api_.Handle(req).body)["status"].value("podIP", "");
  }

  void RunUntil(int64_t until) {
    for (; now_ <= until; now_ += 50) {
      workloads_.Tick(now_);
      doris_.Tick(now_);
    }
  }

  ApiServer api_;
  WorkloadController workloads_;
  FakeDoris doris_;
  int64_t now_ = 0;
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TESTS_KUBESIM_FAKE_DORIS_FIXTURE_H_
