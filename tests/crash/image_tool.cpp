// erx-crash-image: the image builder as a command (docs/CRASH_TESTING.md).
//
//   erx-crash-image build INITIAL_DIR LOG OUT_DIR --seed N [--sector 512] [--profile P]
//       write the post-power-loss copy; prints the seed, profile and counts
//   erx-crash-image dump LOG
//       print the log, one record a line
//   erx-crash-image verify INITIAL_DIR LOG ACTUAL_DIR
//       check the log against the files the killed writer left (exit 1 if not)
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "tests/crash/image_builder.hpp"

namespace {

int usage() {
  std::cerr << "usage: erx-crash-image build INITIAL_DIR LOG OUT_DIR --seed N [--sector 512] [--profile "
               "lose-all|keep-all|random|torn|prefix]\n"
               "       erx-crash-image dump LOG\n"
               "       erx-crash-image verify INITIAL_DIR LOG ACTUAL_DIR\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace erx::crash;
  try {
    if (argc < 3) return usage();
    const std::string_view cmd = argv[1];
    if (cmd == "dump" && argc == 3) {
      std::cout << describe(IoLog::read(argv[2]));
      return 0;
    }
    if (cmd == "verify" && argc == 5) {
      if (auto diff = verify_log(argv[2], IoLog::read(argv[3]), argv[4])) {
        std::cout << "MISMATCH: " << *diff << '\n';
        return 1;
      }
      std::cout << "the log matches\n";
      return 0;
    }
    if (cmd == "build" && argc >= 5) {
      ImageOptions options;
      bool have_seed = false;
      for (int i = 5; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (i + 1 >= argc) return usage();
        const char* value = argv[++i];
        if (a == "--seed") {
          options.seed = std::strtoull(value, nullptr, 10);
          have_seed = true;
        } else if (a == "--sector") {
          options.sector = std::strtoull(value, nullptr, 10);
        } else if (a == "--profile") {
          options.profile = profile_from_string(value);
          if (!options.profile) return usage();
        } else {
          return usage();
        }
      }
      if (!have_seed) return usage();
      const ImageStats s = build_image(argv[2], IoLog::read(argv[3]), argv[4], options);
      std::cout << "seed " << options.seed << " sector " << options.sector << " profile " << to_string(s.profile)
                << ": " << s.operations << " operations, " << s.durable << " durable, " << s.unsynced
                << " unsynced (" << s.kept << " kept, " << s.lost << " lost, " << s.torn << " torn: "
                << s.torn_sectors_kept << " sectors kept, " << s.torn_sectors_lost << " lost)\n";
      return 0;
    }
    return usage();
  } catch (const std::exception& e) {
    std::cerr << "erx-crash-image: " << e.what() << '\n';
    return 1;
  }
}
