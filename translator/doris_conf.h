#ifndef DORIS_OPERATOR_TRANSLATOR_DORIS_CONF_H_
#define DORIS_OPERATOR_TRANSLATOR_DORIS_CONF_H_

// A Doris component configuration file (fe.conf, be.conf,
// apache_hdfs_broker.conf) as the operator reads it: Java-properties syntax,
// keys lower-cased, `${DORIS_HOME}` expanded.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace doris_operator::translator {

class DorisConf {
 public:
  static DorisConf Parse(std::string_view text, std::string_view doris_home);

  bool empty() const { return values_.empty(); }
  std::optional<std::string> Get(std::string_view key) const;
  // The integer at `key`, or `fallback` when absent or not an integer.
  int64_t Int(std::string_view key, int64_t fallback) const;
  bool IsTrue(std::string_view key) const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_DORIS_CONF_H_
