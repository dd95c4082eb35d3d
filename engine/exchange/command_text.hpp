#pragma once
// The command language: one command per line of plain text.
//
//   <seq> <time> <verb> key=value key=value ...
//   42 2026-01-05T01:30:00Z order account=7 clord_id=A1 symbol=CEA25 side=buy price=58.20 qty=1000
//
// The grammar, every verb and its keys are specified in docs/COMMANDS.md.
// print() writes the canonical line (keys in a fixed order, optional keys at
// their default omitted); parse_command() reads any line of the grammar (keys
// in any order). For every Command c: parse_command(print(c)) == c, and for
// every canonical line l: print(parse_command(l)) == l.
//
// parse_script() reads a whole script: blank lines and '#' comments are
// ignored, `at <time>` sets the script clock, and a command line may leave
// out `<seq> <time>` (then seq = previous + 1, time = the script clock).
//
// No clock, locale or timezone is consulted: times are converted with our own
// civil-date arithmetic (UTC only).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/exchange/commands.hpp"

namespace erx::exchange {

// ---------------------------------------------------------------- values

// Nanoseconds since the epoch as ISO-8601 UTC: "2026-01-05T01:30:00Z". A
// non-zero fraction prints with 3, 6 or 9 digits, the fewest that are exact
// ("…:00.250Z", "…:00.000001Z", "…:00.000000001Z"). Defined for every int64
// (1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z).
[[nodiscard]] std::string format_timestamp(Timestamp t);
// "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z", a real calendar date and time (no leap
// second), within the int64 range. nullopt otherwise.
[[nodiscard]] std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept;

// yyyymmdd is a real date of the proleptic Gregorian calendar, years 1..9999.
[[nodiscard]] bool is_calendar_date(BusinessDate d) noexcept;
// "2026-01-05" for a calendar date; any other value (never one the exchange
// accepts) prints as its plain integer, so that every value round-trips.
[[nodiscard]] std::string format_date(BusinessDate d);
// "YYYY-MM-DD" that is a calendar date -> yyyymmdd; nullopt otherwise.
[[nodiscard]] std::optional<BusinessDate> parse_date(std::string_view text) noexcept;

// A Decimal exactly as stored: {38900, 2} -> "389.00", {5, 0} -> "5",
// {-5, 1} -> "-0.5". A scale outside 0..18 (never valid) prints as
// "<units>e<-scale>", which the parser refuses.
[[nodiscard]] std::string format_decimal(const Decimal& d);
// "[+-]digits[.digits]" with at most 18 fractional digits: the scale is the
// number of digits written ("0.050" -> {50, 3}); nullopt when it is not a
// decimal or does not fit int64.
[[nodiscard]] std::optional<Decimal> parse_decimal(std::string_view text) noexcept;

// A string value: bare when it is non-empty and holds no space, control
// character, '=', '"' or '#'; otherwise double-quoted with \" \\ and \xHH
// (for control bytes) escapes. Other bytes (UTF-8) are written as they are.
[[nodiscard]] std::string format_string(std::string_view s);

// ---------------------------------------------------------------- commands

// The verb of a command ("order"; a Freeze is "hold" or "release").
[[nodiscard]] std::string_view verb(const CommandBody& body) noexcept;
// The name of a command kind by its CommandBody index, as CommandRejected
// events name it: the verb, or "hold-release" for Freeze; "?" if out of range.
[[nodiscard]] std::string_view command_name(std::size_t index) noexcept;
// Every verb of the language, in CommandBody order.
[[nodiscard]] const std::vector<std::string_view>& all_verbs();

// The canonical line, without a trailing newline.
[[nodiscard]] std::string print(const Command& c);
// "<verb> key=value ..." (no seq, no time).
[[nodiscard]] std::string print_body(const CommandBody& body);
// Only the " key=value" part, each pair preceded by one space ("" when none).
[[nodiscard]] std::string print_fields(const CommandBody& body);

struct ParseError {
  std::size_t line = 0;    // 1-based
  std::size_t column = 0;  // 1-based byte column of the offending token (0: the line as a whole)
  std::string message;     // "order: missing key qty"
  friend bool operator==(const ParseError&, const ParseError&) = default;
};
// "line 12: order: missing key qty"
[[nodiscard]] std::string to_string(const ParseError& e);

struct ParsedCommand {
  Command command;                  // meaningful only when ok()
  std::optional<ParseError> error;
  [[nodiscard]] bool ok() const noexcept { return !error.has_value(); }
};

// One line "<seq> <time> <verb> key=value ..." (a trailing '#' comment is
// allowed). `line_number` is what errors report.
[[nodiscard]] ParsedCommand parse_command(std::string_view line, std::size_t line_number = 1);

struct ParsedScript {
  std::vector<Command> commands;
  std::vector<std::size_t> lines;  // the source line of each command
  std::vector<ParseError> errors;  // every error found, in line order
  [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

[[nodiscard]] ParsedScript parse_script(std::string_view text);

}  // namespace erx::exchange
