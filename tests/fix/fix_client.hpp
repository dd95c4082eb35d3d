#pragma once
// A FIX member for tests: a QuickFIX SocketInitiator for one CompID that logs
// on with a username and password and records every application message it
// receives, and erxd as a child process on a free loopback port.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/quickfix.hpp"
#include "tests/crash/harness.hpp"

namespace erx::test {

// erxd started on a free port with its own data directory; stopped with
// SIGTERM by the destructor (SIGKILL if it does not exit in time).
class ErxdProcess {
 public:
  // `env`: NAME=VALUE pairs added to erxd's environment (the crash shim's).
  ErxdProcess(const std::filesystem::path& data_dir, std::vector<std::string> extra_args = {},
              std::vector<std::string> env = {});
  ~ErxdProcess();
  [[nodiscard]] std::uint16_t port() const { return port_; }
  // SIGTERM, wait, return the exit status (-1 if it had to be killed).
  int terminate();
  void kill();  // SIGKILL
  // Waits up to `timeout` for erxd to exit on its own: its exit status, or
  // nullopt (it is then still running).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  [[nodiscard]] pid_t pid() const { return child_.pid(); }
  [[nodiscard]] std::string log() const;

 private:
  std::filesystem::path log_;
  crash::Child child_;
  std::uint16_t port_ = 0;
};

class FixMember final : public FIX::Application {
 public:
  // With `store_dir`, the member keeps its sequence numbers and sent
  // messages there (a QuickFIX FileStore) and logs on without 141=Y, as a
  // member that recovers by resend would; without, it resets at every logon.
  FixMember(std::string comp_id, std::string username, std::string password, std::uint16_t port,
            std::string store_dir = "");
  ~FixMember() override;

  // Starts the initiator and waits for the logon (false: not logged on in time).
  bool logon(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  void logout();
  // Stops the initiator at once and waits for its thread: after it, received()
  // is final — nothing still in the socket's buffer is taken (and counted by
  // the member's store) behind the caller's back.
  void stop();
  [[nodiscard]] bool logged_on() const;
  [[nodiscard]] std::string logout_text() const;

  void send(FIX::Message& m);
  // Waits for a received application message matching `pred`, starting after
  // the ones already taken; returns it (nullopt on timeout).
  std::optional<FIX::Message> wait_for(const std::function<bool(const FIX::Message&)>& pred,
                                       std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  [[nodiscard]] std::vector<FIX::Message> received() const;

  // FIX::Application
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override;
  void onLogout(const FIX::SessionID&) override;
  void toAdmin(FIX::Message& m, const FIX::SessionID&) override;
  void toApp(FIX::Message&, const FIX::SessionID&) override {}
  void fromAdmin(const FIX::Message& m, const FIX::SessionID&) override;
  void fromApp(const FIX::Message& m, const FIX::SessionID&) override;

 private:
  std::string comp_id_, username_, password_;
  FIX::SessionID session_;
  std::unique_ptr<FIX::SessionSettings> settings_;
  std::unique_ptr<FIX::MessageStoreFactory> store_;
  std::unique_ptr<FIX::SocketInitiator> initiator_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<FIX::Message> received_;
  std::size_t taken_ = 0;
  bool logged_on_ = false;
  std::string logout_text_;
};

// Message builders (TransactTime now).
FIX::Message new_order(const std::string& clord, const std::string& symbol, char side, const std::string& qty,
                       const std::string& price, char tif = '0');
FIX::Message cancel_order(const std::string& clord, const std::string& orig, const std::string& symbol, char side);
FIX::Message replace_order(const std::string& clord, const std::string& orig, const std::string& symbol, char side,
                           const std::string& qty, const std::string& price);
FIX::Message market_data_request(const std::string& id, char subscription, const std::vector<std::string>& entry_types,
                                 const std::string& symbol);
FIX::Message mass_status_request(const std::string& id);
// The answers to one mass status request, up to its last (912=Y); empty when
// it did not end in time.
std::vector<FIX::Message> mass_status_answers(FixMember& member, FIX::Message request,
                                             std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
// Sends mass status requests (585=7) until the member has `live` live orders
// (39=0 or 1; the answer lists the day's finished orders too) — the state
// after an asynchronous change, such as cancel on disconnect. Their reports,
// or nullopt when the count was not reached in time.
std::optional<std::vector<FIX::Message>> live_orders_until(FixMember& m, std::size_t live);
// erxd's embedded configuration with some `key = value` lines replaced,
// written to dir/erxd.conf; returns its path.
std::string config_with(const std::filesystem::path& dir, const std::vector<std::pair<std::string, std::string>>& set);
// Predicates.
std::function<bool(const FIX::Message&)> exec_report(const std::string& clord, char exec_type);
std::string field(const FIX::FieldMap& m, int tag);
std::string msg_type(const FIX::Message& m);

}  // namespace erx::test
