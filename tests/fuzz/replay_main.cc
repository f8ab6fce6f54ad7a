// The main of a fuzz target in the normal (g++) build: runs
// LLVMFuzzerTestOneInput over every file of the given corpus files and
// directories, then over `-runs=N` deterministic mutations of them (fixed
// seed, so a failure reproduces). Accepts libFuzzer's command line and ignores
// the flags it does not know, so tests/fuzz/run_fuzzer.sh drives both builds.
//
// On a crash it names the input and, for a mutation, writes its bytes to
// `<-artifact_prefix>crash-replay` so it can be added to the corpus.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

namespace fs = std::filesystem;

struct Input {
  std::string name;
  std::string bytes;
};

// What is running now, for the crash handler (written before each run).
const char* g_current_name = "";
const std::string* g_current_bytes = nullptr;
std::string g_crash_path;

void OnCrash(int sig) {
  const char msg[] = "\nreplay_main: crashed on input ";
  (void)!write(2, msg, sizeof msg - 1);
  (void)!write(2, g_current_name, strlen(g_current_name));
  (void)!write(2, "\n", 1);
  if (g_current_bytes != nullptr && !g_crash_path.empty()) {
    int fd = open(g_crash_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      (void)!write(fd, g_current_bytes->data(), g_current_bytes->size());
      close(fd);
      const char saved[] = "replay_main: input written to ";
      (void)!write(2, saved, sizeof saved - 1);
      (void)!write(2, g_crash_path.c_str(), g_crash_path.size());
      (void)!write(2, "\n", 1);
    }
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

bool ReadFile(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// libFuzzer-like mutations: bit flips, byte changes, inserts, erases,
// duplicated ranges, splices with another input, truncation.
std::string Mutate(const std::vector<Input>& corpus, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  std::string s = corpus[pick(corpus.size())].bytes;
  const int steps = 1 + static_cast<int>(pick(4));
  for (int i = 0; i < steps; ++i) {
    switch (pick(7)) {
      case 0:
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << pick(8));
        break;
      case 1:
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
        break;
      case 2: {
        static const char kTokens[] = "{}[]\":,-0123456789\n \\&*!|>";
        s.insert(s.begin() + pick(s.size() + 1), kTokens[pick(sizeof kTokens - 1)]);
        break;
      }
      case 3:
        if (!s.empty()) {
          const size_t at = pick(s.size());
          s.erase(at, 1 + pick(std::min<size_t>(16, s.size() - at)));
        }
        break;
      case 4:
        if (!s.empty()) {
          const size_t at = pick(s.size());
          const std::string piece = s.substr(at, 1 + pick(32));
          s.insert(pick(s.size() + 1), piece);
        }
        break;
      case 5: {
        const std::string& other = corpus[pick(corpus.size())].bytes;
        s = s.substr(0, pick(s.size() + 1)) + other.substr(pick(other.size() + 1));
        break;
      }
      case 6:
        s.resize(pick(s.size() + 1));
        break;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  long runs = 0;
  uint64_t seed = 1;
  std::string artifact_prefix;
  std::vector<fs::path> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("-runs=", 0) == 0) {
      runs = std::stol(a.substr(6));
    } else if (a.rfind("-seed=", 0) == 0) {
      seed = std::stoull(a.substr(6));
    } else if (a.rfind("-artifact_prefix=", 0) == 0) {
      artifact_prefix = a.substr(17);
    } else if (a.rfind("-", 0) == 0) {
      // Other libFuzzer flags mean nothing to a replay.
    } else {
      paths.emplace_back(a);
    }
  }
  std::vector<Input> corpus;
  for (const fs::path& p : paths) {
    std::vector<fs::path> files;
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(p);
    }
    for (const fs::path& f : files) {
      Input in{f.string(), ""};
      if (!ReadFile(f, &in.bytes)) {
        std::fprintf(stderr, "replay_main: cannot read %s\n", f.c_str());
        return 2;
      }
      corpus.push_back(std::move(in));
    }
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "replay_main: no corpus inputs given\n");
    return 2;
  }
  g_crash_path = artifact_prefix + "crash-replay";
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) signal(sig, OnCrash);

  for (const Input& in : corpus) {
    g_current_name = in.name.c_str();
    g_current_bytes = &in.bytes;
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(in.bytes.data()), in.bytes.size());
  }
  std::mt19937_64 rng(seed);
  std::string name;
  for (long i = 0; i < runs; ++i) {
    const std::string bytes = Mutate(corpus, rng);
    name = "mutation " + std::to_string(i) + " (seed " + std::to_string(seed) + ")";
    g_current_name = name.c_str();
    g_current_bytes = &bytes;
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replay_main: %zu corpus inputs and %ld mutations passed\n", corpus.size(), runs);
  return 0;
}
