// Fuzz target: FIX bytes through the gateway (docs/FUZZING.md; issue 12).
//
// The path a member's bytes take in erxd, without its socket: one
// ConnectionCore per input (gateway/connection_core.hpp: framing, the logon
// read and checked before any session is bound, the field checks, QuickFIX's
// session and dictionary), fed by the real Gateway (credentials, the logon
// back-off, translation of every request into commands, status, market data
// and security list answers, the throttle, cancel on disconnect) in front of
// a real sequencer, exchange and ledger (on tmpfs when there is one), loaded
// with erxd's demo data once per process.
//
// An input is mostly structure: its first byte chooses
//   0  raw bytes from the first one (a stranger's stream);
//   1  a valid Logon of one of the five sessions, then raw bytes;
//   2  that Logon, then messages: the rest is cut at 0xFF into message
//      bodies, each framed by the harness — 35 from the body's first byte
//      (a table of every type the venue knows, and some it does not),
//      34 the next number (sometimes repeated or skipped), 49/56/52, the
//      body's bytes as the fields, then BodyLength and CheckSum — so most
//      inputs reach the application and the translation of requests; a body
//      that starts with 0xee is a burst of 200 of the message after it (past
//      the throttle).
// The second byte cuts the stream into reads of different sizes.
//
// After each input the harness waits until every command it caused is
// committed, lets the connection send their reports, ends it (cancel on
// disconnect), and checks what must hold whatever came in: nothing threw out
// of the core, the session is free again (a valid Logon logs on), and
// nothing was written but whole FIX messages. Anything else aborts: the
// driver saves the input.

#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/exchange/command_text.hpp"
#include "gateway/config.hpp"
#include "gateway/connection_core.hpp"
#include "gateway/credentials.hpp"
#include "gateway/fix_framer.hpp"
#include "gateway/gateway.hpp"
#include "ledger/durable_exchange.hpp"
#include "tools/erxd/demo_data.hpp"

namespace {

using namespace erx;
using Clock = gateway::ConnectionCore::Clock;

constexpr const char* kSoh = "\x01";

struct Session {
  const char* comp;
  const char* user;
  const char* password;
};
constexpr std::array<Session, 5> kSessions = {{{"M1", "m1", "demo-m1"},
                                               {"M2", "m2", "demo-m2"},
                                               {"M3", "m3", "demo-m3"},
                                               {"M1-DC", "m1", "demo-m1"},
                                               {"REG", "regulator", "demo-reg"}}};

// Every message type of the venue dictionary, admin and application, and a
// few it does not have.
constexpr std::array<const char*, 24> kTypes = {"D", "F", "G", "H", "q", "AF", "V", "x", "g", "0", "1", "2",
                                                "3", "4", "5", "A", "j", "8", "9", "c", "AE", "ZZ", "", "D"};

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_fix: %s\n", what.c_str());
  std::abort();
}

std::string frame(const std::string& body) {
  std::string m = "8=FIX.4.4" + std::string(kSoh) + "9=" + std::to_string(body.size()) + kSoh + body;
  unsigned sum = 0;
  for (const char c : m) sum += static_cast<unsigned char>(c);
  char trailer[8];
  std::snprintf(trailer, sizeof trailer, "10=%03u", sum % 256);
  return m + trailer + kSoh;
}

std::string now_text() { return FIX::UtcTimeStampConvertor::convert(FIX::UtcTimeStamp(), 3); }

std::string header(const std::string& type, int seq, const char* comp) {
  return "35=" + type + kSoh + "34=" + std::to_string(seq) + kSoh + "49=" + comp + kSoh + "52=" + now_text() + kSoh +
         "56=ERX" + kSoh;
}

std::string logon(const Session& s) {
  return frame(header("A", 1, s.comp) + "98=0" + kSoh + "108=30" + kSoh + "141=Y" + kSoh + "553=" + s.user + kSoh +
               "554=" + s.password + kSoh);
}

