// ThreadSanitizer annotations for Debian's uninstrumented abseil
// synchronization library (linked only under --config=tsan).
//
// libabsl_synchronization.so is built without -fsanitize=thread, so TSan
// never sees absl::Mutex take or release its lock word: every access guarded
// by an absl::Mutex (ours, gRPC's) would be reported as a race. Upstream
// abseil annotates itself with __tsan_mutex_* when it is compiled under TSan;
// we do the same from outside: these definitions interpose the library's
// exported entry points (the executable's symbols win over a shared
// library's, and the library calls its own entry points through the PLT),
// annotate, and call the library's code found with dlsym(RTLD_NEXT).
//
// Only entry points that do not call one another are wrapped (checked with
// objdump against 20220623): LockWhenWithTimeout calls LockWhenWithDeadline,
// Await* call AwaitCommon, CondVar::Wait* call WaitCommon.

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"

namespace {

template <typename Fn>
Fn Real(const char* mangled) {
  void* f = dlsym(RTLD_NEXT, mangled);
  if (f == nullptr) {
    // Not input: a build against an abseil whose ABI differs from the one
    // these wrappers were written for. Nothing else can be done.
    std::fprintf(stderr, "tsan_absl_sync: %s not found in abseil\n", mangled);
    std::abort();
  }
  return reinterpret_cast<Fn>(f);
}

#define REAL(type, mangled) static const auto real = Real<type>(mangled)

constexpr unsigned kRead = __tsan_mutex_read_lock;

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

using synchronization_internal::KernelTimeout;

Mutex::~Mutex() {
  REAL(void (*)(Mutex*), "_ZN4absl7debian35MutexD1Ev");
  __tsan_mutex_destroy(this, __tsan_mutex_not_static);
  real(this);
}

void Mutex::Lock() {
  REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex4LockEv");
  __tsan_mutex_pre_lock(this, 0);
  real(this);
  __tsan_mutex_post_lock(this, 0, 0);
}

void Mutex::ReaderLock() {
  REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex10ReaderLockEv");
  __tsan_mutex_pre_lock(this, kRead);
  real(this);
  __tsan_mutex_post_lock(this, kRead, 0);
}

bool Mutex::TryLock() {
  REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex7TryLockEv");
  __tsan_mutex_pre_lock(this, __tsan_mutex_try_lock);
  const bool ok = real(this);
  __tsan_mutex_post_lock(this, ok ? __tsan_mutex_try_lock : __tsan_mutex_try_lock_failed, 0);
  return ok;
}

bool Mutex::ReaderTryLock() {
  REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  __tsan_mutex_pre_lock(this, __tsan_mutex_try_read_lock);
  const bool ok = real(this);
  __tsan_mutex_post_lock(this, ok ? __tsan_mutex_try_read_lock : __tsan_mutex_try_read_lock_failed,
                         0);
  return ok;
}

void Mutex::Unlock() {
  REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex6UnlockEv");
  __tsan_mutex_pre_unlock(this, 0);
  real(this);
  __tsan_mutex_post_unlock(this, 0);
}

void Mutex::ReaderUnlock() {
  REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  __tsan_mutex_pre_unlock(this, kRead);
  real(this);
  __tsan_mutex_post_unlock(this, kRead);
}

// The condition may be evaluated inside the library by any thread; TSan
// ignores accesses between pre_ and post_ annotations, as upstream's own.
void Mutex::LockWhen(const Condition& cond) {
  REAL(void (*)(Mutex*, const Condition&), "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  __tsan_mutex_pre_lock(this, 0);
  real(this, cond);
  __tsan_mutex_post_lock(this, 0, 0);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  REAL(void (*)(Mutex*, const Condition&),
       "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  __tsan_mutex_pre_lock(this, kRead);
  real(this, cond);
  __tsan_mutex_post_lock(this, kRead, 0);
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  REAL(bool (*)(Mutex*, const Condition&, absl::Time),
       "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  __tsan_mutex_pre_lock(this, 0);
  const bool ok = real(this, cond, deadline);
  __tsan_mutex_post_lock(this, 0, 0);  // held either way
  return ok;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  REAL(bool (*)(Mutex*, const Condition&, absl::Time),
       "_ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  __tsan_mutex_pre_lock(this, kRead);
  const bool ok = real(this, cond, deadline);
  __tsan_mutex_post_lock(this, kRead, 0);
  return ok;
}

// Await releases the lock while it waits and holds it again on return:
// seen from TSan, an unlock and a lock.
bool Mutex::AwaitCommon(const Condition& cond, KernelTimeout t) {
  REAL(bool (*)(Mutex*, const Condition&, KernelTimeout),
       "_ZN4absl7debian35Mutex11AwaitCommonERKNS0_9ConditionENS0_24synchronization_"
       "internal13KernelTimeoutE");
  __tsan_mutex_pre_unlock(this, 0);
  const bool ok = real(this, cond, t);
  __tsan_mutex_post_unlock(this, 0);
  __tsan_mutex_pre_lock(this, 0);
  __tsan_mutex_post_lock(this, 0, 0);
  return ok;
}

bool CondVar::WaitCommon(Mutex* mutex, KernelTimeout t) {
  REAL(bool (*)(CondVar*, Mutex*, KernelTimeout),
       "_ZN4absl7debian37CondVar10WaitCommonEPNS0_5MutexENS0_24synchronization_"
       "internal13KernelTimeoutE");
  __tsan_mutex_pre_unlock(mutex, 0);
  const bool timed_out = real(this, mutex, t);
  __tsan_mutex_post_unlock(mutex, 0);
  __tsan_mutex_pre_lock(mutex, 0);
  __tsan_mutex_post_lock(mutex, 0, 0);
  return timed_out;
}

ABSL_NAMESPACE_END
}  // namespace absl

// Options and suppressions compiled into every TSan binary, so that the
// operator and kubesim started by tests (and by hand) run the same way.
extern "C" const char* __tsan_default_options() {
  // intercept_memcmp=0: RocksDB's memtable is a lock-free skip list; a
  // writer copies a key into the arena (memcpy) and publishes the node with
  // a release store, readers find it with acquire loads and compare keys
  // with memcmp. The atomics are in uninstrumented librocksdb, the memcpy
  // and memcmp go through TSan's interceptors, so TSan sees the copy and the
  // comparison without the ordering between them (event_log_test's readers
  // during appends: the comparing frame is an unexported librocksdb
  // function, which no race: suppression can name). Our code compares
  // strings too, but its own loads and stores stay checked.
  return "second_deadlock_stack=1:history_size=4:intercept_memcmp=0";
}

// Only races inside uninstrumented third-party code belong here, each with
// the reason TSan cannot see its synchronisation. None of our code is
// suppressed.
extern "C" const char* __tsan_default_suppressions() {
  return
      // Not `called_from_lib:librocksdb.so`: that makes TSan skip every
      // interceptor librocksdb calls, its pthread mutexes and condition
      // variables too, and then each hand-over RocksDB orders with them (a
      // file our test Env wrapped, flushed by one thread and closed by
      // another; the Env freed after the last flush) shows up as a race in
      // our code (write_failure_test). RocksDB's lock-free memtable is dealt
      // with by intercept_memcmp=0 above and the lines below.
      //
      // The same publication seen from the writer's side: MemTable::Add
      // copies the key and value into the arena (memcpy), a reader's DBIter
      // copies them out; the release/acquire pair between is in librocksdb.
      "race:rocksdb::MemTable::Add\n"
      "race:rocksdb::DBIter::FindNextUserEntryInternal\n"
      // RocksDB frees a memtable's arena and a Version once their reference
      // counts, uninstrumented atomics, drop to zero; TSan sees the free
      // (operator delete is intercepted) but not the count, so earlier
      // reads of that memory by RocksDB's readers look unordered.
      "race:rocksdb::Arena::~Arena\n"
      "race:rocksdb::Version::Unref\n"
      // librocksdb calls the std::string/std::vector template functions it
      // shares with our binaries, and the dynamic linker binds those to our
      // instrumented copies: its background threads' accesses to its own
      // options and file names show up, ordered by its uninstrumented
      // atomics. Named by RocksDB function, never by ours.
      "race:rocksdb::DbPath::DbPath\n"
      "race:rocksdb::TableFileName\n"
      "race:rocksdb::ImmutableCFOptions::ImmutableCFOptions\n"
      "race:rocksdb::BlockBasedTableBuilder::Rep::Rep\n"
      "race:rocksdb::CompactionPicker::GetRange\n"
      "race:rocksdb::Logger::GetInfoLogLevel\n"
      // librocksdb 7.8.3 cache/cache_entry_roles.cc: RegisterCacheDeleterRole
      // and CopyCacheDeleterRoleMap, the registry's only two users, lock the
      // mutex of a registry that GetRegistry() allocates once, as
      // a function-local static (`static Registry& r = *new Registry`,
      // STATIC_AVOID_DESTRUCTION in port/lang.h). The first caller (one of
      // RocksDB's threads, collecting block-cache stats) allocates it inside
      // __cxa_guard_acquire/release, which TSan intercepts; a later caller
      // (EventLog::Open's DB::Open in crash_test, coalesce_test) takes the
      // guard's fast path, an acquire load compiled into librocksdb that
      // TSan never sees, and its pthread_mutex_lock of the registry looks
      // unordered with the allocation (either way round: a stats thread's
      // CopyCacheDeleterRoleMap after Open's allocation in crash_test's
      // children). Both accesses are RocksDB's own.
      "race:rocksdb::RegisterCacheDeleterRole\n"
      "race:rocksdb::CopyCacheDeleterRoleMap\n"
      // gRPC core moves call objects, slices and message buffers between its
      // threads (poller, executor, sync-server threads) through completion
      // queues and combiners built on atomics in uninstrumented libgrpc/
      // libgpr. TSan sees the sendmsg/memcpy/free gRPC makes on those
      // buffers, and the accesses of gRPC's header-only C++ layer (compiled
      // into our binaries) on each side, without the hand-over between them
      // (server_test). Only frames of gRPC's own machinery are named, never
      // the handler or service frames that call our code.
      // absl::Status shares its payloads (gRPC's error details) by a
      // reference count kept with uninstrumented atomics in libabsl_status:
      // one gRPC thread builds an error, another copies it and frees it
      // when the count drops (server_test's limit errors). libabsl_status
      // and gRPC's upb parser make no pthread calls, so ignoring their
      // interceptor calls hides no synchronisation; our own accesses to a
      // Status stay checked.
      "called_from_lib:libabsl_status.so\n"
      "called_from_lib:libupb.so\n"
      "race:absl::*Status::UnrefNonInlined\n"
      "race:absl::*status_internal::Payload\n"
      "called_from_lib:libgrpc.so\n"
      "called_from_lib:libgpr.so\n"
      "called_from_lib:libgrpc++.so\n"
      "race:grpc_core::\n"
      "race:grpc::internal::UnaryDeserializeHelper\n"
      "race:grpc::GenericDeserialize\n"
      "race:grpc::GenericSerialize\n"
      "race:grpc::internal::FillMetadataArray\n"
      "race:grpc::Server::SyncRequest::~SyncRequest\n"
      "race:grpc::ProtoBufferReader\n"
      "race:grpc::ProtoBufferWriter\n"
      "race:grpc_slice\n"
      "race:grpc_byte_buffer\n"
      "race:grpc_error\n";
}
