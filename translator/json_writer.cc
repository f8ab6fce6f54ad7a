#include "translator/json_writer.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace doris_operator::translator {

void JsonWriter::BeforeValue() {
  // Values inside arrays are separated here; object members in Key().
  if (frames_.empty()) return;
  Frame& f = frames_.back();
  if (!f.object) {
    if (!f.empty) out_->push_back(',');
    f.empty = false;
  }
}

void JsonWriter::CloseMember() {
  Frame& f = frames_.back();
  if (members_.size() > f.first_member) members_.back().end = out_->size();
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_->push_back('{');
  frames_.push_back(Frame{true, true, members_.size(), keys_.size()});
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_->push_back('[');
  frames_.push_back(Frame{false, true, members_.size(), keys_.size()});
}

void JsonWriter::EndArray() {
  out_->push_back(']');
  frames_.pop_back();
}

void JsonWriter::Key(std::string_view key) {
  Frame& f = frames_.back();
  CloseMember();
  if (!f.empty) out_->push_back(',');
  f.empty = false;
  members_.push_back(Member{keys_.size(), key.size(), out_->size(), 0});
  keys_.insert(keys_.end(), key.begin(), key.end());
  AppendCanonicalString(key, out_);
  out_->push_back(':');
}

void JsonWriter::EndObject() {
  const Frame f = frames_.back();
  CloseMember();
  bool sorted = true;
  for (size_t i = f.first_member + 1; i < members_.size() && sorted; ++i) {
    const std::string_view prev(keys_.data() + members_[i - 1].key_off, members_[i - 1].key_len);
    const std::string_view cur(keys_.data() + members_[i].key_off, members_[i].key_len);
    sorted = prev < cur;
  }
  if (!sorted) SortMembers(f);
  members_.resize(f.first_member);
  keys_.resize(f.key_bytes);
  out_->push_back('}');
  frames_.pop_back();
}

void JsonWriter::SortMembers(const Frame& f) {
  ++reorders_;
  auto key = [this](const Member& m) { return std::string_view(keys_.data() + m.key_off, m.key_len); };
  std::vector<Member> ms(members_.begin() + f.first_member, members_.end());
  std::stable_sort(ms.begin(), ms.end(),
                   [&](const Member& a, const Member& b) { return key(a) < key(b); });
  std::string text;
  bool first = true;
  for (size_t i = 0; i < ms.size(); ++i) {
    // Of equal keys the one written last wins, as with map assignment.
    if (i + 1 < ms.size() && key(ms[i]) == key(ms[i + 1])) continue;
    if (!first) text.push_back(',');
    first = false;
    text.append(*out_, ms[i].begin, ms[i].end - ms[i].begin);
  }
  out_->resize(members_[f.first_member].begin);
  out_->append(text);
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendCanonicalString(s, out_);
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr - buf);
}

void JsonWriter::Bool(bool b) {
  BeforeValue();
  out_->append(b ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::Raw(std::string_view canonical) {
  BeforeValue();
  out_->append(canonical);
}

void JsonWriter::Value(const Json& v) {
  BeforeValue();
  AppendCanonical(v, out_);
}

namespace {

// A recursive-descent check of the subset of canonical JSON described in
// the header. `p` advances over what was accepted.
class CanonicalCheck {
 public:
  explicit CanonicalCheck(std::string_view t) : p_(t.data()), end_(t.data() + t.size()) {}

  bool All() { return Value(0) && p_ == end_; }

 private:
  static constexpr int kMaxDepth = 64;

  bool Value(int depth) {
    if (p_ == end_ || depth > kMaxDepth) return false;
    switch (*p_) {
      case '{': return Object(depth + 1);
      case '[': return Array(depth + 1);
      case '"': {
        std::string_view ignored;
        return String(&ignored);
      }
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default: return Integer();
    }
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // Integers only: nlohmann re-prints floats its own way. At most 18 digits
  // so every accepted value fits int64 and prints back unchanged; no -0.
  bool Integer() {
    if (p_ != end_ && *p_ == '-') {
      ++p_;
      if (p_ == end_ || *p_ < '1' || *p_ > '9') return false;
    }
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      int digits = 0;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
        ++p_;
        if (++digits > 18) return false;
      }
    }
    return p_ == end_ || (*p_ != '.' && *p_ != 'e' && *p_ != 'E' && !(*p_ >= '0' && *p_ <= '9'));
  }

  // Printable ASCII without escapes: such strings print back byte for byte.
  bool String(std::string_view* s) {
    const char* start = ++p_;
    while (p_ != end_) {
      const unsigned char ch = static_cast<unsigned char>(*p_);
      if (ch == '"') {
        *s = std::string_view(start, p_ - start);
        ++p_;
        return true;
      }
      if (ch < 0x20 || ch >= 0x7f || ch == '\\') return false;
      ++p_;
    }
    return false;
  }

  bool Object(int depth) {
    ++p_;
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    std::string_view prev;
    bool first = true;
    while (true) {
      if (p_ == end_ || *p_ != '"') return false;
      std::string_view key;
      if (!String(&key)) return false;
      // Strictly increasing keys: sorted, and no duplicate for the parser
      // to resolve.
      if (!first && !(prev < key)) return false;
      first = false;
      prev = key;
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      if (!Value(depth)) return false;
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  bool Array(int depth) {
    ++p_;
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    while (true) {
      if (!Value(depth)) return false;
      if (p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool IsCanonical(std::string_view text) { return CanonicalCheck(text).All(); }

}  // namespace doris_operator::translator
