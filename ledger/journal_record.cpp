#include "ledger/journal_record.hpp"

#include <cstring>

#include "engine/core/assert.hpp"
#include "ledger/bytes.hpp"

namespace erx::ledger {

Hash append_record(const Hash& prev, const RecordHeader& h, std::string_view body, std::string& out) {
  // The length field is 32 bits; command bodies are bounded far below that
  // (exchange::kMaxBodyBytes), so a longer one is a bug, not an input.
  ERX_ASSERT(body.size() <= UINT32_MAX);
  const std::size_t start = out.size();
  out.append(as_bytes(prev));
  put_u8(out, kJournalFormat);
  put_u8(out, 0);
  put_u16(out, h.engine_version);
  put_u64(out, h.seq);
  put_u64(out, h.epoch);
  put_i64(out, h.time);
  put_u32(out, static_cast<std::uint32_t>(body.size()));
  out.append(body);
  const Hash hash = sha256(std::string_view(out).substr(start));
  out.append(as_bytes(hash));
  ERX_ASSERT(out.size() - start == kRecordOverhead + body.size());  // what read_record expects
  return hash;
}

const char* to_string(RecordDefect d) noexcept {
  switch (d) {
    case RecordDefect::None: return "ok";
    case RecordDefect::Truncated: return "record length does not match its contents";
    case RecordDefect::BadFormat: return "unknown record format";
    case RecordDefect::BadHash: return "record hash does not match its bytes";
  }
  return "?";
}

RecordDefect read_record(std::string_view bytes, RecordView& out) {
  if (bytes.size() < kRecordOverhead) return RecordDefect::Truncated;
  Reader r(bytes);
  std::memcpy(out.prev.data(), r.bytes(32).data(), 32);
  const std::uint8_t format = r.u8();
  const std::uint8_t flags = r.u8();
  out.header.engine_version = r.u16();
  out.header.seq = r.u64();
  out.header.epoch = r.u64();
  out.header.time = r.i64();
  const std::uint32_t n = r.u32();
  if (format != kJournalFormat || flags != 0) return RecordDefect::BadFormat;
  if (bytes.size() != kRecordOverhead + n) return RecordDefect::Truncated;
  out.body = r.bytes(n);
  std::memcpy(out.hash.data(), r.bytes(32).data(), 32);
  if (sha256(bytes.substr(0, 64 + n)) != out.hash) return RecordDefect::BadHash;
  return RecordDefect::None;
}

}  // namespace erx::ledger
