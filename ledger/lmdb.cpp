#include "ledger/lmdb.hpp"

#include <sys/stat.h>

#include <cerrno>

namespace erx::ledger::lmdb {

std::string error_text(int rc) { return std::string(mdb_strerror(rc)) + " (" + std::to_string(rc) + ")"; }

bool is_damage(int rc) noexcept {
  return rc == MDB_CORRUPTED || rc == MDB_INVALID || rc == MDB_PAGE_NOTFOUND || rc == MDB_VERSION_MISMATCH ||
         rc == MDB_INCOMPATIBLE || rc == MDB_BAD_VALSIZE;
}

Env::~Env() { close(); }

int Env::open(const std::string& dir, const Options& o) {
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errno;
  int rc = mdb_env_create(&env_);
  if (rc != 0) return rc;
  if ((rc = mdb_env_set_mapsize(env_, o.map_size)) != 0 || (rc = mdb_env_set_maxdbs(env_, o.max_dbs)) != 0 ||
      (rc = mdb_env_set_maxreaders(env_, o.max_readers)) != 0 || (rc = mdb_env_open(env_, dir.c_str(), o.flags, 0640)) != 0) {
    close();
    return rc;
  }
  return 0;
}

void Env::close() {
  if (env_) mdb_env_close(env_);
  env_ = nullptr;
}

std::size_t Env::map_size() const {
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

int Env::set_map_size(std::size_t bytes) { return mdb_env_set_mapsize(env_, bytes); }

int Env::clear_stale_readers() {
  int dead = 0;
  mdb_reader_check(env_, &dead);
  return dead;
}

Txn& Txn::operator=(Txn&& o) noexcept {
  if (this != &o) {
    abort();
    txn_ = o.txn_;
    o.txn_ = nullptr;
  }
  return *this;
}

int Txn::begin(Env& env, bool read_only) {
  abort();
  return mdb_txn_begin(env.get(), nullptr, read_only ? MDB_RDONLY : 0u, &txn_);
}

std::uint64_t Txn::id() const noexcept { return txn_ ? static_cast<std::uint64_t>(mdb_txn_id(txn_)) : 0; }

int Txn::commit() {
  MDB_txn* t = txn_;
  txn_ = nullptr;
  return t ? mdb_txn_commit(t) : EINVAL;  // mdb_txn_commit frees the txn even on failure
}

void Txn::abort() noexcept {
  if (txn_) mdb_txn_abort(txn_);
  txn_ = nullptr;
}

int Dbi::open(Txn& txn, const char* name, bool create) {
  return mdb_dbi_open(txn.get(), name, create ? MDB_CREATE : 0u, &dbi);
}

int Dbi::put(Txn& txn, std::string_view key, std::string_view value, unsigned flags) const {
  MDB_val k = val(key);
  MDB_val v = val(value);
  return mdb_put(txn.get(), dbi, &k, &v, flags);
}

int Dbi::get(Txn& txn, std::string_view key, std::string_view& out) const {
  MDB_val k = val(key);
  MDB_val v{};
  const int rc = mdb_get(txn.get(), dbi, &k, &v);
  if (rc == 0) out = view(v);
  return rc;
}

int Dbi::del(Txn& txn, std::string_view key) const {
  MDB_val k = val(key);
  return mdb_del(txn.get(), dbi, &k, nullptr);
}

std::size_t Dbi::entries(Txn& txn) const {
  MDB_stat st{};
  mdb_stat(txn.get(), dbi, &st);
  return st.ms_entries;
}

Cursor::~Cursor() {
  if (cur_) mdb_cursor_close(cur_);
}

int Cursor::open(Txn& txn, const Dbi& dbi) { return mdb_cursor_open(txn.get(), dbi.dbi, &cur_); }

int Cursor::move(MDB_cursor_op op, std::string_view& key, std::string_view& value) {
  MDB_val k{};
  MDB_val v{};
  const int rc = mdb_cursor_get(cur_, &k, &v, op);
  if (rc == 0) {
    key = view(k);
    value = view(v);
  }
  return rc;
}

int Cursor::seek(std::string_view at_least, std::string_view& key, std::string_view& value) {
  MDB_val k = val(at_least);
  MDB_val v{};
  const int rc = mdb_cursor_get(cur_, &k, &v, MDB_SET_RANGE);
  if (rc == 0) {
    key = view(k);
    value = view(v);
  }
  return rc;
}

}  // namespace erx::ledger::lmdb
