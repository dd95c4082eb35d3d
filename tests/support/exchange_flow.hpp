#pragma once
// A seeded generator of exchange command streams, for the randomized property
// test of the exchange state machine (tests/property/test_exchange_random.cpp).
//
// ExchangeFlow first sets up reference data (members in several regions and
// basins, 1-3 accounts each, one instrument per right class, fee schedules,
// deposits, rights issued and moved to trading), then produces business days:
// open-day, a pre-open stretch, continuous trading, a lunch break (pre-open),
// continuous again, close-day, and a few commands overnight, with increasing
// dates and strictly increasing sequence numbers; time never goes backwards.
// Inside the days it mixes new orders (limit / market, every TIF, every STP
// mode, prices mostly inside the band, quantities mostly valid), cancels and
// modifies of the orders it believes live, mass cancels, deposits and
// withdrawals, registry moves, freezes and pledges, halts and resumes,
// restrictions, timers, instrument changes and fee schedule changes. A share of the commands is
// invalid on purpose (bad prices and sizes, unknown ids, duplicate ClOrdIDs,
// amounts above the balance, wrong session state...), each with a known
// reject reason.
//
// The generator learns what is live, what each account holds and the band of
// each instrument only from the exchange's events: the driver passes every
// event of a command to observe() before asking for the next command. Because
// the exchange is deterministic, the seed alone determines the whole stream.
// The stream is meant for an Exchange built with flow_limits().
//
// Randomness: std::mt19937_64 seeded with the seed, mapped to ranges by our
// own rejection sampling (no std:: distributions, whose output is not
// specified portably).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "engine/exchange/commands.hpp"
#include "engine/exchange/events.hpp"
#include "engine/exchange/exchange.hpp"

namespace erx::exchange::test {

// The exchange limits the flow is designed for: the defaults (a ladder of up
// to 2^20 levels per book; each book's ladder is its band).
[[nodiscard]] ExchangeLimits flow_limits();

// Uniform integers from a 64-bit Mersenne twister, portable and exact.
class FlowRng {
 public:
  explicit FlowRng(std::uint64_t seed) : gen_(seed) {}
  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n);
  // Uniform in [lo, hi]; lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  // True with probability per_mille / 1000.
  bool chance(std::uint32_t per_mille) { return below(1000) < per_mille; }
  // An index chosen with the given weights (at least one non-zero).
  std::size_t weighted(const std::vector<std::uint32_t>& weights);
  // Roughly log-uniform in [lo, hi] (small values as likely per octave as large ones).
  std::int64_t log_between(std::int64_t lo, std::int64_t hi);

 private:
  std::mt19937_64 gen_;
};

class ExchangeFlow {
 public:
  explicit ExchangeFlow(std::uint64_t seed);

