#include "tools/kubesim/field_set.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace doris_operator::kubesim {

// ---- FieldSet ---------------------------------------------------------------

void FieldSet::Insert(const FieldPath& path) {
  FieldSet* cur = this;
  for (const std::string& pe : path) cur = &cur->children_[pe];
  cur->member_ = true;
}

bool FieldSet::Has(const FieldPath& path) const {
  const FieldSet* cur = this;
  for (const std::string& pe : path) {
    auto it = cur->children_.find(pe);
    if (it == cur->children_.end()) return false;
    cur = &it->second;
  }
  return cur->member_;
}

void FieldSet::Prune() {
  for (auto it = children_.begin(); it != children_.end();) {
    it->second.Prune();
    it = it->second.empty() ? children_.erase(it) : std::next(it);
  }
}

FieldSet FieldSet::Union(const FieldSet& o) const {
  FieldSet out = *this;
  out.member_ |= o.member_;
  for (const auto& [pe, child] : o.children_) {
    auto it = out.children_.find(pe);
    out.children_[pe] = it == out.children_.end() ? child : it->second.Union(child);
  }
  return out;
}

FieldSet FieldSet::Difference(const FieldSet& o) const {
  FieldSet out;
  out.member_ = member_ && !o.member_;
  for (const auto& [pe, child] : children_) {
    auto it = o.children_.find(pe);
    FieldSet c = it == o.children_.end() ? child : child.Difference(it->second);
    if (!c.empty()) out.children_[pe] = std::move(c);
  }
  return out;
}

FieldSet FieldSet::Intersection(const FieldSet& o) const {
  FieldSet out;
  out.member_ = member_ && o.member_;
  for (const auto& [pe, child] : children_) {
    auto it = o.children_.find(pe);
    if (it == o.children_.end()) continue;
    FieldSet c = child.Intersection(it->second);
    if (!c.empty()) out.children_[pe] = std::move(c);
  }
  return out;
}

FieldSet FieldSet::FilterFrom(FieldPath& prefix, const std::function<bool(const FieldPath&)>& keep) const {
  FieldSet out;
  out.member_ = member_ && keep(prefix);
  for (const auto& [pe, child] : children_) {
    prefix.push_back(pe);
    FieldSet c = child.FilterFrom(prefix, keep);
    prefix.pop_back();
    if (!c.empty()) out.children_[pe] = std::move(c);
  }
  return out;
}

FieldSet FieldSet::Filter(const std::function<bool(const FieldPath&)>& keep) const {
  FieldPath prefix;
  return FilterFrom(prefix, keep);
}

void FieldSet::ForEachFrom(FieldPath& prefix, const std::function<void(const FieldPath&)>& fn) const {
  if (member_) fn(prefix);
  for (const auto& [pe, child] : children_) {
    prefix.push_back(pe);
    child.ForEachFrom(prefix, fn);
    prefix.pop_back();
  }
}

void FieldSet::ForEach(const std::function<void(const FieldPath&)>& fn) const {
  FieldPath prefix;
  ForEachFrom(prefix, fn);
}

Json FieldSet::ToJson() const {
  Json out = Json::object();
  if (member_ && !children_.empty()) out["."] = Json::object();
  for (const auto& [pe, child] : children_) out[pe] = child.ToJson();
  return out;
}

std::optional<FieldSet> FieldSet::FromJson(const Json& fields) {
  if (!fields.is_object()) return std::nullopt;
  FieldSet out;
  for (const auto& [k, v] : fields.items()) {
    if (k == ".") {
      out.member_ = true;
      continue;
    }
    if (k.size() < 2 || k[1] != ':' || (k[0] != 'f' && k[0] != 'k' && k[0] != 'v' && k[0] != 'i')) {
      return std::nullopt;
    }
    std::optional<FieldSet> child = FromJson(v);
    if (!child) return std::nullopt;
    if (child->children_.empty()) child->member_ = true;  // {} is a leaf member
    out.children_[k] = std::move(*child);
  }
  return out;
}

namespace {

// Go's value.ToString: strings quoted, numbers and booleans bare.
std::string ValueString(const Json& v) { return v.dump(); }

}  // namespace

std::string PathString(const FieldPath& path) {
  std::string out;
  for (const std::string& pe : path) {
    const std::string body = pe.substr(2);
    if (pe[0] == 'f') {
      absl::StrAppend(&out, ".", body);
    } else if (pe[0] == 'k') {
      Json key = Json::parse(body, nullptr, false);
      std::vector<std::string> parts;
      if (key.is_object()) {
        for (const auto& [k, v] : key.items()) parts.push_back(absl::StrCat(k, "=", ValueString(v)));
      }
      absl::StrAppend(&out, "[", absl::StrJoin(parts, ","), "]");
    } else if (pe[0] == 'v') {
      absl::StrAppend(&out, "[=", body, "]");
    } else {
      absl::StrAppend(&out, "[", body, "]");
    }
  }
  return out;
}

// ---- typed walks --------------------------------------------------------------

