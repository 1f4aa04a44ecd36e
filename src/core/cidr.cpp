#include "core/cidr.hpp"

#include <charconv>
#include <cstdint>
#include <string>

namespace sluice::core {
namespace ip = boost::asio::ip;

Result<Cidr> Cidr::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  boost::system::error_code ec;
  const ip::address address = ip::make_address(address_text, ec);
  if (ec)
    return make_error(Errc::invalid_request,
                      "'" + std::string(text) + "' is not an address or CIDR range");
  const unsigned max_prefix = address.is_v4() ? 32 : 128;
  unsigned prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    auto [end, parse_ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || parse_ec != std::errc() || end != digits.data() + digits.size() ||
        prefix > max_prefix)
      return make_error(Errc::invalid_request, "'" + std::string(text) +
                                                   "' has a bad prefix length (0 to " +
                                                   std::to_string(max_prefix) + ")");
  }
  return Cidr{address, prefix};
}

bool Cidr::contains(const ip::address& address) const {
  ip::address candidate = address;
  if (network.is_v4() && candidate.is_v6() && candidate.to_v6().is_v4_mapped())
    candidate = ip::make_address_v4(ip::v4_mapped, candidate.to_v6());
  if (network.is_v4() != candidate.is_v4()) return false;
  if (network.is_v4()) {
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    return (candidate.to_v4().to_uint() & mask) == (network.to_v4().to_uint() & mask);
  }
  const auto a = candidate.to_v6().to_bytes();
  const auto b = network.to_v6().to_bytes();
  unsigned bits = prefix;
  for (std::size_t i = 0; i < a.size() && bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
    if ((a[i] & mask) != (b[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

}  // namespace sluice::core
