#include "translator/resource_json.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "proto/doris_cluster.pb.h"
#include "google/protobuf/reflection.h"
#include "translator/canonical_json.h"

namespace doris_operator::translator {

namespace {

namespace pb = google::protobuf;

std::string TypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "number";
    case Json::value_t::string: return "string";
    case Json::value_t::array: return "array";
    case Json::value_t::object: return "object";
    default: return "value";
  }
}

// `expected integer, got "three"` — the value is shown for scalars only, so a
// large object never floods the message.
std::string Mismatch(const std::string& expected, const Json& v) {
  std::string got = TypeName(v);
  if (v.is_string() || v.is_number() || v.is_boolean()) got = Canonical(v);
  return absl::StrCat("expected ", expected, ", got ", got);
}

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : absl::StrCat(path, ".", key);
}

const pb::FieldDescriptor* FieldByJsonName(const pb::Descriptor* d, const std::string& name) {
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->json_name() == name) return d->field(i);
  }
  return nullptr;
}

class Converter {
 public:
  explicit Converter(ResourceProblems* out) : out_(out) {}

  void Message(const Json& j, pb::Message* msg, const std::string& path) {
    if (!j.is_object()) {
      Error(path, Mismatch("object", j));
      return;
    }
    const pb::Descriptor* d = msg->GetDescriptor();
    const pb::FieldDescriptor* base = d->FindFieldByName("base");
    for (const auto& [key, value] : j.items()) {
      const std::string field_path = Join(path, key);
      pb::Message* target = msg;
      const pb::FieldDescriptor* f = FieldByJsonName(d, key);
      if (f == nullptr && base != nullptr) {
        target = msg->GetReflection()->MutableMessage(msg, base);
        f = FieldByJsonName(base->message_type(), key);
      }
      if (f == nullptr || f->name() == "base") {
        Warn(field_path, "unknown field, ignored (the API server prunes it)");
        continue;
      }
      if (value.is_null()) continue;  // same as absent
      Field(value, target, f, field_path);
    }
  }

 private:
  void Error(const std::string& path, std::string msg) {
    out_->errors.push_back({path, std::move(msg)});
  }
  void Warn(const std::string& path, std::string msg) {
    out_->warnings.push_back({path, std::move(msg)});
  }

