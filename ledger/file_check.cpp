#include "ledger/file_check.hpp"

#include <fcntl.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace erx::ledger {

namespace {

static_assert(std::endian::native == std::endian::little, "LMDB's file is read in the machine's byte order");

// LMDB 0.9's file, 64-bit build. A page starts with a 16-byte header:
//   u64 page number, u16 pad, u16 flags, then u16 lower, u16 upper
//   (or, on the first page of an overflow run, u32 pages in the run);
// then, on branch and leaf pages, one u16 offset per node (from the page's
// start), the nodes themselves packed at the page's end. A node: u16 lo,
// u16 hi, u16 flags, u16 key size, the key, then (leaf) the data — or, with
// F_BIGDATA, the u64 number of the overflow page holding it; the data size is
// lo | hi << 16. A branch node's child is lo | hi << 16 | flags << 32.
constexpr std::uint32_t kMagic = 0xBEEFC0DE;
constexpr std::uint32_t kDataVersion = 1;
constexpr std::size_t kPageHeader = 16;
constexpr std::uint16_t kBranch = 0x01, kLeaf = 0x02, kOverflow = 0x04, kMetaPage = 0x08;
constexpr std::size_t kNodeHeader = 8;
constexpr std::uint16_t kBigData = 0x01, kSubData = 0x02;
constexpr std::uint64_t kNoPage = ~std::uint64_t{0};  // an empty tree's root
constexpr std::uint64_t kMetaPages = 2;
constexpr unsigned kMaxDepth = 32;  // LMDB's cursor stack
constexpr std::size_t kMaxKey = 511;
// A database record (MDB_db): u32 pad (the page size, in the free list's
// record of a meta page), u16 flags, u16 depth, u64 branch pages, leaf pages,
// overflow pages, entries, root.
constexpr std::size_t kDbRecord = 48;
// A meta page, after the page header: u32 magic, u32 version, u64 address,
// u64 map size, the free list's and the main database's records, u64 last
// page used, u64 transaction id.
constexpr std::size_t kMetaMagic = 16, kMetaVersion = 20, kMetaMapSize = 32, kMetaFreeDb = 40, kMetaMainDb = 88,
                      kMetaLastPage = 136, kMetaTxnid = 144, kMetaEnd = 152;
// No ledger maps more than this (LedgerOptions::max_map_size is 1 TiB): a
// larger map size in a meta page is a damaged one.
constexpr std::uint64_t kMaxMapSize = std::uint64_t{1} << 44;

template <class T>
T load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string str(std::uint64_t v) { return std::to_string(v); }

struct Damage {
  std::string what;
  bool no_header = false;
};
struct ReadError {
  int error;
  std::string what;
};

struct Db {
  std::uint32_t pad = 0;
  std::uint16_t flags = 0, depth = 0;
  std::uint64_t branch = 0, leaf = 0, overflow = 0, entries = 0, root = kNoPage;
};

Db parse_db(const unsigned char* p) {
  Db d;
  d.pad = load<std::uint32_t>(p);
  d.flags = load<std::uint16_t>(p + 4);
  d.depth = load<std::uint16_t>(p + 6);
  d.branch = load<std::uint64_t>(p + 8);
  d.leaf = load<std::uint64_t>(p + 16);
  d.overflow = load<std::uint64_t>(p + 24);
  d.entries = load<std::uint64_t>(p + 32);
  d.root = load<std::uint64_t>(p + 40);
  return d;
}

struct Meta {
  std::uint64_t pgno = 0;
  std::uint16_t flags = 0;
  std::uint32_t magic = 0, version = 0;
  std::uint64_t map_size = 0;
  Db free, main;
  std::uint64_t last_page = 0, txnid = 0;
  [[nodiscard]] std::uint32_t page_size() const { return free.pad; }
};

Meta parse_meta(const unsigned char* p) {
  Meta m;
  m.pgno = load<std::uint64_t>(p);
  m.flags = load<std::uint16_t>(p + 10);
  m.magic = load<std::uint32_t>(p + kMetaMagic);
  m.version = load<std::uint32_t>(p + kMetaVersion);
  m.map_size = load<std::uint64_t>(p + kMetaMapSize);
  m.free = parse_db(p + kMetaFreeDb);
  m.main = parse_db(p + kMetaMainDb);
  m.last_page = load<std::uint64_t>(p + kMetaLastPage);
  m.txnid = load<std::uint64_t>(p + kMetaTxnid);
  return m;
}

// A bit per page of the file.
class PageSet {
 public:
  explicit PageSet(std::uint64_t pages) : bits_((pages + 63) / 64) {}
  // False if it was there already.
  bool add(std::uint64_t p) {
    std::uint64_t& w = bits_[p / 64];
    const std::uint64_t bit = std::uint64_t{1} << (p % 64);
    if (w & bit) return false;
    w |= bit;
    return true;
  }
  [[nodiscard]] bool has(std::uint64_t p) const { return (bits_[p / 64] >> (p % 64)) & 1; }

