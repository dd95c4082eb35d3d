#pragma once
// The exchange state machine: reference data, members and accounts, balances,
// pre-trade rules, sessions and the business day, composed with one order
// book per instrument. Pure and deterministic: no I/O, no clock, no
// randomness. Every state change enters through apply(Command); every outcome
// leaves through the ExchangeSink, in order.
//
// Rules: docs/EXCHANGE.md. Command and event text: docs/COMMANDS.md.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/book/id_index.hpp"
#include "engine/book/order_book.hpp"
#include "engine/exchange/balances.hpp"
#include "engine/exchange/clord_index.hpp"
#include "engine/exchange/commands.hpp"
#include "engine/exchange/day_statistics.hpp"
#include "engine/exchange/events.hpp"
#include "engine/exchange/fees.hpp"

namespace erx::exchange {

// Explicit limits; reaching one is a documented reject.
struct ExchangeLimits {
  std::uint32_t max_members = 100'000;
  std::uint32_t max_accounts = 1'000'000;
  std::uint32_t max_instruments = 4'096;
  std::uint32_t max_operators = 1'000'000;
  std::uint32_t max_open_orders_per_book = 2'000'000;
  std::uint32_t max_ladder_levels = 1u << 20;  // per book: a band's width in ticks; docs/EXCHANGE.md "Price ladder"
  friend bool operator==(const ExchangeLimits&, const ExchangeLimits&) = default;
};

// Why a set of limits cannot be used (empty when it can): a book's two must
// be at least 1, max_open_orders_per_book at most kMaxOpenOrdersPerBook
// (amount_limits.hpp: the sums of a book's quantities must fit int64) and
// max_ladder_levels at most kMaxLadderLevels (a band edge cut to half a
// ladder must fit int64; a book's memory), max_members below 2^32 - 2 (a
// book's owner count). The Exchange asserts this when built.
[[nodiscard]] std::string_view limits_problem(const ExchangeLimits& l) noexcept;

class Exchange {
 public:
  explicit Exchange(ExchangeSink& sink, ExchangeLimits limits = {});
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  void apply(const Command& cmd);

  // Allocates room now for `orders` open orders (the order table and its
  // index) and as many ClOrdIDs a day, so the order path does not grow them
  // later: a table that doubles copies itself whole, a pause of milliseconds
  // at a million orders, and fresh pages fault in twice. Sizing only: no
  // effect on behaviour, snapshots or the state hash. Never shrinks.
  void reserve_orders(std::uint32_t orders);

  // A canonical hash of the whole state: two replays of the same commands
  // give the same value. See state_hash.cpp for what it covers.
  [[nodiscard]] std::uint64_t state_hash() const;

  // Checks every invariant, aborting (ERX_ASSERT) on a violation: conservation
  // per asset, no negative member balance, reservations equal to what open
  // orders need, books not crossed and consistent with the order table.
  void check_invariants() const;

  // Snapshots (snapshot.hpp; layout in docs/LEDGER.md "Snapshots").
  // Replaces `out` with the canonical bytes of the whole state. Between commands only.
  void save_snapshot(std::string& out) const;
  // Takes the state saved in `bytes`. Only on a freshly constructed Exchange
  // (no command applied) with the same limits as the saved one. Malformed,
  // truncated or inconsistent bytes return false with *error (when not null)
  // and never crash; the Exchange must then be discarded (it may hold part of
  // the state). After success state_hash() equals the saved state's and
  // every later command gives the events the saved Exchange would have given.
  [[nodiscard]] bool load_snapshot(std::string_view bytes, std::string* error);

