// The command language (docs/COMMANDS.md). One description per command
// struct (`fields`, command_fields.hpp, shared with the binary codec) drives
// the printer, the key check and the parser, so the three cannot disagree
// about a key's name, order, requiredness or default.

#include "engine/exchange/command_text.hpp"

#include <array>
#include <limits>
#include <type_traits>
#include <utility>
#include <variant>

#include "engine/core/checked.hpp"
#include "engine/core/civil_date.hpp"
#include "engine/exchange/command_fields.hpp"
#include "engine/exchange/names.hpp"
#include "engine/fixed/decimal.hpp"

namespace erx::exchange {
namespace {

// ================================================================ calendar
// Times are nanoseconds since 1970-01-01T00:00Z; dates go through the one
// calendar, engine/core/civil_date.hpp.

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
using civil::kSecondsPerDay;

void append_padded(std::string& out, std::int64_t v, int width) {
  std::array<char, 20> buf{};
  int n = 0;
  do {
    buf[static_cast<std::size_t>(n++)] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  for (int i = n; i < width; ++i) out += '0';
  while (n > 0) out += buf[static_cast<std::size_t>(--n)];
}

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Digits only (the caller checked), small enough not to overflow.
std::int64_t digits_value(std::string_view s) noexcept {
  std::int64_t v = 0;
  for (const char c : s) v = v * 10 + (c - '0');
  return v;
}

enum class TimeError : std::uint8_t { None, Syntax, Range };

TimeError parse_time_into(std::string_view s, Timestamp& out) noexcept {
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
  constexpr std::size_t kBase = 19;
  if (s.size() < kBase + 1 || s.back() != 'Z') return TimeError::Syntax;
  if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return TimeError::Syntax;
  const std::string_view ys = s.substr(0, 4), mos = s.substr(5, 2), ds = s.substr(8, 2), hs = s.substr(11, 2),
                         mis = s.substr(14, 2), ss = s.substr(17, 2);
  if (!all_digits(ys) || !all_digits(mos) || !all_digits(ds) || !all_digits(hs) || !all_digits(mis) ||
      !all_digits(ss))
    return TimeError::Syntax;
  std::int64_t frac = 0;
  const std::string_view rest = s.substr(kBase, s.size() - kBase - 1);
  if (!rest.empty()) {
    const std::string_view fd = rest.substr(1);
    if (rest.front() != '.' || fd.size() > 9 || !all_digits(fd)) return TimeError::Syntax;
    frac = digits_value(fd);
    for (std::size_t i = fd.size(); i < 9; ++i) frac *= 10;
  }
  const std::int64_t y = digits_value(ys), mo = digits_value(mos), d = digits_value(ds);
  const std::int64_t h = digits_value(hs), mi = digits_value(mis), sec = digits_value(ss);
  if (!civil::is_valid(y, mo, d) || h > 23 || mi > 59 || sec > 59) return TimeError::Syntax;
  // |seconds| < 4e11 for years 1..9999: no overflow before the nanoseconds.
  const std::int64_t seconds = civil::days_from_date(y, mo, d) * kSecondsPerDay + h * 3600 + mi * 60 + sec;
  // For a negative time with a fraction, go through (seconds + 1) so that the
  // earliest representable instant does not overflow on the way.
  std::optional<std::int64_t> ns;
  if (seconds < 0 && frac > 0) {
    ns = checked_mul(seconds + 1, kNanosPerSecond);
    if (ns) ns = checked_sub(*ns, kNanosPerSecond - frac);
  } else {
    ns = checked_mul(seconds, kNanosPerSecond);
    if (ns) ns = checked_add(*ns, frac);
  }
  if (!ns) return TimeError::Range;
  out = *ns;
  return TimeError::None;
}

// ================================================================ integers

template <class T>
std::optional<T> parse_integer(std::string_view s) noexcept {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  bool negative = false;
  if constexpr (std::is_signed_v<T>) {
    if (!s.empty() && s.front() == '-') {
      negative = true;
      s.remove_prefix(1);
    }
  }
  if (!all_digits(s)) return std::nullopt;
  // The magnitude of the most negative value is max + 1.
  const std::uint64_t limit = negative ? static_cast<std::uint64_t>(std::numeric_limits<T>::max()) + 1U
                                       : static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  std::uint64_t v = 0;
  for (const char c : s) {
    if (__builtin_mul_overflow(v, 10U, &v)) return std::nullopt;
    if (__builtin_add_overflow(v, static_cast<std::uint64_t>(c - '0'), &v)) return std::nullopt;
    if (v > limit) return std::nullopt;
  }
  if constexpr (std::is_signed_v<T>) {
    if (negative) {
      if (v == 0) return T{0};
      // -(v - 1) - 1 never overflows, even for v = max + 1.
      return static_cast<T>(-static_cast<T>(v - 1U) - T{1});
    }
  }
  return static_cast<T>(v);
}

template <class T>
std::string integer_range_text() {
  return "[" + std::to_string(static_cast<std::int64_t>(std::numeric_limits<T>::min())) + ", " +
         std::to_string(static_cast<std::uint64_t>(std::numeric_limits<T>::max())) + "]";
}

// ================================================================ fields
// The field descriptions (command_fields.hpp) name each key once; three
// visitors walk them:
//   Printer      writes " key=value" (optional keys only when not at default)
//   KeyCollector lists the keys (to report unknown ones before anything else)
//   FieldParser  reads the values from the line's key=value pairs
// All three skip in_verb fields: the verb carries those (see kVerbs).

using detail::DateField;
using detail::fields;
using detail::IsFixedString;
using detail::ref;
using detail::TimeField;

// ---------------------------------------------------------------- printing values

void append_value(std::string& out, std::uint32_t v) { out += std::to_string(v); }
void append_value(std::string& out, std::int32_t v) { out += std::to_string(v); }
void append_value(std::string& out, std::int8_t v) { out += std::to_string(static_cast<int>(v)); }
void append_value(std::string& out, bool v) { out += v ? "true" : "false"; }
void append_value(std::string& out, const Decimal& v) { out += format_decimal(v); }
void append_value(std::string& out, const TimeField& v) { out += format_timestamp(v.v); }
void append_value(std::string& out, const DateField& v) { out += format_date(v.v); }
template <std::size_t N>
void append_value(std::string& out, const FixedString<N>& v) {
  out += format_string(v.view());
}
// A value outside its enumeration prints as its number (see docs: such
// commands exist only to be rejected with invalid-enum).
template <class E>
  requires std::is_enum_v<E>
void append_value(std::string& out, E v) {
  if (has_name(v))
    out += to_string(v);
  else
    out += std::to_string(static_cast<unsigned>(static_cast<std::underlying_type_t<E>>(v)));
}

class Printer {
 public:
  explicit Printer(std::string& out) : out_(out) {}
  template <class F>
  void req(std::string_view key, F&& f) {
    out_ += ' ';
    out_ += key;
    out_ += '=';
    append_value(out_, f);
  }
  template <class F, class D>
  void opt(std::string_view key, F&& f, const D& def) {
    if (!(ref(f) == def)) req(key, f);
  }
  template <class F, class D>
  void req_if(bool required, std::string_view key, F&& f, const D& def) {
    if (required)
      req(key, f);
    else
      opt(key, f, def);
  }
  template <class T>
  void maybe(std::string_view key, const std::optional<T>& f) {
    if (f) req(key, *f);
  }
  void in_verb(std::string_view, bool) {}

 private:
  std::string& out_;
};

class KeyCollector {
 public:
  template <class F>
  void req(std::string_view key, F&&) {
    keys.push_back(key);
  }
  template <class F, class D>
  void opt(std::string_view key, F&&, const D&) {
    keys.push_back(key);
  }
  template <class F, class D>
  void req_if(bool, std::string_view key, F&&, const D&) {
    keys.push_back(key);
  }
  template <class T>
  void maybe(std::string_view key, const std::optional<T>&) {
    keys.push_back(key);
  }
  void in_verb(std::string_view, bool) {}
  std::vector<std::string_view> keys;
};

// ---------------------------------------------------------------- parsing values
// Each returns "" on success, else what is wrong with the value.

std::string quote_for_message(std::string_view s) {
  constexpr std::size_t kMax = 40;
  if (s.size() > kMax) return "'" + std::string(s.substr(0, kMax)) + "...'";
  return "'" + std::string(s) + "'";
}

template <class T>
  requires std::is_integral_v<T>
std::string parse_value(std::string_view text, T& out) {
  if constexpr (std::is_same_v<T, bool>) {
    if (text == "true") {
      out = true;
    } else if (text == "false") {
      out = false;
    } else {
      return "expected true or false, got " + quote_for_message(text);
    }
    return {};
  } else {
    const std::optional<T> v = parse_integer<T>(text);
    if (!v) return "expected an integer in " + integer_range_text<T>() + ", got " + quote_for_message(text);
    out = *v;
    return {};
  }
}

std::string parse_value(std::string_view text, Decimal& out);
std::string parse_value(std::string_view text, TimeField out);
std::string parse_value(std::string_view text, DateField out);

template <class E>
  requires std::is_enum_v<E>
std::string parse_value(std::string_view text, E& out) {
  using U = std::underlying_type_t<E>;
  if (parse_name(text, out)) return {};
  // A number is accepted only for a value that has no name, so that each
  // value has exactly one spelling.
  if (const std::optional<U> n = parse_integer<U>(text); n && !has_name(static_cast<E>(*n))) {
    out = static_cast<E>(*n);
    return {};
  }
  std::string names;
  for (std::uint32_t i = 0; i <= std::numeric_limits<U>::max(); ++i) {
    const auto v = static_cast<E>(static_cast<U>(i));
    if (!has_name(v)) continue;
    if (!names.empty()) names += ", ";
    names += to_string(v);
  }
  return "expected one of " + names + ", got " + quote_for_message(text);
}

std::string parse_value(std::string_view text, Decimal& out) {
  const std::size_t point = text.find('.');
  if (point != std::string_view::npos && text.size() - point - 1 > static_cast<std::size_t>(kMaxScale) &&
      all_digits(text.substr(point + 1)))
    return "more than " + std::to_string(kMaxScale) + " fractional digits in " + quote_for_message(text);
  const std::optional<Decimal> d = parse_decimal(text);
  if (!d) {
    const std::size_t frac = point == std::string_view::npos ? 0 : text.size() - point - 1;
    if (frac <= static_cast<std::size_t>(kMaxScale) &&
        parse_fixed(text, static_cast<int>(frac)).error == DecimalError::Overflow)
      return "does not fit a 64-bit integer: " + quote_for_message(text);
    return "expected a decimal (digits, optionally '-' and a '.' with digits after), got " +
           quote_for_message(text);
  }
  out = *d;
  return {};
}

std::string parse_value(std::string_view text, TimeField out) {
  switch (parse_time_into(text, out.v)) {
    case TimeError::None: return {};
    case TimeError::Range: return "time out of range (1677-09-21 .. 2262-04-11): " + quote_for_message(text);
    case TimeError::Syntax: break;
  }
  return "expected a UTC time YYYY-MM-DDTHH:MM:SS[.fraction]Z, got " + quote_for_message(text);
}

std::string parse_value(std::string_view text, DateField out) {
  if (const std::optional<BusinessDate> d = parse_date(text)) {
    out.v = *d;
    return {};
  }
  // The plain-integer form is how a value that is not a date prints.
  if (const std::optional<BusinessDate> n = parse_integer<BusinessDate>(text); n && !is_calendar_date(*n)) {
    out.v = *n;
    return {};
  }
  return "expected a date YYYY-MM-DD, got " + quote_for_message(text);
}

// ---------------------------------------------------------------- tokens

struct Token {
  std::size_t column = 0;  // 1-based
  bool pair = false;       // key=value
  bool quoted = false;     // the value was a quoted string
  std::string key;         // pair only
  std::string text;        // the word, or the (unescaped) value
};

struct LineError {
  std::size_t column = 0;
  std::string message;
};

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits a line into words and key=value pairs; stops at a '#' that starts a token.
std::optional<LineError> tokenize(std::string_view line, std::vector<Token>& tokens) {
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (true) {
    while (i < n && is_blank(line[i])) ++i;
    if (i == n || line[i] == '#') return std::nullopt;
    Token t;
    t.column = i + 1;
    const std::size_t start = i;
    while (i < n && !is_blank(line[i]) && line[i] != '=') {
      if (line[i] == '"') return LineError{i + 1, "unexpected '\"' (only a value after '=' may be quoted)"};
      if (line[i] == '#') return LineError{i + 1, "unexpected '#' inside a word"};
      ++i;
    }
    if (i == n || line[i] != '=') {
      t.text = std::string(line.substr(start, i - start));
      tokens.push_back(std::move(t));
      continue;
    }
    t.pair = true;
    t.key = std::string(line.substr(start, i - start));
    if (t.key.empty()) return LineError{t.column, "missing key before '='"};
    ++i;  // '='
    if (i < n && line[i] == '"') {
      t.quoted = true;
      const std::size_t open = i;
      ++i;
      bool closed = false;
      while (i < n) {
        const char c = line[i];
        if (c == '"') {
          closed = true;
          ++i;
          break;
        }
        if (c != '\\') {
          t.text += c;
          ++i;
          continue;
        }
        if (i + 1 >= n) break;
        const char e = line[i + 1];
        if (e == '"' || e == '\\') {
          t.text += e;
          i += 2;
        } else if (e == 'x' && i + 3 < n && hex_value(line[i + 2]) >= 0 && hex_value(line[i + 3]) >= 0) {
          t.text += static_cast<char>(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3]));
          i += 4;
        } else {
          return LineError{i + 1, "bad escape in a quoted value (use \\\", \\\\ or \\xHH)"};
        }
      }
      if (!closed) return LineError{open + 1, "unterminated quoted value for key " + t.key};
      if (i < n && !is_blank(line[i]))
        return LineError{i + 1, "expected a space after the closing '\"' of key " + t.key};
    } else {
      const std::size_t vstart = i;
      while (i < n && !is_blank(line[i])) {
        const char c = line[i];
        if (c == '=' || c == '"' || c == '#')
          return LineError{i + 1, std::string("'") + c + "' in the value of key " + t.key + " (quote the value)"};
        ++i;
      }
      t.text = std::string(line.substr(vstart, i - vstart));
    }
    tokens.push_back(std::move(t));
  }
}

// ---------------------------------------------------------------- the fields of one body

class FieldParser {
 public:
  FieldParser(std::string_view verb, const std::vector<Token>& pairs, std::size_t verb_column)
      : verb_(verb), pairs_(pairs), verb_column_(verb_column) {}

