#include "tests/crash/image_builder.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace erx::crash {

namespace fs = std::filesystem;
using iolog::RecordType;

namespace {

// SplitMix64: small, fast, and the same sequence on every platform (the
// <random> distributions are not specified bit for bit).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  bool coin() { return (next() >> 63) != 0; }

 private:
  std::uint64_t state_;
};

using Bytes = std::vector<unsigned char>;

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (!in || ec) throw std::runtime_error("cannot read " + path.string());
  Bytes bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::size_t>(in.gcount()) != bytes.size()) throw std::runtime_error("short read of " + path.string());
  return bytes;
}

void write_file(const fs::path& path, const Bytes& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Every regular file under `dir`, by path relative to it.
std::map<std::string, Bytes> read_tree(const fs::path& dir) {
  std::map<std::string, Bytes> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files[fs::relative(entry.path(), dir).generic_string()] = read_file(entry.path());
  }
  return files;
}

// A write or truncate that did something, with what is known of its fate.
struct Operation {
  std::size_t record = 0;  // index in IoLog::records
  bool truncate = false;
  std::uint32_t file = 0;
  std::uint64_t offset = 0;  // write offset, or the new size
  std::uint64_t length = 0;  // bytes the real call wrote (writes)
  const unsigned char* data = nullptr;
  bool durable = false;
};

std::vector<Operation> operations(const IoLog& log) {
  std::map<std::uint64_t, std::uint64_t> done;  // op → bytes done, from Result records
  std::set<std::uint64_t> durable_ops;
  for (const IoRecord& r : log.records) {
    if (r.type == RecordType::Result) done[r.seq] = r.length;
    if (r.type == RecordType::Durable) durable_ops.insert(r.seq);
  }
  std::vector<Operation> ops;
  std::set<std::uint32_t> synced_later;  // files with a Sync after the current record
  for (std::size_t i = log.records.size(); i-- > 0;) {
    const IoRecord& r = log.records[i];
    if (r.type == RecordType::Sync) synced_later.insert(r.file);
    if (r.type != RecordType::Write && r.type != RecordType::Truncate) continue;
    Operation op;
    op.record = i;
    op.truncate = r.type == RecordType::Truncate;
    op.file = r.file;
    op.offset = r.offset;
    op.length = r.type == RecordType::Write ? r.length : 0;
    op.data = r.data.data();
    if (auto it = done.find(r.seq); it != done.end()) {
      if (op.truncate || it->second == 0) continue;  // the call failed: nothing happened
      op.length = std::min(op.length, it->second);
    }
    if (!op.truncate && op.length == 0) continue;
    op.durable = synced_later.count(r.file) != 0 || durable_ops.count(r.seq) != 0;
    ops.push_back(op);
  }
  std::reverse(ops.begin(), ops.end());
  return ops;
}

void apply_range(Bytes& file, const Operation& op, std::uint64_t from, std::uint64_t to) {
  if (to > file.size()) file.resize(to, 0);
  std::memcpy(file.data() + from, op.data + (from - op.offset), to - from);
}

void apply(Bytes& file, const Operation& op) {
  if (op.truncate) {
    file.resize(op.offset, 0);
  } else {
    apply_range(file, op, op.offset, op.offset + op.length);
  }
}

const std::string& file_name(const IoLog& log, std::uint32_t file) {
  if (file >= log.files.size()) throw std::runtime_error("I/O log names an unknown file id");
  return log.files[file];
}

// Initial contents plus every file the log names (absent ones start empty).
std::map<std::string, Bytes> starting_files(const fs::path& initial, const IoLog& log) {
  std::map<std::string, Bytes> files = read_tree(initial);
  for (const std::string& name : log.files) files.try_emplace(name);
  return files;
}

}  // namespace

