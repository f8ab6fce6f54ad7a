// Fuzzes the FE node-management answers (operator/doris/node_list): any body
// is a row list or an error value, never an exception; a parsed list has one
// row per `rows` entry, each keyed by exactly the listed columns; a write
// answer is OK exactly when `code` is the integer 0.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "operator/doris/node_list.h"
#include "tests/fuzz/fuzz_check.h"
#include "translator/canonical_json.h"

using nlohmann::json;
namespace doris = doris_operator::doris;
namespace translator = doris_operator::translator;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);

  absl::StatusOr<std::vector<doris::NodeRow>> rows = doris::ParseNodeList(body);
  if (rows.ok()) {
    FUZZ_CHECK(j.is_object() && j.contains("data") && j["data"].contains("rows"),
               "a node list parsed from a body without data.rows");
    FUZZ_CHECK(j["code"].is_number_integer() && j["code"].get<int64_t>() == 0,
               "a node list accepted with code " + j["code"].dump());
    const json& raw_rows = j["data"]["rows"];
    FUZZ_CHECK(rows->size() == raw_rows.size(), "row count differs from data.rows");
    std::set<std::string> columns;
    for (const json& c : j["data"]["column_names"]) {
      columns.insert(c.is_string() ? c.get<std::string>() : c.is_null() ? "" : translator::Canonical(c));
    }
    for (const doris::NodeRow& row : *rows) {
      std::set<std::string> keys;
      for (const auto& [k, v] : row) keys.insert(k);
      FUZZ_CHECK(keys == columns, "a row's columns differ from column_names");
      for (const std::string& host : doris::RowHosts(row)) {
        FUZZ_CHECK(!host.empty(), "RowHosts returned an empty host");
      }
    }
  } else {
    FUZZ_CHECK(!rows.status().message().empty(), "an error without a message");
    FUZZ_CHECK(rows.status().message().rfind("FE ", 0) == 0,
               "a node-list error does not say it is about the FE: " +
                   std::string(rows.status().message()));
  }

  const absl::Status write = doris::ParseWriteAnswer(body, "add backend");
  const bool code_zero = j.is_object() && j.contains("code") && j["code"].is_number_integer() &&
                         j["code"].get<int64_t>() == 0;
  FUZZ_CHECK(write.ok() == code_zero,
             "ParseWriteAnswer: " + write.ToString() + " for code " +
                 (j.is_object() && j.contains("code") ? j["code"].dump() : "<none>"));
  if (!write.ok()) {
    FUZZ_CHECK(write.message().rfind("add backend: ", 0) == 0,
               "a write error does not name the write: " + write.ToString());
  }
  return 0;
}
