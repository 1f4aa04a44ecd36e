#include "ops/admission_filter.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ops/admission_sequence.hpp"
#include "ops/admission_wait.hpp"
#include "ops/metrics.hpp"

namespace sluice::ops {
namespace asio = boost::asio;
using Verdict = AdmissionGate::Verdict;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::vector<double> wait_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

std::string retry_after_seconds(std::chrono::milliseconds retry_after) {
  return std::to_string(std::max<long long>(1, (retry_after.count() + 999) / 1000));
}

}  // namespace

AdmissionFilter::AdmissionFilter(const core::AdmissionConfig& config,
                                 std::vector<std::string> exempt_routes, DegradedMode& degraded,
                                 Registry& registry)
    : Filter("admission",
             {"admitted", "admitted_after_wait", "shed", "timed_out", "cancelled", "exempt"}),
      exempt_routes_(std::move(exempt_routes)),
      max_wait_(config.max_wait),
      retry_after_(retry_after_seconds(config.retry_after)),
      degraded_(degraded) {
  if (config.max_concurrency > 0)
    global_ = {"", std::string(kGlobalGateKey),
               std::make_unique<AdmissionGate>(static_cast<std::size_t>(config.max_concurrency),
                                               static_cast<std::size_t>(config.max_queue))};
  for (std::size_t i = 0; i < config.routes.size(); ++i) {
    const core::RouteAdmissionConfig& r = config.routes[i];
    routes_.push_back({r.route, route_gate_key(i),
                       std::make_unique<AdmissionGate>(static_cast<std::size_t>(r.max_concurrency),
                                                       static_cast<std::size_t>(r.max_queue))});
  }
  register_metrics(registry);
}

void AdmissionFilter::register_metrics(Registry& registry) {
  shed_total_.emplace(registry);
  wait_seconds_ =
      &registry.histogram("sluice_admission_wait_seconds",
                          "Time requests that found every slot busy waited in the admission queue.",
                          {}, wait_buckets());
  registry.add_collector([this](MetricSink& out) {
    std::vector<const Gate*> gates;
    if (global_.gate) gates.push_back(&global_);
    for (const Gate& g : routes_) gates.push_back(&g);
    const auto label = [](const Gate* g) -> std::string_view {
      return g->route.empty() ? std::string_view("*") : std::string_view(g->route);
    };
    write_family_header(out, "sluice_admission_queue_depth",
                        "Requests waiting for an admission slot, by gate (route, or * for all).",
                        "gauge");
    for (const Gate* g : gates)
      write_sample(out, "sluice_admission_queue_depth", {{"route", label(g)}},
                   static_cast<double>(g->gate->queued()));
    write_family_header(out, "sluice_admission_in_flight",
                        "Requests holding an admission slot, by gate (route, or * for all).",
                        "gauge");
    for (const Gate* g : gates)
      write_sample(out, "sluice_admission_in_flight", {{"route", label(g)}},
                   static_cast<double>(g->gate->in_flight()));
    write_family_header(out, "sluice_degraded",
                        "1 while degraded mode is on (sustained overload), else 0.", "gauge");
    write_sample(out, "sluice_degraded", {}, degraded_.on() ? 1 : 0);
  });
}

const AdmissionGate* AdmissionFilter::route_gate(std::string_view route) const {
  for (const Gate& g : routes_)
    if (g.route == route) return g.gate.get();
  return nullptr;
}

bool AdmissionFilter::is_exempt(std::string_view route) const {
  return std::find(exempt_routes_.begin(), exempt_routes_.end(), route) != exempt_routes_.end();
}

std::array<AdmissionFilter::Gate*, 2> AdmissionFilter::gates_for(std::string_view route) {
  std::array<Gate*, 2> gates{nullptr, global_.gate ? &global_ : nullptr};
  for (Gate& g : routes_)
    if (g.route == route) gates[0] = &g;
  return gates;
}

core::Priority AdmissionFilter::priority_of(const http::Exchange& exchange) const {
  const core::Principal* principal = exchange.principal.get();
  if (!principal) return core::Priority::normal;
  // Only an admin may choose per request: anyone else could jump the queue.
  if (principal->has(core::Permission::admin))
    if (auto asked = core::parse_priority(exchange.request.header(kPriorityHeader))) return *asked;
  return principal->priority;
}

void AdmissionFilter::mark_degraded(http::Exchange& exchange) const {
  if (degraded_.on()) exchange.response.add_header(std::string(kDegradedHeader), "1");
}

std::optional<http::FilterResult> AdmissionFilter::on_request_now(http::Exchange& exchange) {
  if (is_exempt(exchange.route)) {
    count(exempt);
    return http::FilterResult::next;
  }
  const auto [route, global] = gates_for(exchange.route);
  if (route && !route->gate->try_admit()) return std::nullopt;
  if (global && !global->gate->try_admit()) {
    if (route) route->gate->release();
    return std::nullopt;
  }
  count(admitted);
  mark_degraded(exchange);
  return http::FilterResult::next;
}

asio::awaitable<http::FilterResult> AdmissionFilter::on_request(http::Exchange& exchange) {
  const core::Priority priority = priority_of(exchange);
  const auto started = SteadyClock::now();
  const auto gates = gates_for(exchange.route);
  const std::array<AdmissionGate*, 2> slots{gates[0] ? gates[0]->gate.get() : nullptr,
                                            gates[1] ? gates[1]->gate.get() : nullptr};
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  const AdmissionResult result =
      co_await pass_gates(slots, priority, started + max_wait_,
                          [&executor, &exchange] { return ExchangeWait(executor, exchange); });
  wait_seconds_->observe({}, std::chrono::duration<double>(SteadyClock::now() - started).count());
  if (result.verdict != Verdict::admitted) {
    refuse(exchange, result.verdict, *gates[result.gate], priority);
    co_return http::FilterResult::responded;
  }
  count(admitted_after_wait);
  mark_degraded(exchange);
  co_return http::FilterResult::next;
}

void AdmissionFilter::refuse(http::Exchange& exchange, Verdict verdict, const Gate& gate,
                             core::Priority priority) {
  shed_total_->refused(verdict, exchange.route, priority);
  if (verdict == Verdict::gone) {
    count(cancelled);
  } else {
    shed_count_.fetch_add(1, std::memory_order_relaxed);
    count(verdict == Verdict::timed_out ? timed_out : shed);
  }
  exchange.response.set_error(admission_refusal(verdict, priority, max_wait_, gate.config_key));
  exchange.response.add_header("Retry-After", retry_after_);
  mark_degraded(exchange);
}

void AdmissionFilter::on_response(http::Exchange& exchange) {
  if (is_exempt(exchange.route)) return;
  // on_request said `next`: the request holds a slot at each of its gates.
  for (Gate* gate : gates_for(exchange.route))
    if (gate) gate->gate->release();
}

asio::awaitable<void> AdmissionFilter::watch_pressure(std::chrono::milliseconds period) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::uint64_t last_shed = shed_count_.load(std::memory_order_relaxed);
  for (;;) {
    timer.expires_after(period);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    const std::uint64_t shed_now = shed_count_.load(std::memory_order_relaxed);
    bool pressured = shed_now != last_shed;
    last_shed = shed_now;
    if (global_.gate && global_.gate->queued() > 0) pressured = true;
    for (const Gate& g : routes_) pressured = pressured || g.gate->queued() > 0;
    degraded_.observe(pressured, SteadyClock::now());
  }
}

}  // namespace sluice::ops
