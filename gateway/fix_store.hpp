#pragma once
// FIX sequence numbers and sent messages that survive a restart of erxd
// (docs/FIX.md section 2, "Sequence numbers and recovery"): a QuickFIX
// MessageStore kept in one append-only file per session,
// <data_dir>/fix/<member CompID>.store.
//
// What it holds: the next sequence number each way, the session's creation
// time (QuickFIX resets a session when its day changes), the text of every
// application message sent (a ResendRequest is answered from it; market
// data is not kept and is gap-filled instead), and for every report made
// from a committed command its origin — the command's seq and the report's
// place among that command's reports to this session. The last origin sent
// is where recovery resumes: reports the ledger holds after it were never
// sent, and erxd rebuilds them from the journal at start (gateway.cpp).
//
// Durability: records are buffered and written (one write(2)) by flush(),
// which the connection calls before any byte goes to the member's socket —
// so the file is never behind what a member may have received, and a killed
// erxd loses nothing of it (the kernel has it). It is not fsynced: after an
// operating-system crash its tail may be missing, which a member sees as a
// sequence number lower than it expected (it must then log on with 141=Y);
// the ledger, not this file, is the exchange's record.
//
// A record: u8 kind, u32 length of the payload, the payload, u32 checksum
// (of kind, length and payload); a torn or damaged tail is cut off at load.
// Every integer little-endian.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/exchange/basic_types.hpp"
#include "gateway/out_msg.hpp"
#include "gateway/quickfix.hpp"
#include "ledger/writer_lock.hpp"

namespace erx::gateway {

class FixStore final : public FIX::MessageStore {
 public:
  // Opens (creating) the file and loads it; throws FIX::ConfigError when the
  // file cannot be opened or read.
  FixStore(std::string path, std::string name);
  ~FixStore() override;
  FixStore(const FixStore&) = delete;
  FixStore& operator=(const FixStore&) = delete;

  // FIX::MessageStore
  bool set(int seq, const std::string& message) override;
  void get(int begin, int end, std::vector<std::string>& out) const override;
  int getNextSenderMsgSeqNum() const override;
  int getNextTargetMsgSeqNum() const override;
  void setNextSenderMsgSeqNum(int value) override;
  void setNextTargetMsgSeqNum(int value) override;
  void incrNextSenderMsgSeqNum() override;
  void incrNextTargetMsgSeqNum() override;
  FIX::UtcTimeStamp getCreationTime() const override;
  void reset() override;
  void refresh() override;

  // The message the session sends next is this report (consumed by set()).
  void set_origin_of_next(ReportOrigin origin);
  // Writes the records buffered since the last flush; false when the file
  // could not be written (logged once; the store then lags until it can).
  bool flush();
  // The last report of a committed command this session was sent, across
  // resets: recovery sends what the ledger holds after it.
  [[nodiscard]] ReportOrigin last_origin() const;
  // Messages kept for resend (for tests and the log).
  [[nodiscard]] std::size_t messages() const;

 private:
  enum class Kind : std::uint8_t { Header = 1, Sender = 2, Target = 3, Message = 4 };
  struct Kept {
    int seq;
    std::uint64_t offset;  // of the text in the file
    std::uint32_t bytes;
  };
  void load();
  void append(Kind kind, std::string_view head, std::string_view tail = {});
  void append_number(Kind kind, int value);
  void write_header_now();
  bool flush_locked() const;

  const std::string path_;
  const std::string name_;  // for the log
  mutable std::mutex mu_;
  int fd_ = -1;
  std::uint64_t file_size_ = 0;  // written, plus what is buffered
  mutable std::string buffer_;   // records not written yet (get() writes them before it reads)
  std::int64_t creation_ns_ = 0;
  int next_sender_ = 1, next_target_ = 1;
  ReportOrigin last_origin_, pending_origin_;
  std::vector<Kept> kept_;  // by seq, increasing
  mutable bool write_failed_ = false;
};

class FixStoreFactory final : public FIX::MessageStoreFactory {
 public:
  explicit FixStoreFactory(std::string dir) : dir_(std::move(dir)) {}
  // Takes the directory for this process (an exclusive lock on
  // <dir>/ERX-FIX.lock, held until destruction; it names the holder's pid):
  // two erxd on one data directory would write the same stores. False with
  // *error when another process holds it.
  bool lock(std::string* error);
  FIX::MessageStore* create(const FIX::SessionID& id) override;
  void destroy(FIX::MessageStore* store) override;
  // The store of a session created by this factory (nullptr if none).
  [[nodiscard]] FixStore* find(const FIX::SessionID& id) const;

 private:
  std::string dir_;
  ledger::WriterLock lock_;
  mutable std::mutex mu_;
  std::map<std::string, FixStore*> stores_;  // by the member's CompID
};

}  // namespace erx::gateway