  template <class F>
  void req(std::string_view key, F&& f) {
    if (error) return;
    const Token* t = find(key);
    if (t == nullptr) {
      fail(verb_column_, "missing key " + std::string(key));
      return;
    }
    read(*t, key, f);
  }
  template <class F, class D>
  void opt(std::string_view key, F&& f, const D& def) {
    if (error) return;
    const Token* t = find(key);
    if (t == nullptr) {
      ref(f) = def;
      return;
    }
    read(*t, key, f);
  }
  template <class F, class D>
  void req_if(bool required, std::string_view key, F&& f, const D& def) {
    if (required)
      req(key, f);
    else
      opt(key, f, def);
  }
  template <class T>
  void maybe(std::string_view key, std::optional<T>& f) {
    if (error) return;
    const Token* t = find(key);
    if (t == nullptr) {
      f.reset();
      return;
    }
    T v{};
    read(*t, key, v);
    if (!error) f = v;
  }
  void in_verb(std::string_view, bool) {}  // parse_body sets it from the verb

  std::optional<LineError> error;

 private:
  const Token* find(std::string_view key) const {
    for (const Token& t : pairs_)
      if (t.key == key) return &t;
    return nullptr;
  }
  void fail(std::size_t column, std::string message) {
    error = LineError{column, std::string(verb_) + ": " + std::move(message)};
  }
  template <class F>
  void read(const Token& t, std::string_view key, F&& f) {
    using T = std::remove_cvref_t<F>;
    if constexpr (IsFixedString<T>::value) {
      if (!f.assign(t.text))
        fail(t.column, std::string(key) + " is too long: " + std::to_string(t.text.size()) + " bytes, at most " +
                           std::to_string(T::kCapacity));
    } else {
      std::string problem = parse_value(t.text, f);
      if (!problem.empty()) fail(t.column, "bad value for " + std::string(key) + ": " + std::move(problem));
    }
  }