namespace {

std::string FieldElement(const std::string& name) { return "f:" + name; }

// The path element of a list item: its keys (with their defaults) for an
// associative list, its value for a set.
std::string ItemElement(const Json& item, const FieldType& list) {
  if (list.list_shape() == ListShape::kSet) return "v:" + item.dump();
  Json key = Json::object();
  for (const std::string& k : list.list_keys()) {
    if (item.is_object() && item.contains(k) && !item[k].is_null()) {
      key[k] = item[k];
    } else if (Json d = list.key_default(k); !d.is_null()) {
      key[k] = d;
    }
  }
  return "k:" + key.dump();
}

bool IsEmptyContainer(const Json* v) {
  return v == nullptr || v->is_null() || ((v->is_object() || v->is_array()) && v->empty());
}

// Items of a granular list by path element, first occurrence wins, in order.
void IndexItems(const Json* list, const FieldType& t, std::vector<std::string>& order,
                std::map<std::string, const Json*>& by_pe) {
  if (list == nullptr || !list->is_array()) return;
  for (const Json& item : *list) {
    const std::string pe = ItemElement(item, t);
    if (by_pe.emplace(pe, &item).second) order.push_back(pe);
  }
}

void Walk(const Json& v, const FieldType& t, FieldPath& path, FieldSet& out) {
  if (v.is_object()) {
    const ObjectShape shape = t.object_shape();
    if (shape == ObjectShape::kAtomic) {
      out.Insert(path);
      return;
    }
    for (const auto& [k, child] : v.items()) {
      path.push_back(FieldElement(k));
      Walk(child, t.Field(k), path, out);
      if (child.is_null() || (child.is_object() && child.empty()) || shape == ObjectShape::kMap) {
        out.Insert(path);
      }
      path.pop_back();
    }
    return;
  }
  if (v.is_array()) {
    if (t.list_shape() == ListShape::kAtomic) {
      out.Insert(path);
      return;
    }
    const FieldType item_type = t.Item();
    for (const Json& item : v) {
      path.push_back(ItemElement(item, t));
      if (t.list_shape() == ListShape::kAssociative) Walk(item, item_type, path, out);
      out.Insert(path);
      path.pop_back();
    }
    return;
  }
  out.Insert(path);
}

void CompareNode(const Json* l, const Json* r, const FieldType& t, FieldPath& path, Comparison& c) {
  auto leaf = [&] {
    if (l == nullptr) {
      c.added.Insert(path);
    } else if (r == nullptr) {
      c.removed.Insert(path);
    } else if (*l != *r) {
      c.modified.Insert(path);
    }
  };
  const Json* any = r != nullptr ? r : l;
  const bool same_kind = l == nullptr || r == nullptr || l->type() == r->type() ||
                         (l->is_number() && r->is_number());
  if (!same_kind || !(any->is_object() || any->is_array()) ||
      (IsEmptyContainer(l) && IsEmptyContainer(r))) {
    leaf();
    return;
  }
  bool structural = false;  // a struct node is owned through its fields only
  if (any->is_object()) {
    const ObjectShape shape = t.object_shape();
    if (shape == ObjectShape::kAtomic) {
      leaf();
      return;
    }
    structural = shape == ObjectShape::kStruct;
    std::set<std::string> keys;
    if (l != nullptr) for (const auto& [k, v] : l->items()) keys.insert(k);
    if (r != nullptr) for (const auto& [k, v] : r->items()) keys.insert(k);
    for (const std::string& k : keys) {
      const Json* lc = l != nullptr && l->contains(k) ? &(*l)[k] : nullptr;
      const Json* rc = r != nullptr && r->contains(k) ? &(*r)[k] : nullptr;
      path.push_back(FieldElement(k));
      CompareNode(lc, rc, t.Field(k), path, c);
      path.pop_back();
    }
  } else {
    if (t.list_shape() == ListShape::kAtomic) {
      leaf();
      return;
    }
    std::vector<std::string> lorder, rorder;
    std::map<std::string, const Json*> lby, rby;
    IndexItems(l, t, lorder, lby);
    IndexItems(r, t, rorder, rby);
    std::vector<std::string> all = lorder;
    for (const std::string& pe : rorder) {
      if (!lby.count(pe)) all.push_back(pe);
    }
    const FieldType item_type = t.Item();
    for (const std::string& pe : all) {
      path.push_back(pe);
      CompareNode(lby.count(pe) ? lby[pe] : nullptr, rby.count(pe) ? rby[pe] : nullptr, item_type, path, c);
      path.pop_back();
    }
  }
  if (!structural && !path.empty()) {
    if (l == nullptr) c.added.Insert(path);
    if (r == nullptr) c.removed.Insert(path);
  }
}

Json MergeNode(const Json* l, const Json* r, const FieldType& t);

// structured-merge-diff's list merge: items in the applied order, items only
// the live list has stay where they were.
Json MergeList(const Json* l, const Json* r, const FieldType& t) {
  std::vector<std::string> lpes, rpes;
  std::map<std::string, const Json*> lobs, robs;
  IndexItems(l, t, lpes, lobs);
  IndexItems(r, t, rpes, robs);
  std::vector<std::string> shared;
  for (const std::string& pe : rpes) {
    if (lobs.count(pe)) shared.push_back(pe);
  }
  size_t si = 0;
  const std::string* next_shared = si < shared.size() ? &shared[si++] : nullptr;
  const FieldType item = t.Item();
  std::set<std::string> merged_rhs;
  Json out = Json::array();
  size_t li = 0, ri = 0;
  while (li < lpes.size() || ri < rpes.size()) {
    if (li < lpes.size() && ri < rpes.size()) {
      const std::string& pe = lpes[li];
      if (pe == rpes[ri]) {
        merged_rhs.insert(pe);
        out.push_back(MergeNode(lobs[pe], robs[pe], item));
        ++li;
        ++ri;
        next_shared = si < shared.size() ? &shared[si++] : nullptr;
        continue;
      }
      if (robs.count(pe) && next_shared != nullptr && *next_shared != pe) {
        ++li;
        continue;
      }
    }
    if (li < lpes.size()) {
      const std::string& pe = lpes[li];
      if (!robs.count(pe)) {
        out.push_back(MergeNode(lobs[pe], nullptr, item));
        ++li;
        continue;
      }
      if (merged_rhs.count(pe)) ++li;
    }
    if (ri < rpes.size()) {
      const std::string& pe = rpes[ri];
      merged_rhs.insert(pe);
      out.push_back(MergeNode(lobs.count(pe) ? lobs[pe] : nullptr, robs[pe], item));
      ++ri;
      if (next_shared != nullptr && *next_shared == pe) {
        next_shared = si < shared.size() ? &shared[si++] : nullptr;
      }
    }
  }
  return out;
}

Json MergeNode(const Json* l, const Json* r, const FieldType& t) {
  if (r == nullptr) return *l;
  if (l == nullptr || l->type() != r->type() || (IsEmptyContainer(l) && IsEmptyContainer(r))) return *r;
  if (r->is_object()) {
    if (t.object_shape() == ObjectShape::kAtomic) return *r;
    Json out = *l;
    for (const auto& [k, v] : r->items()) {
      out[k] = MergeNode(l->contains(k) ? &(*l)[k] : nullptr, &v, t.Field(k));
    }
    return out;
  }
  if (r->is_array()) {
    if (t.list_shape() == ListShape::kAtomic) return *r;
    return MergeList(l, r, t);
  }
  return *r;
}

// Null when nothing is left.
Json RemoveNode(const Json& v, const FieldSet& remove, const FieldType& t) {
  if (v.is_object()) {
    if (v.empty() || t.object_shape() == ObjectShape::kAtomic) return v;
    Json out = Json::object();
    for (const auto& [k, child] : v.items()) {
      const std::string pe = FieldElement(k);
      auto it = remove.children().find(pe);
      if (it == remove.children().end()) {
        out[k] = child;
        continue;
      }
      if (it->second.member()) continue;
      Json kept = RemoveNode(child, it->second, t.Field(k));
      if (!kept.is_null()) out[k] = std::move(kept);
    }
    return out.empty() ? Json() : out;
  }
  if (v.is_array()) {
    if (v.empty() || t.list_shape() == ListShape::kAtomic) return v;
    Json out = Json::array();
    const FieldType item = t.Item();
    for (const Json& child : v) {
      auto it = remove.children().find(ItemElement(child, t));
      if (it == remove.children().end()) {
        out.push_back(child);
        continue;
      }
      if (it->second.member()) continue;
      Json kept = RemoveNode(child, it->second, item);
      if (!kept.is_null()) out.push_back(std::move(kept));
    }
    return out.empty() ? Json() : out;
  }
  return v;
}

FieldSet NamedAsMembers(const FieldSet& set, const FieldType& t) {
  FieldSet out;
  if (set.member()) out.Insert({});
  const bool is_struct = t.object_shape() == ObjectShape::kStruct;
  for (const auto& [pe, child] : set.children()) {
    const FieldType ct = pe[0] == 'f' ? t.Field(pe.substr(2)) : t.Item();
    FieldSet sub = NamedAsMembers(child, ct);
    if (is_struct && pe[0] == 'f') sub.Insert({});
    out.Child(pe) = std::move(sub);
  }
  return out;
}

}  // namespace

FieldSet FieldsOf(const Json& value, const FieldType& type) {
  FieldSet out;
  FieldPath path;
  Walk(value, type, path, out);
  return out;
}

Comparison Compare(const Json& before, const Json& after, const FieldType& type) {
  Comparison c;
  FieldPath path;
  CompareNode(&before, &after, type, path, c);
  return c;
}

Json MergeApplied(const Json& live, const Json& config, const FieldType& type) {
  return MergeNode(&live, &config, type);
}

Json RemoveItems(const Json& value, const FieldSet& remove, const FieldType& type) {
  Json out = RemoveNode(value, remove, type);
  return out.is_null() ? Json::object() : out;
}

FieldSet NamedFieldsAsMembers(const FieldSet& set, const FieldType& type) {
  return NamedAsMembers(set, type);
}

}  // namespace doris_operator::kubesim
