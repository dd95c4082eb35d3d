// The gateway (gateway.hpp): sessions, requests in, reports out.
#include "gateway/gateway.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <utility>
#include <filesystem>
#include <mutex>
#include <variant>

#include "engine/core/assert.hpp"
#include "engine/exchange/command_text.hpp"
#include "gateway/credentials.hpp"
#include "gateway/fix_server.hpp"
#include "gateway/fix_store.hpp"
#include "gateway/fix_mapping.hpp"
#include "gateway/inbound.hpp"
#include "gateway/logon_guard.hpp"
#include "gateway/query_answers.hpp"
#include "gateway/quickfix.hpp"
#include "gateway/router.hpp"
#include "gateway/to_fix.hpp"

namespace erx::gateway {

namespace {

// One configured CompID: its role, credentials and outbound queue.
struct Slot {
  enum class Role { Member, DropCopy, Regulator };
  Role role = Role::Member;
  SlotId id = kNoSlot;
  std::string comp_id;
  const MemberSession* member = nullptr;  // Member, and the owner of a DropCopy
  std::string username, password_hash;
  std::size_t capacity = 0;
  int wake_fd = -1;
  std::mutex mu;
  std::vector<OutMsg> queue;
  // pump()'s batch: swapped with `queue` under the lock, sent, cleared. Only
  // the session's connection thread touches it; both vectors keep their
  // capacity, so queueing a report allocates nothing once warm.
  std::vector<OutMsg> sending;
  FIX::Message scratch;  // what pump() fills and sends, reused (to_fix.hpp)
  FixStore* store = nullptr;  // the session's sequence numbers and sent messages (fix_store.hpp)
  bool overflowed = false;      // full while logged on: a slow consumer, disconnected by pump()
  std::uint64_t not_kept = 0;   // messages that found the queue full (told at the next logon)
  std::atomic<bool> logged_on{false};
  std::atomic<bool> logout_requested{false};  // by the throttle; carried out by pump()
  Throttle throttle;
  // OrderMassStatusRequest answers being sent, a chunk per turn of the
  // connection (pump), so a member with many orders never fills its queue:
  // the orders as they stood at the request. Only the connection thread
  // touches it (the request and pump() both run there).
  struct MassStatus {
    std::string req_id;
    std::vector<OrderInfo> orders;
    std::size_t next = 0;
  };
  std::deque<MassStatus> mass_status;

  // Never blocks. A full queue marks a logged-on session for disconnection
  // (a slow consumer). While nobody is logged on, reports wait here for the
  // next logon, up to the same capacity; beyond it they are counted, not
  // kept. The connection is woken by wake() (once per commit, not per message).
  bool push(OutMsg&& m) {
    std::lock_guard lock(mu);
    if (queue.size() >= capacity) {
      ++not_kept;
      if (logged_on) overflowed = true;
      return logged_on;
    }
    queue.push_back(std::move(m));
    return logged_on;
  }
  void wake() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t r = ::write(wake_fd, &one, sizeof one);
  }
};

}  // namespace

// A request on its way through the sequencer: what to answer, to whom.
class PendingRequest final : public ledger::Completion {
 public:
  explicit PendingRequest(Gateway::Impl& gw) : gw_(gw) {}
  void done(const ledger::Outcome& o) override;
  RequestInfo info;

 private:
  Gateway::Impl& gw_;
};