  std::string_view verb_;
  const std::vector<Token>& pairs_;
  std::size_t verb_column_;
};

template <class Body>
std::optional<LineError> parse_fields(std::string_view verb, std::size_t verb_column, const std::vector<Token>& pairs,
                                      Body& body) {
  KeyCollector known;
  Body probe{};
  fields(known, probe);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Token& t = pairs[i];
    if (!t.pair) return LineError{t.column, std::string(verb) + ": expected key=value, got " + quote_for_message(t.text)};
    bool is_known = false;
    for (const std::string_view k : known.keys) is_known = is_known || k == t.key;
    if (!is_known) return LineError{t.column, std::string(verb) + ": unknown key " + t.key};
    for (std::size_t j = 0; j < i; ++j)
      if (pairs[j].key == t.key) return LineError{t.column, std::string(verb) + ": duplicate key " + t.key};
    if (t.text.empty() && !t.quoted)
      return LineError{t.column, std::string(verb) + ": missing value for key " + t.key};
  }
  FieldParser parser(verb, pairs, verb_column);
  fields(parser, body);
  return parser.error;
}

// ---------------------------------------------------------------- verbs

template <class T, std::size_t I = 0>
constexpr std::size_t index_of() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, CommandBody>, T>)
    return I;
  else
    return index_of<T, I + 1>();
}

