// What the stored-responses store costs under concurrency: several threads, as the event loops,
// each storing new responses and looking up recent ones (its own and another thread's, by
// response id and by item id), then lookups only. The store has its default bounds and is full
// before timing: every put evicts.
//   ninja -C build/release response_store_bench && build/release/response_store_bench [ops]
// Prints, per thread count, the wall and CPU time of all threads' operations divided by their
// number.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "gateway/responses/response_store.hpp"

namespace {

using namespace sluice::gateway;
using Clock = std::chrono::steady_clock;

// "<thread>x<n>", the random part response and item ids share.
std::string key_of(int thread, int n) {
  std::string key = std::to_string(thread);
  key += 'x';
  key += std::to_string(n);
  return key;
}

// A small answered turn, about 700 bytes of text, as a short chat exchange stores it.
StoredResponse response_for(const std::string& key) {
  StoredResponse r;
  r.owner = "team";
  r.input = R"([{"role":"user","content":"question )" + key + std::string(120, 'q') + R"("}])";
  r.output.push_back({"msg_" + key, R"({"role":"assistant","content":"answer )" +
                                        std::string(120, 'a') + R"("})"});
  r.object = R"({"id":"resp_)" + key + R"(","object":"response","output":")" +
             std::string(300, 'o') + R"("})";
  return r;
}

// The process' CPU time so far, in nanoseconds: on a shared machine, wall time also counts the
// waits for a core.
double cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

struct Cost {
  double wall_ns = 1e18;  // per call, over all threads
  double cpu_ns = 1e18;
};

// Runs `threads` threads of `ops` calls of `op(thread, i)` each, at once; the wall and CPU time
// per call over all threads, each the best of three rounds.
template <class Op>
Cost cost_per_op(int threads, int ops, Op&& op) {
  Cost best;
  const double calls = static_cast<double>(threads) * ops;
  for (int round = 0; round < 3; ++round) {
    std::vector<std::thread> workers;
    const auto start = Clock::now();
    const double cpu_start = cpu_ns();
    for (int t = 0; t < threads; ++t)
      workers.emplace_back([&, t] {
        for (int i = 0; i < ops; ++i) op(t, round * ops + i);
      });
    for (auto& worker : workers) worker.join();
    const double wall = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    best.wall_ns = std::min(best.wall_ns, wall / calls);
    best.cpu_ns = std::min(best.cpu_ns, (cpu_ns() - cpu_start) / calls);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int ops = argc > 1 ? std::atoi(argv[1]) : 100'000;
  std::printf("threads  put+4 lookups: wall, cpu (ns)  lookup only: wall, cpu (ns)\n");
  for (const int threads : {1, 2, 4, 8}) {
    ResponseStore store;  // the defaults: 64 MiB, 100000 entries
    for (int i = 0; i < 120'000; ++i) {
      const std::string key = key_of(99, i);
      store.put("resp_" + key, response_for(key));
    }
    // Each op stores one response and looks up four: the thread's own of 1000 puts ago, another
    // thread's latest, and the items of both (what previous_response_id, item_reference and GET
    // do).
    std::atomic<long> misses = 0;  // of the thread's own recent ones: none unless preempted long
    const Cost mixed = cost_per_op(threads, ops, [&](int t, int i) {
      const std::string key = key_of(t, i);
      store.put("resp_" + key, response_for(key));
      const std::string mine = key_of(t, std::max(0, i - 1000));
      const std::string theirs = key_of((t + 1) % threads, i);
      if (store.response("resp_" + mine, "team") == nullptr) misses.fetch_add(1);
      store.response("resp_" + theirs, "team");
      store.item("msg_" + mine, "team");
      store.item("msg_" + theirs, "team");
    });
    // Lookups only, of responses that are there (each thread's latest): the touch of every hit is
    // what a single LRU order serializes.
    const int held = static_cast<int>(store.size());
    std::vector<std::string> ids;
    for (int t = 0; t < threads; ++t)
      for (int i = 3 * ops - held / threads / 2; i < 3 * ops; ++i)
        if (i >= 0) ids.push_back("resp_" + key_of(t, i));
    const Cost lookups = cost_per_op(threads, ops, [&](int t, int i) {
      const std::size_t at = (static_cast<std::size_t>(i) * 7919 + t * 104'729) % ids.size();
      store.response(ids[at], "team");
    });
    std::printf("%7d  %13.0f %8.0f  %20.0f %8.0f   (held %zu, %zu bytes; %ld own misses)\n",
                threads, mixed.wall_ns, mixed.cpu_ns, lookups.wall_ns, lookups.cpu_ns, store.size(),
                store.bytes(), misses.load());
    std::fflush(stdout);
  }
  return 0;
}
