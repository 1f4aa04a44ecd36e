#include "core/no_proxy.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>

#include "core/strings.hpp"

namespace sluice::core {
namespace {

Error bad_entry(std::string_view text, std::string_view why) {
  return make_error(Errc::invalid_request, "entry '" + std::string(text) + "' " + std::string(why));
}

// "443" for "443" or "0443"; nullopt for anything but a port number 1..65535.
std::optional<std::string> normalized_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > 65535)
    return std::nullopt;
  return std::to_string(value);
}

bool is_domain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

std::optional<boost::asio::ip::address> ip_literal(std::string_view text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return address;
}

}  // namespace

std::vector<std::string> split_no_proxy(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

Result<NoProxyList::Entry> NoProxyList::parse_entry(std::string_view text) {
  Entry entry;
  entry.text = std::string(text);
  if (text == "*") {
    entry.everything = true;
    return entry;
  }
  if (text.find('/') != std::string_view::npos) {  // a range, never with a port
    auto range = Cidr::parse(text);
    if (!range) return bad_entry(text, "is not a CIDR range such as 10.0.0.0/8 or fd00::/8");
    entry.addresses = *range;
    return entry;
  }
  std::string_view host = text;
  std::string_view port;
  bool has_port = false;
  if (text.starts_with('[')) {  // [v6] or [v6]:port
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos)
      return bad_entry(text, "lacks the ']' of its IPv6 address");
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return bad_entry(text, "has text after its IPv6 address");
      port = rest.substr(1);
      has_port = true;
    }
    if (!ip_literal(host) || host.find(':') == std::string_view::npos)
      return bad_entry(text, "has no IPv6 address between its brackets");
  } else if (const std::size_t colon = text.find(':'); colon != std::string_view::npos) {
    if (text.find(':', colon + 1) == std::string_view::npos) {  // host:port
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      has_port = true;
    }  // else a bare IPv6 address
  }
  if (has_port) {
    auto normalized = normalized_port(port);
    if (!normalized) return bad_entry(text, "has a port outside 1 to 65535");
    entry.port = std::move(*normalized);
  }
  if (ip_literal(host)) {
    auto address = Cidr::parse(host);
    if (!address) return address.error();
    entry.addresses = *address;
    return entry;
  }
  std::string domain = lower(host);
  if (domain.starts_with("*.")) domain.erase(0, 1);
  if (domain.starts_with('.')) domain.erase(0, 1);
  if (domain.ends_with('.')) domain.pop_back();
  bool valid = !domain.empty() && !domain.starts_with('.') && !domain.ends_with('.') &&
               domain.find("..") == std::string::npos;
  for (char c : domain) valid = valid && is_domain_char(c);
  if (!valid)
    return bad_entry(text,
                     "is not a host name, domain (.example.com), IP address, CIDR range or *");
  entry.domain = std::move(domain);
  return entry;
}

Result<NoProxyList> NoProxyList::parse(const std::vector<std::string>& entries) {
  NoProxyList list;
  for (const std::string& raw : entries) {
    const std::string_view text = trim(raw);
    if (text.empty()) continue;
    auto entry = parse_entry(text);
    if (!entry) return entry.error();
    list.entries_.push_back(std::move(*entry));
  }
  return list;
}

Result<NoProxyList> NoProxyList::parse(std::string_view comma_separated) {
  return parse(split_no_proxy(comma_separated));
}

std::optional<std::string> NoProxyList::match(std::string_view host, std::string_view port) const {
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  std::string name = lower(host);
  if (name.ends_with('.')) name.pop_back();
  const auto address = ip_literal(name);
  const std::string normalized = normalized_port(port).value_or(std::string(port));
  for (const Entry& entry : entries_) {
    if (entry.everything) return entry.text;
    if (!entry.port.empty() && entry.port != normalized) continue;
    if (address) {
      if (entry.addresses && entry.addresses->contains(*address)) return entry.text;
      continue;
    }
    if (entry.domain.empty()) continue;
    if (name == entry.domain) return entry.text;
    if (name.size() > entry.domain.size() && name.ends_with(entry.domain) &&
        name[name.size() - entry.domain.size() - 1] == '.')
      return entry.text;
  }
  return std::nullopt;
}

}  // namespace sluice::core