struct VerbEntry {
  std::string_view verb;
  std::size_t index = 0;
  bool freeze = false;  // Freeze only: hold (true) or release (false)
};

constexpr std::array<VerbEntry, 23> kVerbs{{
    {"create-member", index_of<CreateMember>(), false},
    {"set-member-restricted", index_of<SetMemberRestricted>(), false},
    {"create-account", index_of<CreateAccount>(), false},
    {"set-account-restricted", index_of<SetAccountRestricted>(), false},
    {"create-operator", index_of<CreateOperator>(), false},
    {"set-operator", index_of<SetOperator>(), false},
    {"create-instrument", index_of<CreateInstrument>(), false},
    {"change-instrument", index_of<ChangeInstrument>(), false},
    {"set-fees", index_of<SetFees>(), false},
    {"deposit", index_of<Deposit>(), false},
    {"withdraw", index_of<Withdraw>(), false},
    {"issue", index_of<IssueRights>(), false},
    {"move-rights", index_of<MoveRights>(), false},
    {"hold", index_of<Freeze>(), true},
    {"release", index_of<Freeze>(), false},
    {"open-day", index_of<OpenDay>(), false},
    {"close-day", index_of<CloseDay>(), false},
    {"set-session", index_of<SetSession>(), false},
    {"order", index_of<NewOrder>(), false},
    {"cancel", index_of<CancelOrder>(), false},
    {"modify", index_of<ModifyOrder>(), false},
    {"mass-cancel", index_of<MassCancel>(), false},
    {"timer", index_of<Timer>(), false},
}};
static_assert(std::variant_size_v<CommandBody> == kVerbs.size() - 1, "every command kind needs a verb");

