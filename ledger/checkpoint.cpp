#include "ledger/checkpoint.hpp"

#include <cstring>

#include "engine/core/assert.hpp"
#include "ledger/bytes.hpp"

namespace erx::ledger {

void encode_checkpoint(const Checkpoint& c, std::string& out) {
  ERX_ASSERT(static_cast<std::uint8_t>(c.reason) <= kLastCheckpointReason);  // decode_checkpoint would refuse it
  const std::size_t start = out.size();
  put_u64(out, c.state_hash);
  out.append(as_bytes(c.chain));
  put_u8(out, static_cast<std::uint8_t>(c.reason));
  ERX_ASSERT(out.size() - start == kCheckpointBytes);
}

bool decode_checkpoint(std::string_view bytes, Checkpoint& out) {
  Reader r(bytes);
  out.state_hash = r.u64();
  const std::string_view chain = r.bytes(32);
  const std::uint8_t reason = r.u8();
  if (r.bad() || !r.at_end() || reason > kLastCheckpointReason) return false;
  std::memcpy(out.chain.data(), chain.data(), 32);
  out.reason = static_cast<CheckpointReason>(reason);
  return true;
}

}  // namespace erx::ledger