struct Gateway::Impl final : public FIX::Application,
                             public ConnectionHooks,
                             public ledger::BatchListener,
                             public ledger::RecoveryObserver {
  Impl(const ErxdConfig& c, ledger::DurableExchange& exchange)
      : config(c), dx(exchange), orders(c.limits.finished_orders_kept), router(instruments, orders, market, directory),
        stores(c.data_dir + "/fix"), guard(guard_policy(c.limits)),
        dummy_hash(hash_password("not a password", hash_iterations(c))) {}

  static LogonGuard::Policy guard_policy(const GatewayLimits& l) {
    LogonGuard::Policy p;
    p.comp_id_failures = l.logon_backoff_after;
    p.address_failures = l.logon_backoff_after_per_address;
    p.first_backoff = std::chrono::milliseconds(l.logon_backoff_first_ms);
    p.max_backoff = std::chrono::milliseconds(l.logon_backoff_max_ms);
    return p;
  }
  // The dummy hash costs what the configured ones cost (the first member's).
  static int hash_iterations(const ErxdConfig& c) {
    const std::string& h = !c.members.empty() ? c.members.front().password_hash : c.regulator.password_hash;
    const int n = password_iterations(h);
    return n > 0 ? n : kDefaultPasswordIterations;
  }

  const ErxdConfig& config;
  ledger::DurableExchange& dx;
  // views and routing, guarded by views_mu
  std::mutex views_mu;
  InstrumentView instruments;
  OrderView orders;
  MarketView market;
  Directory directory;
  Router router;
  // The current commit's reports and finished requests, handed over once per
  // commit by batch_done() (writer thread only).
  std::vector<Delivery> deliveries;
  std::vector<PendingRequest*> finished;
  std::vector<SlotId> woken;
  std::vector<std::uint32_t> ordinals;  // number_reports()' scratch, by slot
  // sessions
  std::vector<std::unique_ptr<Slot>> slots;
  std::map<std::string, SlotId> slot_of_comp;
  FixStoreFactory stores;
  std::unique_ptr<FIX::SessionFactory> factory;
  std::vector<FIX::Session*> sessions;
  std::unique_ptr<FixServer> server;
  // requests in flight
  std::mutex pool_mu;
  std::condition_variable pool_cv;
  std::vector<std::unique_ptr<PendingRequest>> pool_all;
  std::vector<PendingRequest*> pool_free;
  LatencyProbe latency;
  // logons
  LogonGuard guard;
  std::string dummy_hash;  // what an unknown CompID's or username's password is checked against

  // ---------------------------------------------------------------- setup

  void add_slot(Slot::Role role, const std::string& comp_id, const MemberSession* m, const std::string& user,
                const std::string& hash) {
    auto s = std::make_unique<Slot>();
    s->role = role;
    s->comp_id = comp_id;
    s->member = m;
    s->username = user;
    s->password_hash = hash;
    s->capacity = config.limits.outbound_queue;
    s->wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    s->throttle = Throttle(config.limits.throttle_messages, config.limits.throttle_window_ms,
                           config.limits.throttle_logout_multiple);
    const SlotId id = static_cast<SlotId>(slots.size());
    s->id = id;
    slot_of_comp[comp_id] = id;
    if (role == Slot::Role::Member) {
      directory.member_slot[m->member] = id;
      directory.member_of_operator[m->op] = m->member;
      directory.all_member_slots.push_back(id);
    } else if (role == Slot::Role::DropCopy) {
      directory.drop_copy_slot[m->member] = id;
    } else {
      directory.regulator_slot = id;
    }
    slots.push_back(std::move(s));
  }

  void build_slots() {
    for (const MemberSession& m : config.members) {
      add_slot(Slot::Role::Member, m.comp_id, &m, m.username, m.password_hash);
      // A drop copy logs on with the member's own credentials.
      if (!m.drop_copy_comp_id.empty())
        add_slot(Slot::Role::DropCopy, m.drop_copy_comp_id, &m, m.username, m.password_hash);
    }
    if (!config.regulator.comp_id.empty())
      add_slot(Slot::Role::Regulator, config.regulator.comp_id, nullptr, config.regulator.username,
               config.regulator.password_hash);
    const std::size_t pool_size = 4096;
    for (std::size_t i = 0; i < pool_size; ++i) {
      pool_all.push_back(std::make_unique<PendingRequest>(*this));
      pool_free.push_back(pool_all.back().get());
    }
  }

  bool create_sessions(std::string* error) {
    factory = std::make_unique<FIX::SessionFactory>(*this, stores, nullptr);
    const std::string dictionary = config.dictionary;
    for (const auto& s : slots) {
      FIX::Dictionary d;
      d.setString("ConnectionType", "acceptor");
      d.setString("BeginString", "FIX.4.4");
      d.setString("SenderCompID", config.comp_id);
      d.setString("TargetCompID", s->comp_id);
      d.setString("StartTime", "00:00:00");
      d.setString("EndTime", "00:00:00");
      d.setString("UseDataDictionary", "Y");
      d.setString("DataDictionary", dictionary);
      d.setString("ValidateUserDefinedFields", "Y");
      d.setString("AllowUnknownMsgFields", "N");
      // SendingTime within limits.max_sending_time_skew_s of our clock on
      // every message, else a session Reject 373=10 and a Logout (FIX).
      d.setString("CheckLatency", "Y");
      d.setString("MaxLatency", std::to_string(config.limits.max_sending_time_skew_s));
      try {
        const FIX::SessionID id("FIX.4.4", config.comp_id, s->comp_id);
        sessions.push_back(factory->create(id, d));
        s->store = stores.find(id);
      } catch (const std::exception& e) {
        *error = "FIX session " + s->comp_id + ": " + e.what();
        return false;
      }
    }
    return true;
  }

  Slot* slot_for(const FIX::SessionID& id) {
    const auto it = slot_of_comp.find(id.getTargetCompID().getValue());
    return it == slot_of_comp.end() ? nullptr : slots[it->second].get();
  }

  // ---------------------------------------------------------------- requests

  PendingRequest* take_request() {
    std::unique_lock lock(pool_mu);
    pool_cv.wait(lock, [&] { return !pool_free.empty(); });  // back-pressure, like the sequencer's queue
    PendingRequest* r = pool_free.back();
    pool_free.pop_back();
    return r;
  }
  void give_back(PendingRequest* r) {
    {
      std::lock_guard lock(pool_mu);
      pool_free.push_back(r);
    }
    pool_cv.notify_all();
  }
  void give_back(std::vector<PendingRequest*>& rs) {
    {
      std::lock_guard lock(pool_mu);
      pool_free.insert(pool_free.end(), rs.begin(), rs.end());
    }
    rs.clear();
    pool_cv.notify_all();
  }

  bool submit(const exchange::CommandBody& body, RequestInfo info) {
    PendingRequest* r = take_request();
    r->info = std::move(info);
    if (dx.submit(body, r)) return true;
    give_back(r);
    return false;
  }

  // Writer thread, after the commit: the reports are built now (the events
  // live only during this call) and handed over in batch_done().
  void on_done(PendingRequest& r, const ledger::Outcome& o) {
    const std::size_t first = deliveries.size();
    {
      std::lock_guard lock(views_mu);
      if (o.status == ledger::Outcome::Status::Committed) {
        router.committed(r.info, o.seq, o.time, o.events, deliveries);
        number_reports(o.seq, deliveries, first);
      } else {
        router.failed(r.info, deliveries);
      }
    }
    // An internal command (timer, cancel on disconnect) has nobody to answer:
    // a refusal is logged, not dropped.
    if (r.info.slot == kNoSlot && o.status == ledger::Outcome::Status::Committed) {
      for (const exchange::Event& e : o.events)
        if (const auto* rej = std::get_if<exchange::CommandRejected>(&e))
          spdlog::warn("internal command {} (seq {}) rejected: {}", exchange::command_name(rej->command), o.seq,
                       exchange::to_string(rej->reason));
    }
    if (r.info.stamps.framed != 0) stamp_first_report(r.info, first);
    finished.push_back(&r);
  }

  // Each report of committed command `seq` gets its origin: (seq, its place
  // among the command's reports to its session). Market data is not a report
  // (it is not sent again after a restart) and is not numbered. Live and at
  // recovery alike, so the numbers agree (fix_store.hpp).
  void number_reports(exchange::Seq seq, std::vector<Delivery>& out, std::size_t first) {
    ordinals.assign(slots.size(), 0);
    for (std::size_t i = first; i < out.size(); ++i) {
      OutMsg& m = out[i].msg;
      if (is_market_data(m)) continue;
      m.origin = ReportOrigin{seq, ++ordinals[out[i].slot]};
    }
  }
  static bool is_market_data(const OutMsg& m) { return m.type == "W" || m.type == "X" || m.type == "Y"; }

  // A sampled request's stamps ride on its first report to its session.
  void stamp_first_report(const RequestInfo& info, std::size_t first) {
    for (std::size_t i = first; i < deliveries.size(); ++i) {
      if (deliveries[i].slot != info.slot) continue;
      deliveries[i].msg.stamps = info.stamps;
      deliveries[i].msg.stamps.committed = LatencyProbe::now();
      return;
    }
  }

  // Writer thread, once per commit: every session's reports queued, each
  // session woken once — a wakeup per report made the writer lose its core to
  // the threads it woke, and the next commit waited for it.
  void batch_done() override {
    woken.clear();
    for (Delivery& d : deliveries)
      if (slots[d.slot]->push(std::move(d.msg)) && std::find(woken.begin(), woken.end(), d.slot) == woken.end())
        woken.push_back(d.slot);
    deliveries.clear();
    for (SlotId id : woken) slots[id]->wake();
    give_back(finished);
  }

  // ---------------------------------------------------------------- recovery
  //
  // The ledger's recovery replays at least the business day (from its
  // open's snapshot, durable_exchange.hpp): the views start from the state
  // the replay starts at, and every replayed command is routed like a live
  // one. Its reports that a session's store says were sent before the
  // restart are dropped; the others — made while the session was away, or
  // lost with the process before they reached its socket — wait for the
  // session's next logon (docs/FIX.md section 2).

  std::vector<Delivery> replayed;              // one replayed command's deliveries
  std::vector<std::vector<OutMsg>> rebuilt;    // by slot: reports not sent before the restart
  std::vector<std::uint64_t> rebuilt_not_kept; // by slot: beyond the queue's capacity

  void on_recovery_start(const exchange::Exchange& ex) override {
    std::lock_guard lock(views_mu);
    instruments = InstrumentView{};
    orders = OrderView(config.limits.finished_orders_kept);
    market = MarketView{};
    rebuilt.assign(slots.size(), {});
    rebuilt_not_kept.assign(slots.size(), 0);
    load_views(ex, instruments, orders, market);
  }

  void on_replayed(const exchange::Command& cmd, std::span<const exchange::Event> events) override {
    std::lock_guard lock(views_mu);
    replayed.clear();
    router.committed(request_info(cmd.body, directory), cmd.seq, cmd.time, events, replayed);
    number_reports(cmd.seq, replayed, 0);
    // A new business day: what was not sent of the last one is not sent
    // after a restart (its orders' state is in a mass status answer).
    if (std::any_of(events.begin(), events.end(), [](const exchange::Event& e) { return std::holds_alternative<exchange::DayOpened>(e); })) {
      for (auto& r : rebuilt) r.clear();
      rebuilt_not_kept.assign(slots.size(), 0);
    }
    for (Delivery& d : replayed) {
      if (d.msg.origin.none()) continue;  // market data: subscriptions do not survive
      const Slot& s = *slots[d.slot];
      if (d.msg.origin <= s.store->last_origin()) continue;  // sent before the restart
      if (rebuilt[d.slot].size() >= s.capacity) {
        ++rebuilt_not_kept[d.slot];
        continue;
      }
      rebuilt[d.slot].push_back(std::move(d.msg));
    }
  }

  // After recovery: the rebuilt reports wait in their sessions' queues.
  void queue_rebuilt_reports() {
    const exchange::Seq tail = dx.recovery().last_seq;
    for (std::size_t i = 0; i < rebuilt.size(); ++i) {
      Slot& s = *slots[i];
      if (s.store->last_origin().seq > tail)
        spdlog::warn("fix {}: its store says seq {} was reported, beyond the ledger's tail {} (a store of another "
                     "ledger?)", s.comp_id, s.store->last_origin().seq, tail);
      if (rebuilt[i].empty() && rebuilt_not_kept[i] == 0) continue;
      std::lock_guard lock(s.mu);
      for (OutMsg& m : rebuilt[i]) s.queue.push_back(std::move(m));
      s.not_kept += rebuilt_not_kept[i];
      spdlog::info("fix {}: {} reports of the business day rebuilt from the ledger (not sent before the restart){}",
                   s.comp_id, rebuilt[i].size(),
                   rebuilt_not_kept[i] ? " and " + std::to_string(rebuilt_not_kept[i]) + " beyond its queue" : "");
    }
    rebuilt.clear();
    rebuilt_not_kept.clear();
  }

  // A message of the gateway's own (not from the engine) to one session.
  void reply(Slot& s, OutMsg&& m) {
    if (s.push(std::move(m))) s.wake();
  }

  // ---------------------------------------------------------------- FIX::Application

  void onCreate(const FIX::SessionID&) override {}

  void onLogon(const FIX::SessionID& id) override {
    Slot* s = slot_for(id);
    if (!s) return;
    std::size_t waiting = 0;
    std::uint64_t not_kept = 0;
    {
      // What was queued while the session was away is sent now (pump), after
      // the Logon answer: the member gets the reports it missed, in order.
      std::lock_guard lock(s->mu);
      waiting = s->queue.size();
      not_kept = std::exchange(s->not_kept, 0);
      s->overflowed = false;
      s->logout_requested = false;
      s->logged_on = true;
    }
    spdlog::info("fix {}: logged on ({} reports waiting)", s->comp_id, waiting);
    if (not_kept != 0)
      spdlog::warn("fix {}: messages not kept (its queue of {} was full): {}; the member must recover with "
                   "OrderMassStatusRequest", s->comp_id, s->capacity, not_kept);
    s->wake();
  }

  void onLogout(const FIX::SessionID& id) override {
    Slot* s = slot_for(id);
    if (!s || !s->logged_on.exchange(false)) return;
    spdlog::info("fix {}: logged out", s->comp_id);
    {
      std::lock_guard lock(views_mu);
      router.unsubscribe_all(s->id);
    }
    {
      // Subscriptions end with the session: its unsent market data would
      // name requests the next logon never made.
      std::lock_guard lock(s->mu);
      std::erase_if(s->queue, is_market_data);
    }
    s->mass_status.clear();  // answers to a session that has ended (this thread's, like the requests)
    const CancelOnDisconnect cod = s->role == Slot::Role::Member ? s->member->cancel_on_disconnect : CancelOnDisconnect::None;
    if (cod != CancelOnDisconnect::None) {
      // One command: atomic, like every command. Made by the exchange on the
      // member's behalf (operator 0): the session's operator may not be
      // allowed to cancel (suspended, another role), the exchange is.
      exchange::MassCancel mc;
      mc.member = s->member->member;
      mc.op = 0;
      mc.day_only = cod == CancelOnDisconnect::DayOrders;
      spdlog::info("fix {}: cancel on disconnect: mass cancel of member {}{}", s->comp_id, mc.member,
                   mc.day_only ? " (day orders)" : "");
      submit(mc, RequestInfo{});
    }
  }

  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) override {}

  // The Logon's credentials were checked before the session was bound to
  // the connection (authenticate); a second Logon on the same connection may
  // not name another user.
  void fromAdmin(const FIX::Message& m, const FIX::SessionID& id) override {
    FIX::MsgType type;
    m.getHeader().getField(type);
    if (type.getValue() != "A") return;
    Slot* s = slot_for(id);
    if (!s || !m.isSetField(tag::Username) || m.getField(tag::Username) != s->username)
      throw FIX::RejectLogon("invalid username or password");
  }

  // The throttle's reject text (docs/FIX.md section 3, "Throttle").
  std::string throttle_text(std::uint64_t messages) const {
    return "throttle: more than " + std::to_string(messages) + " messages in " +
           std::to_string(config.limits.throttle_window_ms) + " ms";
  }

  void fromApp(const FIX::Message& m, const FIX::SessionID& id) override {
    Slot* s = slot_for(id);
    if (!s) return;
    FIX::MsgType type;
    m.getHeader().getField(type);
    const std::string t = type.getValue();
    const Throttle::Verdict v = s->throttle.admit(std::chrono::steady_clock::now());
    if (v == Throttle::Verdict::Logout) {
      // Answered like any throttled message, so the member knows which to
      // send again; the Logout is sent by pump(), after the rejects queued
      // before it: logging out here, inside QuickFIX's processing of this
      // message, would send the Logout first and drop them.
      reply(*s, business_reject(m, t, business_reject_reason::Other, throttle_text(std::uint64_t{config.limits.throttle_messages} *
                                                           config.limits.throttle_logout_multiple) + ": logging out"));
      s->logout_requested = true;
      return;
    }
    if (v == Throttle::Verdict::Reject) {
      reply(*s, business_reject(m, t, business_reject_reason::Other, throttle_text(config.limits.throttle_messages)));
      return;
    }
    if (s->role != Slot::Role::Member) {
      reply(*s, business_reject(m, t, business_reject_reason::NotAuthorized, "read-only session: drop copies accept no application messages"));
      return;
    }
    handle(*s, m, t);
  }

  void handle(Slot& s, const FIX::Message& m, const std::string& t) {
    const MemberSession& member = *s.member;
    const SlotId sid = s.id;
    if (t == "D" || t == "F" || t == "G" || t == "q") {
      Inbound in;
      if (t == "D" || t == "q") {
        in = translate_entry(m, t, member);
      } else {
        std::lock_guard lock(views_mu);
        in = translate_amend(m, t, member, orders, instruments);
      }
      if (in.reject) {
        reply(s, std::move(*in.reject));
        return;
      }
      // What its reports need comes from the command itself, as at recovery.
      in.info = request_info(*in.command, directory);
      ERX_ASSERT(in.info.slot == sid);  // the session's operator is its own (config: one per session)
      if (const std::int64_t framed = framed_stamp(); framed != 0) in.info.stamps = {framed, LatencyProbe::now(), 0};
      if (!submit(*in.command, in.info)) {
        std::vector<Delivery> out;
        router.failed(in.info, out);
        for (Delivery& d : out) reply(s, std::move(d.msg));
      }
      return;
    }
    std::lock_guard lock(views_mu);
    if (t == "H") return reply(s, order_status(order_status_query(m), member.member, orders, instruments));
    if (t == "AF") return mass_status_request(s, m, member);
    if (t == "x") return reply(s, security_list(security_list_query(m), instruments));
    if (t == "g") return trading_session_status(s, m);
    if (t == "V") return market_data_request(s, sid, m);
    reply(s, business_reject(m, t, business_reject_reason::UnsupportedMessageType, "message type not supported"));
  }

  // The queries are answered from the views (query_answers.hpp), views locked.

  // OrderMassStatusRequest (docs/FIX.md section 4): the orders it selects, as
  // they stand now, are sent by pump(), a chunk per turn.
  void mass_status_request(Slot& s, const FIX::Message& m, const MemberSession& member) {
    const MassStatusQuery q = mass_status_query(m);
    if (const auto why = mass_status_refusal(q))
      return reply(s, business_reject(m, "AF", business_reject_reason::ConditionallyRequiredFieldMissing,
                                      std::string(*why)));
    Slot::MassStatus answer{q.req_id, mass_status_orders(q, member.member, orders, instruments), 0};
    if (answer.orders.empty()) return reply(s, mass_status_none(q));
    s.mass_status.push_back(std::move(answer));
    s.wake();
  }

  // Up to kMassStatusChunk reports of the oldest mass status answer (views
  // locked); true when more remain.
  static constexpr std::size_t kMassStatusChunk = 256;
  bool send_mass_status(Slot& s, FIX::Session& session) {
    if (s.mass_status.empty()) return false;
    Slot::MassStatus& a = s.mass_status.front();
    const std::size_t end = std::min(a.orders.size(), a.next + kMassStatusChunk);
    std::vector<OutMsg> chunk;
    {
      std::lock_guard lock(views_mu);
      for (std::size_t i = a.next; i < end; ++i)
        chunk.push_back(mass_status_report(instruments, a.orders[i], a.req_id, i, a.orders.size()));
    }
    for (const OutMsg& r : chunk) {
      to_fix(r, s.scratch);
      session.send(s.scratch);
    }
    a.next = end;
    if (a.next == a.orders.size()) s.mass_status.pop_front();
    return !s.mass_status.empty();
  }

  void trading_session_status(Slot& s, const FIX::Message& m) {
    for (OutMsg& r : gateway::trading_session_status(session_status_query(m), instruments)) reply(s, std::move(r));
  }

  // Snapshot and subscription under the same lock as the router's updates:
  // the increments continue exactly from the snapshot.
  void market_data_request(Slot& s, SlotId sid, const FIX::Message& m) {
    const MarketDataQuery q = market_data_query(m);
    const bool duplicate = router.subscribed(sid, q.req_id);
    if (std::optional<OutMsg> refusal = market_data_refusal(q, instruments, duplicate))
      return reply(s, std::move(*refusal));
    if (q.subscription == subscription_request_type::Unsubscribe) return router.unsubscribe(sid, q.req_id);
    for (const std::string& sym : q.symbols) {
      const InstrumentInfo& ins = *instruments.find(sym);
      reply(s, router.snapshot(ins, q.req_id));
      if (q.subscription == subscription_request_type::Subscribe) router.subscribe(ins.id, sid, q.req_id);
    }
  }

  // ---------------------------------------------------------------- ConnectionHooks

  // docs/FIX.md section 2: the CompID must be configured, the exchange
  // running, the CompID and the address not in a back-off, and the username
  // and password right. The password check costs the same whichever of the
  // four failed first (an unknown CompID or username is checked against a
  // dummy hash), and the connection answers every refusal at the same time.
  LogonVerdict authenticate(const LogonRequest& logon, const std::string& address) override {
    Slot* s = nullptr;
    if (const auto it = slot_of_comp.find(logon.sender_comp_id); it != slot_of_comp.end()) s = slots[it->second].get();
    const std::string comp_id = s != nullptr ? s->comp_id : std::string();
    const auto now = LogonGuard::Clock::now();
    if (const auto wait = guard.blocked(comp_id, address, now))
      return {false, "logon refused: too many failed logons; try again in " + std::to_string((wait->count() + 999) / 1000) + " s"};
    const bool known = s != nullptr && logon.username == s->username;
    const bool password_ok = verify_password(logon.password, known ? std::string_view(s->password_hash) : dummy_hash);
    if (!known || !password_ok) {
      guard.failed(comp_id, address, now);
      return {false, s == nullptr ? "logon refused: unknown SenderCompID" : "logon refused: invalid username or password"};
    }
    guard.succeeded(comp_id, address);
    if (dx.sequencer().failed()) return {false, "logon refused: the exchange is unavailable"};
    return {true, {}};
  }

  void persist(FIX::Session& session) override {
    if (Slot* s = slot_for(session.getSessionID())) s->store->flush();
  }

  int wake_fd(const FIX::SessionID& id) override {
    Slot* s = slot_for(id);
    return s ? s->wake_fd : -1;
  }

  bool pump(FIX::Session& session) override {
    Slot* s = slot_for(session.getSessionID());
    if (!s) return true;
    {
      std::lock_guard lock(s->mu);
      if (s->overflowed) return false;
      if (!s->logged_on) return true;  // what is queued waits for the logon (onLogon)
      s->sending.swap(s->queue);
    }
    for (const OutMsg& m : s->sending) {
      if (m.stamps.framed != 0) latency.record(m.stamps, LatencyProbe::now());
      to_fix(m, s->scratch);
      s->store->set_origin_of_next(m.origin);
      session.send(s->scratch);
    }
    s->store->set_origin_of_next({});
    s->sending.clear();
    // A mass status answer goes out a chunk per turn; the session is woken
    // again while some of it remains.
    if (send_mass_status(*s, session)) s->wake();
    // Once per logout: the messages still arriving behind the first one past
    // the line ask again until the session ends.
    if (s->logout_requested.exchange(false) && session.isEnabled()) {
      spdlog::warn("fix {}: far over the throttle: logging out", s->comp_id);
      session.logout("throttle exceeded");
    }
    return true;
  }
};

