#pragma once
// One line of text per event (docs/COMMANDS.md, "Events"):
//
//   <seq> <event-name> key=value key=value ...
//   7 trade trade=1 symbol=CEA25 price=58.20 qty=1000 cash=58200.00 aggressor=buy buy_order=2 ...
//
// `seq` is the command that caused the event. Prices and quantities, which
// events carry as integers in the instrument's units, print as decimals at
// the instrument's price / quantity scale, and instruments by symbol; cash
// (fen) prints with 2 decimals; asset 0 is "CNY". Keys come in a fixed order:
// the order of each event's description in event_fields.hpp.
// The output is deterministic: golden scenario tests compare it byte for byte.

#include <map>
#include <string>
#include <string_view>

#include "engine/exchange/events.hpp"

namespace erx::exchange {

// The kebab-case name of an event ("order-accepted").
[[nodiscard]] std::string_view event_name(const Event& e) noexcept;

class EventPrinter {
 public:
  // Teaches the printer an instrument's symbol and scales. print() learns by
  // itself from the InstrumentCreated / InstrumentChanged events it prints; a
  // printer that starts in the middle of a stream is taught with learn().
  void learn(InstrumentId id, const InstrumentSpec& spec);

  // The line, without a trailing newline. An instrument the printer has not
  // learnt prints as `instrument=<id>` and its prices / quantities as plain
  // integers (units).
  [[nodiscard]] std::string print(Seq seq, const Event& e);

 private:
  struct Known {
    Symbol symbol;
    int price_scale = 0;
    int qty_scale = 0;
  };
  class Line;  // writes one event's keys, walking its description (event_fields.hpp)

  const Known* find(InstrumentId id) const;

  std::map<InstrumentId, Known> instruments_;
};

}  // namespace erx::exchange
