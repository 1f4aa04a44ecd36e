#include "ops/trace_exporter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "ops/tracer.hpp"
#include "support/protobuf_reader.hpp"

namespace sluice::ops {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Answers from a script (then ok); counts the spans of each body it gets.
class FakeSender : public SpanSender {
 public:
  std::vector<Delivery> script;
  std::vector<std::size_t> spans_per_send;
  std::mutex gate;  // held by a test to make send() hang, as a dead collector does
  std::atomic<int> sends{0};

  Delivery send(const std::string& body, Clock::time_point) override {
    std::lock_guard hold(gate);
    const auto request = testing::read_message(body);
    const auto resource_spans = testing::read_message(testing::field_numbered(request, 1).bytes);
    const auto scope_spans =
        testing::read_message(testing::field_numbered(resource_spans, 2).bytes);
    spans_per_send.push_back(testing::fields_numbered(scope_spans, 2).size());
    ++sends;
    if (script.empty()) return Delivery::ok;
    const Delivery next = script.front();
    script.erase(script.begin());
    return next;
  }
};

class TraceExporterTest : public ::testing::Test {
 protected:
  void queue_spans(int count) {
    std::vector<Span> spans(static_cast<std::size_t>(count));
    for (Span& span : spans) span.name = "s";
    queue_.push(spans);
  }
  double metric(const std::string& series) {
    const std::string text = registry_.render();
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size() + 2));
  }

  Registry registry_;
  TraceMetrics metrics_{registry_};
  SpanQueue queue_{1000};
  FakeSender sender_;
  ExportOptions options_{4, 50ms, 2, 1ms};
  TraceExporter exporter_{queue_, {"svc", "1", "sluice"}, options_, sender_, metrics_};
};

TEST_F(TraceExporterTest, SendsBatchesOfAtMostBatchSize) {
  queue_spans(6);
  EXPECT_EQ(exporter_.export_batch(Clock::now()), 4u);
  EXPECT_EQ(exporter_.export_batch(Clock::now()), 2u);
  EXPECT_EQ(exporter_.export_batch(Clock::now()), 0u);  // nothing queued: nothing sent
  EXPECT_EQ(sender_.spans_per_send, (std::vector<std::size_t>{4, 2}));
  EXPECT_EQ(metric("sluice_trace_spans_exported_total"), 6);
}

TEST_F(TraceExporterTest, RetriesABoundedNumberOfTimesThenDrops) {
  sender_.script = {SpanSender::Delivery::retriable, SpanSender::Delivery::retriable,
                    SpanSender::Delivery::ok};
  queue_spans(3);
  exporter_.export_batch(Clock::now());
  EXPECT_EQ(sender_.sends, 3);
  EXPECT_EQ(metric("sluice_trace_spans_exported_total"), 3);

  sender_.script.assign(5, SpanSender::Delivery::retriable);
  queue_spans(2);
  exporter_.export_batch(Clock::now());
  EXPECT_EQ(sender_.sends, 6);  // one try and two retries
  EXPECT_EQ(metric("sluice_trace_spans_dropped_total{reason=\"export_failed\"}"), 2);
}

TEST_F(TraceExporterTest, ARejectedBatchIsNotRetried) {
  sender_.script = {SpanSender::Delivery::rejected};
  queue_spans(2);
  exporter_.export_batch(Clock::now());
  EXPECT_EQ(sender_.sends, 1);
  EXPECT_EQ(metric("sluice_trace_spans_dropped_total{reason=\"export_failed\"}"), 2);
}

TEST_F(TraceExporterTest, AHungCollectorNeverHoldsTheRecordingThread) {
  SpanQueue small(8);
  Tracer tracer(small, *TraceSampler::parse("always_on", 1), metrics_);
  TraceExporter exporter(small, {"svc", "1", "sluice"}, options_, sender_, metrics_);
  std::unique_lock hang(sender_.gate);
  exporter.start();
  // The exporter takes a first batch and hangs in send(); the queue then fills.
  for (int i = 0; i < 4; ++i) tracer.record(Span{});
  tracer.flush_thread();
  const auto deadline = Clock::now() + 10s;
  while (small.size() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(small.size(), 0u);
  const auto started = Clock::now();
  for (int i = 0; i < 1000; ++i) tracer.record(Span{});
  tracer.flush_thread();
  EXPECT_LT(Clock::now() - started, 1s);  // far less: no wait on the exporter
  EXPECT_EQ(small.size(), 8u);
  EXPECT_EQ(metric("sluice_trace_spans_dropped_total{reason=\"queue_full\"}"), 992);
  hang.unlock();
  exporter.stop(1s);
  EXPECT_EQ(metric("sluice_trace_spans_exported_total"), 12);
}

TEST_F(TraceExporterTest, StopSendsWhatIsQueuedWithinItsBudget) {
  exporter_.start();
  queue_spans(3);  // fewer than a batch: would wait for the batch delay
  exporter_.stop(1s);
  EXPECT_EQ(metric("sluice_trace_spans_exported_total"), 3);
}

TEST_F(TraceExporterTest, StopCountsWhatItCouldNotSend) {
  sender_.script.assign(10, SpanSender::Delivery::retriable);
  exporter_.start();
  exporter_.stop(0ms);
  queue_spans(6);
  // The thread has ended: a second exporter run would be needed; what the first left is counted.
  TraceExporter late(queue_, {"svc", "1", "sluice"}, options_, sender_, metrics_);
  late.start();
  late.stop(0ms);
  EXPECT_EQ(metric("sluice_trace_spans_dropped_total{reason=\"shutdown\"}"), 6);
}

}  // namespace
}  // namespace sluice::ops
