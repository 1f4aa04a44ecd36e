#include "sim/scenario/distribution.hpp"

#include <cmath>
#include <numbers>

namespace sluice::sim {
namespace {

// The standard normal's 99th percentile.
constexpr double kZ99 = 2.3263478740408408;

// Box-Muller from two uniform draws: one normal deviate per call (the second is not kept, so
// that every draw costs the same two uniforms and a stream stays aligned across kinds).
double standard_normal(Random& random) {
  const double radius = std::sqrt(-2.0 * std::log(random.uniform_positive()));
  return radius * std::cos(2.0 * std::numbers::pi * random.uniform());
}

}  // namespace

Distribution Distribution::constant(double value) { return {Kind::constant, value, 0}; }
Distribution Distribution::exponential(double mean) { return {Kind::exponential, mean, 0}; }
Distribution Distribution::uniform(double min, double max) { return {Kind::uniform, min, max}; }
Distribution Distribution::lognormal(double median, double p99) {
  const double mu = std::log(median);
  return {Kind::lognormal, mu, (std::log(p99) - mu) / kZ99};
}

double Distribution::sample(Random& random) const {
  switch (kind_) {
    case Kind::constant:
      return a_;
    case Kind::exponential:
      return -a_ * std::log(random.uniform_positive());
    case Kind::uniform:
      return a_ + (b_ - a_) * random.uniform();
    case Kind::lognormal:
      return std::exp(a_ + b_ * standard_normal(random));
  }
  return a_;
}

double Distribution::mean() const {
  switch (kind_) {
    case Kind::constant:
    case Kind::exponential:
      return a_;
    case Kind::uniform:
      return (a_ + b_) / 2;
    case Kind::lognormal:
      return std::exp(a_ + b_ * b_ / 2);
  }
  return a_;
}

double Distribution::second_moment() const {
  switch (kind_) {
    case Kind::constant:
      return a_ * a_;
    case Kind::exponential:
      return 2 * a_ * a_;
    case Kind::uniform:
      return (a_ * a_ + a_ * b_ + b_ * b_) / 3;
    case Kind::lognormal:
      return std::exp(2 * a_ + 2 * b_ * b_);
  }
  return a_ * a_;
}

double Distribution::quantile(double p) const {
  switch (kind_) {
    case Kind::constant:
      return a_;
    case Kind::exponential:
      return -a_ * std::log1p(-p);
    case Kind::uniform:
      return a_ + (b_ - a_) * p;
    case Kind::lognormal:
      return std::exp(a_ + b_ * normal_quantile(p));
  }
  return a_;
}

std::optional<Distribution::Kind> parse_distribution_kind(std::string_view name) {
  for (Distribution::Kind kind : {Distribution::Kind::constant, Distribution::Kind::exponential,
                                  Distribution::Kind::uniform, Distribution::Kind::lognormal})
    if (to_string(kind) == name) return kind;
  return std::nullopt;
}

std::string_view to_string(Distribution::Kind kind) {
  switch (kind) {
    case Distribution::Kind::constant:
      return "constant";
    case Distribution::Kind::exponential:
      return "exponential";
    case Distribution::Kind::uniform:
      return "uniform";
    case Distribution::Kind::lognormal:
      return "lognormal";
  }
  return "constant";
}

double normal_quantile(double p) {
  // Peter Acklam's algorithm: rational approximations in the central region and in the tails.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  if (p < kLow) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - kLow) {
    const double q = std::sqrt(-2 * std::log1p(-p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

}  // namespace sluice::sim
