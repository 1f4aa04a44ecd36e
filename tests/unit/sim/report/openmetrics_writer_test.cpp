#include "sim/report/openmetrics_writer.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ops/metrics.hpp"

namespace sluice::sim {
namespace {

constexpr std::int64_t kStart = 1704067200000;  // 2024-01-01T00:00:00Z, in ms

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A sample line's name, the part before `{` or the first space.
std::string sample_name(const std::string& line) {
  return line.substr(0, line.find_first_of("{ "));
}

// A sample line's series (name and labels) and its timestamp, the last field.
std::pair<std::string, std::string> series_and_time(const std::string& line) {
  const auto value_at = line.rfind(' ', line.rfind(' ') - 1);
  return {line.substr(0, value_at), line.substr(line.rfind(' ') + 1)};
}

TEST(OpenMetricsWriterTest, WritesOneBlockPerFamilyWithTimestampsAndEof) {
  ops::Registry registry;
  ops::CounterFamily& attempts =
      registry.counter("sluice_upstream_requests_total", "Attempts.", {"deployment", "outcome"});
  ops::GaugeFamily& streams = registry.gauge("sluice_active_streams", "Streams now.", {});
  ops::HistogramFamily& duration =
      registry.histogram("op_duration_seconds", "Duration.", {"model"}, {0.5, 1});
  OpenMetricsWriter writer;
  const ScrapeTarget targets[] = {{"replica-0", &registry}};

  attempts.inc({"openai/x", "success"});
  duration.observe({"m"}, 0.25);
  ASSERT_TRUE(writer.append(kStart, targets).ok());
  attempts.inc({"openai/x", "upstream_5xx"}, 2);
  streams.add({}, 3);
  duration.observe({"m"}, 0.75);
  ASSERT_TRUE(writer.append(kStart + 15250, targets).ok());

  const std::string j = "job=\"sluice\",instance=\"replica-0\"";
  EXPECT_EQ(writer.text(),
            "# TYPE sluice_upstream_requests counter\n"
            "# HELP sluice_upstream_requests Attempts.\n"
            "sluice_upstream_requests_total{" +
                j +
                ",deployment=\"openai/x\",outcome=\"success\"} 1 1704067200\n"
                "sluice_upstream_requests_total{" +
                j +
                ",deployment=\"openai/x\",outcome=\"success\"} 1 1704067215.25\n"
                "sluice_upstream_requests_total{" +
                j +
                ",deployment=\"openai/x\",outcome=\"upstream_5xx\"} 2 1704067215.25\n"
                "# TYPE sluice_active_streams gauge\n"
                "# HELP sluice_active_streams Streams now.\n"
                "sluice_active_streams{" +
                j +
                "} 0 1704067200\n"
                "sluice_active_streams{" +
                j +
                "} 3 1704067215.25\n"
                "# TYPE op_duration_seconds histogram\n"
                "# UNIT op_duration_seconds seconds\n"
                "# HELP op_duration_seconds Duration.\n"
                "op_duration_seconds_bucket{" +
                j +
                ",model=\"m\",le=\"0.5\"} 1 1704067200\n"
                "op_duration_seconds_bucket{" +
                j +
                ",model=\"m\",le=\"1\"} 1 1704067200\n"
                "op_duration_seconds_bucket{" +
                j +
                ",model=\"m\",le=\"+Inf\"} 1 1704067200\n"
                "op_duration_seconds_sum{" +
                j +
                ",model=\"m\"} 0.25 1704067200\n"
                "op_duration_seconds_count{" +
                j +
                ",model=\"m\"} 1 1704067200\n"
                "op_duration_seconds_bucket{" +
                j +
                ",model=\"m\",le=\"0.5\"} 1 1704067215.25\n"
                "op_duration_seconds_bucket{" +
                j +
                ",model=\"m\",le=\"1\"} 2 1704067215.25\n"
                "op_duration_seconds_bucket{" +
                j +
                ",model=\"m\",le=\"+Inf\"} 2 1704067215.25\n"
                "op_duration_seconds_sum{" +
                j +
                ",model=\"m\"} 1 1704067215.25\n"
                "op_duration_seconds_count{" +
                j +
                ",model=\"m\"} 2 1704067215.25\n"
                "# TYPE up gauge\n"
                "# HELP up 1 when the target's last scrape succeeded.\n"
                "up{" +
                j +
                "} 1 1704067200\n"
                "up{" +
                j +
                "} 1 1704067215.25\n"
                "# EOF\n");
  EXPECT_EQ(writer.size(), writer.text().size());
  EXPECT_EQ(writer.snapshots(), 2u);
}

// However many snapshots and replicas, a family's samples never resume after another family's,
// and each series' timestamps increase down the file.
TEST(OpenMetricsWriterTest, FamiliesStayContiguousAndSeriesInTimeOrderAcrossReplicas) {
  ops::Registry a, b;
  for (ops::Registry* r : {&a, &b}) {
    r->counter("x_total", "X.", {"k"});
    r->gauge("y", "Y.", {"k"});
    r->histogram("z_seconds", "Z.", {}, {1});
    r->add_collector([](ops::MetricSink& out) {
      ops::write_family_header(out, "collected", "From a collector.", "gauge");
      ops::write_sample(out, "collected", {{"k", "v"}}, 7);
    });
  }
  OpenMetricsWriter writer;
  const ScrapeTarget targets[] = {{replica_instance(0), &a}, {replica_instance(1), &b}};
  for (int i = 0; i < 5; ++i) {
    a.counter("x_total", "X.", {"k"}).inc({i % 2 == 0 ? "even" : "odd"});
    b.gauge("y", "Y.", {"k"}).set({std::to_string(i)}, i);
    b.histogram("z_seconds", "Z.", {}, {1}).observe({}, i);
    ASSERT_TRUE(writer.append(kStart + i * 15000, targets).ok());
  }

  const std::map<std::string, std::string> family_of = {{"x_total", "x"},
                                                        {"y", "y"},
                                                        {"z_seconds_bucket", "z_seconds"},
                                                        {"z_seconds_sum", "z_seconds"},
                                                        {"z_seconds_count", "z_seconds"},
                                                        {"collected", "collected"},
                                                        {"up", "up"}};
  std::vector<std::string> typed;
  std::set<std::string> closed;
  std::string current;
  std::map<std::string, std::string> last_time;
  const auto lines = lines_of(writer.text());
  ASSERT_EQ(lines.back(), "# EOF");
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.starts_with("# TYPE ")) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_FALSE(closed.contains(name)) << "a second block for " << name;
      if (!current.empty()) closed.insert(current);
      current = name;
      typed.push_back(name);
      continue;
    }
    if (line.starts_with("#")) continue;
    const auto family = family_of.find(sample_name(line));
    ASSERT_NE(family, family_of.end()) << line;
    EXPECT_EQ(family->second, current) << "outside its family's block: " << line;
    const auto [series, time] = series_and_time(line);
    if (last_time.contains(series)) {
      EXPECT_LT(std::stod(last_time[series]), std::stod(time)) << line;
    }
    last_time[series] = time;
  }
  EXPECT_EQ(typed, (std::vector<std::string>{"x", "y", "z_seconds", "collected", "up"}));
  // Every replica's series, each labelled as a scrape target.
  const std::string text = writer.text();
  for (const char* instance : {"replica-0", "replica-1"}) {
    EXPECT_NE(text.find("collected{job=\"sluice\",instance=\"" + std::string(instance) +
                        "\",k=\"v\"} 7 1704067260\n"),
              std::string::npos)
        << instance;
    EXPECT_NE(
        text.find("up{job=\"sluice\",instance=\"" + std::string(instance) + "\"} 1 1704067260\n"),
        std::string::npos)
        << instance;
  }
}

