#include "tools/dorisctl/files.h"

#include <fstream>
#include <sstream>

namespace doris_operator::dorisctl {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace doris_operator::dorisctl