  // --- queries (tools, tests) ---
  [[nodiscard]] Seq last_seq() const noexcept { return last_seq_; }
  [[nodiscard]] Timestamp now() const noexcept { return now_; }
  [[nodiscard]] BusinessDate business_date() const noexcept { return date_; }
  [[nodiscard]] bool day_open() const noexcept { return day_open_; }
  // The ids the next accepted order, trade and transfer get (1, 2, 3... in the
  // order they happen): the ledger checks its tables end just before them.
  [[nodiscard]] OrderId next_order_id() const noexcept { return next_order_id_; }
  [[nodiscard]] TradeId next_trade_id() const noexcept { return next_trade_id_; }
  [[nodiscard]] TransferId next_transfer_id() const noexcept { return next_transfer_id_; }
  [[nodiscard]] std::optional<InstrumentId> find_instrument(const Symbol& s) const;
  [[nodiscard]] const InstrumentSpec* instrument_spec(InstrumentId id) const;
  [[nodiscard]] std::optional<SessionState> session(InstrumentId id) const;
  [[nodiscard]] Price reference_price(InstrumentId id) const;
  // Today's trading so far (market data after a restart): zeros when nothing traded.
  using DayStats = exchange::DayStats;  // day_statistics.hpp
  [[nodiscard]] DayStats today_stats(InstrumentId id) const;
  [[nodiscard]] const book::OrderBook* book(InstrumentId id) const;
  // Balance of an account in one bucket (asset 0 = cash, fen; else instrument units).
  [[nodiscard]] Money balance(AccountId account, AssetId asset, Bucket bucket) const;
  [[nodiscard]] std::size_t open_orders() const noexcept { return order_index_.size(); }
  // Today's price band of an instrument ({0, 0} when unknown).
  [[nodiscard]] std::pair<Price, Price> price_band(InstrumentId id) const;
  // Reference data as it stands now (restrictions, roles applied), or null / nullopt.
  [[nodiscard]] const CreateMember* member_spec(MemberId id) const;
  [[nodiscard]] std::optional<CreateAccount> account_spec(AccountId id) const;
  struct OperatorInfo {
    CreateOperator spec;
    bool active = true;
  };
  [[nodiscard]] std::optional<OperatorInfo> operator_info(OperatorId id) const;
  // Every live order as it stands, by order id (the gateway's view after a
  // restart: status requests, cancel-on-disconnect, market depth): its
  // acceptance as it would read now (price, ClOrdID and total quantity after
  // any modify; stp as resolved at entry), and what has executed.
  struct OpenOrder {
    OrderAccepted order;  // order.qty = cum_qty + leaves
    Qty leaves = 0, cum_qty = 0;
    Money cum_cash = 0;
  };
  [[nodiscard]] std::vector<OpenOrder> list_open_orders() const;

 private:
  friend struct StateFields;    // state_fields.hpp: the one description of the members below
  friend class SnapshotLoader;  // snapshot.cpp: checks what a snapshot holds and rebuilds the rest
  // Tests only (tests/unit/test_amount_limits.cpp): puts the state where no
  // test can take it by commands in reasonable time (four billion trades).
  friend struct ExchangeTestAccess;

  struct MemberState {
    CreateMember spec;
    std::vector<AccountId> accounts;  // in creation order
    std::vector<Qty> open_buy_qty;    // per instrument (index = id - 1): leaves of open buy orders
  };
  struct AccountState {
    AccountId id = 0;
    MemberId member = 0;
    bool restricted = false;
    std::uint32_t slot = 0;  // row in balances_
    MemberState* member_state = nullptr;  // stable: members_ is a node-based map, never erased from
  };
  struct OperatorState {
    CreateOperator spec;  // role kept current by SetOperator
    bool active = true;
  };
  // What an order command asks of its operator (operators.cpp).
  enum class OperatorAction : std::uint8_t { Enter, Cancel };
  struct InstrumentState {
    InstrumentId id = 0;
    InstrumentSpec spec;
    std::optional<InstrumentSpec> pending;  // ChangeInstrument, applied at the next day open
    // spec decoded into units
    Price tick = 0;
    Qty lot = 0;
    Qty min_qty = 0, max_qty = 0;
    Qty holding_limit = 0;  // 0 = none
    Price reference = 0;    // today's (or the next day's, after a close)
    Price band_lo = 0, band_hi = 0;  // also the book's whole ladder (rebase_ladder())
    CashRule cash_rule;
    SessionState state = SessionState::Closed;
    DayStats day;
    std::unique_ptr<book::OrderBook> book;
  };
  struct OrderState {
    OrderId id = 0;
    AccountId account = 0;
    std::uint32_t account_slot = 0;
    MemberId member = 0;
    MemberState* member_state = nullptr;
    InstrumentId instrument = 0;
    ClOrdId clord_id;
    OperatorId entered_by = 0;
    Side side = Side::Buy;
    OrderType type = OrderType::Limit;
    TimeInForce tif = TimeInForce::Day;
    StpMode stp = StpMode::None;
    Price price = 0;     // limit (or protection price) the reservation is computed at
    Qty qty = 0;
    Qty leaves = 0;
    Qty cum_qty = 0;
    Money cum_cash = 0;  // a buy: paid; a sell: received (fen)
    // A buy: what it has paid beyond the exact notional of its fills, in the
    // instrument's sub-fen units (fees.hpp), always below one fen. A sell: 0.
    std::int64_t prepaid = 0;
    // A sell: its proceeds at its limit cover its fees, so it reserves no cash
    // for them (proceeds_cover_fees(), kept current at entry and modify: a
    // function of price, qty and fee schedule, cached for the order path).
    bool fees_from_proceeds = false;
    Money fees_charged[2] = {0, 0};
    std::uint32_t fee_schedule = 0;  // index into fee_schedules_, fixed at entry
    Money reserved_cash = 0;  // fen held in the Reserved bucket for this order
    Qty reserved_qty = 0;     // instrument units held in the Reserved bucket
    Timestamp expire_at = 0;
  };
  struct Need {
    Money cash = 0;
    Qty qty = 0;
  };
  // Routes every book's events to on_book_event().
  class BookEvents final : public book::EventSink {
   public:
    explicit BookEvents(Exchange& ex) : ex_(ex) {}
    void on_event(const book::Event& e) override { ex_.on_book_event(e); }