 private:
  std::vector<std::uint64_t> bits_;
};

enum class Kind : std::uint8_t { Free, Main, Table };

struct Tree {
  std::string name;  // "the free list", "the main database", "table 'journal'"
  Kind kind;
  Db db;
  std::uint64_t branch = 0, leaf = 0, overflow = 0, entries = 0;
};

// LMDB's default key order (shorter first on a common prefix); the free
// list's keys are 8-byte native integers (MDB_INTEGERKEY).
int compare(Kind kind, std::string_view a, std::string_view b) {
  if (kind == Kind::Free) {
    const auto x = load<std::uint64_t>(reinterpret_cast<const unsigned char*>(a.data()));
    const auto y = load<std::uint64_t>(reinterpret_cast<const unsigned char*>(b.data()));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// Key bounds a parent gives a child: lo <= key < hi (absent: unbounded).
struct Bounds {
  const std::string_view* lo = nullptr;
  const std::string_view* hi = nullptr;
};

class Walker {
 public:
  Walker(int fd, std::uint32_t page_size, std::uint64_t last_page, std::uint64_t txnid, FileCheck& out)
      : fd_(fd), ps_(page_size), last_(last_page), txnid_(txnid), out_(out), seen_(last_page + 1),
        listed_(last_page + 1) {
    for (auto& b : bufs_) b.resize(ps_);
  }

  void walk(Tree& t) {
    const Db& d = t.db;
    if (d.root == kNoPage) {
      if (d.depth != 0 || d.branch != 0 || d.leaf != 0 || d.overflow != 0 || d.entries != 0)
        throw Damage{t.name + " is empty (no root page) but its record counts depth " + str(d.depth) + ", " +
                     str(d.entries) + " entries, " + str(d.branch + d.leaf + d.overflow) + " pages"};
      return;
    }
    if (d.depth == 0 || d.depth > kMaxDepth)
      throw Damage{t.name + " has depth " + str(d.depth) + " (LMDB handles 1 to " + str(kMaxDepth) + ")"};
    check_ref(d.root, [&] { return t.name + "'s root"; });
    visit(t, d.root, 1, Bounds{});
    if (t.branch != d.branch || t.leaf != d.leaf || t.overflow != d.overflow || t.entries != d.entries)
      throw Damage{t.name + "'s record counts " + str(d.branch) + " branch, " + str(d.leaf) + " leaf, " +
                   str(d.overflow) + " overflow pages and " + str(d.entries) + " entries; its pages hold " +
                   str(t.branch) + ", " + str(t.leaf) + ", " + str(t.overflow) + " and " + str(t.entries)};
    out_.tree_pages += t.branch + t.leaf;
    out_.overflow_pages += t.overflow;
    out_.entries += t.entries;
  }

  // Every page on the free list is inside the file, listed once, and not in
  // use: LMDB would hand it out for new data.
  void check_free_list() {
    for (const auto& [page, txn] : free_) {
      if (!listed_.add(page))
        throw Damage{"page " + str(page) + " is on the free list twice (record of transaction " + str(txn) + ")"};
      if (seen_.has(page))
        throw Damage{"page " + str(page) + " is on the free list (record of transaction " + str(txn) +
                     ") but in use by a tree"};
    }
    out_.free_pages = free_.size();
  }

  [[nodiscard]] bool in_use(std::uint64_t page) const { return page <= last_ && seen_.has(page); }

  // The tables (named databases) the main database lists.
  std::vector<std::pair<std::string, Db>> tables;

  // Another meta page's free list (whose pages LMDB keeps intact while that
  // meta page is the previous transaction's), read only as far as a search
  // needs it, its pages checked on the way: the record of transaction `txn`
  // (empty if none), and the newest transaction with a record (0: none).
  std::vector<std::uint64_t> free_record(const Db& d, std::uint64_t txn, const std::string& name) {
    const Leaf leaf = descend(d, txn, name);
    if (leaf.page == kNoPage) return {};
    Tree t{name, Kind::Free, d};
    const unsigned char* p = bufs_[leaf.level].data();
    for (unsigned i = 0; i < leaf.nodes; ++i) {
      const Node nd = node(t, leaf.page, leaf.level, p, i, true);
      if (nd.key.size() == 8 && load<std::uint64_t>(reinterpret_cast<const unsigned char*>(nd.key.data())) == txn)
        return page_list(t, leaf.page, leaf.level, i, nd, false);
    }
    return {};
  }
  std::uint64_t newest_free_record(const Db& d, const std::string& name) {
    const Leaf leaf = descend(d, ~std::uint64_t{0}, name);
    if (leaf.page == kNoPage) return 0;
    Tree t{name, Kind::Free, d};
    const Node nd = node(t, leaf.page, leaf.level, bufs_[leaf.level].data(), leaf.nodes - 1, true);
    if (nd.key.size() != 8)
      throw Damage{where(t, leaf.page, leaf.level) + ": a key of " + str(nd.key.size()) + " bytes, the free list's are 8"};
    return load<std::uint64_t>(reinterpret_cast<const unsigned char*>(nd.key.data()));
  }

 private:
  struct Leaf {
    std::uint64_t page = kNoPage;  // none: an empty tree
    unsigned level = 0, nodes = 0;
  };

  // The leaf of free list `d` where the key `txn` is or would be; the page
  // is left in bufs_[level].
  Leaf descend(const Db& d, std::uint64_t txn, const std::string& name) {
    if (d.root == kNoPage) return {};
    if (d.depth == 0 || d.depth > kMaxDepth)
      throw Damage{name + " has depth " + str(d.depth) + " (LMDB handles 1 to " + str(kMaxDepth) + ")"};
    std::uint64_t page = d.root;
    check_ref(page, [&] { return name + "'s root"; });
    const Tree t{name, Kind::Free, d};
    for (unsigned level = 1;; ++level) {
      std::vector<unsigned char>& buf = bufs_[level];
      read(page, 1, buf.data());
      const unsigned n = header(t, page, level, buf.data());
      if (level == d.depth) return Leaf{page, level, n};
      unsigned pick = 0;
      for (unsigned i = 1; i < n; ++i) {
        const Node nd = node(t, page, level, buf.data(), i, false);
        if (nd.key.size() != 8)
          throw Damage{where(t, page, level) + ": node " + str(i) + " has a key of " + str(nd.key.size()) +
                       " bytes, the free list's are 8"};
        if (load<std::uint64_t>(reinterpret_cast<const unsigned char*>(nd.key.data())) <= txn) pick = i;
      }
      const std::uint64_t child = node(t, page, level, buf.data(), pick, false).child;
      check_ref(child, [&] { return where(t, page, level) + " node " + str(pick); });
      page = child;
    }
  }

  struct Node {
    std::string_view key;
    std::uint16_t flags = 0;
    std::uint64_t child = 0;        // branch
    std::uint64_t data_size = 0;    // leaf
    const unsigned char* data = nullptr;  // leaf: the data in the page (F_BIGDATA: the overflow page number)
    std::size_t bytes = 0;          // the node's size in the page, rounded up to even as LMDB lays it out
  };

  static std::string where(const Tree& t, std::uint64_t page, unsigned level) {
    return "page " + str(page) + " (" + t.name + ", level " + str(level) + " of " + str(t.db.depth) + ")";
  }

  // `from` gives the referring place's name (built only for the message).
  template <class F>
  void check_ref(std::uint64_t page, F&& from) const {
    if (page < kMetaPages || page > last_)
      throw Damage{from() + " points to page " + str(page) + ", outside the file's data pages (2 to " + str(last_) + ")"};
  }

  void read(std::uint64_t page, std::uint64_t count, unsigned char* into) {
    const std::size_t bytes = static_cast<std::size_t>(count) * ps_;
    const auto at = static_cast<off_t>(page * ps_);
    std::size_t done = 0;
    while (done < bytes) {
      const ssize_t n = ::pread(fd_, into + done, bytes - done, at + static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw ReadError{errno, "cannot read page " + str(page) + ": " + std::strerror(errno)};
      if (n == 0) throw Damage{"page " + str(page + done / ps_) + " lies beyond the end of the file"};
      done += static_cast<std::size_t>(n);
    }
  }

  // The page header of a branch or leaf page: number, flags for its level,
  // lower and upper. Returns the number of nodes.
  unsigned header(const Tree& t, std::uint64_t page, unsigned level, const unsigned char* p) const {
    const auto number = load<std::uint64_t>(p);
    if (number != page)
      throw Damage{where(t, page, level) + " holds page number " + str(number) + " (overwritten or out of place)"};
    const auto flags = load<std::uint16_t>(p + 10);
    const std::uint16_t want = level < t.db.depth ? kBranch : kLeaf;
    if (flags != want)
      throw Damage{where(t, page, level) + " has flags " + hex(flags) + "; a " + (want == kBranch ? "branch" : "leaf") +
                   " page at this level has " + hex(want)};
    const auto lower = load<std::uint16_t>(p + 12);
    const auto upper = load<std::uint16_t>(p + 14);
    if (lower < kPageHeader || (lower - kPageHeader) % 2 != 0 || upper > ps_ || lower > upper)
      throw Damage{where(t, page, level) + " has bounds lower " + str(lower) + ", upper " + str(upper) +
                   " (a page of " + str(ps_) + " bytes needs 16 <= lower <= upper <= " + str(ps_) + ")"};
    const unsigned n = (lower - 16u) / 2;
    if (n == 0) throw Damage{where(t, page, level) + " has no nodes (LMDB never keeps an empty page in a tree)"};
    return n;
  }

  Node node(const Tree& t, std::uint64_t page, unsigned level, const unsigned char* p, unsigned i, bool leaf) const {
    const auto upper = load<std::uint16_t>(p + 14);
    const auto off = load<std::uint16_t>(p + kPageHeader + 2 * i);
    if (off < upper || off % 2 != 0 || off + kNodeHeader > ps_)
      throw Damage{where(t, page, level) + ": node " + str(i) + " at offset " + str(off) +
                   " is outside the page's node area (" + str(upper) + " to " + str(ps_) + ", even offsets)"};
    const unsigned char* q = p + off;
    Node nd;
    const auto lo = load<std::uint16_t>(q);
    const auto hi = load<std::uint16_t>(q + 2);
    nd.flags = load<std::uint16_t>(q + 4);
    const auto ksize = load<std::uint16_t>(q + 6);
    const std::size_t room = ps_ - off - kNodeHeader;
    if (ksize > kMaxKey || ksize > room)
      throw Damage{where(t, page, level) + ": node " + str(i) + " has a key of " + str(ksize) + " bytes (" +
                   (ksize > kMaxKey ? "LMDB's limit is 511)" : "past the page's end)")};
    nd.key = std::string_view(reinterpret_cast<const char*>(q + kNodeHeader), ksize);
    std::size_t size = kNodeHeader + ksize;
    if (!leaf) {
      nd.child = lo | std::uint64_t{hi} << 16 | std::uint64_t{nd.flags} << 32;
    } else {
      nd.data_size = lo | std::uint64_t{hi} << 16;
      nd.data = q + kNodeHeader + ksize;
      const std::uint64_t in_page = (nd.flags & kBigData) ? 8 : nd.data_size;
      if (in_page > room - ksize)
        throw Damage{where(t, page, level) + ": node " + str(i) + "'s data (" + str(in_page) +
                     " bytes in the page) runs past the page's end"};
      size += in_page;
    }
    nd.bytes = (size + 1) & ~std::size_t{1};
    return nd;
  }

  void visit(Tree& t, std::uint64_t page, unsigned level, Bounds bounds) {
    if (!seen_.add(page)) throw Damage{where(t, page, level) + " is reached a second time (two references to one page)"};
    std::vector<unsigned char>& buf = bufs_[level];
    read(page, 1, buf.data());
    const unsigned char* p = buf.data();
    const unsigned n = header(t, page, level, p);
    const bool leaf = level == t.db.depth;
    const auto upper = load<std::uint16_t>(p + 14);
    // Keys are kept per level (a child's bounds are its parent's keys).
    std::vector<std::string_view>& keys = keys_[level];
    keys.resize(n);
    std::size_t used = 0;
    std::string_view prev;
    for (unsigned i = 0; i < n; ++i) {
      const Node nd = node(t, page, level, p, i, leaf);
      used += nd.bytes;
      keys[i] = nd.key;
      // A branch page's first key is not used: its first child holds everything below the second key.
      const bool keyed = leaf || i > 0;
      if (keyed) {
        if (t.kind == Kind::Free && nd.key.size() != 8)
          throw Damage{where(t, page, level) + ": node " + str(i) + " has a key of " + str(nd.key.size()) +
                       " bytes, the free list's are 8"};
        if (leaf && nd.key.empty()) throw Damage{where(t, page, level) + ": node " + str(i) + " has an empty key"};
        if ((leaf ? i > 0 : i > 1) && compare(t.kind, prev, nd.key) >= 0)
          throw Damage{where(t, page, level) + ": node " + str(i) + "'s key is not above node " + str(i - 1) + "'s"};
        if ((bounds.lo && compare(t.kind, nd.key, *bounds.lo) < 0) ||
            (bounds.hi && compare(t.kind, nd.key, *bounds.hi) >= 0))
          throw Damage{where(t, page, level) + ": node " + str(i) +
                       "'s key is outside the range its parent page gives this page"};
        prev = nd.key;
      }
      if (leaf) leaf_node(t, page, level, i, nd);
    }
    if (used != ps_ - upper)
      throw Damage{where(t, page, level) + ": its nodes take " + str(used) + " bytes but upper " + str(upper) +
                   " leaves " + str(ps_ - upper) + " (overlapping nodes or a damaged bound)"};
    if (leaf) {
      ++t.leaf;
      t.entries += n;
      return;
    }
    ++t.branch;
    for (unsigned i = 0; i < n; ++i) {
      // The node is read again: the page's buffer is this level's and stays
      // put while the children (deeper levels) are visited.
      const Node nd = node(t, page, level, p, i, false);
      check_ref(nd.child, [&] { return where(t, page, level) + " node " + str(i); });
      Bounds child{i == 0 ? bounds.lo : &keys[i], i + 1 < n ? &keys[i + 1] : bounds.hi};
      visit(t, nd.child, level + 1, child);
    }
  }

  // An overflow run holding a leaf node's data: inside the file, its first
  // page an overflow page of this number, long enough, reached once.
  // `mark`: a page of the state checked (false: of the previous meta page's
  // free list, read for its record only).
  std::uint64_t overflow(Tree& t, std::uint64_t page, unsigned level, unsigned i, const Node& nd, bool mark) {
    const std::uint64_t first = load<std::uint64_t>(nd.data);
    check_ref(first, [&] { return where(t, page, level) + " node " + str(i) + "'s overflow data"; });
    unsigned char head[kPageHeader];
    std::size_t got = 0;
    while (got < sizeof head) {
      const ssize_t r = ::pread(fd_, head + got, sizeof head - got, static_cast<off_t>(first * ps_ + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw ReadError{errno, "cannot read page " + str(first) + ": " + std::strerror(errno)};
      if (r == 0) throw Damage{"page " + str(first) + " lies beyond the end of the file"};
      got += static_cast<std::size_t>(r);
    }
    const auto number = load<std::uint64_t>(head);
    const auto flags = load<std::uint16_t>(head + 10);
    const auto pages = load<std::uint32_t>(head + 12);
    const auto ov = [&] {
      return "overflow page " + str(first) + " (data of " + where(t, page, level) + " node " + str(i) + ")";
    };
    if (number != first) throw Damage{ov() + " holds page number " + str(number) + " (overwritten or out of place)"};
    if (flags != kOverflow) throw Damage{ov() + " has flags " + hex(flags) + "; an overflow page has " + hex(kOverflow)};
    const std::uint64_t need = (kPageHeader - 1 + nd.data_size) / ps_ + 1;
    if (pages < need || first + pages - 1 > last_)
      throw Damage{ov() + " says its run is " + str(pages) + " pages; its " + str(nd.data_size) + " bytes need " +
                   str(need) + " and the file's last page is " + str(last_)};
    if (!mark) return pages;
    for (std::uint64_t q = first; q < first + pages; ++q)
      if (!seen_.add(q)) throw Damage{ov() + ": page " + str(q) + " of its run is reached a second time"};
    t.overflow += pages;
    return pages;
  }

  void leaf_node(Tree& t, std::uint64_t page, unsigned level, unsigned i, const Node& nd) {
    const auto at = [&] { return where(t, page, level) + ": node " + str(i); };
    switch (t.kind) {
      case Kind::Main: {
        // Every record of the ledger's main database is a named database.
        if (nd.flags != kSubData || nd.data_size != kDbRecord)
          throw Damage{at() + " is not a table record (flags " + hex(nd.flags) + ", " + str(nd.data_size) +
                       " bytes; a table's record has flags 0x2 and 48 bytes)"};
        const Db d = parse_db(nd.data);
        std::string name(nd.key);
        if (d.flags != 0)
          throw Damage{at() + ": table '" + name + "' has flags " + hex(d.flags) + " (the ledger's tables have none)"};
        tables.emplace_back(std::move(name), d);
        return;
      }
      case Kind::Table:
        if (nd.flags & ~kBigData) throw Damage{at() + " has flags " + hex(nd.flags) + " (a table's record has 0 or 0x1)"};
        if (nd.flags & kBigData) overflow(t, page, level, i, nd, true);
        return;
      case Kind::Free: {
        if (nd.flags & ~kBigData)
          throw Damage{at() + " has flags " + hex(nd.flags) + " (a free-list record has 0 or 0x1)"};
        const auto txn = load<std::uint64_t>(reinterpret_cast<const unsigned char*>(nd.key.data()));
        if (txn > txnid_)
          throw Damage{at() + " is the free-list record of transaction " + str(txn) +
                       ", after the meta page's own transaction " + str(txnid_)};
        for (std::uint64_t pg : page_list(t, page, level, i, nd, true)) free_.emplace_back(pg, txn);
        return;
      }
    }
  }

  // A free-list record: u64 count, then that many page numbers, descending.
  std::vector<std::uint64_t> page_list(Tree& t, std::uint64_t page, unsigned level, unsigned i, const Node& nd,
                                       bool mark) {
    const auto at = [&] { return where(t, page, level) + ": node " + str(i) + " (a free-list record)"; };
    const unsigned char* data = nd.data;
    // A page list longer than the file has pages is damage, not worth reading.
    if (nd.data_size > 8 * (last_ + 2))
      throw Damage{at() + " is " + str(nd.data_size) + " bytes, more than a list of every page of the file"};
    if (nd.flags & kBigData) {
      const std::uint64_t pages = overflow(t, page, level, i, nd, mark);
      big_.resize(static_cast<std::size_t>(pages) * ps_);
      read(load<std::uint64_t>(nd.data), pages, big_.data());
      data = big_.data() + kPageHeader;
    }
    if (nd.data_size < 8 || nd.data_size % 8 != 0 || load<std::uint64_t>(data) != nd.data_size / 8 - 1)
      throw Damage{at() + " is " + str(nd.data_size) + " bytes, not a count and that many page numbers"};
    std::vector<std::uint64_t> list(nd.data_size / 8 - 1);
    for (std::size_t k = 0; k < list.size(); ++k) {
      list[k] = load<std::uint64_t>(data + 8 * (k + 1));
      if (list[k] < kMetaPages || list[k] > last_)
        throw Damage{at() + " lists page " + str(list[k]) + ", outside the file's data pages (2 to " + str(last_) + ")"};
      if (k > 0 && list[k] >= list[k - 1])
        throw Damage{at() + " lists its pages out of order (" + str(list[k - 1]) + " then " + str(list[k]) + ")"};
    }
    return list;
  }

  int fd_;
  std::uint32_t ps_;
  std::uint64_t last_, txnid_;
  FileCheck& out_;
  PageSet seen_, listed_;
  std::array<std::vector<unsigned char>, kMaxDepth + 1> bufs_;
  std::array<std::vector<std::string_view>, kMaxDepth + 1> keys_;
  std::vector<unsigned char> big_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> free_;  // (page, transaction of its record)
};

// Reads `n` bytes at `at`; returns how many were there (short at the end of the file).
std::size_t read_at(int fd, unsigned char* into, std::size_t n, off_t at) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, into + done, n - done, at + static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw ReadError{errno, std::string("cannot read the meta pages: ") + std::strerror(errno)};
    if (r == 0) break;
    done += static_cast<std::size_t>(r);
  }
  return done;
}

std::uint64_t file_bytes(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw ReadError{errno, std::string("cannot stat the file: ") + std::strerror(errno)};
  return static_cast<std::uint64_t>(st.st_size);
}

// Both meta pages as LMDB reads them: page 0 at offset 0, page 1 at the page
// size page 0 gives. Throws Damage for what LMDB refuses (MDB_INVALID,
// MDB_VERSION_MISMATCH) and for what it would misread.
using RawMetas = std::array<std::array<unsigned char, kMetaEnd>, 2>;

std::array<Meta, 2> read_metas(int fd, RawMetas& raw) {
  std::array<Meta, 2> m;
  std::uint32_t ps = 0;
  for (unsigned i = 0; i < 2; ++i) {
    unsigned char* buf = raw[i].data();
    const off_t at = i == 0 ? 0 : static_cast<off_t>(ps);
    if (read_at(fd, buf, kMetaEnd, at) < kMetaEnd)
      throw Damage{"the file is " + str(file_bytes(fd)) + " bytes: shorter than its two meta pages (truncated)", true};
    m[i] = parse_meta(buf);
    const std::string name = "meta page " + str(i);
    if (!(m[i].flags & kMetaPage) || m[i].magic != kMagic)
      throw Damage{name + " is not an LMDB meta page (flags " + hex(m[i].flags) + ", magic " + hex(m[i].magic) + ")",
                   true};
    if (m[i].version != kDataVersion)
      throw Damage{name + " has format version " + str(m[i].version) + "; LMDB 0.9 reads version 1"};
    if (m[i].flags != kMetaPage || m[i].pgno != i)
      throw Damage{name + " has flags " + hex(m[i].flags) + " and page number " + str(m[i].pgno) + " (not 0x8 and " +
                   str(i) + ")"};
    const std::uint32_t size = m[i].page_size();
    if (size < 512 || size > 65536 || !std::has_single_bit(size))
      throw Damage{name + " gives a page size of " + str(size) + " bytes"};
    if (i == 0) ps = size;
    else if (size != ps) throw Damage{"meta page 1 gives a page size of " + str(size) + ", meta page 0 " + str(ps)};
  }
  return m;
}

void check(int fd, const FileCheckOptions& options, FileCheck& out) {
  // A live writer may rewrite a meta page while it is read: read both until
  // two reads agree.
  RawMetas raw, again;
  std::array<Meta, 2> m = read_metas(fd, raw);
  for (int tries = 0;; ++tries) {
    m = read_metas(fd, again);
    if (again == raw) break;
    raw = again;
    if (tries == 16) {
      out.status = FileCheck::Status::Moved;
      return;
    }
  }
  unsigned pick = m[0].txnid < m[1].txnid ? 1 : 0;  // as LMDB picks
  if (options.txnid != 0) {
    if (m[0].txnid == options.txnid) pick = 0;
    else if (m[1].txnid == options.txnid) pick = 1;
    else {
      out.status = FileCheck::Status::Moved;
      return;
    }
  }
  const Meta& cur = m[pick];
  const Meta& other = m[pick ^ 1];
  out.page_size = cur.page_size();
  out.txnid = cur.txnid;
  out.last_page = cur.last_page;
  const std::string name = "meta page " + str(pick) + " (transaction " + str(cur.txnid) + ")";

  // LMDB writes transaction t's meta into page t % 2, so the two pages hold
  // consecutive ids — or both 0, before the first commit.
  const bool fresh = m[0].txnid == 0 && m[1].txnid == 0;
  if (!fresh) {
    for (unsigned i = 0; i < 2; ++i)
      if (m[i].txnid % 2 != i)
        throw Damage{"meta page " + str(i) + " holds transaction " + str(m[i].txnid) + "; LMDB writes only " +
                     (i == 0 ? "even" : "odd") + " ones there"};
    const std::uint64_t gap = cur.txnid > other.txnid ? cur.txnid - other.txnid : other.txnid - cur.txnid;
    if (gap != 1)
      throw Damage{"the meta pages hold transactions " + str(m[0].txnid) + " and " + str(m[1].txnid) +
                   "; LMDB keeps two consecutive ones"};
  }
  const std::uint32_t ps = cur.page_size();
  if (cur.last_page < kMetaPages - 1 || cur.last_page > (kMaxMapSize / ps))
    throw Damage{name + " gives " + str(cur.last_page) + " as its last page"};
  if (cur.map_size > kMaxMapSize) throw Damage{name + " gives a map size of " + str(cur.map_size) + " bytes"};
  if (cur.free.flags != MDB_INTEGERKEY)
    throw Damage{name + ": the free list's flags are " + hex(cur.free.flags) + " (LMDB's are 0x8)"};
  if (cur.main.flags != 0 || cur.main.pad != 0)
    throw Damage{name + ": the main database's flags are " + hex(cur.main.flags) + " (the ledger uses none)"};
  if (other.txnid < cur.txnid && other.last_page > cur.last_page)
    throw Damage{"meta page " + str(pick ^ 1) + " (the previous transaction) uses pages up to " +
                 str(other.last_page) + ", beyond " + name + "'s last page " + str(cur.last_page)};
  // Read after the meta pages: a live writer extends the file before it
  // writes the meta page that uses the new pages.
  out.file_bytes = file_bytes(fd);
  const std::uint64_t need = (cur.last_page + 1) * ps;
  if (out.file_bytes < need)
    throw Damage{"the file is " + str(out.file_bytes) + " bytes but " + name + " uses pages up to " +
                 str(cur.last_page) + ", which need " + str(need) + ": truncated (" +
                 str((need - out.file_bytes + ps - 1) / ps) + " of its pages missing)"};
  if (!options.trees) return;

  Walker w(fd, ps, cur.last_page, cur.txnid, out);
  Tree free{"the free list", Kind::Free, cur.free};
  Tree main{"the main database", Kind::Main, cur.main};
  w.walk(free);
  w.walk(main);
  for (const auto& [table, db] : w.tables) {
    Tree t{"table '" + table + "'", Kind::Table, db};
    w.walk(t);
  }
  out.tables = static_cast<std::uint32_t>(w.tables.size());
  w.check_free_list();
  // The previous meta page, if its transaction id is damaged, may really be
  // the newer state: LMDB would then go back one transaction without a word.
  // Two facts catch that. A free list holds no record newer than its own
  // transaction (records are keyed by the transaction that released the
  // pages). And the previous transaction's own record lists the pages it
  // released, which the newer state cannot use (LMDB reuses them only two
  // transactions later).
  if (other.txnid + 1 == cur.txnid) {
    const std::string prev = "meta page " + str(pick ^ 1) + " (transaction " + str(other.txnid) + ")";
    const std::uint64_t newest = w.newest_free_record(other.free, prev + "'s free list");
    if (newest > other.txnid)
      throw Damage{prev + "'s free list holds a record of transaction " + str(newest) +
                   ": its transaction id is damaged (LMDB would take " + name + " and lose the newer state)"};
    for (std::uint64_t page : w.free_record(other.free, other.txnid, prev + "'s free list"))
      if (w.in_use(page))
        throw Damage{prev + " released page " + str(page) + ", which " + name +
                     " uses: its transaction id is damaged (LMDB would take the older state)"};
  }
}

}  // namespace

FileCheck check_data_file(const std::string& path, const FileCheckOptions& options) {
  FileCheck out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.status = FileCheck::Status::Unreadable;
    out.error = errno;
    out.problem = "cannot open " + path + ": " + std::strerror(out.error);
    return out;
  }
  try {
    check(fd, options, out);
  } catch (const Damage& d) {
    out.status = FileCheck::Status::Damaged;
    out.no_header = d.no_header;
    out.problem = path + ": " + d.what;
  } catch (const ReadError& e) {
    out.status = FileCheck::Status::Unreadable;
    out.error = e.error;
    out.problem = path + ": " + e.what;
  }
  ::close(fd);
  return out;
}

}  // namespace erx::ledger
