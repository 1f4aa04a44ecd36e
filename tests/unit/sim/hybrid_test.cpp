// platform: {kind: hybrid}: async mix entries as jobs in a queue with the ingest queue's policy,
// answered by workers through the API tier; loads whose every event can be worked out by hand.

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "sim/report/report_html.hpp"
#include "sim/report/report_json.hpp"
#include "store/job_retry_policy.hpp"
#include "store/lease_renewal_policy.hpp"
#include "unit/sim/sim_support.hpp"

namespace sluice::sim {
namespace {

using testing::errors_of;
using testing::has_error;
using testing::joined;
using testing::scenario_of;

// Evenly spaced async jobs at `rate` (the first at 1/rate), each a request answered in exactly
// `seconds`; `upstream` adds keys to the provider's entry, `platform` to the platform section.
std::string hybrid(const std::string& duration, double rate, const std::string& seconds,
                   const std::string& platform, const std::string& upstream = "",
                   const std::string& gateway = "") {
  return "duration: " + duration +
         "\n"
         "seed: 3\n"
         "window: 10s\n"
         "traffic:\n"
         "  arrivals: uniform\n"
         "  rate: " +
         std::to_string(rate) +
         "\n"
         "  mix:\n"
         "    - model: chat\n"
         "      async: true\n"
         "      prompt_tokens: {dist: constant, value: 100}\n"
         "      completion_tokens: {dist: constant, value: 1}\n"
         "providers:\n"
         "  - provider: primary\n"
         "    ttft: {dist: constant, value: " +
         seconds +
         "}\n"
         "    per_token: {dist: constant, value: 10ms}\n" +
         upstream +
         "gateway:\n"
         "  providers:\n"
         "    - {name: primary, type: openai, base_url: https://primary.example/v1}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      deployments: [{provider: primary, model: big}]\n" +
         gateway +
         "platform:\n"
         "  kind: hybrid\n"
         "  replicas: {min: 1, max: 1}\n" +
         platform;
}

TEST(HybridTest, OneWorkerServesJobsInTurnAndTheQueueGrows) {
  // A job a second, 1.5 s each, one worker: job k (arriving at k s) starts at 1 + 1.5 (k - 1),
  // so it waits 0.5 (k - 1) s.
  Simulation simulation(scenario_of(hybrid("60s", 1, "1500ms",
                                           "  workers: {replicas: {min: 1, max: 1}, "
                                           "price_per_worker_hour: 3.6}\n")));
  std::vector<RequestRecord> attempts;
  simulation.on_request([&](const RequestRecord& r) { attempts.push_back(r); });
  const RunStats& stats = simulation.run();
  const AsyncStats& a = simulation.async_workers()->stats();
  const auto n = static_cast<double>(a.jobs);
  EXPECT_NEAR(n, 60, 1);
  EXPECT_EQ(a.done, a.jobs);
  EXPECT_EQ(a.attempts, a.jobs);
  EXPECT_EQ(a.dead_letters + a.retries + a.expired_leases + a.lost_answers, 0u);
  EXPECT_NEAR(a.queue_wait.mean(), 0.5 * (n - 1) / 2, 1e-6);
  EXPECT_NEAR(a.queue_wait.max(), 0.5 * (n - 1), 1e-6);
  EXPECT_NEAR(a.latency.mean(), 0.5 * (n - 1) / 2 + 1.5, 1e-6);
  // Each attempt is a request to the API tier: it arrives when the worker takes the job.
  EXPECT_EQ(stats.totals().requests, a.attempts);
  ASSERT_EQ(attempts.size(), a.attempts);
  for (std::size_t k = 0; k < attempts.size(); ++k) {
    EXPECT_NEAR(attempts[k].arrival, 1 + 1.5 * static_cast<double>(k), 1e-6);
    EXPECT_NEAR(attempts[k].latency(), 1.5, 1e-6);
  }
  // The queue is longest when the last job arrives; at 60 s, 40 jobs have started (job 40 at
  // 59.5 s), at 80 s, 53.
  const int jobs = static_cast<int>(a.jobs);
  const int started_by_last_arrival = static_cast<int>(std::floor((jobs - 1) / 1.5)) + 1;
  EXPECT_EQ(a.peak_depth, jobs - started_by_last_arrival);
  EXPECT_EQ(a.depth[6].max, jobs - 40);
  EXPECT_EQ(a.depth[8].max, jobs - 53);
  EXPECT_EQ(a.workers[3].min, 1);
  // The worker is billed for the duration: one worker-minute at $3.60 an hour.
  EXPECT_NEAR(a.worker_hours, 60.0 / 3600, 1e-9);
  EXPECT_NEAR(a.cost_usd, 0.06, 1e-9);
}

TEST(HybridTest, FailedAttemptsBackOffAsTheIngestQueueDoesThenTheJobIsADeadLetter) {
  // One job at 1 s; the upstream answers 503 after 100 ms, the gateway does not retry: each
  // attempt fails at once and the queue runs it again after 2 s, 4 s (retry_base 2 s), then
  // buries it on its third.
  Simulation simulation(scenario_of(hybrid("1500ms", 1, "1s",
                                           "  workers: {replicas: {min: 2, max: 2}}\n"
                                           "  queue: {max_attempts: 3, retry_base: 2s}\n",
                                           "    error_latency: {dist: constant, value: 100ms}\n"
                                           "    outages: [{from: 0s, to: 1h, fail_with: 5xx}]\n",
                                           "  retry: {max_attempts: 1}\n")));
  std::vector<RequestRecord> attempts;
  simulation.on_request([&](const RequestRecord& r) { attempts.push_back(r); });
  simulation.run();
  const AsyncStats& a = simulation.async_workers()->stats();
  EXPECT_EQ(a.jobs, 1u);
  EXPECT_EQ(a.attempts, 3u);
  EXPECT_EQ(a.retries, 2u);
  EXPECT_EQ(a.dead_letters, 1u);
  EXPECT_EQ(a.done, 0u);
  ASSERT_EQ(attempts.size(), 3u);
  const store::JobRetryPolicy policy{.max_attempts = 3, .retry_base = std::chrono::seconds(2)};
  double start = 1;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const RequestRecord& r = attempts[static_cast<std::size_t>(attempt - 1)];
    EXPECT_NEAR(r.arrival, start, 1e-6) << "attempt " << attempt;
    EXPECT_EQ(r.cause, Cause::upstream_5xx);
    start = r.end + std::chrono::duration<double>(policy.retry_delay(attempt)).count();
  }
  EXPECT_EQ(a.dead_per_window[0], 1u);
  EXPECT_EQ(a.latency.count(), 0u);
}

TEST(HybridTest, AnAttemptOutlastingItsLeaseKeepsItWhileItsWorkerRenews) {
  // One job at 1 s, answered in 5 s, a 2 s lease, two workers: worker 1 renews the lease every
  // 666 ms (store::LeaseRenewalPolicy), as an ingest worker does, so the job is never taken over
  // and is done once, at 6 s.
  const std::string yaml = hybrid("1500ms", 1, "5s",
                                  "  workers: {replicas: {min: 2, max: 2}}\n"
                                  "  queue: {lease: 2s, max_attempts: 3}\n");
  Simulation simulation(scenario_of(yaml));
  std::vector<RequestRecord> attempts;
  simulation.on_request([&](const RequestRecord& r) { attempts.push_back(r); });
  simulation.run();
  const AsyncStats& a = simulation.async_workers()->stats();
  EXPECT_EQ(a.jobs, 1u);
  EXPECT_EQ(a.attempts, 1u);
  EXPECT_EQ(a.done, 1u);
  EXPECT_EQ(a.expired_leases + a.lost_answers + a.dead_letters + a.retries, 0u);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_NEAR(attempts[0].arrival, 1, 1e-6);
  EXPECT_NEAR(a.latency.max(), 5, 1e-2 * 5);
  // Renewed at 1 + k x 0.666 s while the call runs: k = 1 .. 7 (the 8th, at 6.328 s, is after
  // its end).
  const double period = std::chrono::duration<double>(
                            store::LeaseRenewalPolicy{.lease = std::chrono::seconds(2)}.period())
                            .count();
  EXPECT_EQ(a.lease_renewals, static_cast<std::uint64_t>(std::floor(5 / period)));
  EXPECT_EQ(a.lease_renewals, 7u);
  // Same seed, byte-identical report, renewals included.
  const std::string json = render_report_json(simulation, "h.yaml");
  EXPECT_NE(json.find("\"renew_leases\": true"), std::string::npos);
  EXPECT_NE(json.find("\"lease_renewals\": 7"), std::string::npos);
  EXPECT_EQ(json, [&] {
    Simulation again(scenario_of(yaml));
    again.run();
    return render_report_json(again, "h.yaml");
  }());
}

TEST(HybridTest, AnAttemptOutlastingItsLeaseIsTakenOverAndItsAnswerDropped) {
  // renew_leases: false, an SQS-style visibility timeout that is never extended. One job at 1 s,
  // answered in 5 s, a 2 s lease, two workers, three attempts at most. Worker 1
  // leases it at 1 s; the lease expires at 3 s and worker 2 takes it over (attempt 2); at 6 s
  // worker 1's answer comes back to a lost lease (dropped) and worker 1 takes the job again
  // (attempt 3, its lease having expired at 5 s); at 8 s worker 2's answer is dropped and the
  // third lease has expired on the last attempt: the job is dead, as the store buries it.
  Simulation simulation(scenario_of(hybrid("1500ms", 1, "5s",
                                           "  workers: {replicas: {min: 2, max: 2}, "
                                           "renew_leases: false}\n"
                                           "  queue: {lease: 2s, max_attempts: 3}\n")));
  std::vector<RequestRecord> attempts;
  simulation.on_request([&](const RequestRecord& r) { attempts.push_back(r); });
  simulation.run();
  const AsyncStats& a = simulation.async_workers()->stats();
  EXPECT_EQ(a.lease_renewals, 0u);
  EXPECT_EQ(a.attempts, 3u);
  EXPECT_EQ(a.expired_leases, 3u);  // two taken over, then buried
  EXPECT_EQ(a.lost_answers, 3u);
  EXPECT_EQ(a.dead_letters, 1u);
  EXPECT_EQ(a.done, 0u);
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_NEAR(attempts[0].arrival, 1, 1e-6);
  EXPECT_NEAR(attempts[1].arrival, 3, 1e-6);
  EXPECT_NEAR(attempts[2].arrival, 6, 1e-6);
  for (const RequestRecord& r : attempts) EXPECT_EQ(r.cause, Cause::none);  // paid for, unused
}

// Two jobs (at 1 s and 2 s) of 1000 s each on two workers, the HPA (2 jobs in flight per worker)
// scaling the pool to one while worker 2 holds job 2, with queue.lease `lease`: the run and the
// attempts it made, in order.
struct DrainedWorkerRun {
  explicit DrainedWorkerRun(const std::string& lease) {
    std::string yaml = hybrid("2500ms", 1, "1000s",
                              "  workers:\n"
                              "    replicas: {min: 1, max: 2, initial: 2}\n"
                              "    autoscaling: {policy: hpa, metric: in_flight, target: 2}\n"
                              "  queue: {lease: " +
                                  lease + "}\n",
                              "", "  request_timeout: 2h\n");
    const std::string provider = "https://primary.example/v1}";
    yaml.replace(yaml.find(provider), provider.size(),
                 "https://primary.example/v1, first_byte_timeout: 2h, total_timeout: 2h}");
    simulation = std::make_unique<Simulation>(scenario_of(yaml));
    simulation->on_request([this](const RequestRecord& r) { attempts.push_back(r); });
    simulation->run();
  }
  DrainedWorkerRun(const DrainedWorkerRun&) = delete;
  DrainedWorkerRun& operator=(const DrainedWorkerRun&) = delete;

