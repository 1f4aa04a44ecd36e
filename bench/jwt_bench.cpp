// What authentication costs a request, one thread: the API key filter deciding a request that
// carries a config key, a virtual key, or a bearer JWT seen before (remembered: one SHA-256 and
// one lookup), and a JWT's first verification (RS256, ES256: signature and claims).
//   ninja -C build/release jwt_bench && build/release/jwt_bench [iterations]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "auth/api_key_filter.hpp"
#include "support/jwt_signer.hpp"

namespace {

using namespace sluice;
using Clock = std::chrono::steady_clock;

// Nanoseconds per call of `fn`, the best of three rounds of `iterations`.
template <class Fn>
double ns_per_call(int iterations, Fn&& fn) {
  double best = 1e18;
  for (int round = 0; round < 3; ++round) {
    const auto start = Clock::now();
    for (int i = 0; i < iterations; ++i) fn(i);
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    best = std::min(best, ns / iterations);
  }
  return best;
}

std::shared_ptr<const auth::JwkSet> key_set(const std::vector<const testing::JwtSigner*>& keys) {
  auto set = auth::parse_jwks(testing::jwks_of(keys));
  if (!set) std::abort();
  return std::make_shared<const auth::JwkSet>(std::move(*set));
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200'000;
  const auto rsa = testing::JwtSigner::rsa("r");
  const auto ec = testing::JwtSigner::ec("e");
  const long long exp = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() +
                        3600;
  const std::string claims = R"({"sub":"bench","aud":"sluice","roles":["query"],"team":"t",)"
                             R"("collections":["docs"],"exp":)" +
                             std::to_string(exp) + "}";
  auth::JwtRules rules;
  rules.audience = "sluice";
  auth::JwtVerifier verifier(rules, key_set({&rsa, &ec}));
  auth::KeyRegistry registry(10);
  store::ApiKey virtual_key;
  virtual_key.id = "key_1";
  virtual_key.roles = {"query"};
  auth::Digest digest;
  auth::digest_of("sk-sluice-virtual", digest);
  virtual_key.secret_hash = auth::to_hex(digest);
  virtual_key.change_seq = 1;
  registry.apply(virtual_key);
  auth::ApiKeyFilter filter({{"app", "sk-config-key", "user"}}, &registry);
  filter.set_jwt_verifier(&verifier);

  http::Exchange exchange;
  const auto decide = [&](const std::string& authorization) {
    exchange.reset();
    exchange.request.method = "POST";
    exchange.request.path = "/v1/chat/completions";
    exchange.route = "/v1/chat/completions";
    exchange.request.headers = {{"authorization", authorization}};
    if (filter.on_request_now(exchange) != http::FilterResult::next) std::abort();
  };
  const std::string rsa_token = "Bearer " + rsa.sign(claims);
  const std::string es_token = "Bearer " + ec.sign(claims);
  // A fresh token's signature is checked off the event loop (on_request); these are remembered.
  if (!verifier.verify(rsa_token.substr(7)) || !verifier.verify(es_token.substr(7))) std::abort();
  std::printf("filter, config key:          %8.0f ns\n",
              ns_per_call(iterations, [&](int) { decide("Bearer sk-config-key"); }));
  std::printf("filter, virtual key:         %8.0f ns\n",
              ns_per_call(iterations, [&](int) { decide("Bearer sk-sluice-virtual"); }));
  std::printf("filter, JWT RS256 (repeat):  %8.0f ns\n",
              ns_per_call(iterations, [&](int) { decide(rsa_token); }));
  std::printf("filter, JWT ES256 (repeat):  %8.0f ns\n",
              ns_per_call(iterations, [&](int) { decide(es_token); }));

  // A cache of one entry, two tokens in turn: every call verifies.
  auth::JwtVerifier uncached(rules, key_set({&rsa, &ec}), {}, 1);
  const std::string other_claims = claims.substr(0, claims.size() - 1) + R"(,"jti":"2"})";
  const std::string rsa_tokens[] = {rsa.sign(claims), rsa.sign(other_claims)};
  const std::string es_tokens[] = {ec.sign(claims), ec.sign(other_claims)};
  const int verifications = std::max(1, iterations / 50);
  std::printf("first verification, RS256:   %8.0f ns\n", ns_per_call(verifications, [&](int i) {
                if (!uncached.verify(rsa_tokens[i % 2])) std::abort();
              }));
  std::printf("first verification, ES256:   %8.0f ns\n", ns_per_call(verifications, [&](int i) {
                if (!uncached.verify(es_tokens[i % 2])) std::abort();
              }));
  return 0;
}