   private:
    Exchange& ex_;
  };

  // commands (one function per command kind, in the file of its topic)
  void on(const CreateMember& c);
  void on(const SetMemberRestricted& c);
  void on(const CreateAccount& c);
  void on(const SetAccountRestricted& c);
  void on(const CreateOperator& c);
  void on(const SetOperator& c);
  void on(const CreateInstrument& c);
  void on(const ChangeInstrument& c);
  void on(const SetFees& c);
  void on(const Deposit& c);
  void on(const Withdraw& c);
  void on(const IssueRights& c);
  void on(const MoveRights& c);
  void on(const Freeze& c);
  void on(const OpenDay& c);
  void on(const CloseDay& c);
  void on(const SetSession& c);
  void on(const NewOrder& c);
  void on(const CancelOrder& c);
  void on(const ModifyOrder& c);
  void on(const MassCancel& c);
  void on(const Timer& c);

  // reference data (reference_data.cpp)
  RejectReason decode_spec(const InstrumentSpec& spec, InstrumentState& out) const;
  // The band around `reference`: the edges, and whether the band rule alone
  // would have put one further than the ladder allows (then cut to it).
  struct Band {
    Price lo = 0, hi = 0;
    bool cut_to_ladder = false;
  };
  [[nodiscard]] Band band_around(Price reference, std::uint32_t band_bps, Price tick) const;
  std::unique_ptr<book::OrderBook> make_book(const InstrumentState& ins);
  void set_band(InstrumentState& ins);

  // orders (orders.cpp, settlement.cpp)
  Need need_of(const OrderState& o) const;
  bool proceeds_cover_fees(const OrderState& o) const;
  RejectReason reserve_up_to_need(OrderState& o);
  void true_up_reservation(OrderState& o);
  void release_all(OrderState& o);
  void on_book_event(const book::Event& e);
  void settle_fill(const book::Event& e);
  void on_order_cancelled(const book::Event& e);
  void on_order_modified(const book::Event& e);
  void finish_order(OrderState& o);
  std::uint32_t new_order_slot();
  OrderState* order(OrderId id);
  OrderState* live_order(MemberId member, const ClOrdId& clord);
  RejectReason check_account_may_trade(const AccountState& a) const;
  // The live orders that may no longer trade (why): cancelled by the exchange,
  // oldest first, in this command. The rules for who may trade are checked at
  // entry and kept true by these cancels, never at match (docs/EXCHANGE.md).
  template <class Pred>
  void cancel_orders_where(CancelReason why, Pred&& no_longer_may_trade);
  void cancel_orders_of_member(MemberId member);     // member-restricted
  void cancel_orders_of_account(AccountId account);  // account-restricted
  void cancel_ineligible_orders(const InstrumentState& ins);  // not-eligible
  void cancel_orders_of_ended_right(const InstrumentState& ins);  // term-ended
  // Past its last trading date (the business day is later): it cannot trade
  // again, stays closed, and its orders were cancelled at the open (term-ended).
  bool term_ended(const InstrumentState& ins) const {
    return ins.spec.last_trading_date != 0 && date_ > ins.spec.last_trading_date;
  }
  RejectReason check_operator(OperatorId op, MemberId member, OperatorAction action) const;
  RejectReason check_eligible(const MemberState& m, const InstrumentState& ins) const;
  RejectReason check_holding_limit(const MemberState& m, const InstrumentState& ins, Qty more) const;
  RejectReason check_trade_count(const InstrumentState& ins) const;
  Money position_of(const MemberState& m, InstrumentId ins) const;
  Money outstanding(AssetId asset) const;  // all of an asset in the exchange (funding.cpp)