  std::unique_ptr<Simulation> simulation;
  std::vector<RequestRecord> attempts;
};

TEST(HybridTest, AWorkerGoneAtItsDrainDeadlineLosesItsJobToTheLease) {
  // Two jobs (at 1 s and 2 s) of 1000 s each on two workers; the HPA, aiming at 2 jobs in flight
  // per worker, scales the pool to one once its stabilization window allows. The worker drained
  // is the most recently asked for, busy with job 2: 30 s later it is gone with the job. Job 2
  // stays leased until its lease (2000 s) expires at 2002 s; then worker 1, free since job 1
  // ended (1001 s), takes it over and answers at 3002 s.
  const DrainedWorkerRun run("2000s");
  const std::vector<RequestRecord>& attempts = run.attempts;
  const AsyncStats& a = run.simulation->async_workers()->stats();
  ASSERT_EQ(a.scale_events.size(), 1u);
  EXPECT_EQ(a.scale_events[0].to, 1);
  EXPECT_LT(a.scale_events[0].at + 30, 1000);  // gone before its job's end
  EXPECT_EQ(a.jobs, 2u);
  EXPECT_EQ(a.done, 2u);
  EXPECT_EQ(a.attempts, 3u);
  EXPECT_EQ(a.lost_answers, 1u);
  EXPECT_EQ(a.expired_leases, 1u);
  EXPECT_EQ(a.dead_letters, 0u);
  // The abandoned call still ran to its end at the API tier (and was paid for).
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_NEAR(attempts[1].end, 1002, 1e-6);
  EXPECT_NEAR(attempts[2].arrival, 2002, 1e-6);
  EXPECT_NEAR(a.latency.max(), 3002 - 2, 1e-2 * 3000);
  EXPECT_EQ(a.peak_workers, 2);
  EXPECT_EQ(a.workers.back().max, 1);
}

TEST(HybridTest, AWorkerGoneAfterRenewingLosesItsJobALeaseAfterItsLastRenewal) {
  // As above, with a 900 s lease renewed every 300 s: worker 2 leases job 2 at 2 s and renews it
  // at 302 s, ... until it is gone (30 s after the scale-in); nobody renews it then, so the job
  // is taken over a lease after the last renewal, once worker 1 (busy until 1001 s) is free.
  const DrainedWorkerRun run("900s");
  const std::vector<RequestRecord>& attempts = run.attempts;
  const AsyncStats& a = run.simulation->async_workers()->stats();
  ASSERT_EQ(a.scale_events.size(), 1u);
  const double lease = 900;
  const double period = 300;  // store::LeaseRenewalPolicy: a third of the lease
  EXPECT_EQ(store::LeaseRenewalPolicy{.lease = std::chrono::seconds(900)}.period(),
            std::chrono::seconds(300));
  const double gone = a.scale_events[0].at + 30;  // drain_grace
  const double renewed_before_gone = std::floor((gone - 2) / period);
  ASSERT_GE(renewed_before_gone, 1) << "gone at " << gone << " s, before its first renewal";
  ASSERT_GT(gone - 2 - renewed_before_gone * period, 1e-3) << "gone on a renewal";
  const double taken_over = std::max(2 + renewed_before_gone * period + lease, 1001.0);
  EXPECT_EQ(a.jobs, 2u);
  EXPECT_EQ(a.done, 2u);
  EXPECT_EQ(a.attempts, 3u);
  EXPECT_EQ(a.lost_answers, 1u);
  EXPECT_EQ(a.expired_leases, 1u);
  EXPECT_EQ(a.dead_letters, 0u);
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_NEAR(attempts[2].arrival, taken_over, 1e-6);
  // Renewals: job 1's 1000 s call at 301, 601, 901 s; job 2's first attempt until its worker
  // was gone; its second attempt's 1000 s call three times.
  EXPECT_EQ(a.lease_renewals, static_cast<std::uint64_t>(3 + renewed_before_gone + 3));
}

TEST(HybridTest, WorkersScaleOnQueueDepth) {
  // Two jobs a second of 2 s each need four workers; the pool starts with one, and the HPA aims
  // at 5 runnable jobs per worker.
  Simulation simulation(
      scenario_of(hybrid("5m", 2, "2s",
                         "  workers:\n"
                         "    replicas: {min: 1, max: 10}\n"
                         "    startup: {dist: constant, value: 10s}\n"
                         "    autoscaling: {policy: hpa, metric: queue_depth, target: 5}\n")));
  simulation.run();
  const AsyncStats& a = simulation.async_workers()->stats();
  EXPECT_EQ(a.done, a.jobs);
  ASSERT_FALSE(a.scale_events.empty());
  EXPECT_EQ(a.scale_events[0].from, 1);
  EXPECT_GT(a.scale_events[0].to, 1);
  EXPECT_LE(a.scale_events[0].at, 15);  // the first sync
  EXPECT_GE(a.peak_workers, 4);
  EXPECT_LE(a.peak_workers, 10);
  // Once enough workers are ready the backlog drains: the last windows of the run wait little.
  EXPECT_GT(a.peak_depth, 10);
  EXPECT_LT(a.depth[25].mean, 5);
}

TEST(HybridTest, SyncRequestsAndJobsShareTheApiTier) {
  std::string yaml = hybrid("2m", 4, "1s", "  workers: {replicas: {min: 2, max: 2}}\n");
  yaml.replace(yaml.find("    - model: chat\n      async: true\n"),
               std::string("    - model: chat\n      async: true\n").size(),
               "    - model: chat\n"
               "      weight: 3\n"
               "      prompt_tokens: {dist: constant, value: 100}\n"
               "      completion_tokens: {dist: constant, value: 1}\n"
               "    - model: chat\n"
               "      async: true\n"
               "      priority: low\n");
  Simulation simulation(scenario_of(yaml));
  const RunStats& stats = simulation.run();
  const AsyncStats& a = simulation.async_workers()->stats();
  // A quarter of the traffic is async: jobs; the rest arrives at the API tier directly.
  const double all = static_cast<double>(stats.totals().requests - a.attempts + a.jobs);
  EXPECT_NEAR(all, 480, 1);
  EXPECT_NEAR(static_cast<double>(a.jobs) / all, 0.25, 0.06);
  EXPECT_EQ(a.done, a.jobs);
  EXPECT_EQ(stats.totals().failed(), 0u);
  // The API tier's replica served both.
  EXPECT_EQ(simulation.replica_count(), 1u);
  const std::string json = render_report_json(simulation, "h.yaml");
  EXPECT_EQ(json, [&] {
    Simulation again(scenario_of(yaml));
    again.run();
    return render_report_json(again, "h.yaml");
  }());
  for (const char* key :
       {"\"kind\": \"hybrid\"", "\"async\":", "\"workers\":", "\"queue\":", "\"dead_letters\":",
        "\"expired_leases\":", "\"renew_leases\": true", "\"lease_renewals\": 0",
        "\"queue_wait_s\":", "\"job_latency_s\":", "\"worker_hours\":", "\"per_1000_jobs\":",
        "\"total_cost_usd\":", "\"queue_depth\":", "\"jobs_done\":", "\"ready_replicas\":"})
    EXPECT_NE(json.find(key), std::string::npos) << key;
  const std::string html = render_report_html(simulation, "h.yaml");
  for (const char* series :
       {"queue_depth_mean", "queue_depth_max", "workers_mean", "ready_replicas_mean"})
    EXPECT_NE(html.find(std::string("data-series=\"") + series + "\""), std::string::npos)
        << series;
}

TEST(HybridTest, EveryKeyIsCheckedByItsPath) {
  const auto errors = errors_of(hybrid("1m", 1, "1s",
                                       "  workers:\n"
                                       "    replicas: {min: 0, max: 2000, initial: 5000}\n"
                                       "    concurrency: 0\n"
                                       "    startup: {dist: gaussian}\n"
                                       "    drain_grace: -1s\n"
                                       "    price_per_worker_hour: -1\n"
                                       "    autoscaling: {policy: keda, metric: cpu, target: 0}\n"
                                       "    renew_leases: sometimes\n"
                                       "  queue: {lease: 0s, max_attempts: 0, retry_base: -1s}\n"
                                       "  preset: lambda\n"));
  for (const char* prefix :
       {"platform.workers.replicas.min: must be between 1 and 1000",
        "platform.workers.replicas.max: must be between replicas.min",
        "platform.workers.replicas.initial: must be between",
        "platform.workers.concurrency: must be between 1 and 1000",
        "platform.workers.startup.dist: ", "platform.workers.drain_grace: ",
        "platform.workers.price_per_worker_hour: must not be negative",
        "platform.workers.autoscaling.policy: unknown policy 'keda'",
        "platform.workers.autoscaling.metric: unknown metric 'cpu'",
        "platform.workers.autoscaling.target: must be greater than 0",
        "platform.workers.renew_leases: ", "platform.queue.lease: must be at least 1ms",
        "platform.queue.max_attempts: must be between 1 and 100",
        "platform.queue.retry_base: ", "platform.preset: does not apply to kind hybrid"})
    EXPECT_TRUE(has_error(errors, prefix)) << prefix << "\n" << joined(errors);
  EXPECT_NE(joined(errors).find("use queue_depth or in_flight"), std::string::npos);
  const auto typo = errors_of(hybrid("1m", 1, "1s",
                                     "  workers: {replicas: {min: 1}}\n"
                                     "  queue: {leese: 1s}\n"));
  EXPECT_TRUE(has_error(typo, "platform.queue.leese: unknown key")) << joined(typo);
  EXPECT_NE(joined(typo).find("did you mean platform.queue.lease?"), std::string::npos);
  const auto renew_typo = errors_of(hybrid("1m", 1, "1s", "  workers: {renew_lease: false}\n"));
  EXPECT_TRUE(has_error(renew_typo, "platform.workers.renew_lease: unknown key"))
      << joined(renew_typo);
  EXPECT_NE(joined(renew_typo).find("did you mean platform.workers.renew_leases?"),
            std::string::npos);
  // async needs a hybrid platform, and a hybrid platform needs async traffic.
  std::string async_on_server =
      testing::minimal_scenario("  rate: 10\n", "platform: {kind: server}\n");
  async_on_server.insert(async_on_server.find("    - model: chat\n") + 18, "      async: true\n");
  const auto no_platform = errors_of(async_on_server);
  EXPECT_TRUE(has_error(no_platform, "traffic.mix.0.async: needs platform kind hybrid"))
      << joined(no_platform);
  const auto no_async =
      errors_of(testing::minimal_scenario("  rate: 10\n", "platform: {kind: hybrid}\n"));
  EXPECT_TRUE(has_error(no_async, "platform.kind: hybrid, but no entry of traffic.mix is async"))
      << joined(no_async);
  const auto workers_on_server = errors_of(testing::minimal_scenario(
      "  rate: 10\n", "platform: {kind: server, workers: {concurrency: 2}}\n"));
  EXPECT_TRUE(has_error(workers_on_server, "platform.workers: does not apply to kind server"))
      << joined(workers_on_server);
  EXPECT_NE(joined(workers_on_server).find("it is a key of kind hybrid"), std::string::npos);
}

}  // namespace
}  // namespace sluice::sim
