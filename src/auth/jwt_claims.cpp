#include "auth/jwt_claims.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>

#include "auth/base64url.hpp"
#include "auth/key_registry.hpp"
#include "core/json_text.hpp"

namespace sluice::auth {
namespace {

// Numeric dates beyond this (year 5138) are nonsense; bounding them keeps `* 1000` in range.
constexpr double kMaxNumericDate = 1e11;

std::optional<boost::json::object> decode_json_object(std::string_view segment) {
  std::optional<std::string> text = decode_base64url(segment);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

// A NumericDate claim in milliseconds: nullopt when absent, JwtFault::bad_claim when not a
// finite number in range.
Result<std::optional<int64_t>, JwtFault> numeric_date_ms(const boost::json::object& claims,
                                                         std::string_view name) {
  const boost::json::value* value = claims.if_contains(name);
  if (value == nullptr) return std::optional<int64_t>();
  double seconds = 0;
  if (value->is_int64())
    seconds = static_cast<double>(value->get_int64());
  else if (value->is_uint64())
    seconds = static_cast<double>(value->get_uint64());
  else if (value->is_double())
    seconds = value->get_double();
  else
    return JwtFault::bad_claim;
  if (!std::isfinite(seconds) || std::fabs(seconds) > kMaxNumericDate) return JwtFault::bad_claim;
  return std::optional<int64_t>(static_cast<int64_t>(seconds * 1000));
}

// A principal's list of allowed names means "any" when empty, but a token's empty list means
// "none": it becomes this one name, which no collection or model has.
const std::string kNoneAllowed;

// A claim holding a list of strings: an array of strings, or (for scopes-style roles) one
// space-separated string when `split_string`. False when present with another type.
bool string_list(const boost::json::object& claims, std::string_view name, bool split_string,
                 std::vector<std::string>& out) {
  if (name.empty()) return true;
  const boost::json::value* value = claims.if_contains(name);
  if (value == nullptr) return true;
  if (value->is_string() && split_string) {
    std::string_view rest = value->get_string();
    while (!rest.empty()) {
      const std::size_t space = rest.find(' ');
      if (space != 0) out.emplace_back(rest.substr(0, space));
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
    return true;
  }
  if (!value->is_array()) return false;
  for (const boost::json::value& item : value->get_array()) {
    if (!item.is_string()) return false;
    out.emplace_back(item.get_string());
  }
  if (out.empty()) out.push_back(kNoneAllowed);
  return true;
}

bool audience_matches(const boost::json::value* aud, std::string_view audience) {
  if (aud == nullptr) return false;
  if (aud->is_string()) return aud->get_string() == audience;
  if (!aud->is_array()) return false;
  for (const boost::json::value& item : aud->get_array())
    if (item.is_string() && item.get_string() == audience) return true;
  return false;
}

}  // namespace

std::string_view to_string(JwtFault fault) {
  switch (fault) {
    case JwtFault::malformed:
      return "malformed";
    case JwtFault::unsupported_alg:
      return "unsupported_alg";
    case JwtFault::unknown_key:
      return "unknown_key";
    case JwtFault::bad_signature:
      return "bad_signature";
    case JwtFault::expired:
      return "expired";
    case JwtFault::not_yet_valid:
      return "not_yet_valid";
    case JwtFault::wrong_issuer:
      return "wrong_issuer";
    case JwtFault::wrong_audience:
      return "wrong_audience";
    case JwtFault::bad_claim:
      return "bad_claim";
  }
  return "malformed";
}

std::optional<JwtSegments> split_jwt(std::string_view token) {
  if (token.size() > kMaxJwtBytes) return std::nullopt;
  const std::size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  JwtSegments segments{token.substr(0, first), token.substr(first + 1, second - first - 1),
                       token.substr(second + 1)};
  if (!is_base64url(segments.header) || !is_base64url(segments.payload) ||
      !is_base64url(segments.signature))
    return std::nullopt;
  return segments;
}

bool looks_like_jwt(std::string_view token) {
  return token.starts_with("eyJ") && token.find('.') != std::string_view::npos;
}

Result<JwtHeader, JwtFault> parse_jwt_header(std::string_view segment) {
  std::optional<boost::json::object> header = decode_json_object(segment);
  if (!header) return JwtFault::malformed;
  const boost::json::value* alg = header->if_contains("alg");
  const boost::json::value* kid = header->if_contains("kid");
  if (alg == nullptr || !alg->is_string() || (kid != nullptr && !kid->is_string()))
    return JwtFault::malformed;
  if (header->contains("crit")) return JwtFault::unsupported_alg;
  JwtHeader out;
  out.alg = std::string(alg->get_string());
  if (kid != nullptr) out.kid = std::string(kid->get_string());
  return out;
}

Result<JwtIdentity, JwtFault> check_jwt_claims(std::string_view payload_segment,
                                               const JwtRules& rules, int64_t now_ms) {
  std::optional<boost::json::object> claims = decode_json_object(payload_segment);
  if (!claims) return JwtFault::malformed;
  auto exp = numeric_date_ms(*claims, "exp");
  auto nbf = numeric_date_ms(*claims, "nbf");
  auto iat = numeric_date_ms(*claims, "iat");
  if (!exp || !nbf || !iat || !*exp) return JwtFault::bad_claim;
  if (now_ms - rules.clock_skew_ms >= **exp) return JwtFault::expired;
  const int64_t latest_start = now_ms + rules.clock_skew_ms;
  if ((*nbf && **nbf > latest_start) || (*iat && **iat > latest_start))
    return JwtFault::not_yet_valid;
  if (!rules.issuer.empty()) {
    const boost::json::value* iss = claims->if_contains("iss");
    if (iss == nullptr || !iss->is_string() || iss->get_string() != rules.issuer)
      return JwtFault::wrong_issuer;
  }
  if (!rules.audience.empty() && !audience_matches(claims->if_contains("aud"), rules.audience))
    return JwtFault::wrong_audience;

  const boost::json::value* sub = claims->if_contains("sub");
  if (sub == nullptr || !sub->is_string() || sub->get_string().empty()) return JwtFault::bad_claim;
  auto principal = std::make_shared<core::Principal>();
  principal->name = std::string(sub->get_string());
  std::vector<std::string> roles;
  if (!string_list(*claims, rules.roles_claim, true, roles) ||
      !string_list(*claims, rules.collections_claim, false, principal->collections) ||
      !string_list(*claims, rules.models_claim, false, principal->models))
    return JwtFault::bad_claim;
  principal->permissions = permissions_of(roles);
  if (!rules.team_claim.empty()) {
    if (const boost::json::value* team = claims->if_contains(rules.team_claim)) {
      if (!team->is_string() || !core::is_valid_team(team->get_string()))
        return JwtFault::bad_claim;
      principal->team = std::string(team->get_string());
    }
  }
  // A subject of no team is a tenant of its own, as a virtual key is.
  principal->tenant = core::tenant_of(principal->team, "jwt:", principal->name);
  principal->log_field = ",\"key_name\":";
  core::append_json_string(principal->log_field, principal->name);
  principal->log_field += ",\"auth\":\"jwt\"";
  return JwtIdentity{std::move(principal), **exp};
}

}  // namespace sluice::auth