  void set_leaves(OrderState& o, Qty leaves);

  // day (day.cpp)
  void advance_time(Timestamp t);

  // helpers
  void emit(const Event& e);
  void reject(RejectReason r, AccountId account = 0, const ClOrdId& clord = {});
  void transfer(const TransferSpec& t);
  TransferSpec spec(AssetId asset, const AccountState& from, Bucket fb, const AccountState& to, Bucket tb,
                    const Money& amount, TransferKind kind, std::uint64_t ref) const;
  const AccountState* account(AccountId id) const;
  const MemberState* member(MemberId id) const;
  InstrumentState* instrument(const Symbol& s);
  const InstrumentState* instrument(InstrumentId id) const;
  const AccountState& exchange_account() const { return accounts_[0]; }

  ExchangeSink& sink_;
  ExchangeLimits limits_;
  std::unique_ptr<BookEvents> book_events_;

  Seq last_seq_ = 0;
  Seq seq_ = 0;  // the command being applied
  std::uint8_t command_kind_ = 0;
  Timestamp now_ = 0;
  BusinessDate date_ = 0;
  bool day_open_ = false;

  std::map<MemberId, MemberState> members_;
  std::map<OperatorId, OperatorState> operators_;
  std::vector<AccountState> accounts_;     // slot order; slot 0 = the exchange
  book::IdIndex account_index_;            // AccountId + 1 -> slot
  std::vector<InstrumentState> instruments_;  // index = InstrumentId - 1
  struct SymbolHash {
    std::size_t operator()(const Symbol& s) const noexcept { return s.hash(); }
  };
  // Lookups only; state_hash() sorts before it walks them.
  std::unordered_map<Symbol, InstrumentId, SymbolHash> symbols_;
  // Every fee schedule ever set; an order keeps the one in force when it was
  // accepted (its reservation depends on it), so set-fees affects new orders only.
  std::vector<FeeSchedule> fee_schedules_{FeeSchedule{}};  // [0]: no fees
  std::uint32_t current_fees_[kRightClasses] = {};          // index into fee_schedules_
  Balances balances_;

  std::vector<OrderState> orders_;  // pool; a finished order's slot is reused
  std::vector<std::uint32_t> free_orders_;
  book::IdIndex order_index_;       // OrderId -> slot, live orders only
  ClOrdIndex clord_ids_;  // (member, ClOrdID) -> OrderId, live orders and every order of the day

  // Context of the command being applied, for the book events it causes.
  OperatorId command_op_ = 0;            // the operator of an order command, else 0
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;
  std::uint32_t adding_slot_ = kNoSlot;  // the order being added (its Accepted / Rejected)
  ClOrdId modify_orig_clord_;        // the ClOrdID a modify replaces
  bool mass_cancel_ = false;         // book cancels are part of a MassCancel
  std::uint32_t mass_cancelled_ = 0;
  // Book cancels made by the exchange for this reason (a restriction, an
  // eligibility change), not asked for by the member; None: not such a cancel.
  std::optional<CancelReason> system_cancel_;

  OrderId next_order_id_ = 1;
  TradeId next_trade_id_ = 1;
  TransferId next_transfer_id_ = 1;
};

}  // namespace erx::exchange