IoLog IoLog::read(const fs::path& path) {
  const Bytes raw = read_file(path);
  IoLog log;
  const std::size_t magic = std::min(raw.size(), sizeof iolog::kMagic);
  if (magic > 0 && std::memcmp(raw.data(), iolog::kMagic, magic) != 0) throw std::runtime_error("not an ERX I/O log: " + path.string());
  if (raw.size() < sizeof iolog::kMagic) {  // killed before the shim wrote its magic: nothing logged
    log.torn_tail = !raw.empty();
    return log;
  }
  std::size_t pos = sizeof iolog::kMagic;
  while (pos < raw.size()) {
    iolog::RecordHeader h{};
    if (raw.size() - pos < sizeof h) {
      log.torn_tail = true;
      break;
    }
    std::memcpy(&h, raw.data() + pos, sizeof h);
    const bool has_payload = h.type == static_cast<std::uint32_t>(RecordType::File) ||
                             h.type == static_cast<std::uint32_t>(RecordType::Write);
    const std::uint64_t payload = has_payload ? h.length : 0;
    if (raw.size() - pos - sizeof h < payload) {
      log.torn_tail = true;
      break;
    }
    const unsigned char* body = raw.data() + pos + sizeof h;
    pos += sizeof h + payload;
    if (h.type < static_cast<std::uint32_t>(RecordType::File) ||
        h.type > static_cast<std::uint32_t>(RecordType::EioInjected)) {
      throw std::runtime_error("I/O log " + path.string() + ": unknown record type " + std::to_string(h.type));
    }
    if (h.type == static_cast<std::uint32_t>(RecordType::File)) {
      if (h.file != log.files.size()) throw std::runtime_error("I/O log: file ids out of order");
      log.files.emplace_back(reinterpret_cast<const char*>(body), payload);
      continue;
    }
    IoRecord r;
    r.type = static_cast<RecordType>(h.type);
    r.file = h.file;
    r.seq = h.seq;
    r.offset = h.offset;
    r.length = h.length;
    if (payload > 0) r.data.assign(body, body + payload);
    log.records.push_back(std::move(r));
  }
  return log;
}

std::size_t IoLog::count(RecordType type) const {
  return static_cast<std::size_t>(
      std::count_if(records.begin(), records.end(), [&](const IoRecord& r) { return r.type == type; }));
}

std::string describe(const IoLog& log) {
  std::ostringstream out;
  for (std::size_t i = 0; i < log.files.size(); ++i) out << "file " << i << " = " << log.files[i] << '\n';
  for (std::size_t i = 0; i < log.records.size(); ++i) {
    const IoRecord& r = log.records[i];
    const std::string name = r.file < log.files.size() ? log.files[r.file] : "?";
    out << '#' << i << ' ';
    switch (r.type) {
      case RecordType::Write:
        out << "write     " << name << " op=" << r.seq << " offset=" << r.offset << " length=" << r.length;
        break;
      case RecordType::Durable: out << "durable   " << name << " op=" << r.seq; break;
      case RecordType::Sync: out << "sync      " << name; break;
      case RecordType::Truncate: out << "truncate  " << name << " op=" << r.seq << " size=" << r.offset; break;
      case RecordType::Result: out << "result    " << name << " op=" << r.seq << " done=" << r.length; break;
      case RecordType::SyncFailed: out << "syncfail  " << name << " errno=" << r.offset; break;
      case RecordType::EioInjected: out << "EIO       " << name << " (sync call " << r.seq << ")"; break;
      case RecordType::File: break;
    }
    out << '\n';
  }
  if (log.torn_tail) out << "(last record cut short by the kill)\n";
  return out.str();
}

std::string_view to_string(Profile profile) {
  switch (profile) {
    case Profile::LoseAll: return "lose-all";
    case Profile::KeepAll: return "keep-all";
    case Profile::Random: return "random";
    case Profile::Torn: return "torn";
    case Profile::Prefix: return "prefix";
  }
  return "?";
}

std::optional<Profile> profile_from_string(std::string_view text) {
  for (Profile p : kAllProfiles) {
    if (to_string(p) == text) return p;
  }
  return std::nullopt;
}