const VerbEntry* find_verb(std::string_view word) noexcept {
  for (const VerbEntry& e : kVerbs)
    if (e.verb == word) return &e;
  return nullptr;
}

template <std::size_t I = 0>
std::optional<LineError> parse_body(const VerbEntry& entry, std::size_t verb_column, const std::vector<Token>& pairs,
                                    CommandBody& out) {
  if constexpr (I == std::variant_size_v<CommandBody>) {
    return LineError{verb_column, "internal: no command kind for verb " + std::string(entry.verb)};
  } else {
    if (entry.index != I) return parse_body<I + 1>(entry, verb_column, pairs, out);
    std::variant_alternative_t<I, CommandBody> body{};
    std::optional<LineError> err = parse_fields(entry.verb, verb_column, pairs, body);
    if constexpr (std::is_same_v<decltype(body), Freeze>) body.freeze = entry.freeze;
    out.template emplace<I>(std::move(body));
    return err;
  }
}

// ---------------------------------------------------------------- lines

struct Line {
  enum class Kind : std::uint8_t { Blank, At, Command } kind = Kind::Blank;
  bool has_prefix = false;  // "<seq> <time>" written
  bool prefix_ok = false;   // ... and both parsed
  Seq seq = 0;
  Timestamp time = 0;
  std::size_t seq_column = 0;
  std::size_t time_column = 0;
  CommandBody body;
  std::optional<LineError> error;
};

