// The binary form of command bodies (docs/COMMANDS.md "Binary form
// (journal)"). Three visitors walk the field descriptions of
// command_fields.hpp, so the binary form has the text form's fields in the
// text form's order by construction:
//   Sizer   the largest encoding of a body (compile time: the encode buffer)
//   Writer  appends each field's bytes
//   Reader  reads them back, strictly: every byte string has at most one body
// Written for journal replay (>= 1 M records/s): no allocation except for an
// error message, no streams, one length check per field.

#include "engine/exchange/command_codec.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "engine/exchange/command_fields.hpp"
#include "engine/exchange/command_text.hpp"

namespace erx::exchange {
namespace {

using detail::fields;
using detail::IsFixedString;

using Kind = std::uint8_t;
static_assert(std::variant_size_v<CommandBody> <= std::numeric_limits<Kind>::max() + std::size_t{1},
              "the kind is one byte");

// ---------------------------------------------------------------- sizes

// Bytes of one value of type T (strings: at their capacity).
template <class T>
constexpr std::size_t max_size_of() {
  if constexpr (std::is_same_v<T, Decimal>)
    return sizeof(std::int64_t) + sizeof(std::int8_t);
  else if constexpr (IsFixedString<T>::value)
    return 1 + T::kCapacity;
  else if constexpr (std::is_enum_v<T>)
    return sizeof(std::underlying_type_t<T>);
  else
    return sizeof(T);  // integers; bool is one byte
}

class Sizer : public detail::EveryField<Sizer> {
 public:
  template <class T>
  constexpr void value(std::string_view, const T&) {
    bytes += max_size_of<T>();  // bool: one byte
  }
  template <class T>
  constexpr void value(std::string_view, const std::optional<T>&) {
    bytes += 1 + max_size_of<T>();
  }
  std::size_t bytes = 0;
};

template <std::size_t... I>
constexpr std::size_t max_body_size(std::index_sequence<I...>) {
  std::size_t most = 0;
  const auto one = [&most](auto body) {
    Sizer s;
    fields(s, body);
    most = std::max(most, sizeof(Kind) + s.bytes);
  };
  (one(std::variant_alternative_t<I, CommandBody>{}), ...);
  return most;
}
constexpr std::size_t kComputedMax = max_body_size(std::make_index_sequence<std::variant_size_v<CommandBody>>{});
static_assert(kComputedMax == kMaxBodyBytes, "a command grew or shrank: set kMaxBodyBytes to kComputedMax");

// ---------------------------------------------------------------- encoding

// Little-endian on every host. On a little-endian host that is the memory
// layout, and memcpy is one store (GCC 12 does not merge the shift loop).
template <class T>
  requires std::is_integral_v<T>
char* put_int(char* p, T v) noexcept {
  using U = std::make_unsigned_t<T>;
  const auto u = static_cast<U>(v);
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &u, sizeof(U));
  } else {
    for (std::size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<char>(static_cast<unsigned char>(u >> (8 * i)));
  }
  return p + sizeof(T);
}

// Writes into a buffer of kMaxBodyBytes (the Sizer's bound), never past it.
class Writer : public detail::EveryField<Writer> {
 public:
  explicit Writer(char* p) : p_(p) {}

  template <class T>
  void value(std::string_view, const T& f) {
    put(f);
  }
  // Absent: presence 0 and the default value, so an absent optional has one encoding.
  template <class T>
  void value(std::string_view, const std::optional<T>& f) {
    put(f.has_value());
    put(f.value_or(T{}));
  }

  [[nodiscard]] char* end() const noexcept { return p_; }

 private:
  template <class T>
    requires std::is_integral_v<T>
  void put(T v) {
    if constexpr (std::is_same_v<T, bool>)
      p_ = put_int(p_, static_cast<std::uint8_t>(v ? 1 : 0));
    else
      p_ = put_int(p_, v);
  }
  template <class E>
    requires std::is_enum_v<E>
  void put(E v) {
    put(static_cast<std::underlying_type_t<E>>(v));
  }
  void put(const Decimal& d) {
    put(d.units);
    put(d.scale);
  }
  template <std::size_t N>
  void put(const FixedString<N>& s) {
    const std::string_view v = s.view();
    put(static_cast<std::uint8_t>(v.size()));
    std::memcpy(p_, v.data(), v.size());
    p_ += v.size();
  }

  char* p_;
};

// ---------------------------------------------------------------- decoding

template <class T>
  requires std::is_integral_v<T>
T get_int(const unsigned char* p) noexcept {
  using U = std::make_unsigned_t<T>;
  U u = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&u, p, sizeof(U));
  } else {
    for (std::size_t i = 0; i < sizeof(T); ++i) u = static_cast<U>(u | static_cast<U>(static_cast<U>(p[i]) << (8 * i)));
  }
  return static_cast<T>(u);  // two's complement (C++20)
}

// What stopped a Reader, kept as data: the message is built only after a
// failure, so the path that succeeds touches no string (and need() and fail()
// stay small enough to inline into every field).
enum class Problem : std::uint8_t { None, Short, BadBool, BadPresence, AbsentNotDefault, TooLong };

// Reads fields in description order and stops at the first problem.
class Reader : public detail::EveryField<Reader> {
 public:
  Reader(const unsigned char* p, const unsigned char* end) : p_(p), end_(end) {}

  template <class T>
  void value(std::string_view key, T& f) {
    if (!failed()) get(key, f);
  }
  template <class T>
  void value(std::string_view key, std::optional<T>& f) {
    bool present = false;
    if (failed() || !get_flag(key, Problem::BadPresence, present)) return;
    T v{};
    get(key, v);
    if (failed()) return;
    if (present)
      f = v;
    else if (v == T{})
      f.reset();
    else
      fail(key, Problem::AbsentNotDefault);
  }

