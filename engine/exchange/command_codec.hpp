#pragma once
// The canonical binary form of a command body, for the journal
// (docs/COMMANDS.md "Binary form (journal)").
//
//   u8 kind (= CommandBody::index()), then every field of the body in the order
//   of its field description (command_fields.hpp), each always present:
//   integers and enumerations fixed-width little-endian of their exact type,
//   Decimal = i64 units + i8 scale, string = u8 length + bytes, bool = u8 0/1,
//   optional = u8 presence 0/1 + the value (its default when absent).
//
// Each body has exactly one encoding and each accepted byte string exactly one
// body: decode_body(encode_body(b)) == b, and for every bytes that decode,
// encode_body(decode_body(bytes)) == bytes. Seq and time are not part of the
// body (the journal record carries them).

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/exchange/commands.hpp"

namespace erx::exchange {

// The longest encoding of any body (a create-instrument or change-instrument
// with every string full). A journal reader can refuse a longer body unread.
inline constexpr std::size_t kMaxBodyBytes = 271;

// Appends the canonical bytes of a command body (kind + every field) to out.
void encode_body(const CommandBody& body, std::string& out);

// Decodes exactly `bytes` (no trailing bytes) into a body. On failure returns
// false, leaves `out` holding some body of the kind read (or unchanged when the
// kind itself is bad), and sets *error (when not null) to a message naming the
// command and the field. Never reads outside `bytes`, whatever they hold.
// An enumeration value outside its enumeration is decoded as it is: such a
// command is valid input, rejected by the exchange with invalid-enum.
[[nodiscard]] bool decode_body(std::string_view bytes, CommandBody& out, std::string* error);

}  // namespace erx::exchange