Line read_line(std::string_view text) {
  Line line;
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  std::vector<Token> tokens;
  if (std::optional<LineError> e = tokenize(text, tokens)) {
    line.kind = Line::Kind::Command;
    line.error = std::move(e);
    return line;
  }
  if (tokens.empty()) return line;
  line.kind = Line::Kind::Command;
  std::size_t next = 0;
  const Token& first = tokens[0];

  if (!first.pair && first.text == "at") {
    line.kind = Line::Kind::At;
    if (tokens.size() < 2 || tokens[1].pair) {
      line.error = LineError{first.column, "at: expected a time"};
      return line;
    }
    if (tokens.size() > 2) {
      line.error = LineError{tokens[2].column, "at: unexpected " + quote_for_message(tokens[2].pair ? tokens[2].key + "=" : tokens[2].text)};
      return line;
    }
    line.time_column = tokens[1].column;
    if (std::string problem = parse_value(tokens[1].text, TimeField{line.time}); !problem.empty())
      line.error = LineError{tokens[1].column, "at: " + problem};
    return line;
  }

  if (!first.pair && all_digits(first.text)) {
    line.has_prefix = true;
    line.seq_column = first.column;
    const std::optional<Seq> seq = parse_integer<Seq>(first.text);
    if (!seq) {
      line.error = LineError{first.column, "seq out of range: " + quote_for_message(first.text)};
      return line;
    }
    line.seq = *seq;
    if (tokens.size() < 2 || tokens[1].pair) {
      line.error = LineError{first.column, "expected a time after the seq"};
      return line;
    }
    line.time_column = tokens[1].column;
    if (std::string problem = parse_value(tokens[1].text, TimeField{line.time}); !problem.empty()) {
      line.error = LineError{tokens[1].column, "bad time: " + problem};
      return line;
    }
    line.prefix_ok = true;
    next = 2;
  }

  if (next >= tokens.size()) {
    line.error = LineError{tokens.back().column, "expected a command after the time"};
    return line;
  }
  const Token& verb_token = tokens[next];
  if (verb_token.pair) {
    line.error = LineError{verb_token.column, "expected a command, got " + quote_for_message(verb_token.key + "=")};
    return line;
  }
  const VerbEntry* entry = find_verb(verb_token.text);
  if (entry == nullptr) {
    line.error = LineError{verb_token.column, "unknown command " + quote_for_message(verb_token.text)};
    return line;
  }
  const std::vector<Token> pairs(tokens.begin() + static_cast<std::ptrdiff_t>(next + 1), tokens.end());
  line.error = parse_body(*entry, verb_token.column, pairs, line.body);
  return line;
}

ParseError make_error(std::size_t line_number, LineError e) {
  return ParseError{line_number, e.column, std::move(e.message)};
}

}  // namespace

// ================================================================ values