void PendingRequest::done(const ledger::Outcome& o) { gw_.on_done(*this, o); }

// ------------------------------------------------------------------ Gateway

Gateway::Gateway(const ErxdConfig& config, ledger::DurableExchange& dx) : impl_(std::make_unique<Impl>(config, dx)) {
  impl_->build_slots();
}

bool Gateway::open_sessions(std::string* error) { return impl_->stores.lock(error) && impl_->create_sessions(error); }

Gateway::~Gateway() {
  stop();
  // The sequencer calls back into the gateway (batch_done, completions) until
  // it has stopped: destroying the gateway first is a use-after-free, found
  // by the FIX fuzz target's teardown under load. Fail loudly instead.
  ERX_ASSERT_MSG(!impl_->dx.running(), "stop the DurableExchange before destroying the Gateway");
}

void Gateway::after_recovery() {
  Impl& g = *impl_;
  g.dx.sequencer().set_batch_listener(&g);
  g.queue_rebuilt_reports();
}

ledger::RecoveryObserver& Gateway::recovery_observer() { return *impl_; }

ConnectionHooks& Gateway::connection_hooks() { return *impl_; }

bool Gateway::start(std::string* error) {
  Impl& g = *impl_;
  g.server = std::make_unique<FixServer>(g, g.config.limits, g.config.comp_id);
  if (!g.server->listen(g.config.fix_host, g.config.fix_port, error)) return false;
  g.server->start();
  spdlog::info("fix: listening on {}:{} as {} ({} sessions)", g.config.fix_host, g.server->port(), g.config.comp_id,
               g.slots.size());
  return true;
}

void Gateway::stop() {
  Impl& g = *impl_;
  if (g.server) g.server->stop();
  g.server.reset();
}

bool Gateway::submit_internal(const exchange::CommandBody& body) { return impl_->submit(body, RequestInfo{}); }

void Gateway::wait_idle() {
  Impl& g = *impl_;
  std::unique_lock lock(g.pool_mu);
  g.pool_cv.wait(lock, [&] { return g.pool_free.size() == g.pool_all.size(); });
}

std::string Gateway::latency_summary() const { return impl_->latency.summary(); }

std::uint16_t Gateway::port() const { return impl_->server ? impl_->server->port() : 0; }

}  // namespace erx::gateway
