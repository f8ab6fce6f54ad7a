#include "tools/kubesim/builtin_types.h"

#include <string>
#include <utility>

namespace doris_operator::kubesim {

std::vector<ResourceType> BuiltInTypes() {
  auto t = [](std::string g, std::string v, std::string r, std::string s, std::string k, bool ns,
              std::vector<std::string> shorts = {}, bool status = false, bool scale = false) {
    ResourceType rt;
    rt.group = std::move(g);
    rt.version = std::move(v);
    rt.resource = std::move(r);
    rt.singular = std::move(s);
    rt.kind = std::move(k);
    rt.namespaced = ns;
    rt.short_names = std::move(shorts);
    rt.status_subresource = status;
    rt.scale_subresource = scale;
    return rt;
  };
  return {
      t("", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}, true),
      t("", "v1", "pods", "pod", "Pod", true, {"po"}, true),
      t("", "v1", "services", "service", "Service", true, {"svc"}, true),
      t("", "v1", "endpoints", "endpoints", "Endpoints", true, {"ep"}),
      t("", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}),
      t("", "v1", "secrets", "secret", "Secret", true),
      t("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true,
        {"pvc"}, true),
      t("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, {"pv"}, true),
      t("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}),
      t("", "v1", "events", "event", "Event", true, {"ev"}),
      t("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, {"sts"}, true, true),
      t("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", true),
      t("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", false, {"sc"}),
      t("coordination.k8s.io", "v1", "leases", "lease", "Lease", true),
      t("events.k8s.io", "v1", "events", "event", "Event", true, {"ev"}),
      t("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true,
        {"pdb"}, true),
      t("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler",
        "HorizontalPodAutoscaler", true, {"hpa"}, true),
      t("autoscaling", "v1", "horizontalpodautoscalers", "horizontalpodautoscaler",
        "HorizontalPodAutoscaler", true, {"hpa"}, true),
      // RBAC objects are stored and served (kubectl apply -k of the operator's
      // manifests needs them) but not enforced.
      t("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false),
      t("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding",
        "ClusterRoleBinding", false),
      t("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true),
      t("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true),
      t("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
        "CustomResourceDefinition", false, {"crd", "crds"}, true),
  };
}

}  // namespace doris_operator::kubesim
