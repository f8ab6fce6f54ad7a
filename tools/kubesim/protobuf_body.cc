#include "tools/kubesim/protobuf_body.h"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace doris_operator::kubesim {

namespace {

// One field of a protobuf message: wire types 0 (varint) and 2 (bytes) are
// all these messages use.
struct Field {
  int number = 0;
  uint64_t varint = 0;
  std::string bytes;
  bool is_bytes = false;
};

std::optional<uint64_t> Varint(const std::string& s, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && pos < s.size(); shift += 7) {
    const uint8_t b = static_cast<uint8_t>(s[pos++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  return std::nullopt;
}

std::optional<std::vector<Field>> Fields(const std::string& s) {
  std::vector<Field> out;
  size_t pos = 0;
  while (pos < s.size()) {
    std::optional<uint64_t> key = Varint(s, pos);
    if (!key) return std::nullopt;
    Field f;
    f.number = static_cast<int>(*key >> 3);
    switch (*key & 7) {
      case 0: {
        std::optional<uint64_t> v = Varint(s, pos);
        if (!v) return std::nullopt;
        f.varint = *v;
        break;
      }
      case 2: {
        std::optional<uint64_t> len = Varint(s, pos);
        if (!len || *len > s.size() - pos) return std::nullopt;
        f.bytes = s.substr(pos, *len);
        f.is_bytes = true;
        pos += *len;
        break;
      }
      default:
        return std::nullopt;  // fixed32/64: not used by these kinds
    }
    out.push_back(std::move(f));
  }
  return out;
}

// A map<string, string|bytes> entry: {1: key, 2: value}.
std::optional<std::pair<std::string, std::string>> MapEntry(const std::string& s) {
  std::optional<std::vector<Field>> fs = Fields(s);
  if (!fs) return std::nullopt;
  std::pair<std::string, std::string> kv;
  for (const Field& f : *fs) {
    if (f.number == 1) kv.first = f.bytes;
    if (f.number == 2) kv.second = f.bytes;
  }
  return kv;
}

std::optional<Json> ObjectMeta(const std::string& s) {
  std::optional<std::vector<Field>> fs = Fields(s);
  if (!fs) return std::nullopt;
  Json meta = Json::object();
  for (const Field& f : *fs) {
    if (f.number == 1) meta["name"] = f.bytes;
    if (f.number == 2) meta["generateName"] = f.bytes;
    if (f.number == 3 && !f.bytes.empty()) meta["namespace"] = f.bytes;
    if (f.number == 11 || f.number == 12) {
      std::optional<std::pair<std::string, std::string>> kv = MapEntry(f.bytes);
      if (!kv) return std::nullopt;
      meta[f.number == 11 ? "labels" : "annotations"][kv->first] = kv->second;
    }
  }
  return meta;
}

ApiError Malformed(const std::string& what) {
  return ApiError{400, "BadRequest", absl::StrCat("protobuf body: ", what)};
}

}  // namespace

std::variant<Json, ApiError> DecodeProtobufBody(const std::string& body) {
  static const std::string kMagic("k8s\0", 4);
  if (body.compare(0, kMagic.size(), kMagic) != 0) return Malformed("missing the k8s magic prefix");
  std::optional<std::vector<Field>> unknown = Fields(body.substr(kMagic.size()));
  if (!unknown) return Malformed("runtime.Unknown does not parse");
  std::string api_version, kind, raw;
  for (const Field& f : *unknown) {
    if (f.number == 1) {
      std::optional<std::vector<Field>> type_meta = Fields(f.bytes);
      if (!type_meta) return Malformed("TypeMeta does not parse");
      for (const Field& t : *type_meta) {
        if (t.number == 1) api_version = t.bytes;
        if (t.number == 2) kind = t.bytes;
      }
    }
    if (f.number == 2) raw = f.bytes;
  }
  if (api_version != "v1" || (kind != "ConfigMap" && kind != "Secret" && kind != "Namespace")) {
    return ApiError{415, "UnsupportedMediaType",
                    absl::StrCat("kubesim decodes protobuf only for v1 ConfigMap, Secret and "
                                 "Namespace, not ", api_version, "/", kind,
                                 "; send JSON (kubectl apply -f)")};
  }
  std::optional<std::vector<Field>> fields = Fields(raw);
  if (!fields) return Malformed(absl::StrCat(kind, " does not parse"));
  Json obj = {{"apiVersion", api_version}, {"kind", kind}, {"metadata", Json::object()}};
  for (const Field& f : *fields) {
    if (f.number == 1) {
      std::optional<Json> meta = ObjectMeta(f.bytes);
      if (!meta) return Malformed("ObjectMeta does not parse");
      obj["metadata"] = *meta;
      continue;
    }
    if (kind == "ConfigMap" || kind == "Secret") {
      // ConfigMap: 2 data, 3 binaryData, 4 immutable.
      // Secret: 2 data (bytes), 3 type, 4 stringData, 5 immutable.
      const bool secret = kind == "Secret";
      if (f.number == 2 || (!secret && f.number == 3) || (secret && f.number == 4)) {
        std::optional<std::pair<std::string, std::string>> kv = MapEntry(f.bytes);
        if (!kv) return Malformed("a map entry does not parse");
        const bool binary = (secret && f.number == 2) || (!secret && f.number == 3);
        const char* key = f.number == 2 ? "data" : secret ? "stringData" : "binaryData";
        obj[key][kv->first] = binary ? absl::Base64Escape(kv->second) : kv->second;
      } else if (secret && f.number == 3) {
        obj["type"] = f.bytes;
      } else if ((!secret && f.number == 4) || (secret && f.number == 5)) {
        obj["immutable"] = f.varint != 0;
      }
    }
  }
  return obj;
}

}  // namespace doris_operator::kubesim
