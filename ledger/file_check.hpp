#pragma once
// A structural check of LMDB's data file (`data.mdb`), made with pread only —
// the file is never mapped — so that a damaged file is reported instead of
// crashing whoever opens it. LMDB trusts its file: a flipped flag, a page
// number out of range or a file shorter than its meta page says make it
// dereference garbage (SIGSEGV) or touch the map beyond the end of the file
// (SIGBUS). Ledger::open runs this before LMDB touches the file (erxd,
// `erx journal`, `erx verify`, `erx backup` and recovery all get it); it is
// also usable on its own (`check_data_file`). docs/LEDGER.md "Damaged files".
//
// What is checked (facts about LMDB 0.9's format, learned from lmdb.h and
// from reading LMDB; nothing of LMDB is copied here):
//  - the two meta pages: page flags, magic, format version, page size; the
//    one LMDB uses is the one with the larger transaction id (page 0 on a
//    tie); their transaction ids must be those LMDB writes (meta page i
//    holds an id of parity i, the two differ by one, or both are 0 before the
//    first commit), and the previous transaction's own free-list record must
//    name no page the newer state uses — a damaged id cannot make LMDB fall
//    back silently to the previous state;
//  - the file's size against the meta's last page: truncation is damage,
//    one page short included;
//  - every page reachable from the free list, the main database and each
//    named database: its page number equals its position, its flags are
//    those of its role (branch above the leaves, leaf at the tree's depth,
//    overflow), its lower / upper bounds, every node offset inside the page,
//    key and data sizes inside the page, nodes packed exactly between upper
//    and the page's end, keys in order within the page and within the bounds
//    its parent gives it, branch children and overflow runs inside the file
//    and never reached twice, depth at most LMDB's cursor stack;
//  - the records: every main-database record is a named database (a
//    well-formed 48-byte record, no flags: the ledger uses none), every
//    free-list record a sorted page list of the right size whose pages are
//    inside the file, not in use and not listed twice;
//  - the counts LMDB keeps and relies on (depth, branch / leaf / overflow
//    pages, entries) equal what the walk found, for every tree.
//
// Every failure names the page and what is wrong with it.

#include <cstdint>
#include <string>

namespace erx::ledger {

struct FileCheckOptions {
  // Check the state of this transaction (a reader that pinned it with a read
  // transaction: its pages cannot be reused while it lives); 0: the newest,
  // the meta page LMDB itself would pick.
  std::uint64_t txnid = 0;
  // false: the meta pages and the file's size only (cheap; what may be
  // checked of a live file before a read transaction pins a state).
  bool trees = true;
};

struct FileCheck {
  enum class Status : std::uint8_t {
    Ok,
    Damaged,     // `problem` names the page and the damage
    Unreadable,  // the file cannot be opened, stat'ed or read: `error` is the errno (not damage)
    Moved,       // options.txnid is in neither meta page any more (a live writer went on): pin again
  };
  Status status = Status::Ok;
  int error = 0;
  // Damaged only: shorter than its two meta pages, or a meta page without
  // LMDB's flag or magic — what an unfinished creation leaves (Ledger::open
  // starts such a file afresh when the creation marker is absent).
  bool no_header = false;
  std::string problem;

  // What was found (as far as the check got).
  std::uint32_t page_size = 0;
  std::uint64_t txnid = 0;      // of the meta page checked
  std::uint64_t last_page = 0;  // that meta page's last used page
  std::uint64_t file_bytes = 0;
  std::uint64_t tree_pages = 0;      // branch and leaf pages of every tree
  std::uint64_t overflow_pages = 0;  // pages of overflow runs
  std::uint64_t free_pages = 0;      // pages on the free list
  std::uint64_t entries = 0;         // leaf records of every tree (free list and main database included)
  std::uint32_t tables = 0;          // named databases

  [[nodiscard]] bool ok() const noexcept { return status == Status::Ok; }
};

FileCheck check_data_file(const std::string& path, const FileCheckOptions& options = {});

}  // namespace erx::ledger
