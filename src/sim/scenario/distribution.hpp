#pragma once
// The random variables of a scenario: an upstream's time to first token and time per output
// token, the tokens of a request. Four shapes, each with the parameters people know: constant
// (value), exponential (mean), uniform (min, max) and lognormal (median and 99th percentile, the
// two numbers a latency dashboard shows).

#include <optional>
#include <string>
#include <string_view>

#include "sim/engine/random.hpp"

namespace sluice::sim {

class Distribution {
 public:
  enum class Kind { constant, exponential, uniform, lognormal };

  static Distribution constant(double value);
  static Distribution exponential(double mean);
  static Distribution uniform(double min, double max);
  // Lognormal with this median and 99th percentile (p99 > median > 0).
  static Distribution lognormal(double median, double p99);

  Kind kind() const { return kind_; }
  double sample(Random& random) const;

  // Exact moments and quantiles, for the scenario's analytic checks and the tests.
  double mean() const;
  double second_moment() const;     // E[X^2]
  double quantile(double p) const;  // 0 < p < 1

 private:
  Distribution(Kind kind, double a, double b) : kind_(kind), a_(a), b_(b) {}
  Kind kind_;
  // constant: value; exponential: mean; uniform: min, max; lognormal: mu, sigma of log X.
  double a_;
  double b_;
};

// "constant", "exponential", "uniform", "lognormal"; nullopt otherwise.
std::optional<Distribution::Kind> parse_distribution_kind(std::string_view name);
std::string_view to_string(Distribution::Kind kind);

// The standard normal distribution's quantile function (Acklam's rational approximation, relative
// error below 1.2e-9).
double normal_quantile(double p);

}  // namespace sluice::sim
