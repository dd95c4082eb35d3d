#pragma once
// ClOrdIndex: (member, ClOrdID) -> OrderId for every order of the business
// day (live or finished), so a ClOrdID cannot be reused the same day and a
// cancel / modify finds its order in O(1).
//
// Entries live in one vector; a flat hash index (book::IdIndex) maps the
// 64-bit hash of the key to the newest entry with that hash, and entries with
// equal hashes are chained, so a hash collision costs a comparison, never a
// wrong answer. No per-entry allocation: this sits on the order-entry path.
// Entries are only added during the day; reset() keeps the live orders' ones.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/book/id_index.hpp"
#include "engine/exchange/basic_types.hpp"

namespace erx::exchange {

class ClOrdIndex {
 public:
  struct Entry {
    MemberId member = 0;
    ClOrdId clord_id;
    OrderId order = 0;
    std::uint32_t next_same_hash = kEnd;
  };
  static constexpr std::uint32_t kEnd = UINT32_MAX;

  ClOrdIndex() : index_(4096) {}

  // The order the member gave this ClOrdID to today, or 0.
  [[nodiscard]] OrderId find(MemberId member, const ClOrdId& clord) const {
    return find(member, clord, [](OrderId) { return false; });
  }

  // The same, where `is_live_under_key(order)` may confirm a candidate from
  // the caller's own order record (which it reads anyway): a confirmed
  // candidate is returned without reading the full entry. The walk touches
  // only the compact links (16 bytes an entry) unless a candidate needs
  // checking against its stored key.
  template <class LiveUnderKey>
  [[nodiscard]] OrderId find(MemberId member, const ClOrdId& clord, LiveUnderKey is_live_under_key) const {
    const std::uint32_t head = index_.find(key(member, clord));
    for (std::uint32_t i = head == book::IdIndex::kMissing ? kEnd : head; i != kEnd; i = links_[i].next_same_hash) {
      if (is_live_under_key(links_[i].order)) return links_[i].order;
      if (entries_[i].member == member && entries_[i].clord_id == clord) return links_[i].order;
    }
    return 0;
  }

  // Precondition: find(member, clord) == 0.
  void insert(MemberId member, const ClOrdId& clord, OrderId order) {
    const std::uint64_t k = key(member, clord);
    const std::uint32_t head = index_.find(k);
    const auto at = static_cast<std::uint32_t>(entries_.size());
    entries_.push_back(Entry{member, clord, order, head == book::IdIndex::kMissing ? kEnd : head});
    links_.push_back(Link{order, entries_.back().next_same_hash});
    if (head != book::IdIndex::kMissing) index_.erase(k);
    index_.insert(k, at);
  }

  // Room for `orders` entries (a day's orders) without growing on the way.
  void reserve(std::uint32_t orders) {
    reserved_ = std::max(reserved_, orders);
    entries_.reserve(reserved_);
    links_.reserve(reserved_);
    index_.reserve(reserved_);
  }

  // Start a new day with only the entries `keep(entry)` says are still needed
  // (and the room reserve() asked for).
  template <class Keep>
  void reset(Keep keep) {
    std::vector<Entry> old;
    old.swap(entries_);
    links_.clear();
    index_ = book::IdIndex(4096);
    reserve(reserved_);
    for (const Entry& e : old)
      if (keep(e)) insert(e.member, e.clord_id, e.order);
  }

  [[nodiscard]] const std::vector<Entry>& entries() const noexcept { return entries_; }

 private:
  static std::uint64_t key(MemberId member, const ClOrdId& clord) {
    const std::uint64_t k = clord.hash() ^ (std::uint64_t{member} * 0x9E3779B97F4A7C15ull);
    return k == 0 ? 1 : k;  // 0 marks an empty cell in IdIndex
  }

  struct Link {
    OrderId order;
    std::uint32_t next_same_hash;
  };
  std::vector<Entry> entries_;
  std::vector<Link> links_;  // entries_[i]'s order and chain, kept apart so lookups stay small
  book::IdIndex index_;
  std::uint32_t reserved_ = 0;
};

}  // namespace erx::exchange
