// The image builder on hand-written I/O logs: what is durable, what each profile
// does with the rest, sector-granular tearing, seeds, and the log self-check.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/crash/harness.hpp"
#include "tests/crash/image_builder.hpp"

namespace fs = std::filesystem;
using namespace erx::crash;
using iolog::RecordType;

namespace {

// Writes a log the way the shim does.
class LogWriter {
 public:
  explicit LogWriter(fs::path path) : path_(std::move(path)), out_(path_, std::ios::binary | std::ios::trunc) {
    out_.write(iolog::kMagic, sizeof iolog::kMagic);
  }
  std::uint32_t file(const std::string& name) {
    header(RecordType::File, files_, 0, 0, name.size());
    out_.write(name.data(), static_cast<std::streamsize>(name.size()));
    return files_++;
  }
  std::uint64_t write(std::uint32_t file, std::uint64_t offset, const std::string& data) {
    header(RecordType::Write, file, ++op_, offset, data.size());
    out_.write(data.data(), static_cast<std::streamsize>(data.size()));
    return op_;
  }
  std::uint64_t truncate(std::uint32_t file, std::uint64_t size) {
    header(RecordType::Truncate, file, ++op_, size, 0);
    return op_;
  }
  void sync(std::uint32_t file) { header(RecordType::Sync, file, 0, 0, 0); }
  void durable(std::uint32_t file, std::uint64_t op) { header(RecordType::Durable, file, op, 0, 0); }
  void result(std::uint32_t file, std::uint64_t op, std::uint64_t done) { header(RecordType::Result, file, op, 0, done); }
  void raw(const std::string& bytes) { out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); }
  IoLog finish() {
    out_.close();
    return IoLog::read(path_);
  }

 private:
  void header(RecordType type, std::uint32_t file, std::uint64_t seq, std::uint64_t offset, std::uint64_t length) {
    iolog::RecordHeader h{static_cast<std::uint32_t>(type), file, seq, offset, length};
    out_.write(reinterpret_cast<const char*>(&h), sizeof h);
  }
  fs::path path_;
  std::ofstream out_;
  std::uint32_t files_ = 0;
  std::uint64_t op_ = 0;
};

void spit(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string image_of(const fs::path& initial, const IoLog& log, const fs::path& out, std::uint64_t seed,
                     std::optional<Profile> profile, const std::string& name = "f") {
  ImageOptions options;
  options.seed = seed;
  options.profile = profile;
  build_image(initial, log, out, options);
  return slurp(out / name);
}

}  // namespace

TEST_CASE("image: durable writes always survive, each profile decides the unsynced ones", "[crash][image]") {
  TempDir tmp("erx-image-test");
  LogWriter w(tmp.path() / "io.log");
  const auto f = w.file("f");
  w.write(f, 0, std::string(1024, 'a'));
  w.sync(f);                                         // 'a' is durable
  w.write(f, 512, std::string(1024, 'b'));           // unsynced, sectors 1 and 2
  const auto c = w.write(f, 4096, std::string(100, 'c'));
  w.durable(f, c);                                   // an O_DSYNC write: durable on its own
  w.write(f, 2048, std::string(512, 'd'));           // unsynced
  const IoLog log = w.finish();
  const fs::path none = tmp.path() / "initial";

  std::string durable_only = std::string(1024, 'a') + std::string(3072, '\0') + std::string(100, 'c');
  CHECK(image_of(none, log, tmp.path() / "img", 1, Profile::LoseAll) == durable_only);

  std::string all = durable_only;
  all.replace(512, 1024, std::string(1024, 'b'));
  all.replace(2048, 512, std::string(512, 'd'));
  CHECK(image_of(none, log, tmp.path() / "img", 1, Profile::KeepAll) == all);

  // Torn: every 512-byte sector of an unsynced write is old or new, never mixed;
  // over many seeds every combination shows up.
  std::set<std::string> shapes;
  for (std::uint64_t seed = 0; seed < 64; ++seed) {
    const std::string img = image_of(none, log, tmp.path() / "img", seed, Profile::Torn);
    REQUIRE(img.size() == durable_only.size());
    std::string shape;
    for (std::size_t sector = 0; sector < img.size() / 512; ++sector) {
      const std::string s = img.substr(sector * 512, 512);
      const bool old_sector = s == durable_only.substr(sector * 512, 512);
      const bool new_sector = s == all.substr(sector * 512, 512);
      REQUIRE((old_sector || new_sector));
      shape += old_sector ? (new_sector ? '=' : 'o') : 'n';
    }
    CHECK(img.substr(4096) == std::string(100, 'c'));
    shapes.insert(shape);
  }
  CHECK(shapes.size() == 8);  // sectors 1, 2 (write b) and 4 (write d), each old or new
}