std::string format_timestamp(Timestamp t) {
  std::int64_t seconds = t / kNanosPerSecond;
  std::int64_t nanos = t % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    --seconds;
  }
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t sod = seconds % kSecondsPerDay;
  if (sod < 0) {
    sod += kSecondsPerDay;
    --days;
  }
  const civil::Date c = civil::date_from_days(days);
  std::string out;
  out.reserve(32);
  append_padded(out, c.year, 4);
  out += '-';
  append_padded(out, c.month, 2);
  out += '-';
  append_padded(out, c.day, 2);
  out += 'T';
  append_padded(out, sod / 3600, 2);
  out += ':';
  append_padded(out, sod / 60 % 60, 2);
  out += ':';
  append_padded(out, sod % 60, 2);
  if (nanos != 0) {
    out += '.';
    if (nanos % 1'000'000 == 0)
      append_padded(out, nanos / 1'000'000, 3);
    else if (nanos % 1'000 == 0)
      append_padded(out, nanos / 1'000, 6);
    else
      append_padded(out, nanos, 9);
  }
  out += 'Z';
  return out;
}

std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept {
  Timestamp t = 0;
  if (parse_time_into(text, t) != TimeError::None) return std::nullopt;
  return t;
}

bool is_calendar_date(BusinessDate d) noexcept {
  if (d <= 0) return false;
  return civil::is_valid(d / 10'000, d / 100 % 100, d % 100);
}

std::string format_date(BusinessDate d) {
  if (!is_calendar_date(d)) return std::to_string(d);
  std::string out;
  append_padded(out, d / 10'000, 4);
  out += '-';
  append_padded(out, d / 100 % 100, 2);
  out += '-';
  append_padded(out, d % 100, 2);
  return out;
}

std::optional<BusinessDate> parse_date(std::string_view s) noexcept {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const std::string_view ys = s.substr(0, 4), ms = s.substr(5, 2), ds = s.substr(8, 2);
  if (!all_digits(ys) || !all_digits(ms) || !all_digits(ds)) return std::nullopt;
  const std::int64_t y = digits_value(ys), m = digits_value(ms), d = digits_value(ds);
  if (!civil::is_valid(y, m, d)) return std::nullopt;
  return static_cast<BusinessDate>(y * 10'000 + m * 100 + d);
}

std::string format_decimal(const Decimal& d) {
  if (d.scale >= 0 && d.scale <= kMaxScale) return format_fixed(d.units, d.scale);
  return std::to_string(d.units) + "e" + std::to_string(-static_cast<int>(d.scale));
}

std::optional<Decimal> parse_decimal(std::string_view text) noexcept {
  const std::size_t point = text.find('.');
  const std::size_t frac = point == std::string_view::npos ? 0 : text.size() - point - 1;
  if (frac > static_cast<std::size_t>(kMaxScale)) return std::nullopt;
  const ParsedInt64 v = parse_fixed(text, static_cast<int>(frac));
  if (!v.ok()) return std::nullopt;
  return Decimal{v.value, static_cast<std::int8_t>(frac)};
}

std::string format_string(std::string_view s) {
  bool bare = !s.empty();
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '=' || c == '"' || c == '#') bare = false;
  }
  if (bare) return std::string(s);
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7F) {
      out += "\\x";
      out += kHex[static_cast<std::size_t>(u >> 4U)];
      out += kHex[static_cast<std::size_t>(u & 0x0FU)];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

// ================================================================ commands

std::string_view verb(const CommandBody& body) noexcept {
  if (const auto* f = std::get_if<Freeze>(&body)) return f->freeze ? "hold" : "release";
  for (const VerbEntry& e : kVerbs)
    if (e.index == body.index()) return e.verb;
  return "?";
}

std::string_view command_name(std::size_t index) noexcept {
  if (index == index_of<Freeze>()) return "hold-release";
  for (const VerbEntry& e : kVerbs)
    if (e.index == index) return e.verb;
  return "?";
}

const std::vector<std::string_view>& all_verbs() {
  static const std::vector<std::string_view> verbs = [] {
    std::vector<std::string_view> v;
    for (const VerbEntry& e : kVerbs) v.push_back(e.verb);
    return v;
  }();
  return verbs;
}

std::string print_fields(const CommandBody& body) {
  std::string out;
  Printer printer(out);
  std::visit(
      [&](const auto& b) {
        auto copy = b;  // the field description takes non-const references
        fields(printer, copy);
      },
      body);
  return out;
}

std::string print_body(const CommandBody& body) {
  std::string out(verb(body));
  out += print_fields(body);
  return out;
}

std::string print(const Command& c) {
  std::string out = std::to_string(c.seq);
  out += ' ';
  out += format_timestamp(c.time);
  out += ' ';
  out += print_body(c.body);
  return out;
}

std::string to_string(const ParseError& e) { return "line " + std::to_string(e.line) + ": " + e.message; }

ParsedCommand parse_command(std::string_view text, std::size_t line_number) {
  ParsedCommand result;
  Line line = read_line(text);
  if (line.kind == Line::Kind::Blank) {
    result.error = ParseError{line_number, 0, "empty line: expected '<seq> <time> <command> key=value ...'"};
    return result;
  }
  if (line.kind == Line::Kind::At) {
    result.error = ParseError{line_number, 1, "'at' is a script directive: expected '<seq> <time> <command> ...'"};
    return result;
  }
  if (line.error) {
    result.error = make_error(line_number, std::move(*line.error));
    return result;
  }
  if (!line.has_prefix) {
    result.error = ParseError{line_number, 1, "expected '<seq> <time>' before the command"};
    return result;
  }
  result.command = Command{line.seq, line.time, std::move(line.body)};
  return result;
}

ParsedScript parse_script(std::string_view text) {
  ParsedScript script;
  Seq last_seq = 0;
  std::optional<Timestamp> clock;  // the script clock: last `at` or last command time
  std::size_t line_number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(pos, end - pos);
    ++line_number;
    pos = end + 1;

    Line line = read_line(raw);
    std::optional<ParseError> error;
    if (line.kind == Line::Kind::Blank) continue;

    if (line.kind == Line::Kind::At) {
      if (line.error) {
        error = make_error(line_number, std::move(*line.error));
      } else if (clock && line.time < *clock) {
        error = ParseError{line_number, line.time_column,
                           "at: time " + format_timestamp(line.time) + " is before the script clock " +
                               format_timestamp(*clock)};
      } else {
        clock = line.time;
      }
      if (error) script.errors.push_back(std::move(*error));
      continue;
    }

    // A command line. Sequencing is checked (and the numbering carried on)
    // even when the rest of the line is wrong, so that one bad line does not
    // make every later line wrong too.
    Seq seq = 0;
    Timestamp time = 0;
    if (line.has_prefix) {
      if (line.prefix_ok) {
        seq = line.seq;
        time = line.time;
        if (last_seq == std::numeric_limits<Seq>::max() || seq != last_seq + 1) {
          error = ParseError{line_number, line.seq_column,
                             "seq " + std::to_string(seq) + " does not follow the previous seq " +
                                 std::to_string(last_seq) + " (expected " +
                                 (last_seq == std::numeric_limits<Seq>::max() ? std::string("none")
                                                                              : std::to_string(last_seq + 1)) +
                                 ")"};
        } else if (clock && time < *clock) {
          error = ParseError{line_number, line.time_column,
                             "time " + format_timestamp(time) + " is before the previous time " +
                                 format_timestamp(*clock)};
        }
        last_seq = seq;
        if (!clock || time > *clock) clock = time;
      } else {
        ++last_seq;
      }
    } else {
      if (last_seq == std::numeric_limits<Seq>::max()) {
        error = ParseError{line_number, 1, "seq out of range"};
      } else if (!clock) {
        error = ParseError{line_number, 1,
                           "no time set (write 'at <time>' before this line, or '<seq> <time>' at its start)"};
      }
      ++last_seq;
      seq = last_seq;
      time = clock.value_or(0);
    }
    if (line.error && (!error || line.error->column <= error->column))
      error = make_error(line_number, std::move(*line.error));
    if (error) {
      script.errors.push_back(std::move(*error));
      continue;
    }
    script.commands.push_back(Command{seq, time, std::move(line.body)});
    script.lines.push_back(line_number);
  }
  return script;
}

}  // namespace erx::exchange
