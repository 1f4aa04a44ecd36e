#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::auth {

// Decodes unpadded base64url (RFC 4648 section 5), as JWS segments and JWK members use it.
// Empty when `text` has a character outside the alphabet, padding, a length that no encoding
// has (n % 4 == 1), or non-zero bits left over in its last character (a second spelling).
std::optional<std::string> decode_base64url(std::string_view text);

// Encodes unpadded base64url: decode_base64url's inverse.
std::string encode_base64url(std::string_view bytes);

// True for a non-empty run of base64url characters.
bool is_base64url(std::string_view text);

}  // namespace sluice::auth