  void Field(const Json& v, pb::Message* msg, const pb::FieldDescriptor* f,
             const std::string& path) {
    const pb::Reflection* r = msg->GetReflection();
    if (f->is_map()) {
      if (!v.is_object()) return Error(path, Mismatch("object", v));
      const pb::FieldDescriptor* value_field = f->message_type()->FindFieldByName("value");
      for (const auto& [key, item] : v.items()) {
        if (!item.is_string()) {
          Error(Join(path, key), Mismatch("string", item));
          continue;
        }
        pb::Message* entry = r->AddMessage(msg, f);
        entry->GetReflection()->SetString(entry, entry->GetDescriptor()->FindFieldByName("key"),
                                          key);
        entry->GetReflection()->SetString(entry, value_field, item.get<std::string>());
      }
      return;
    }
    if (f->is_repeated()) {
      if (!v.is_array()) return Error(path, Mismatch("array", v));
      for (size_t i = 0; i < v.size(); ++i) {
        const std::string item_path = absl::StrCat(path, "[", i, "]");
        if (v[i].is_null()) {
          Error(item_path, Mismatch(ExpectedName(f), v[i]));
          continue;
        }
        Repeated(v[i], msg, f, item_path);
      }
      return;
    }
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
        pb::Message* child = r->MutableMessage(msg, f);
        if (f->message_type()->full_name() == "doris_operator.model.v1.RawJson") {
          child->GetReflection()->SetString(child, child->GetDescriptor()->field(0), Canonical(v));
        } else {
          Message(v, child, path);
        }
        return;
      }
      case pb::FieldDescriptor::CPPTYPE_INT32: {
        std::optional<int32_t> n = Int32(v, path);
        if (n) r->SetInt32(msg, f, *n);
        return;
      }
      case pb::FieldDescriptor::CPPTYPE_INT64:
        // observedGeneration (status and conditions): an integer, as the
        // API server stores it; 3.0 counts as 3.
        if (v.is_number_integer() && !(v.is_number_unsigned() &&
                                       v.get<uint64_t>() > static_cast<uint64_t>(
                                                               std::numeric_limits<int64_t>::max()))) {
          r->SetInt64(msg, f, v.get<int64_t>());
        } else if (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>()))) {
          r->SetInt64(msg, f, static_cast<int64_t>(v.get<double>()));
        } else {
          Error(path, Mismatch("integer", v));
        }
        return;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        if (!v.is_boolean()) return Error(path, Mismatch("boolean", v));
        r->SetBool(msg, f, v.get<bool>());
        return;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        if (!v.is_string()) return Error(path, Mismatch("string", v));
        r->SetString(msg, f, v.get<std::string>());
        return;
      default:
        return Error(path, "field type not supported by the converter");
    }
  }

  void Repeated(const Json& v, pb::Message* msg, const pb::FieldDescriptor* f,
                const std::string& path) {
    const pb::Reflection* r = msg->GetReflection();
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        Message(v, r->AddMessage(msg, f), path);
        return;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        if (!v.is_string()) return Error(path, Mismatch("string", v));
        r->AddString(msg, f, v.get<std::string>());
        return;
      case pb::FieldDescriptor::CPPTYPE_INT32: {
        std::optional<int32_t> n = Int32(v, path);
        if (n) r->AddInt32(msg, f, *n);
        return;
      }
      default:
        return Error(path, "field type not supported by the converter");
    }
  }

  static std::string ExpectedName(const pb::FieldDescriptor* f) {
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_MESSAGE: return "object";
      case pb::FieldDescriptor::CPPTYPE_STRING: return "string";
      case pb::FieldDescriptor::CPPTYPE_INT32: return "integer";
      case pb::FieldDescriptor::CPPTYPE_BOOL: return "boolean";
      default: return "value";
    }
  }

  std::optional<int32_t> Int32(const Json& v, const std::string& path) {
    if (v.is_number_float()) {
      // 3.0 is an integer to Kubernetes; 3.5 is not.
      const double d = v.get<double>();
      if (d == static_cast<double>(static_cast<int64_t>(d)) &&
          d >= std::numeric_limits<int32_t>::min() && d <= std::numeric_limits<int32_t>::max()) {
        return static_cast<int32_t>(d);
      }
      Error(path, Mismatch("integer", v));
      return std::nullopt;
    }
    if (!v.is_number_integer()) {
      Error(path, Mismatch("integer", v));
      return std::nullopt;
    }
    if (v.is_number_unsigned() ? v.get<uint64_t>() > std::numeric_limits<int32_t>::max()
                               : (v.get<int64_t>() < std::numeric_limits<int32_t>::min() ||
                                  v.get<int64_t>() > std::numeric_limits<int32_t>::max())) {
      Error(path, absl::StrCat("integer ", Canonical(v), " is out of range for int32"));
      return std::nullopt;
    }
    return static_cast<int32_t>(v.get<int64_t>());
  }

  ResourceProblems* out_;
};

void Metadata(const Json& j, model::v1::ObjectMeta* meta, ResourceProblems* out) {
  if (!j.is_object()) {
    out->errors.push_back({"metadata", Mismatch("object", j)});
    return;
  }
  auto str = [&](const char* key, std::string* dst) {
    if (!j.contains(key) || j[key].is_null()) return;
    if (!j[key].is_string()) {
      out->errors.push_back({absl::StrCat("metadata.", key), Mismatch("string", j[key])});
      return;
    }
    *dst = j[key].get<std::string>();
  };
  str("name", meta->mutable_name());
  str("namespace", meta->mutable_namespace_());
  str("uid", meta->mutable_uid());
  if (j.contains("generation") && j["generation"].is_number_integer()) {
    meta->set_generation(j["generation"].get<int64_t>());
  }
  auto map = [&](const char* key, google::protobuf::Map<std::string, std::string>* dst) {
    if (!j.contains(key) || j[key].is_null()) return;
    if (!j[key].is_object()) {
      out->errors.push_back({absl::StrCat("metadata.", key), Mismatch("object", j[key])});
      return;
    }
    for (const auto& [k, v] : j[key].items()) {
      if (!v.is_string()) {
        out->errors.push_back({absl::StrCat("metadata.", key, ".", k), Mismatch("string", v)});
        continue;
      }
      (*dst)[k] = v.get<std::string>();
    }
  };
  map("labels", meta->mutable_labels());
  map("annotations", meta->mutable_annotations());
}

}  // namespace

