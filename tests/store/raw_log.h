#ifndef DORIS_OPERATOR_TESTS_STORE_RAW_LOG_H_
#define DORIS_OPERATOR_TESTS_STORE_RAW_LOG_H_

// An event log's RocksDB opened directly (the log must be closed), for tests
// that damage it or look at what it keeps.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/keys.h"

namespace doris_operator::store::testing {

// The log's column families opened with RocksDB itself, to damage them.
class Raw {
 public:
  explicit Raw(const std::string& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : {"default", "records", "by_object", "by_cluster", "snapshots"}) {
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* db = nullptr;
    status_ = rocksdb::DB::Open(rocksdb::DBOptions(), path, cfs, &cf_, &db);
    db_.reset(db);
  }
  ~Raw() {
    for (auto* h : cf_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  bool ok() const { return status_.ok(); }
  void Put(int cf, const std::string& key, const std::string& value) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf_[cf], key, value).ok());
  }
  void Delete(int cf, const std::string& key) {
    ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), cf_[cf], key).ok());
  }
  std::string Get(int cf, const std::string& key) {
    std::string v;
    return db_->Get(rocksdb::ReadOptions(), cf_[cf], key, &v).ok() ? v : "";
  }
  bool Has(int cf, const std::string& key) {
    std::string v;
    return db_->Get(rocksdb::ReadOptions(), cf_[cf], key, &v).ok();
  }
  // Every key of a family whose key is a seq, in order, with its value's size.
  std::vector<std::pair<uint64_t, size_t>> Seqs(int cf) {
    std::vector<std::pair<uint64_t, size_t>> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[cf]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::optional<uint64_t> seq =
          keys::ParseSeq(std::string_view(it->key().data(), it->key().size()));
      if (seq) out.emplace_back(*seq, it->value().size());
    }
    return out;
  }

  static constexpr int kMeta = 0, kRecords = 1, kByObject = 2, kByCluster = 3, kSnapshots = 4;

 private:
  rocksdb::Status status_;
  std::vector<rocksdb::ColumnFamilyHandle*> cf_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace doris_operator::store::testing

#endif  // DORIS_OPERATOR_TESTS_STORE_RAW_LOG_H_
