// Linked into every binary under --config=asan (see @system//:absl).
// LeakSanitizer reads this at start. Only leaks inside uninstrumented
// third-party libraries are suppressed, never our own code:
// - libcares: gRPC's c-ares resolver keeps a 10-byte allocation when a
//   server fails to bind (seen in admin server_test's APortInUseIsAStartupError);
//   it is freed by nothing we can reach.
extern "C" const char* __lsan_default_suppressions() { return "leak:libcares.so\n"; }