ResourceProblems ResourceFromJson(const Json& object, std::string_view api_version_want,
                                  std::string_view kind_want, pb::Message* resource) {
  ResourceProblems out;
  if (!object.is_object()) {
    out.errors.push_back({"", Mismatch("object", object)});
    return out;
  }
  const pb::Descriptor* d = resource->GetDescriptor();
  const pb::Reflection* r = resource->GetReflection();
  const std::string api_version = object.value("apiVersion", Json()).is_string()
                                      ? object["apiVersion"].get<std::string>()
                                      : "";
  const std::string kind =
      object.value("kind", Json()).is_string() ? object["kind"].get<std::string>() : "";
  if (api_version != api_version_want) {
    out.errors.push_back({"apiVersion", absl::StrCat("must be \"", std::string(api_version_want), "\"")});
  }
  if (kind != kind_want) out.errors.push_back({"kind", absl::StrCat("must be \"", std::string(kind_want), "\"")});
  r->SetString(resource, d->FindFieldByName("api_version"), api_version);
  r->SetString(resource, d->FindFieldByName("kind"), kind);
  if (object.contains("metadata")) {
    Metadata(object["metadata"],
             static_cast<model::v1::ObjectMeta*>(
                 r->MutableMessage(resource, d->FindFieldByName("metadata"))),
             &out);
  }
  Converter conv(&out);
  if (object.contains("spec") && !object["spec"].is_null()) {
    conv.Message(object["spec"], r->MutableMessage(resource, d->FindFieldByName("spec")), "spec");
  }
  if (object.contains("status") && !object["status"].is_null()) {
    // Status is ours; a stale or foreign one must not stop a reconcile.
    ResourceProblems status_out;
    Converter status_conv(&status_out);
    status_conv.Message(object["status"], r->MutableMessage(resource, d->FindFieldByName("status")),
                        "status");
    for (auto& w : status_out.errors) out.warnings.push_back(std::move(w));
  }
  for (const auto& [key, value] : object.items()) {
    if (key != "apiVersion" && key != "kind" && key != "metadata" && key != "spec" &&
        key != "status") {
      out.warnings.push_back({key, "unknown field, ignored (the API server prunes it)"});
    }
  }
  return out;
}

Json MessageToJson(const google::protobuf::Message& msg) {
  Json out = Json::object();
  const pb::Reflection* r = msg.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(msg, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    if (f->name() == "password") continue;  // never echo credentials
    if (f->name() == "base") {
      Json inner = MessageToJson(r->GetMessage(msg, f));
      for (auto& [k, v] : inner.items()) out[k] = v;
      continue;
    }
    Json value;
    if (f->is_map()) {
      value = Json::object();
      for (int i = 0; i < r->FieldSize(msg, f); ++i) {
        const pb::Message& e = r->GetRepeatedMessage(msg, f, i);
        value[e.GetReflection()->GetString(e, e.GetDescriptor()->FindFieldByName("key"))] =
            e.GetReflection()->GetString(e, e.GetDescriptor()->FindFieldByName("value"));
      }
    } else if (f->is_repeated()) {
      value = Json::array();
      for (int i = 0; i < r->FieldSize(msg, f); ++i) {
        switch (f->cpp_type()) {
          case pb::FieldDescriptor::CPPTYPE_MESSAGE:
            value.push_back(MessageToJson(r->GetRepeatedMessage(msg, f, i)));
            break;
          case pb::FieldDescriptor::CPPTYPE_STRING:
            value.push_back(r->GetRepeatedString(msg, f, i));
            break;
          case pb::FieldDescriptor::CPPTYPE_INT32:
            value.push_back(r->GetRepeatedInt32(msg, f, i));
            break;
          default:
            break;
        }
      }
    } else {
      switch (f->cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
          const pb::Message& child = r->GetMessage(msg, f);
          if (child.GetDescriptor()->full_name() == "doris_operator.model.v1.RawJson") {
            absl::StatusOr<Json> raw =
                ParseJson(child.GetReflection()->GetString(child, child.GetDescriptor()->field(0)));
            value = raw.ok() ? *raw : Json();
          } else {
            value = MessageToJson(child);
          }
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_STRING: value = r->GetString(msg, f); break;
        case pb::FieldDescriptor::CPPTYPE_INT32: value = r->GetInt32(msg, f); break;
        case pb::FieldDescriptor::CPPTYPE_INT64: value = r->GetInt64(msg, f); break;
        case pb::FieldDescriptor::CPPTYPE_BOOL: value = r->GetBool(msg, f); break;
        default: break;
      }
    }
    out[f->json_name()] = std::move(value);
  }
  return out;
}

}  // namespace doris_operator::translator
