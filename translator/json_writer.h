#ifndef DORIS_OPERATOR_TRANSLATOR_JSON_WRITER_H_
#define DORIS_OPERATOR_TRANSLATOR_JSON_WRITER_H_

// Writes canonical JSON (the bytes Canonical() gives for the same value)
// straight into a string, without building a tree first. Builders should
// emit object keys in sorted order; when they do not (maps from a spec, keys
// merged from several sources) the writer sorts the members when the object
// closes, the later of two equal keys winning, like assigning into a map.

#include <cstdint>
#include <string>
#include <string_view>
#include "absl/container/inlined_vector.h"
#include "translator/canonical_json.h"

namespace doris_operator::translator {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // Starts a member of the innermost object; its value is the next value.
  void Key(std::string_view key);

  void String(std::string_view s);
  void Int(int64_t v);
  void Bool(bool b);
  void Null();
  // Text that is already canonical JSON (e.g. checked with IsCanonical).
  void Raw(std::string_view canonical);
  void Value(const Json& v);

  // Shorthands for a key and its scalar value.
  void Field(std::string_view key, std::string_view s) { Key(key); String(s); }
  void Field(std::string_view key, const char* s) { Key(key); String(s); }
  void Field(std::string_view key, const std::string& s) { Key(key); String(s); }
  void Field(std::string_view key, int64_t v) { Key(key); Int(v); }
  void Field(std::string_view key, int v) { Key(key); Int(v); }
  void Field(std::string_view key, bool b) { Key(key); Bool(b); }

  // How many objects had to be re-sorted (builders in the hot path should
  // keep this at zero; a test can check it).
  int reorders() const { return reorders_; }

 private:
  struct Frame {
    bool object;
    bool empty = true;
    size_t first_member = 0;  // index into members_
    size_t key_bytes = 0;     // keys_.size() when the frame opened
  };
  struct Member {
    size_t key_off, key_len;  // into keys_
    size_t begin, end;        // into *out_, without the separating comma
  };
  void BeforeValue();
  void CloseMember();
  void SortMembers(const Frame& f);

  // Inline capacity covers the objects the translator writes, so a writer
  // usually allocates nothing of its own (allocations were its main cost).
  std::string* out_;
  absl::InlinedVector<Frame, 16> frames_;
  absl::InlinedVector<Member, 32> members_;
  absl::InlinedVector<char, 512> keys_;
  int reorders_ = 0;
};

// True when `text` is exactly what Canonical(ParseJson(text)) would give.
// Conservative: floats, escapes and non-ASCII text answer false even when
// canonical, so callers fall back to parsing.
bool IsCanonical(std::string_view text);

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_JSON_WRITER_H_