ImageStats build_image(const fs::path& initial, const IoLog& log, const fs::path& out, const ImageOptions& options) {
  if (options.sector == 0) throw std::invalid_argument("sector size must be positive");
  Rng rng(options.seed);
  ImageStats stats;
  stats.profile = options.profile ? *options.profile : kAllProfiles[rng.below(std::size(kAllProfiles))];

  std::map<std::string, Bytes> files = starting_files(initial, log);
  const std::vector<Operation> ops = operations(log);
  const std::size_t unsynced_total =
      static_cast<std::size_t>(std::count_if(ops.begin(), ops.end(), [](const Operation& o) { return !o.durable; }));
  const std::size_t prefix = static_cast<std::size_t>(rng.below(unsynced_total + 1));

  std::size_t unsynced_seen = 0;
  for (const Operation& op : ops) {
    ++stats.operations;
    Bytes& file = files[file_name(log, op.file)];
    if (op.durable) {
      ++stats.durable;
      apply(file, op);
      continue;
    }
    ++stats.unsynced;
    enum class Fate { Keep, Lose, Tear } fate = Fate::Lose;
    switch (stats.profile) {
      case Profile::LoseAll: fate = Fate::Lose; break;
      case Profile::KeepAll: fate = Fate::Keep; break;
      case Profile::Random: fate = static_cast<Fate>(rng.below(op.truncate ? 2 : 3)); break;
      case Profile::Torn: fate = op.truncate ? (rng.coin() ? Fate::Keep : Fate::Lose) : Fate::Tear; break;
      case Profile::Prefix: fate = unsynced_seen < prefix ? Fate::Keep : Fate::Lose; break;
    }
    ++unsynced_seen;
    if (fate == Fate::Keep) {
      ++stats.kept;
      apply(file, op);
    } else if (fate == Fate::Lose) {
      ++stats.lost;
    } else {
      ++stats.torn;
      const std::uint64_t sector = options.sector;
      const std::uint64_t end = op.offset + op.length;
      for (std::uint64_t from = op.offset; from < end;) {
        const std::uint64_t to = std::min(end, (from / sector + 1) * sector);
        if (rng.coin()) {
          ++stats.torn_sectors_kept;
          apply_range(file, op, from, to);
        } else {
          ++stats.torn_sectors_lost;
        }
        from = to;
      }
    }
  }

  fs::remove_all(out);
  fs::create_directories(out);
  for (const auto& [name, bytes] : files) write_file(out / name, bytes);
  return stats;
}

std::optional<std::string> verify_log(const fs::path& initial, const IoLog& log, const fs::path& actual) {
  std::map<std::string, Bytes> before = starting_files(initial, log);
  const std::vector<Operation> ops = operations(log);
  const Operation* pending = nullptr;  // a write the kill may have interrupted
  if (!ops.empty() && !ops.back().truncate && ops.back().record + 1 == log.records.size()) pending = &ops.back();
  std::set<std::uint32_t> written;
  for (const Operation& op : ops) {
    if (!op.truncate) written.insert(op.file);
    if (&op != pending) apply(before[file_name(log, op.file)], op);
  }
  for (std::uint32_t id : written) {
    const std::string& name = file_name(log, id);
    const fs::path path = actual / name;
    if (!fs::exists(path)) return name + ": missing from the writer's directory";
    const Bytes real = read_file(path);
    const Bytes& old_bytes = before[name];
    Bytes new_bytes = old_bytes;
    if (pending != nullptr && pending->file == id) apply(new_bytes, *pending);
    const std::size_t low = std::min(old_bytes.size(), new_bytes.size());
    const std::size_t high = std::max(old_bytes.size(), new_bytes.size());
    if (real.size() < low || real.size() > high) {
      return name + ": size " + std::to_string(real.size()) + ", the log gives " + std::to_string(old_bytes.size()) +
             (high != low ? " to " + std::to_string(high) : std::string());
    }
    for (std::size_t i = 0; i < real.size(); ++i) {
      const unsigned char o = i < old_bytes.size() ? old_bytes[i] : 0;
      const unsigned char n = i < new_bytes.size() ? new_bytes[i] : 0;
      if (real[i] != o && real[i] != n) {
        return name + ": byte " + std::to_string(i) + " differs from what the log gives (a write the shim missed?)";
      }
    }
  }
  return std::nullopt;
}

}  // namespace erx::crash