TEST_CASE("image: the same seed gives the same image, and seeds pick every profile", "[crash][image]") {
  TempDir tmp("erx-image-test");
  LogWriter w(tmp.path() / "io.log");
  const auto f = w.file("f");
  for (int i = 0; i < 20; ++i) w.write(f, static_cast<std::uint64_t>(i) * 700, std::string(900, static_cast<char>('A' + i)));
  const IoLog log = w.finish();
  std::set<std::string> profiles;
  std::set<std::string> images;
  for (std::uint64_t seed = 100; seed < 160; ++seed) {
    ImageOptions options;
    options.seed = seed;
    const ImageStats stats = build_image(tmp.path() / "none", log, tmp.path() / "a", options);
    build_image(tmp.path() / "none", log, tmp.path() / "b", options);
    REQUIRE(slurp(tmp.path() / "a" / "f") == slurp(tmp.path() / "b" / "f"));
    profiles.insert(std::string(to_string(stats.profile)));
    images.insert(slurp(tmp.path() / "a" / "f"));
    CHECK(stats.unsynced == 20);
    CHECK(stats.kept + stats.lost + stats.torn == 20);
  }
  CHECK(profiles.size() == std::size(kAllProfiles));
  CHECK(images.size() > 20);
}

TEST_CASE("image: a sync covers its own file only, and only what came before it", "[crash][image]") {
  TempDir tmp("erx-image-test");
  LogWriter w(tmp.path() / "io.log");
  const auto f = w.file("f");
  const auto g = w.file("sub/g");
  w.write(f, 0, "f1");
  w.write(g, 0, "g1");
  w.sync(f);
  w.write(f, 2, "f2");
  const IoLog log = w.finish();
  const fs::path img = tmp.path() / "img";
  CHECK(image_of(tmp.path() / "none", log, img, 7, Profile::LoseAll) == "f1");
  CHECK(slurp(img / "sub" / "g").empty());  // the file exists (directory operations are not modelled), empty
  CHECK(image_of(tmp.path() / "none", log, img, 7, Profile::KeepAll) == "f1f2");
  CHECK(slurp(img / "sub" / "g") == "g1");
}

TEST_CASE("image: initial files are the starting point, short writes and failed truncates count as done", "[crash][image]") {
  TempDir tmp("erx-image-test");
  const fs::path initial = tmp.path() / "initial";
  spit(initial / "f", std::string(600, 'i'));
  spit(initial / "untouched", "keep me");
  LogWriter w(tmp.path() / "io.log");
  const auto f = w.file("f");
  const auto short_write = w.write(f, 0, std::string(100, 'x'));
  w.result(f, short_write, 40);  // the real call wrote 40 bytes
  const auto failed = w.truncate(f, 10);
  w.result(f, failed, 0);  // and the truncate failed
  const auto failed_write = w.write(f, 300, "zzz");
  w.result(f, failed_write, 0);
  w.truncate(f, 500);
  w.sync(f);
  const IoLog log = w.finish();
  const fs::path img = tmp.path() / "img";
  CHECK(image_of(initial, log, img, 3, Profile::LoseAll) == std::string(40, 'x') + std::string(460, 'i'));
  CHECK(slurp(img / "untouched") == "keep me");
}

TEST_CASE("image: a record cut short by the kill is dropped", "[crash][image]") {
  TempDir tmp("erx-image-test");
  LogWriter w(tmp.path() / "io.log");
  const auto f = w.file("f");
  w.write(f, 0, "hello");
  w.sync(f);
  iolog::RecordHeader h{static_cast<std::uint32_t>(RecordType::Write), f, 9, 0, 1000};
  w.raw(std::string(reinterpret_cast<const char*>(&h), sizeof h) + "only part of the data");
  const IoLog log = w.finish();
  CHECK(log.torn_tail);
  CHECK(log.records.size() == 2);
  CHECK(image_of(tmp.path() / "none", log, tmp.path() / "img", 1, Profile::KeepAll) == "hello");
}

TEST_CASE("image: verify_log checks the log against the writer's files", "[crash][image]") {
  TempDir tmp("erx-image-test");
  const fs::path initial = tmp.path() / "initial";
  spit(initial / "f", "0123456789");
  LogWriter w(tmp.path() / "io.log");
  const auto f = w.file("f");
  w.write(f, 2, "ab");
  w.sync(f);
  w.write(f, 8, "WXYZ");  // the last record: the kill may have cut it short
  const IoLog log = w.finish();
  const fs::path actual = tmp.path() / "actual";

  spit(actual / "f", "01ab4567WXYZ");
  CHECK_FALSE(verify_log(initial, log, actual).has_value());
  spit(actual / "f", "01ab456789");  // the last write never happened
  CHECK_FALSE(verify_log(initial, log, actual).has_value());
  spit(actual / "f", "01ab4567W9");  // or happened in part
  CHECK_FALSE(verify_log(initial, log, actual).has_value());
  spit(actual / "f", "01ab4Q67WXYZ");  // a byte no logged write explains: a write the shim missed
  CHECK(verify_log(initial, log, actual).has_value());
  spit(actual / "f", "0123456789");  // the synced write is missing
  CHECK(verify_log(initial, log, actual).has_value());
}
