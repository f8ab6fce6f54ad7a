#include "tools/kubesim/k8s_proto_json.h"

#include <cstdint>
#include <ctime>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"

namespace doris_operator::kubesim {

// Generated from k8s_proto/ by the `k8s_descriptors` genrule.
extern const unsigned char kK8sDescriptorSet[];
extern const size_t kK8sDescriptorSetSize;
extern const char kK8sTypesJson[];

namespace {

namespace pb = google::protobuf;

constexpr char kMeta[] = "k8s.io.apimachinery.pkg.apis.meta.v1.";

// What types_json.txt says about one field (see go_json_fields.py).
struct GoField {
  bool inline_struct = false;
  bool keep_zero = false;
  std::string json_name;  // empty: the protobuf name
};

struct K8sTypes {
  pb::DescriptorPool pool;
  mutable absl::Mutex factory_mu;
  mutable pb::DynamicMessageFactory factory{&pool};
  absl::flat_hash_map<std::string, GoField> go_fields;  // "Message field"
  bool ok = false;
};

const K8sTypes& Types() {
  static const K8sTypes* types = [] {
    auto* t = new K8sTypes;
    pb::FileDescriptorSet set;
    if (!set.ParseFromArray(kK8sDescriptorSet, static_cast<int>(kK8sDescriptorSetSize))) return t;
    // protoc --include_imports lists dependencies before their users.
    for (const pb::FileDescriptorProto& f : set.file()) {
      if (t->pool.BuildFile(f) == nullptr) return t;
    }
    for (absl::string_view line : absl::StrSplit(kK8sTypesJson, '\n', absl::SkipEmpty())) {
      if (line[0] == '#') continue;
      std::vector<std::string> w = absl::StrSplit(line, ' ');
      if (w.size() != 3) continue;
      GoField& g = t->go_fields[absl::StrCat(w[0], " ", w[1])];
      if (w[2] == "inline") g.inline_struct = true;
      if (w[2] == "keepzero") g.keep_zero = true;
      absl::string_view json = w[2];
      if (absl::ConsumePrefix(&json, "json=")) g.json_name = std::string(json);
    }
    t->ok = true;
    return t;
  }();
  return *types;
}

// Go's time.Duration.String(), which metav1.Duration's JSON uses.
std::string GoDuration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? -static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  auto frac = [](uint64_t v, uint64_t unit) {  // "1.5" for v=1500, unit=1000
    std::string s = absl::StrCat(v / unit);
    uint64_t rest = v % unit;
    if (rest == 0) return s;
    std::string digits = absl::StrFormat("%0*d", unit == 1000 ? 3 : unit == 1000000 ? 6 : 9, rest);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    return absl::StrCat(s, ".", digits);
  };
  if (u < 1000) return absl::StrCat(sign, u, "ns");
  if (u < 1000000) return absl::StrCat(sign, frac(u, 1000), "\xc2\xb5s");
  if (u < 1000000000) return absl::StrCat(sign, frac(u, 1000000), "ms");
  const uint64_t secs = u / 1000000000, h = secs / 3600, m = secs / 60 % 60;
  std::string s = absl::StrCat(frac(u % 60000000000ull, 1000000000), "s");
  if (h > 0) return absl::StrCat(sign, h, "h", m, "m", s);
  if (m > 0) return absl::StrCat(sign, m, "m", s);
  return sign + s;
}

std::string Rfc3339(int64_t seconds, int micros, bool with_micros) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return with_micros ? absl::StrFormat("%s.%06dZ", buf, micros) : absl::StrCat(buf, "Z");
}

class Converter {
 public:
  explicit Converter(const K8sTypes& types) : types_(types) {}

