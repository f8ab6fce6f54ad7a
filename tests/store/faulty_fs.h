#ifndef DORIS_OPERATOR_TESTS_STORE_FAULTY_FS_H_
#define DORIS_OPERATOR_TESTS_STORE_FAULTY_FS_H_

// A RocksDB file system that fails writes on demand, for the event log's
// write-failure tests: writes and syncs of write-ahead-log files (*.log) and
// other data files (the log's disk probe), and optionally of table files
// (*.sst), return the armed error until disarmed. RocksDB's metadata files
// (MANIFEST, OPTIONS, CURRENT, IDENTITY) are never failed.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace doris_operator::store::testing {

struct Faults {
  std::atomic<bool> wal_writes{false};  // Append/PositionedAppend/Allocate of *.log
  std::atomic<bool> wal_syncs{false};   // Sync/Fsync/RangeSync of *.log
  std::atomic<bool> table_writes{false};  // every write and sync of *.sst
  std::atomic<bool> no_space{true};     // the error: ENOSPC-like, else a plain I/O error
  std::atomic<int> injected{0};         // errors returned so far
  // Once: the next write of at least this many bytes (0: none) to a
  // write-ahead-log file calls `on_large_wal_write` (while RocksDB is inside
  // that write) and then fails. Picks out the write that carries a snapshot.
  std::atomic<size_t> fail_wal_write_over{0};
  std::function<void()> on_large_wal_write;  // set before arming

  rocksdb::IOStatus Error() {
    ++injected;
    return no_space ? rocksdb::IOStatus::NoSpace("injected: no space left on device")
                    : rocksdb::IOStatus::IOError("injected: input/output error");
  }
};

class FaultyFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyFile(std::unique_ptr<rocksdb::FSWritableFile> f, Faults* faults, bool wal,
             bool wal_file)
      : FSWritableFileOwnerWrapper(std::move(f)), faults_(faults), wal_(wal), wal_file_(wal_file) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
    if (WriteFails() || LargeWriteFails(data.size())) return faults_->Error();
    return FSWritableFileOwnerWrapper::Append(data, o, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& v,
                           rocksdb::IODebugContext* dbg) override {
    if (WriteFails() || LargeWriteFails(data.size())) return faults_->Error();
    return FSWritableFileOwnerWrapper::Append(data, o, v, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& o,
                                     rocksdb::IODebugContext* dbg) override {
    if (WriteFails()) return faults_->Error();
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, dbg);
  }
  rocksdb::IOStatus Allocate(uint64_t offset, uint64_t len, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
    if (WriteFails()) return faults_->Error();
    return FSWritableFileOwnerWrapper::Allocate(offset, len, o, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (SyncFails()) return faults_->Error();
    return FSWritableFileOwnerWrapper::Sync(o, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (SyncFails()) return faults_->Error();
    return FSWritableFileOwnerWrapper::Fsync(o, dbg);
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t n, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override {
    if (SyncFails()) return faults_->Error();
    return FSWritableFileOwnerWrapper::RangeSync(offset, n, o, dbg);
  }

 private:
  bool WriteFails() const { return wal_ ? faults_->wal_writes.load() : faults_->table_writes.load(); }
  bool LargeWriteFails(size_t n) {
    const size_t over = faults_->fail_wal_write_over.load();
    if (!wal_file_ || over == 0 || n < over) return false;
    size_t expected = over;
    if (!faults_->fail_wal_write_over.compare_exchange_strong(expected, 0)) return false;
    if (faults_->on_large_wal_write) faults_->on_large_wal_write();
    return true;
  }
  bool SyncFails() const { return wal_ ? faults_->wal_syncs.load() : faults_->table_writes.load(); }

  Faults* const faults_;
  const bool wal_;
  const bool wal_file_;  // a *.log file proper (not the probe or RocksDB's LOG)
};

class FaultyFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultyFileSystem(Faults* faults)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), faults_(faults) {}
  const char* Name() const override { return "FaultyFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    return Wrap(f, target()->NewWritableFile(f, o, r, dbg), r);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    return Wrap(f, target()->ReopenWritableFile(f, o, r, dbg), r);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    return Wrap(f, target()->ReuseWritableFile(f, old, o, r, dbg), r);
  }

 private:
  rocksdb::IOStatus Wrap(const std::string& name, rocksdb::IOStatus s,
                         std::unique_ptr<rocksdb::FSWritableFile>* r) {
    if (!s.ok()) return s;
    auto ends = [&](const char* x) {
      const std::string sx(x);
      return name.size() >= sx.size() && name.compare(name.size() - sx.size(), sx.size(), sx) == 0;
    };
    for (const char* meta : {"MANIFEST-", "OPTIONS-", "CURRENT", "IDENTITY", ".dbtmp"}) {
      if (name.find(meta) != std::string::npos) return s;
    }
    *r = std::make_unique<FaultyFile>(std::move(*r), faults_, !ends(".sst"), ends(".log"));
    return s;
  }

  Faults* const faults_;
};

// An Env whose files go through a FaultyFileSystem driven by `faults`.
inline std::unique_ptr<rocksdb::Env> FaultyEnv(Faults* faults) {
  return rocksdb::NewCompositeEnv(std::make_shared<FaultyFileSystem>(faults));
}

}  // namespace doris_operator::store::testing

#endif  // DORIS_OPERATOR_TESTS_STORE_FAULTY_FS_H_
