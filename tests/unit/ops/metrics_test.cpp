#include "ops/metrics.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sluice::ops {
namespace {

// The value of the sample line that starts with `series` followed by a space, if present.
std::optional<double> sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

TEST(MetricsTest, CounterExpositionIsExact) {
  Registry r;
  CounterFamily& shed = r.counter("sluice_shed_total", "Requests shed by admission control.", {});
  shed.inc({});
  shed.inc({}, 2);
  EXPECT_EQ(r.render(),
            "# HELP sluice_shed_total Requests shed by admission control.\n"
            "# TYPE sluice_shed_total counter\n"
            "sluice_shed_total 3\n");
}

TEST(MetricsTest, UnlabelledSeriesStartAtZeroLabelledOnesOnFirstUse) {
  Registry r;
  r.counter("a_total", "A.", {});
  r.counter("b_total", "B.", {"status"});
  EXPECT_EQ(r.render(),
            "# HELP a_total A.\n# TYPE a_total counter\na_total 0\n"
            "# HELP b_total B.\n# TYPE b_total counter\n");
}

TEST(MetricsTest, SeriesAreSortedByLabelValues) {
  Registry r;
  CounterFamily& q = r.counter("rag_queries_total", "RAG queries.", {"status", "model"});
  q.inc({"success", "m2"});
  q.inc({"error", "m1"}, 4);
  q.inc({"success", "m1"});
  q.inc({"success", "m2"});
  EXPECT_EQ(r.render(),
            "# HELP rag_queries_total RAG queries.\n"
            "# TYPE rag_queries_total counter\n"
            "rag_queries_total{status=\"error\",model=\"m1\"} 4\n"
            "rag_queries_total{status=\"success\",model=\"m1\"} 1\n"
            "rag_queries_total{status=\"success\",model=\"m2\"} 2\n");
}

TEST(MetricsTest, CounterIgnoresNegativeAndNaNAmounts) {
  Registry r;
  CounterFamily& c = r.counter("x_total", "X.", {});
  c.inc({}, 5);
  c.inc({}, -1);
  c.inc({}, std::nan(""));
  EXPECT_EQ(sample(r.render(), "x_total"), 5);
}

TEST(MetricsTest, GaugeAddsSharesToTheSetBase) {
  Registry r;
  GaugeFamily& active = r.gauge("http_server_active_requests", "In-flight requests.", {});
  GaugeFamily& circuit = r.gauge("sluice_circuit_state", "Circuit state.", {"deployment"});
  active.add({}, 1);
  active.add({}, 1);
  active.add({}, -1);
  circuit.set({"b"}, 2);
  circuit.set({"a"}, 1);
  circuit.set({"b"}, 0.5);
  EXPECT_EQ(r.render(),
            "# HELP http_server_active_requests In-flight requests.\n"
            "# TYPE http_server_active_requests gauge\n"
            "http_server_active_requests 1\n"
            "# HELP sluice_circuit_state Circuit state.\n"
            "# TYPE sluice_circuit_state gauge\n"
            "sluice_circuit_state{deployment=\"a\"} 1\n"
            "sluice_circuit_state{deployment=\"b\"} 0.5\n");
  circuit.add({"a"}, 2);
  EXPECT_EQ(sample(r.render(), "sluice_circuit_state{deployment=\"a\"}"), 3);
}

TEST(MetricsTest, HistogramExpositionIsExact) {
  Registry r;
  HistogramFamily& h =
      r.histogram("rag_query_duration_seconds", "RAG query latency.", {"status"}, {0.5, 1});
  h.observe({"ok"}, 0.25);
  h.observe({"ok"}, 0.5);  // on a bound: counted in that bucket (le is "less or equal")
  h.observe({"ok"}, 0.75);
  h.observe({"ok"}, 4);
  EXPECT_EQ(r.render(),
            "# HELP rag_query_duration_seconds RAG query latency.\n"
            "# TYPE rag_query_duration_seconds histogram\n"
            "rag_query_duration_seconds_bucket{status=\"ok\",le=\"0.5\"} 2\n"
            "rag_query_duration_seconds_bucket{status=\"ok\",le=\"1\"} 3\n"
            "rag_query_duration_seconds_bucket{status=\"ok\",le=\"+Inf\"} 4\n"
            "rag_query_duration_seconds_sum{status=\"ok\"} 5.5\n"
            "rag_query_duration_seconds_count{status=\"ok\"} 4\n");
}

TEST(MetricsTest, UnlabelledHistogramStartsEmpty) {
  Registry r;
  r.histogram("d_seconds", "D.", {}, {1});
  EXPECT_EQ(r.render(),
            "# HELP d_seconds D.\n# TYPE d_seconds histogram\n"
            "d_seconds_bucket{le=\"1\"} 0\nd_seconds_bucket{le=\"+Inf\"} 0\n"
            "d_seconds_sum 0\nd_seconds_count 0\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Registry r;
  std::vector<double> bounds = default_duration_buckets();
  HistogramFamily& h = r.histogram("h_seconds", "H.", {}, bounds);
  unsigned seed = 7;
  for (int i = 0; i < 1000; ++i) {
    seed = seed * 1103515245 + 12345;
    h.observe({}, (seed % 20000) / 1000.0);  // 0..20 s, some above the last bound
  }
  std::string text = r.render();
  double previous = 0;
  for (double b : bounds) {
    std::ostringstream le;
    le << b;
    auto v = sample(text, "h_seconds_bucket{le=\"" + le.str() + "\"}");
    ASSERT_TRUE(v) << "missing bucket " << b << "\n" << text;
    EXPECT_GE(*v, previous);
    previous = *v;
  }
  auto inf = sample(text, "h_seconds_bucket{le=\"+Inf\"}");
  ASSERT_TRUE(inf);
  EXPECT_GE(*inf, previous);
  EXPECT_LT(previous, 1000);  // some observations fell above 10 s
  EXPECT_EQ(*inf, 1000);
  EXPECT_EQ(sample(text, "h_seconds_count"), 1000);
}

TEST(MetricsTest, HistogramBoundsAreValidated) {
  Registry r;
  EXPECT_THROW(r.histogram("a_seconds", "A.", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("b_seconds", "B.", {}, {2, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("c_seconds", "C.", {"le"}, {1}), std::invalid_argument);
  // A trailing +Inf is implicit, not a second +Inf bucket.
  r.histogram("d_seconds", "D.", {}, {1, std::numeric_limits<double>::infinity()});
  std::string text = r.render();
  EXPECT_EQ(text.find("le=\"+Inf\""), text.rfind("le=\"+Inf\""));
}

TEST(MetricsTest, DefaultDurationBucketsAreOpenTelemetrys) {
  EXPECT_EQ(default_duration_buckets(), (std::vector<double>{0.005, 0.01, 0.025, 0.05, 0.075, 0.1,
                                                             0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}));
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Registry r;
  CounterFamily& c = r.counter("e_total", "Help with \\ backslash\nand newline \"quoted\".", {"v"});
  c.inc({"a\\b\"c\nd"});
  EXPECT_EQ(r.render(),
            "# HELP e_total Help with \\\\ backslash\\nand newline \"quoted\".\n"
            "# TYPE e_total counter\n"
            "e_total{v=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(MetricsTest, NumbersParseInPrometheus) {
  Registry r;
  GaugeFamily& g = r.gauge("n", "N.", {"k"});
  g.set({"a_million"}, 1e6);
  g.set({"big"}, 1e300);
  g.set({"fraction"}, 0.1);
  g.set({"nan"}, std::nan(""));
  g.set({"negative"}, -42);
  g.set({"neg_inf"}, -std::numeric_limits<double>::infinity());
  g.set({"pos_inf"}, std::numeric_limits<double>::infinity());
  g.set({"two_pow_60"}, 1152921504606846976.0);
  EXPECT_EQ(r.render(),
            "# HELP n N.\n# TYPE n gauge\n"
            "n{k=\"a_million\"} 1000000\n"
            "n{k=\"big\"} 1e+300\n"
            "n{k=\"fraction\"} 0.1\n"
            "n{k=\"nan\"} NaN\n"
            "n{k=\"neg_inf\"} -Inf\n"
            "n{k=\"negative\"} -42\n"
            "n{k=\"pos_inf\"} +Inf\n"
            "n{k=\"two_pow_60\"} 1152921504606846976\n");
}

TEST(MetricsTest, WrongLabelCountIsDropped) {
  Registry r;
  CounterFamily& c = r.counter("w_total", "W.", {"a"});
  GaugeFamily& g = r.gauge("w", "W.", {"a"});
  HistogramFamily& h = r.histogram("w_seconds", "W.", {"a"}, {1});
  c.inc({});
  c.inc({"x", "y"});
  g.add({}, 1);
  g.set({"x", "y"}, 1);
  h.observe({}, 1);
  EXPECT_EQ(r.render(),
            "# HELP w_total W.\n# TYPE w_total counter\n"
            "# HELP w W.\n# TYPE w gauge\n"
            "# HELP w_seconds W.\n# TYPE w_seconds histogram\n");
}

TEST(MetricsTest, RegistrationRulesAreEnforced) {
  Registry r;
  EXPECT_THROW(r.counter("requests", "R.", {}), std::invalid_argument);  // no _total
  EXPECT_THROW(r.gauge("open_total", "O.", {}), std::invalid_argument);
  EXPECT_THROW(r.counter("1bad_total", "B.", {}), std::invalid_argument);
  EXPECT_THROW(r.counter("has-dash_total", "B.", {}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok_total", "", {}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok_total", "O.", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok_total", "O.", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok_total", "O.", {"a", "a"}), std::invalid_argument);

  CounterFamily& first = r.counter("ok_total", "O.", {"a"});
  EXPECT_EQ(&first, &r.counter("ok_total", "Other help.", {"a"}));
  EXPECT_THROW(r.counter("ok_total", "O.", {"b"}), std::invalid_argument);
  EXPECT_THROW(r.gauge("ok_total", "O.", {"a"}), std::invalid_argument);
}

TEST(MetricsTest, FamiliesAndCollectorsRenderInRegistrationOrder) {
  Registry r;
  r.gauge("z", "Z.", {});
  r.add_collector([](MetricSink& out) {
    write_family_header(out, "sluice_build_info", "Build information.", "gauge");
    write_sample(out, "sluice_build_info", {{"version", "1.0"}, {"quote", "\""}}, 1);
  });
  r.gauge("a", "A.", {});
  EXPECT_EQ(r.render(),
            "# HELP z Z.\n# TYPE z gauge\nz 0\n"
            "# HELP sluice_build_info Build information.\n"
            "# TYPE sluice_build_info gauge\n"
            "sluice_build_info{version=\"1.0\",quote=\"\\\"\"} 1\n"
            "# HELP a A.\n# TYPE a gauge\na 0\n");
}

TEST(MetricsTest, MergesShardsAcrossThreadsWhileScraping) {
  Registry r;
  CounterFamily& c = r.counter("t_total", "T.", {"route"});
  GaugeFamily& g = r.gauge("t_active", "T.", {});
  HistogramFamily& h = r.histogram("t_seconds", "T.", {}, {0.5});
  constexpr int kThreads = 6;
  constexpr int kPerThread = 100000;

  std::atomic<bool> done{false};
  std::thread scraper([&] {
    // Concurrent scrapes must see consistent, never-decreasing totals.
    double last = 0;
    while (!done.load()) {
      std::string text = r.render();
      double count = sample(text, "t_seconds_count").value_or(0);
      EXPECT_GE(count, last);
      EXPECT_EQ(sample(text, "t_seconds_bucket{le=\"+Inf\"}").value_or(0), count);
      last = count;
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        c.inc({i % 2 == 0 ? "/a" : "/b"});
        g.add({}, 1);
        h.observe({}, (i + t) % 2 == 0 ? 0.25 : 1.0);
      }
      g.add({}, -kPerThread + 1);  // each thread leaves one "in flight"
    });
  }
  for (std::thread& w : workers) w.join();  // threads exit: their shards must survive
  done = true;
  scraper.join();

  std::string text = r.render();
  EXPECT_EQ(sample(text, "t_total{route=\"/a\"}"), kThreads * kPerThread / 2);
  EXPECT_EQ(sample(text, "t_total{route=\"/b\"}"), kThreads * kPerThread / 2);
  EXPECT_EQ(sample(text, "t_active"), kThreads);
  EXPECT_EQ(sample(text, "t_seconds_count"), kThreads * kPerThread);
  EXPECT_EQ(sample(text, "t_seconds_bucket{le=\"0.5\"}"), kThreads * kPerThread / 2);
  EXPECT_EQ(sample(text, "t_seconds_sum"), kThreads * kPerThread / 2 * 1.25);
}

TEST(MetricsTest, ShortLivedRegistriesDoNotShareShards) {
  // A new registry's family may be allocated where a destroyed one's was; this thread's cached
  // shard for the old family must not be reused.
  for (int i = 0; i < 50; ++i) {
    Registry r;
    CounterFamily& c = r.counter("s_total", "S.", {});
    c.inc({});
    ASSERT_EQ(sample(r.render(), "s_total"), 1) << "iteration " << i;
  }
}

TEST(MetricsTest, ManySeriesInOneShard) {
  Registry r;
  CounterFamily& c = r.counter("m_total", "M.", {"id"});
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 500; ++i) c.inc({std::to_string(i)});
  }
  std::string text = r.render();
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ(sample(text, "m_total{id=\"" + std::to_string(i) + "\"}"), 3) << i;
  }
}

// ---- The real consumer -------------------------------------------------------------------------

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run_shell(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string find_promtool() {
  if (::access("/usr/bin/promtool", X_OK) == 0) return "/usr/bin/promtool";
  CommandResult which = run_shell("command -v promtool");
  if (which.exit_code == 0 && !which.output.empty()) {
    return which.output.substr(0, which.output.find('\n'));
  }
  return "";
}

TEST(MetricsTest, RenderPassesPromtoolCheckMetrics) {
  const std::string promtool = find_promtool();
  ASSERT_FALSE(promtool.empty())
      << "promtool not found: install Debian's `prometheus` package (scripts/deps.sh); the "
         "exposition format is only proven by `promtool check metrics`";

  Registry r;
  CounterFamily& requests = r.counter("sluice_upstream_requests_total",
                                      "Upstream requests by outcome.", {"deployment", "outcome"});
  requests.inc({"gpt-4o \"primary\"", "ok"}, 3);
  requests.inc({"path\\with\\backslashes", "error"});
  requests.inc({"multi\nline", "timeout"});
  r.counter("sluice_ratelimited_total", "Requests rejected by rate limits.", {});
  r.counter("sluice_cost_usd_total", "Spend in US dollars.", {"model"}).inc({"m"}, 0.0125);
  GaugeFamily& jobs = r.gauge("sluice_jobs", "Jobs by state.", {"state"});
  jobs.set({"queued"}, 4);
  jobs.add({"running"}, 1);
  r.gauge("http_server_active_requests", "In-flight requests.", {}).add({}, 2);
  HistogramFamily& duration =
      r.histogram("http_server_request_duration_seconds", "HTTP request latency.",
                  {"method", "route", "status"}, default_duration_buckets());
  duration.observe({"GET", "/livez", "200"}, 0.0004);
  duration.observe({"POST", "/v1/chat/completions", "200"}, 12.5);
  r.histogram("gen_ai_client_token_usage", "Tokens per operation \\ with \"help\" escapes.\n",
              {"gen_ai_token_type"}, {1, 4, 16, 64, 256, 1024})
      .observe({"input"}, 100);
  r.add_collector([](MetricSink& out) {
    write_family_header(out, "sluice_build_info", "Build information.", "gauge");
    write_sample(out, "sluice_build_info", {{"version", "0.1.0"}, {"commit", "a\"b\\c\nd"}}, 1);
  });
  register_process_metrics(r);
  const std::string text = r.render();

  const std::string path =
      (std::filesystem::temp_directory_path() / ("sluice_metrics_" + std::to_string(::getpid())))
          .string();
  {
    std::ofstream file(path);
    file << text;
  }
  CommandResult check = run_shell(promtool + " check metrics < " + path);
  std::filesystem::remove(path);
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n--- input ---\n" << text;
  EXPECT_EQ(check.output, "") << "promtool reported problems:\n"
                              << check.output << "\n--- input ---\n"
                              << text;
}

// ---- Process metrics ---------------------------------------------------------------------------

TEST(ProcessMetricsTest, ReportsPlausibleValues) {
  Registry r;
  register_process_metrics(r);
  std::string text = r.render();
  for (const char* type :
       {"# TYPE process_cpu_seconds_total counter", "# TYPE process_resident_memory_bytes gauge",
        "# TYPE process_virtual_memory_bytes gauge", "# TYPE process_start_time_seconds gauge",
        "# TYPE process_open_fds gauge", "# TYPE process_max_fds gauge"}) {
    EXPECT_NE(text.find(type), std::string::npos) << type << "\n" << text;
  }
  EXPECT_NE(text.find("# HELP process_cpu_seconds_total Total user and system CPU time spent in "
                      "seconds.\n"),
            std::string::npos);

  auto rss = sample(text, "process_resident_memory_bytes");
  auto vsz = sample(text, "process_virtual_memory_bytes");
  ASSERT_TRUE(rss && vsz);
  EXPECT_GT(*rss, 1 << 20);
  EXPECT_GE(*vsz, *rss);
  EXPECT_GE(sample(text, "process_cpu_seconds_total").value_or(-1), 0);

  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto start = sample(text, "process_start_time_seconds");
  ASSERT_TRUE(start);
  EXPECT_LE(*start, now + 1);
  EXPECT_GT(*start, now - 3600);  // this test process started recently

  // Opening a descriptor shows up at the next scrape.
  auto fds = sample(text, "process_open_fds");
  ASSERT_TRUE(fds);
  int extra = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(extra, 0);
  EXPECT_EQ(sample(r.render(), "process_open_fds"), *fds + 1);
  ::close(extra);
  EXPECT_GE(sample(text, "process_max_fds").value_or(0), *fds);
}

}  // namespace
}  // namespace sluice::ops