  // The next command: seq = previous + 1, time >= previous time.
  [[nodiscard]] Command next();
  // Every event the exchange emitted for the commands so far, in order.
  void observe(const Event& e);

  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }
  [[nodiscard]] std::size_t setup_commands() const noexcept { return setup_commands_; }
  [[nodiscard]] std::size_t live_orders() const noexcept { return live_ids_.size(); }
  [[nodiscard]] int days_opened() const noexcept { return days_opened_; }

 private:
  enum class Phase : std::uint8_t { Overnight, PreOpen, Morning, Lunch, Afternoon };

  struct MemberInfo {
    MemberId id = 0;
    Label region;
    Label basin;
    bool restricted = false;
    std::vector<std::size_t> accounts;  // indices into accounts_
    std::vector<ClOrdId> recent;        // recently used ClOrdIDs (for duplicates)
  };
  struct AccountInfo {
    AccountId id = 0;
    std::size_t member = 0;  // index into members_
    bool restricted = false;
    std::vector<std::int64_t> bal;  // [asset * kBuckets + bucket], from Transfer events
  };
  struct InstrumentInfo {
    InstrumentSpec created;  // as created: the base of every ChangeInstrument
    InstrumentId id = 0;     // 0 until InstrumentCreated
    Price tick = 0;
    Qty lot = 0;
    Qty min_qty = 0, max_qty = 0;
    std::int64_t years = 1;
    Price ref = 0, lo = 0, hi = 0;  // today's band (ReferencePriceSet)
    Price fair = 0;                 // the price the flow pulls towards
    Qty size_lo = 0, size_hi = 0;   // typical order sizes
    SessionState state = SessionState::Closed;
    std::vector<std::size_t> traders;  // accounts eligible to trade it
  };
  struct LiveOrder {
    OrderId id = 0;
    std::size_t account = 0;
    std::size_t instrument = 0;  // index into instruments_
    ClOrdId clord;
    Side side = Side::Buy;
    Price price = 0;
    Qty leaves = 0;
    Qty executed = 0;     // cum qty, for total-form modifies
    std::size_t pos = 0;  // index in live_ids_
  };

  // setup and the day plan
  void build_setup();
  void plan_next_phase();
  void next_business_date();
  [[nodiscard]] Timestamp at(int hour, int minute) const;
  [[nodiscard]] Timestamp phase_time();

  // random commands
  CommandBody random_command();
  CommandBody new_order();
  CommandBody cancel();
  CommandBody modify();
  CommandBody mass_cancel();
  CommandBody deposit();
  CommandBody withdraw();
  CommandBody move_rights();
  CommandBody issue_rights();
  CommandBody freeze();
  CommandBody halt_or_resume();
  CommandBody restriction();
  CommandBody change_instrument();
  CommandBody bogus_day_command();
  CommandBody set_fees();

  // values
  [[nodiscard]] Decimal price_for(const InstrumentInfo& ins, Side side);
  [[nodiscard]] Decimal qty_for(const InstrumentInfo& ins, Side side, const AccountInfo& acc, Price price);
  [[nodiscard]] Decimal spell(std::int64_t units, int scale);  // sometimes with extra zero digits
  [[nodiscard]] ClOrdId fresh_clord(std::size_t member);
  [[nodiscard]] std::size_t pick_account();
  [[nodiscard]] std::size_t pick_trader(const InstrumentInfo& ins, Side side);
  [[nodiscard]] bool may_trade(std::size_t account) const;
  [[nodiscard]] std::int64_t bal(const AccountInfo& a, AssetId asset, Bucket b) const;
  [[nodiscard]] std::size_t instrument_index(InstrumentId id) const;
  void forget(OrderId id);

  std::uint64_t seed_;
  FlowRng rng_;
  Seq seq_ = 0;
  Timestamp now_ = 0;

  std::deque<CommandBody> script_;  // commands due before any random one
  std::size_t setup_commands_ = 0;
  Phase phase_ = Phase::Overnight;
  std::int64_t phase_left_ = 0;  // random commands left in this phase
  std::int64_t phase_count_ = 0;
  Timestamp phase_start_ = 0, phase_end_ = 0;
  int days_opened_ = 0;
  std::int64_t resume_in_ = 0;  // random commands until a SetSession resumes what is halted
  int day_index_ = -1;          // days since the first business date's midnight
  int year_ = 2026, month_ = 1, day_ = 4;
  int weekday_ = 6;  // 0 = Monday; 2026-01-04 was a Sunday
  BusinessDate date_ = 0;
  bool day_open_ = false;

  std::vector<MemberInfo> members_;
  std::vector<AccountInfo> accounts_;
  std::map<AccountId, std::size_t> account_index_;
  std::vector<InstrumentInfo> instruments_;
  std::map<OrderId, LiveOrder> live_;
  std::vector<OrderId> live_ids_;
  std::uint64_t clord_counter_ = 0;
};

// ---------------------------------------------------------------- stream comparison

// Appends the exact content of an event as 64-bit words (its variant index,
// then every field in the order of its description, event_fields.hpp; strings
// with their length, Money as sign and magnitude): two events encode alike if
// and only if they are equal.
void encode_event(const Event& e, std::vector<std::uint64_t>& out);

// Names for failure messages and summaries (independent of the engine's own
// name tables).
[[nodiscard]] std::string_view event_name(std::size_t variant_index) noexcept;
[[nodiscard]] std::string_view command_name_of(std::size_t variant_index) noexcept;
[[nodiscard]] std::string reject_name(RejectReason r);
[[nodiscard]] std::string_view cancel_name(CancelReason r) noexcept;
[[nodiscard]] std::string_view right_class_name(RightClass c) noexcept;
// A one-line description of a command, for failure messages.
[[nodiscard]] std::string describe(const Command& c);

}  // namespace erx::exchange::test
