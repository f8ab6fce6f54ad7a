#include "translator/doris_conf.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace doris_operator::translator {

DorisConf DorisConf::Parse(std::string_view text, std::string_view doris_home) {
  DorisConf conf;
  std::string logical;  // a line with its backslash continuations joined
  auto flush = [&]() {
    absl::string_view line = absl::StripAsciiWhitespace(logical);
    if (!line.empty() && line[0] != '#' && line[0] != '!') {
      const size_t sep = line.find_first_of("=:");
      absl::string_view key = line.substr(0, sep);
      absl::string_view value = sep == absl::string_view::npos ? "" : line.substr(sep + 1);
      std::string k = absl::AsciiStrToLower(absl::StripAsciiWhitespace(key));
      std::string v(absl::StripAsciiWhitespace(value));
      v = absl::StrReplaceAll(v, {{"${DORIS_HOME}", std::string(doris_home)},
                                  {"$DORIS_HOME", std::string(doris_home)}});
      if (!k.empty()) conf.values_[k] = v;
    }
    logical.clear();
  };
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    absl::string_view line = absl::StripTrailingAsciiWhitespace(raw);
    if (!line.empty() && line.back() == '\\') {
      line.remove_suffix(1);
      logical.append(line.data(), line.size());
      continue;
    }
    logical.append(line.data(), line.size());
    flush();
  }
  flush();
  return conf;
}

std::optional<std::string> DorisConf::Get(std::string_view key) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

int64_t DorisConf::Int(std::string_view key, int64_t fallback) const {
  std::optional<std::string> v = Get(key);
  int64_t out = 0;
  if (!v || !absl::SimpleAtoi(*v, &out)) return fallback;
  return out;
}

bool DorisConf::IsTrue(std::string_view key) const {
  std::optional<std::string> v = Get(key);
  return v && absl::AsciiStrToLower(*v) == "true";
}

}  // namespace doris_operator::translator