// The exchange, its ledger and the gateway, once per process.
class World {
 public:
  World() {
    // The gateway logs every refusal: millions of lines. ERX_FUZZ_TRACE=1
    // shows them (to replay a finding).
    spdlog::set_level(std::getenv("ERX_FUZZ_TRACE") ? spdlog::level::info : spdlog::level::critical);
    const char* shm = "/dev/shm";
    struct stat st {};
    const std::string base = ::stat(shm, &st) == 0 && S_ISDIR(st.st_mode) ? shm : "/tmp";
    char pattern[256];
    std::snprintf(pattern, sizeof pattern, "%s/erx-fuzz-fix-XXXXXX", base.c_str());
    if (::mkdtemp(pattern) == nullptr) finding("cannot make a temporary directory");
    dir_ = pattern;
    std::string error;
    // The embedded configuration with cheap password hashes (the password
    // check would be most of the time), no failure delay, and no back-off
    // (the fuzzer fails logons all the time; back-off has its own tests).
    std::string text = gateway::default_config_text();
    const auto set = [&](const std::string& key, const std::string& value) {
      const std::size_t at = text.find(key + " = ");
      if (at == std::string::npos) finding("no key " + key);
      text.replace(at, text.find('\n', at) - at, key + " = " + value);
    };
    set("limits.logon_failure_delay_ms", "0");
    set("limits.logon_backoff_after", "1000000000");
    set("limits.logon_backoff_after_per_address", "1000000000");
    // A throttle of 50 messages per 10 ms (logout at 150): ordinary inputs stay
    // under it, a burst (below) goes past it, and its logout must leave the
    // session usable.
    set("limits.throttle_messages", "50");
    set("limits.throttle_window_ms", "10");
    set("limits.throttle_logout_multiple", "3");
    std::size_t at = 0;
    for (const Session& s : kSessions) {
      if (s.comp == std::string("M1-DC")) continue;  // logs on with M1's credentials
      at = text.find("password = ", at);
      text.replace(at, text.find('\n', at) - at, "password = " + gateway::hash_password(s.password, 1000));
      ++at;
    }
    auto config = gateway::parse_config(text, &error);
    if (!config) finding("configuration: " + error);
    config_ = std::make_unique<gateway::ErxdConfig>(*config);
    config_->data_dir = dir_;
    config_->dictionary = ERX_FIX_DICTIONARY;
    config_->timer_ms = 1000;
    dx_ = std::make_unique<ledger::DurableExchange>(clock_);
    gw_ = std::make_unique<gateway::Gateway>(*config_, *dx_);
    ledger::DurableOptions options;
    options.ledger.dir = dir_ + "/ledger";
    options.observer = &gw_->recovery_observer();
    if (!gw_->open_sessions(&error) || !dx_->open(options, &error)) finding(error);
    gw_->after_recovery();
    dx_->start();
    const exchange::ParsedScript script = exchange::parse_script(erxd::demo_script(20261207));
    if (!script.ok()) finding("demo data does not parse");
    for (const exchange::Command& c : script.commands)
      if (!gw_->submit_internal(c.body)) finding("demo data not taken");
    gw_->wait_idle();
  }
  ~World() {
    // The sequencer calls the gateway until it stops: stop it first (the
    // order erxd uses; ~Gateway asserts it).
    gw_->stop();
    dx_->stop();
    gw_.reset();
    dx_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  gateway::ConnectionHooks& hooks() { return gw_->connection_hooks(); }
  const gateway::GatewayLimits& limits() const { return config_->limits; }
  void wait_idle() { gw_->wait_idle(); }

 private:
  std::string dir_;
  ledger::SystemClock clock_;
  std::unique_ptr<gateway::ErxdConfig> config_;
  std::unique_ptr<ledger::DurableExchange> dx_;
  std::unique_ptr<gateway::Gateway> gw_;
};

World& world() {
  static World w;
  return w;
}

// Whole FIX messages, nothing else: what the connection wrote must frame.
void check_output(const std::string& out) {
  gateway::FixFramer framer(1 << 20);
  framer.feed(out);
  std::string m;
  for (;;) {
    const auto s = framer.next(m);
    if (s == gateway::FixFramer::Status::NeedMore) break;
    if (s != gateway::FixFramer::Status::Message) finding("the connection wrote bytes that are not FIX messages");
  }
  if (framer.buffered() != 0) finding("the connection wrote part of a message");
}

// Novel: an answer of a kind not seen before (message type and its reason codes).
std::set<std::string> g_seen;
bool g_novel = false;

void note_answers(const std::string& out) {
  std::size_t at = 0;
  while ((at = out.find("\x01" "35=", at)) != std::string::npos) {
    const std::size_t end = out.find("\x01" "10=", at);
    const std::string_view msg(out.data() + at, (end == std::string::npos ? out.size() : end) - at);
    std::string key(msg.substr(4, msg.find('\x01', 4) - 4));
    for (const char* tag : {"\x01" "373=", "\x01" "150=", "\x01" "103=", "\x01" "102=", "\x01" "380=", "\x01" "281=",
                            "\x01" "532=", "\x01" "560="}) {
      const std::size_t t = msg.find(tag);
      if (t != std::string_view::npos) key += std::string(tag + 1) + std::string(msg.substr(t + std::strlen(tag), 2));
    }
    if (g_seen.insert(key).second) g_novel = true;
    at += 4;
  }
}

void run(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  const std::uint8_t mode = size > 0 ? data[0] % 3 : 0;
  const std::uint8_t cut = size > 1 ? data[1] : 0;
  const Session& s = kSessions[size > 2 ? data[2] % kSessions.size() : 0];
  const std::string_view rest(reinterpret_cast<const char*>(data) + std::min<std::size_t>(size, 3),
                              size - std::min<std::size_t>(size, 3));
  std::string stream;
  if (mode >= 1) stream = logon(s);
  if (mode <= 1) {
    stream.append(rest);
  } else {
    int seq = 2;
    std::size_t from = 0;
    while (from <= rest.size()) {
      std::size_t to = rest.find('\xff', from);
      if (to == std::string_view::npos) to = rest.size();
      std::string_view body = rest.substr(from, to - from);
      from = to + 1;
      if (body.empty()) continue;
      // 0xee first: a burst of 200 of the message that follows (past the throttle).
      const bool burst = static_cast<std::uint8_t>(body[0]) == 0xee && body.size() > 1;
      if (burst) body.remove_prefix(1);
      const auto pick = static_cast<std::uint8_t>(body[0]);
      const std::string type = kTypes[pick % kTypes.size()];
      if (pick >= 0xf0) seq += (pick & 1) ? 1 : -1;  // now and then a gap or a repeat
      for (int copies = burst ? 200 : 1; copies > 0; --copies)
        stream += frame(header(type, seq++, s.comp) + std::string(body.substr(1)));
    }
  }
  auto core = std::make_unique<gateway::ConnectionCore>("10.0.0.1", "fuzz", w.hooks(), w.limits(), "ERX", Clock::now());
  std::string out;
  try {
    // Reads of 1 to 256 bytes (cut 0: the whole stream at once).
    const std::size_t step = cut == 0 ? stream.size() + 1 : cut;
    for (std::size_t at = 0; at < stream.size() && !core->closing(); at += step) {
      core->received(std::string_view(stream).substr(at, step));
      core->turn(Clock::now());
    }
    w.wait_idle();  // every command this connection caused is committed ...
    core->turn(Clock::now());  // ... and its reports sent
    core->turn(Clock::now() + std::chrono::hours(1));  // a refused logon's answer, the logon timeout
    out = core->output();
    core->end();
  } catch (const std::exception& e) {
    finding(std::string("an exception left the connection: ") + e.what());
  }
  check_output(out);
  note_answers(out);
  core.reset();
  // The session the input used is free again: a valid Logon logs on.
  w.wait_idle();
  if (mode >= 1) {
    gateway::ConnectionCore again("10.0.0.2", "fuzz-again", w.hooks(), w.limits(), "ERX", Clock::now());
    again.received(logon(s));
    if (again.stage() != gateway::ConnectionCore::Stage::LoggedOn)
      finding(std::string("session ") + s.comp + " cannot log on again after the input");
    again.end();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  g_novel = false;
  run(data, size);
  return 0;
}

extern "C" int erx_fuzz_novel(void) { return g_novel ? 1 : 0; }
