#include "tests/fix/fix_client.hpp"

#include "gateway/config.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace erx::test {

namespace fs = std::filesystem;

// ------------------------------------------------------------------ erxd

ErxdProcess::ErxdProcess(const fs::path& data_dir, std::vector<std::string> extra, std::vector<std::string> env)
    : log_(data_dir.string() + ".log") {
  std::vector<std::string> argv = {ERX_ERXD, "--data-dir", data_dir.string(), "--port", "0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  crash::Child::Options o;
  o.argv = argv;
  o.env = std::move(env);
  o.output = log_;  // stdout and stderr
  fs::remove(log_);
  child_ = crash::Child::spawn(o);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = crash::slurp(log_);
    const std::size_t at = text.find("erxd ready: FIX 4.4 on 127.0.0.1:");
    if (at != std::string::npos) {
      port_ = static_cast<std::uint16_t>(std::stoi(text.substr(at + 33)));
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("erxd did not start:\n" + crash::slurp(log_));
}

ErxdProcess::~ErxdProcess() {
  if (child_.running()) terminate();
}

int ErxdProcess::terminate() {
  if (!child_.running()) return -1;
  ::kill(child_.pid(), SIGTERM);
  const auto [status, killed] = child_.wait_or_kill(std::chrono::milliseconds(15000));
  if (killed) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::optional<int> ErxdProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (child_.running()) {
    if (const std::optional<int> status = child_.try_wait())
      return WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

void ErxdProcess::kill() {
  child_.kill();
  child_.wait();
}

std::string ErxdProcess::log() const { return crash::slurp(log_); }

// ------------------------------------------------------------------ member

FixMember::FixMember(std::string comp_id, std::string username, std::string password, std::uint16_t port,
                     std::string store_dir)
    : comp_id_(std::move(comp_id)), username_(std::move(username)), password_(std::move(password)),
      session_("FIX.4.4", comp_id_, "ERX") {
  const bool keep = !store_dir.empty();
  std::stringstream cfg;
  cfg << "[DEFAULT]\nConnectionType=initiator\nReconnectInterval=1\nHeartBtInt=30\nStartTime=00:00:00\n"
      << "EndTime=00:00:00\nUseDataDictionary=Y\nDataDictionary=" << ERX_FIX_DICTIONARY
      << "\nResetOnLogon=" << (keep ? "N" : "Y") << "\n"
      << "SocketConnectHost=127.0.0.1\nSocketConnectPort=" << port << "\nCheckLatency=N\n";
  if (keep) cfg << "FileStorePath=" << store_dir << "\n";
  cfg << "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=" << comp_id_ << "\nTargetCompID=ERX\n";
  settings_ = std::make_unique<FIX::SessionSettings>(cfg);
  if (keep) store_ = std::make_unique<FIX::FileStoreFactory>(*settings_);
  else store_ = std::make_unique<FIX::MemoryStoreFactory>();
}

FixMember::~FixMember() {
  if (initiator_) initiator_->stop(true);
}

bool FixMember::logon(std::chrono::milliseconds timeout) {
  initiator_ = std::make_unique<FIX::SocketInitiator>(*this, *store_, *settings_);
  initiator_->start();
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return logged_on_; });
}

void FixMember::logout() {
  if (initiator_) initiator_->stop();
}

void FixMember::stop() {
  if (initiator_) initiator_->stop(true);
}

bool FixMember::logged_on() const {
  std::lock_guard lock(mu_);
  return logged_on_;
}

std::string FixMember::logout_text() const {
  std::lock_guard lock(mu_);
  return logout_text_;
}

void FixMember::send(FIX::Message& m) { FIX::Session::sendToTarget(m, session_); }

void FixMember::onLogon(const FIX::SessionID&) {
  std::lock_guard lock(mu_);
  logged_on_ = true;
  cv_.notify_all();
}

void FixMember::onLogout(const FIX::SessionID&) {
  std::lock_guard lock(mu_);
  logged_on_ = false;
  cv_.notify_all();
}

void FixMember::toAdmin(FIX::Message& m, const FIX::SessionID&) {
  if (msg_type(m) == "A") {
    m.setField(553, username_);
    m.setField(554, password_);
  }
}

void FixMember::fromAdmin(const FIX::Message& m, const FIX::SessionID&) {
  if (msg_type(m) == "5" && m.isSetField(58)) {
    std::lock_guard lock(mu_);
    logout_text_ = m.getField(58);
  }
}

void FixMember::fromApp(const FIX::Message& m, const FIX::SessionID&) {
  std::lock_guard lock(mu_);
  received_.push_back(m);
  cv_.notify_all();
}

std::optional<FIX::Message> FixMember::wait_for(const std::function<bool(const FIX::Message&)>& pred,
                                                std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::optional<FIX::Message> found;
  cv_.wait_for(lock, timeout, [&] {
    for (std::size_t i = taken_; i < received_.size(); ++i)
      if (pred(received_[i])) {
        found = received_[i];
        taken_ = i + 1;
        return true;
      }
    return false;
  });
  return found;
}

std::vector<FIX::Message> FixMember::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

// ------------------------------------------------------------------ builders

namespace {
FIX::Message app(const char* type) {
  FIX::Message m;
  m.getHeader().setField(FIX::FIELD::MsgType, type);
  return m;
}
}  // namespace

FIX::Message new_order(const std::string& clord, const std::string& symbol, char side, const std::string& qty,
                       const std::string& price, char tif) {
  FIX::Message m = app("D");
  m.setField(11, clord);
  m.setField(55, symbol);
  m.setField(54, std::string(1, side));
  m.setField(FIX::TransactTime());
  m.setField(38, qty);
  m.setField(40, price.empty() ? "1" : "2");
  if (!price.empty()) m.setField(44, price);
  m.setField(59, std::string(1, tif));
  return m;
}

FIX::Message cancel_order(const std::string& clord, const std::string& orig, const std::string& symbol, char side) {
  FIX::Message m = app("F");
  m.setField(11, clord);
  m.setField(41, orig);
  m.setField(55, symbol);
  m.setField(54, std::string(1, side));
  m.setField(FIX::TransactTime());
  return m;
}

FIX::Message replace_order(const std::string& clord, const std::string& orig, const std::string& symbol, char side,
                           const std::string& qty, const std::string& price) {
  FIX::Message m = app("G");
  m.setField(11, clord);
  m.setField(41, orig);
  m.setField(55, symbol);
  m.setField(54, std::string(1, side));
  m.setField(FIX::TransactTime());
  m.setField(38, qty);
  m.setField(40, "2");
  m.setField(44, price);
  return m;
}

FIX::Message market_data_request(const std::string& id, char subscription, const std::vector<std::string>& entry_types,
                                 const std::string& symbol) {
  FIX::Message m = app("V");
  m.setField(262, id);
  m.setField(263, std::string(1, subscription));
  m.setField(264, "5");
  for (const std::string& t : entry_types) {
    FIX::Group g(267, 269);
    g.setField(269, t);
    m.addGroup(g);
  }
  FIX::Group s(146, 55);
  s.setField(55, symbol);
  m.addGroup(s);
  return m;
}

FIX::Message mass_status_request(const std::string& id) {
  FIX::Message m = app("AF");
  m.setField(584, id);
  m.setField(585, "7");
  return m;
}

std::vector<FIX::Message> mass_status_answers(FixMember& member, FIX::Message request, std::chrono::milliseconds timeout) {
  const std::string id = field(request, 584);
  const auto answer = [&](const FIX::Message& m) {
    return (msg_type(m) == "8" && field(m, 584) == id) || (msg_type(m) == "j" && field(m, 379) == id);
  };
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  FIX::Message copy = request;
  member.send(copy);
  std::vector<FIX::Message> got;
  while (const auto r = member.wait_for(answer, timeout)) {
    if (msg_type(*r) == "j") {
      // Refused by the throttle (a member resending a backlog is over it for
      // a while): asked again a little later, as a member would.
      if (std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      copy = request;
      member.send(copy);
      continue;
    }
    got.push_back(*r);
    if (field(*r, 912) == "Y") return got;
  }
  return {};
}

std::optional<std::vector<FIX::Message>> live_orders_until(FixMember& member, std::size_t live) {
  for (int i = 0; i < 20; ++i) {
    std::vector<FIX::Message> open;
    for (const FIX::Message& m : mass_status_answers(member, mass_status_request("ST" + std::to_string(i))))
      if (field(m, 39) == "0" || field(m, 39) == "1") open.push_back(m);
    if (open.size() == live) return open;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return std::nullopt;
}

std::string config_with(const fs::path& dir, const std::vector<std::pair<std::string, std::string>>& set) {
  std::string text = gateway::default_config_text();
  for (const auto& [key, value] : set) {
    const std::size_t at = text.find(key + " = ");
    if (at == std::string::npos) throw std::runtime_error("no key " + key + " in the embedded configuration");
    text.replace(at, text.find('\n', at) - at, key + " = " + value);
  }
  const std::string path = (dir / "erxd.conf").string();
  std::ofstream(path) << text;
  return path;
}

std::string field(const FIX::FieldMap& m, int tag) { return m.isSetField(tag) ? m.getField(tag) : std::string(); }
std::string msg_type(const FIX::Message& m) { return m.getHeader().getField(FIX::FIELD::MsgType); }

std::function<bool(const FIX::Message&)> exec_report(const std::string& clord, char exec_type) {
  return [clord, exec_type](const FIX::Message& m) {
    return msg_type(m) == "8" && field(m, 11) == clord && field(m, 150) == std::string(1, exec_type);
  };
}

}  // namespace erx::test
