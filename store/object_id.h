#ifndef DORIS_OPERATOR_STORE_OBJECT_ID_H_
#define DORIS_OPERATOR_STORE_OBJECT_ID_H_

// Keys the store uses to group and index records. An object is identified by
// its API group (not version: autoscaling/v1 and v2 name the same object),
// kind, namespace and name; a cluster by kind, namespace and name (a
// DorisCluster and a DorisDisaggregatedCluster of one name are two clusters).

#include <compare>
#include <string>
#include <string_view>

#include "proto/log.pb.h"

namespace doris_operator::store {

struct ObjectId {
  std::string group;  // "" for the core group, "apps", "doris.selectdb.com"
  std::string kind;
  std::string ns;
  std::string name;

  static ObjectId From(const log::v1::ObjectRef& ref);
  auto operator<=>(const ObjectId&) const = default;
  bool operator==(const ObjectId&) const = default;
};

// The kind a ClusterRef without one names: every record of a log before
// format version 3 is a DorisCluster's.
inline constexpr char kDefaultClusterKind[] = "DorisCluster";

struct ClusterKey {
  std::string ns;
  std::string name;
  // "" for a DorisCluster (kDefaultClusterKind), so its keys, refs and index
  // entries are those of logs written before kinds existed; else the kind.
  std::string kind;

  // Canonical: `kind` "DorisCluster" is stored as "".
  static ClusterKey Of(std::string_view kind, std::string ns, std::string name);
  static ClusterKey From(const log::v1::ClusterRef& ref);
  log::v1::ClusterRef ToRef() const;
  // The kind's name, "DorisCluster" for the default.
  std::string Kind() const { return kind.empty() ? std::string(kDefaultClusterKind) : kind; }
  bool empty() const { return ns.empty() && name.empty(); }
  auto operator<=>(const ClusterKey&) const = default;
  bool operator==(const ClusterKey&) const = default;
};

// "apps/v1" -> "apps"; "v1" -> "".
std::string_view GroupOf(std::string_view api_version);

}  // namespace doris_operator::store

#endif  // DORIS_OPERATOR_STORE_OBJECT_ID_H_
