#include "tests/translator/render_testing.h"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include "gtest/gtest.h"
#include "tools/dorisctl/render_command.h"

namespace doris_operator::translator::testing {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string RenderFile(const std::string& path) {
  std::ostringstream out, err;
  EXPECT_EQ(dorisctl::RunRender({"-f", path}, out, err), 0) << err.str();
  return out.str();
}

std::string RunProcess(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

std::string ReversedKeysText(const nlohmann::json& v) {
  std::function<nlohmann::ordered_json(const nlohmann::json&)> rev = [&](const nlohmann::json& x) {
    if (x.is_object()) {
      nlohmann::ordered_json o = nlohmann::ordered_json::object();
      std::vector<std::string> keys;
      for (const auto& [k, _] : x.items()) keys.push_back(k);
      for (auto it = keys.rbegin(); it != keys.rend(); ++it) o[*it] = rev(x.at(*it));
      return o;
    }
    if (x.is_array()) {
      nlohmann::ordered_json a = nlohmann::ordered_json::array();
      for (const nlohmann::json& e : x) a.push_back(rev(e));
      return a;
    }
    return nlohmann::ordered_json::parse(x.dump());
  };
  return rev(v).dump(1);
}

std::map<std::string, DesiredObject> ByName(const DesiredSet& s) {
  std::map<std::string, DesiredObject> out;
  for (const auto& o : s.objects) out[o.kind + "/" + o.name] = o;
  return out;
}

std::string SampleTestName(const std::string& file) {
  std::string n = file;
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

}  // namespace doris_operator::translator::testing
