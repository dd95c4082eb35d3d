// Post-power-loss images from the shim's I/O log (docs/CRASH_TESTING.md).
//
// Model. A file's state after the cut is its initial content with the logged
// operations (writes, truncates) applied in log order, where
//   - an operation is DURABLE if a Sync of its file follows it in the log, or a
//     Durable record names it (O_DSYNC write, msync snapshot): always applied;
//   - every other operation is UNSYNCED and fares as the image's profile says:
//     kept, lost, or (writes only) torn: the write is cut at absolute
//     `sector`-byte boundaries (512 by default) and each piece is kept or lost on
//     its own. A sector is never half written (the assumption LMDB makes for its
//     meta page).
// Writes the real call did not do (a Result record) count only for the bytes it
// did. Files first seen in the log and absent initially exist (empty) after the
// cut: directory operations are not modelled. Everything is driven by one seed:
// the same log, initial files and seed give the same image, byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/crash/io_log.hpp"

namespace erx::crash {

struct IoRecord {
  iolog::RecordType type{};
  std::uint32_t file = 0;
  std::uint64_t seq = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::vector<unsigned char> data;  // Write records only
};

struct IoLog {
  std::vector<std::string> files;  // file id → path relative to the watched directory
  std::vector<IoRecord> records;   // every record but File, in log order
  bool torn_tail = false;          // the last record was cut short (by the kill) and dropped

  // Throws std::runtime_error if the file is missing, has no magic, or holds an
  // unknown record type.
  static IoLog read(const std::filesystem::path& path);

  std::size_t count(iolog::RecordType type) const;
};

// One line per record, for humans (erx-crash-image dump).
std::string describe(const IoLog& log);

// How the unsynced operations of one image fare.
enum class Profile {
  LoseAll,  // none reaches the disk: exactly the durable state
  KeepAll,  // all of them do: the state the killed process left in the page cache
  Random,   // each operation on its own: kept, lost or torn, one third each
  Torn,     // every write torn, each sector kept with probability 1/2
  Prefix,   // the first k (random) in log order kept, the rest lost
};
inline constexpr Profile kAllProfiles[] = {Profile::LoseAll, Profile::KeepAll, Profile::Random, Profile::Torn,
                                           Profile::Prefix};
std::string_view to_string(Profile profile);
std::optional<Profile> profile_from_string(std::string_view text);

struct ImageOptions {
  std::uint64_t seed = 0;
  std::size_t sector = 512;
  std::optional<Profile> profile;  // empty: drawn from the seed
};

struct ImageStats {
  Profile profile = Profile::LoseAll;
  std::size_t operations = 0;  // writes and truncates that did something
  std::size_t durable = 0;
  std::size_t unsynced = 0;
  std::size_t kept = 0;   // unsynced, applied whole
  std::size_t lost = 0;   // unsynced, dropped whole
  std::size_t torn = 0;   // unsynced writes cut at sector boundaries
  std::size_t torn_sectors_kept = 0;
  std::size_t torn_sectors_lost = 0;
};

// Builds the post-power-loss copy of the watched directory into `out` (removed
// and recreated). `initial` holds the directory as it was when the logged
// process started (it may be empty or missing).
ImageStats build_image(const std::filesystem::path& initial, const IoLog& log, const std::filesystem::path& out,
                       const ImageOptions& options);

// Self-check of the log: applying every logged operation to `initial` must give
// exactly the files the killed process left in `actual` (the page cache survives
// a SIGKILL), for each file the log has writes for. The one allowance is the
// last record, if it is a write the kill may have interrupted: its bytes may be
// old or new. Returns a description of the first difference, or nothing.
// (Stores through a shared mapping that was never msync'ed would show up here.)
std::optional<std::string> verify_log(const std::filesystem::path& initial, const IoLog& log,
                                      const std::filesystem::path& actual);

}  // namespace erx::crash
