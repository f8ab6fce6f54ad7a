#include "operator/ingest/relist.h"

#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace doris_operator::ingest {

namespace {

using Key = std::tuple<std::string, std::string>;  // namespace, name

}  // namespace

absl::StatusOr<std::vector<log::v1::LogRecord>> RelistRecords(const RelistInput& input) {
  std::vector<log::v1::LogRecord> out;
  log::v1::LogRecord marker;
  marker.mutable_watch()->set_type(log::v1::RELIST);
  marker.mutable_watch()->set_stream(input.stream);
  marker.mutable_watch()->set_resource_version(input.list_resource_version);
  out.push_back(std::move(marker));

  std::map<Key, const KnownObject*> known;
  for (const auto& k : input.known) {
    known[{k.object.ref().namespace_(), k.object.ref().name()}] = &k;
  }

  std::map<Key, log::v1::LogRecord> changes;
  for (const nlohmann::json& item : input.listed) {
    absl::StatusOr<log::v1::LogRecord> r = RecordForObject(
        item, {.type = log::v1::MODIFIED, .stream = input.stream, .from_relist = true},
        input.resolve);
    if (!r.ok()) return r.status();
    const Key key{r->watch().object().namespace_(), r->watch().object().name()};
    auto it = known.find(key);
    if (it == known.end()) {
      r->mutable_watch()->set_type(log::v1::ADDED);
    } else {
      const bool same = it->second->object.object_json() == r->watch().object_json();
      known.erase(it);
      if (same) continue;  // resourceVersion may differ only through churn we drop
    }
    changes.emplace(key, *std::move(r));
  }
  // Whatever the log knows that the LIST did not return was deleted while we
  // were not watching.
  for (const auto& [key, k] : known) {
    log::v1::LogRecord r;
    if (!k->cluster.name().empty()) *r.mutable_cluster() = k->cluster;
    log::v1::WatchEvent* ev = r.mutable_watch();
    ev->set_type(log::v1::DELETED);
    *ev->mutable_object() = k->object.ref();
    ev->set_resource_version(input.list_resource_version);
    ev->set_stream(input.stream);
    ev->set_from_relist(true);
    ev->set_object_json(k->object.object_json());
    changes.emplace(key, std::move(r));
  }
  for (auto& [key, r] : changes) out.push_back(std::move(r));
  // Each change keeps its own resourceVersion; the stream's cursor must end
  // at the LIST's, so the last record carries it.
  if (out.size() > 1) {
    log::v1::LogRecord end;
    end.mutable_watch()->set_type(log::v1::BOOKMARK);
    end.mutable_watch()->set_stream(input.stream);
    end.mutable_watch()->set_resource_version(input.list_resource_version);
    out.push_back(std::move(end));
  }
  return out;
}

}  // namespace doris_operator::ingest