  // The message's JSON, or null where Go prints null (a zero Time).
  std::variant<Json, std::string> Message(const pb::Message& m) {
    const pb::Descriptor* d = m.GetDescriptor();
    const pb::Reflection* r = m.GetReflection();
    const std::string& full = d->full_name();
    auto field = [&](const char* name) { return d->FindFieldByName(name); };
    if (full == "k8s.io.apimachinery.pkg.util.intstr.IntOrString") {
      if (r->GetInt64(m, field("type")) == 1) return Json(r->GetString(m, field("strVal")));
      return Json(r->GetInt32(m, field("intVal")));
    }
    if (full == "k8s.io.apimachinery.pkg.api.resource.Quantity") {
      return Json(r->GetString(m, field("string")));
    }
    if (full == absl::StrCat(kMeta, "Time") || full == absl::StrCat(kMeta, "MicroTime")) {
      // An empty message is the zero time, which Go prints as null.
      if (!r->HasField(m, field("seconds")) && !r->HasField(m, field("nanos"))) return Json();
      const bool micro = full == absl::StrCat(kMeta, "MicroTime");
      // Time keeps whole seconds only (time_proto.go); MicroTime truncates to µs.
      return Json(Rfc3339(r->GetInt64(m, field("seconds")), r->GetInt32(m, field("nanos")) / 1000,
                          micro));
    }
    if (full == absl::StrCat(kMeta, "Duration")) {
      return Json(GoDuration(r->GetInt64(m, field("duration"))));
    }
    if (full == "k8s.io.apimachinery.pkg.runtime.RawExtension" ||
        full == absl::StrCat(kMeta, "FieldsV1")) {
      const pb::FieldDescriptor* raw = d->field(0);
      if (!r->HasField(m, raw)) return Json();
      Json j = Json::parse(r->GetString(m, raw), nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) return absl::StrCat(full, " does not hold JSON");
      return j;
    }
    Json out = Json::object();
    for (int i = 0; i < d->field_count(); ++i) {
      const pb::FieldDescriptor* f = d->field(i);
      GoField go;
      if (auto it = types_.go_fields.find(absl::StrCat(full, " ", f->name()));
          it != types_.go_fields.end()) {
        go = it->second;
      }
      const std::string name = go.json_name.empty() ? f->name() : go.json_name;
      if (name == "-") continue;
      if (f->is_map()) {
        const int n = r->FieldSize(m, f);
        if (n == 0) continue;
        Json map = Json::object();
        for (int k = 0; k < n; ++k) {
          const pb::Message& entry = r->GetRepeatedMessage(m, f, k);
          const pb::Descriptor* ed = entry.GetDescriptor();
          std::variant<Json, std::string> key = Scalar(entry, ed->map_key(), -1);
          std::variant<Json, std::string> value = Value(entry, ed->map_value(), -1);
          if (auto* e = std::get_if<std::string>(&value)) return *e;
          map[std::get<Json>(key).get<std::string>()] = std::get<Json>(value);
        }
        out[name] = std::move(map);
      } else if (f->is_repeated()) {
        const int n = r->FieldSize(m, f);
        if (n == 0) continue;  // Go's nil slice: omitted, or null without omitempty
        Json list = Json::array();
        for (int k = 0; k < n; ++k) {
          std::variant<Json, std::string> v = Value(m, f, k);
          if (auto* e = std::get_if<std::string>(&v)) return *e;
          list.push_back(std::get<Json>(v));
        }
        out[name] = std::move(list);
      } else if (r->HasField(m, f)) {
        std::variant<Json, std::string> v = Value(m, f, -1);
        if (auto* e = std::get_if<std::string>(&v)) return *e;
        Json& j = std::get<Json>(v);
        if (go.inline_struct && j.is_object()) {
          for (auto& [k, sub] : j.items()) out[k] = sub;
        } else if (j.is_null()) {
          continue;
        } else if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE && !go.keep_zero &&
                   IsZero(j)) {
          // gogo writes every non-pointer scalar; Go's omitempty drops zeros.
          continue;
        } else {
          out[name] = std::move(j);
        }
      }
    }
    return out;
  }

 private:
  static bool IsZero(const Json& j) {
    return (j.is_string() && j.get<std::string>().empty()) || (j.is_boolean() && !j.get<bool>()) ||
           (j.is_number() && j == 0);
  }

  // Field f of m (element `index` of a repeated field, or -1).
  std::variant<Json, std::string> Value(const pb::Message& m, const pb::FieldDescriptor* f,
                                        int index) {
    if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      const pb::Reflection* r = m.GetReflection();
      return Message(index < 0 ? r->GetMessage(m, f) : r->GetRepeatedMessage(m, f, index));
    }
    return Scalar(m, f, index);
  }

  static std::variant<Json, std::string> Scalar(const pb::Message& m, const pb::FieldDescriptor* f,
                                                int index) {
    const pb::Reflection* r = m.GetReflection();
    const bool rep = index >= 0;
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        return Json(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
      case pb::FieldDescriptor::CPPTYPE_INT64:
        return Json(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        return Json(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        return Json(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        return Json(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        return Json(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        return Json(rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f));
      case pb::FieldDescriptor::CPPTYPE_STRING: {
        std::string s = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
        // Go's encoding/json writes []byte as base64.
        if (f->type() == pb::FieldDescriptor::TYPE_BYTES) return Json(absl::Base64Escape(s));
        return Json(std::move(s));
      }
      default:
        return absl::StrCat("field ", f->full_name(), " has a type kubesim does not read");
    }
  }

  const K8sTypes& types_;
};

}  // namespace

bool HasK8sMessage(const std::string& message) {
  const K8sTypes& t = Types();
  return t.ok && t.pool.FindMessageTypeByName(message) != nullptr;
}

std::variant<Json, std::string> K8sProtoToJson(const std::string& message,
                                              const std::string& bytes) {
  const K8sTypes& t = Types();
  if (!t.ok) return std::string("kubesim's compiled-in Kubernetes descriptors do not load");
  const pb::Descriptor* d = t.pool.FindMessageTypeByName(message);
  if (d == nullptr) return absl::StrCat("no protobuf message ", message);
  const pb::Message* prototype;
  {
    absl::MutexLock l(&t.factory_mu);
    prototype = t.factory.GetPrototype(d);
  }
  std::unique_ptr<pb::Message> m(prototype->New());
  if (!m->ParseFromString(bytes)) return absl::StrCat(d->name(), " does not parse");
  return Converter(t).Message(*m);
}

}  // namespace doris_operator::kubesim