TEST(OpenMetricsWriterTest, EscapesLabelValuesAndHelpAndRenamesTargetLabels) {
  ops::Registry registry;
  registry
      .counter("odd_total", "Help with \"quotes\", a \\ and a\nnewline.", {"v", "instance", "job"})
      .inc({"a\"b\\c\nd", "mine", "batch"});
  OpenMetricsWriter writer({.job = "sl\"uice"});
  const ScrapeTarget targets[] = {{"replica-\\0", &registry}};
  ASSERT_TRUE(writer.append(kStart, targets).ok());
  const std::string text = writer.text();
  EXPECT_NE(text.find("# HELP odd Help with \\\"quotes\\\", a \\\\ and a\\nnewline.\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("odd_total{job=\"sl\\\"uice\",instance=\"replica-\\\\0\",v=\"a\\\"b\\\\c\\nd\","
                "exported_instance=\"mine\",exported_job=\"batch\"} 1 1704067200\n"),
      std::string::npos)
      << text;
}

TEST(OpenMetricsWriterTest, RefusesTimeThatDoesNotMoveForward) {
  ops::Registry registry;
  OpenMetricsWriter writer;
  const ScrapeTarget targets[] = {{"replica-0", &registry}};
  ASSERT_TRUE(writer.append(kStart + 1000, targets).ok());
  // promtool would keep one of two samples of a series at one instant, and drop the other
  // without a word: refused rather than written.
  Status same = writer.append(kStart + 1000, targets);
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.error().message.find("is not after the previous one at 1704067201 s"),
            std::string::npos)
      << same.error().message;
  // The failure is final.
  EXPECT_FALSE(writer.append(kStart + 2000, targets).ok());
  EXPECT_EQ(writer.snapshots(), 1u);

  OpenMetricsWriter before_epoch;
  EXPECT_FALSE(before_epoch.append(-1, targets).ok());
}