  [[nodiscard]] bool failed() const noexcept { return problem_ != Problem::None; }
  [[nodiscard]] std::size_t left() const noexcept { return static_cast<std::size_t>(end_ - p_); }
  [[nodiscard]] std::string message() const;

 private:
  void fail(std::string_view key, Problem p, std::size_t a = 0, std::size_t b = 0) noexcept {
    field_ = key;
    problem_ = p;
    a_ = a;
    b_ = b;
  }
  bool need(std::string_view key, std::size_t n) noexcept {
    if (left() >= n) [[likely]]
      return true;
    fail(key, Problem::Short, n, left());
    return false;
  }
  bool get_flag(std::string_view key, Problem bad, bool& out) noexcept {
    if (!need(key, 1)) return false;
    const unsigned char b = *p_++;
    if (b > 1) {
      fail(key, bad, b);
      return false;
    }
    out = b == 1;
    return true;
  }
  template <class T>
    requires std::is_integral_v<T>
  void get(std::string_view key, T& out) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
      get_flag(key, Problem::BadBool, out);
    } else {
      if (!need(key, sizeof(T))) return;
      out = get_int<T>(p_);
      p_ += sizeof(T);
    }
  }
  // Any value of the underlying type is kept: outside the enumeration it is
  // still a command (rejected by the exchange with invalid-enum).
  template <class E>
    requires std::is_enum_v<E>
  void get(std::string_view key, E& out) noexcept {
    std::underlying_type_t<E> v{};
    get(key, v);
    if (!failed()) out = static_cast<E>(v);
  }
  void get(std::string_view key, Decimal& out) noexcept {
    if (!need(key, sizeof(out.units) + sizeof(out.scale))) return;
    out.units = get_int<std::int64_t>(p_);
    out.scale = get_int<std::int8_t>(p_ + sizeof(out.units));
    p_ += sizeof(out.units) + sizeof(out.scale);
  }
  template <std::size_t N>
  void get(std::string_view key, FixedString<N>& out) noexcept {
    if (!need(key, 1)) return;
    const std::size_t n = *p_;
    if (n > N) {
      fail(key, Problem::TooLong, n, N);
      return;
    }
    if (!need(key, 1 + n)) return;
    const bool fits = out.assign(std::string_view(reinterpret_cast<const char*>(p_ + 1), n));
    (void)fits;  // n <= N was checked above
    p_ += 1 + n;
  }

  const unsigned char* p_;
  const unsigned char* end_;
  Problem problem_ = Problem::None;
  std::string_view field_;
  std::size_t a_ = 0;  // the numbers the message quotes
  std::size_t b_ = 0;
};

std::string Reader::message() const {
  const std::string field = "field " + std::string(field_) + ": ";
  const std::string a = std::to_string(a_), b = std::to_string(b_);
  switch (problem_) {
    case Problem::None: break;
    case Problem::Short: return field + "input ends inside it (needs " + a + " bytes, " + b + " left)";
    case Problem::BadBool: return field + "bool byte is " + a + " (must be 0 or 1)";
    case Problem::BadPresence: return field + "presence byte is " + a + " (must be 0 or 1)";
    case Problem::AbsentNotDefault:
      return field + "absent but its value bytes are not the default (absent must be encoded as 0 then 0)";
    case Problem::TooLong: return field + "length " + a + " is over its capacity " + b;
  }
  return field + "no problem";
}

using DecodeFn = void (*)(Reader&, CommandBody&);

template <std::size_t I>
void decode_kind(Reader& r, CommandBody& out) {
  fields(r, out.emplace<I>());
}

template <std::size_t... I>
constexpr std::array<DecodeFn, sizeof...(I)> decoders(std::index_sequence<I...>) {
  return {&decode_kind<I>...};
}
constexpr auto kDecoders = decoders(std::make_index_sequence<std::variant_size_v<CommandBody>>{});

void set_error(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
}

}  // namespace

void encode_body(const CommandBody& body, std::string& out) {
  std::array<char, kMaxBodyBytes> buf;  // filled before it is read: no need to zero it
  char* const start = buf.data();
  *start = static_cast<char>(static_cast<Kind>(body.index()));
  Writer w(start + 1);
  // The descriptions take non-const references (the parsers fill them);
  // the Writer only reads, so the const_cast never leads to a write.
  std::visit([&w](const auto& b) { fields(w, const_cast<std::remove_cvref_t<decltype(b)>&>(b)); }, body);
  out.append(start, static_cast<std::size_t>(w.end() - start));
}

bool decode_body(std::string_view bytes, CommandBody& out, std::string* error) {
  if (bytes.empty()) {
    set_error(error, "empty input: no command kind");
    return false;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t kind = *p;
  if (kind >= kDecoders.size()) {
    set_error(error, "unknown command kind " + std::to_string(kind) + " (known: 0.." +
                         std::to_string(kDecoders.size() - 1) + ")");
    return false;
  }
  Reader r(p + 1, p + bytes.size());
  kDecoders[kind](r, out);
  if (r.failed()) {
    set_error(error, std::string(command_name(kind)) + ": " + r.message());
    return false;
  }
  if (r.left() != 0) {
    set_error(error, std::string(command_name(kind)) + ": trailing bytes after the last field (" +
                         std::to_string(r.left()) + ")");
    return false;
  }
  return true;
}

}  // namespace erx::exchange
