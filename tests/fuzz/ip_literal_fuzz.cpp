// Hosts and address ranges as a client or an operator may write them. An IPv4 literal parsed in
// any inet_aton notation is the address the C library's inet_aton makes of it (the check never
// judges another address than the one a connection would reach); every address has a class; a
// range that parses contains its own network address and has a prefix within the family's bits.

#include <arpa/inet.h>

#include <string>

#include "core/cidr.hpp"
#include "fuzz_support.hpp"
#include "http/ip_class.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = sluice::fuzz::text(data, size);
  if (auto address = sluice::http::parse_ip_literal(input)) {
    (void)sluice::http::to_string(sluice::http::classify_ip(*address));
    if (address->is_v4() && input.find('\0') == std::string_view::npos) {
      in_addr libc{};
      FUZZ_CHECK(inet_aton(std::string(input).c_str(), &libc) == 1);
      FUZZ_CHECK(ntohl(libc.s_addr) == address->to_v4().to_uint());
    }
    const unsigned bits = address->is_v4() ? 32 : 128;
    FUZZ_CHECK((sluice::core::Cidr{*address, bits}.contains(*address)));
  }
  if (auto cidr = sluice::core::Cidr::parse(input)) {
    FUZZ_CHECK(cidr->prefix <= (cidr->network.is_v4() ? 32u : 128u));
    FUZZ_CHECK(cidr->contains(cidr->network));
  } else {
    FUZZ_CHECK(cidr.error().code == sluice::Errc::invalid_request);
  }
  return 0;
}