TEST(OpenMetricsWriterTest, RefusesTwoTargetsOfOneName) {
  ops::Registry a, b;
  OpenMetricsWriter writer;
  const ScrapeTarget targets[] = {{"replica-0", &a}, {"replica-0", &b}};
  Status status = writer.append(kStart, targets);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("replica-0"), std::string::npos);
}

TEST(OpenMetricsWriterTest, ByteBoundEndsTheRunNamingTheOptionThatRaisesIt) {
  ops::Registry registry;
  registry.counter("c_total", "C.", {"k"}).inc({"a"});
  OpenMetricsWriter writer({.max_bytes = 600, .max_bytes_option = "--metrics-max-bytes"});
  const ScrapeTarget targets[] = {{"replica-0", &registry}};
  Status status;
  int taken = 0;
  for (; taken < 100 && status.ok(); ++taken)
    status = writer.append(kStart + taken * 15000, targets);
  ASSERT_FALSE(status.ok());
  EXPECT_GT(taken, 1);
  EXPECT_EQ(status.error().code, Errc::payload_too_large);
  EXPECT_EQ(status.error().param, "--metrics-max-bytes");
  EXPECT_NE(status.error().message.find("the limit of 600 bytes"), std::string::npos)
      << status.error().message;
  EXPECT_NE(status.error().message.find("raise --metrics-max-bytes"), std::string::npos);
  EXPECT_LE(writer.size(), 600u);
  EXPECT_EQ(writer.append_status().error().message, status.error().message);
  EXPECT_FALSE(writer.append(kStart + 10'000'000, targets).ok());
}

// /metrics is unchanged by the registry's walk being shared: the sink sees what the text shows.
TEST(OpenMetricsWriterTest, SamplesAreWhatTheRegistryRenders) {
  ops::Registry registry;
  registry.histogram("h_seconds", "H.", {"a"}, {0.1, 2.5}).observe({"x"}, 0.05);
  registry.gauge("g", "G.", {"a", "b"}).set({"1", "2"}, 1.5);
  OpenMetricsWriter writer;
  const ScrapeTarget targets[] = {{"replica-0", &registry}};
  ASSERT_TRUE(writer.append(kStart, targets).ok());
  std::string stripped;  // the OpenMetrics samples, without target labels and timestamps
  for (const std::string& line : lines_of(writer.text())) {
    if (line.starts_with("#") || line.starts_with("up")) continue;
    std::string s = line.substr(0, line.rfind(' '));
    const std::string labels = "job=\"sluice\",instance=\"replica-0\",";
    s.erase(s.find(labels), labels.size());
    stripped += s + "\n";
  }
  std::string rendered;
  for (const std::string& line : lines_of(registry.render()))
    if (!line.starts_with("#")) rendered += line + "\n";
  EXPECT_EQ(stripped, rendered);
}

}  // namespace
}  // namespace sluice::sim
