# ERX_LIBFUZZER=ON (clang only): every fuzz target of tests/fuzz is also built
# as a libFuzzer binary (<target>_libfuzzer, -fsanitize=fuzzer). Everything
# else is compiled with -fsanitize=fuzzer-no-link so the engine code the
# targets call carries libFuzzer's coverage instrumentation; combine it with
# ERX_SANITIZE=ON (the `libfuzzer` preset does). docs/FUZZING.md.
# Off by default: the standalone driver (tests/fuzz/fuzz_driver.cpp) runs the
# same targets with any compiler, in the release and asan builds and in CI.
option(ERX_LIBFUZZER "Also build libFuzzer binaries of the fuzz targets (clang only)" OFF)
if(ERX_LIBFUZZER)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "ERX_LIBFUZZER needs clang (e.g. -DCMAKE_CXX_COMPILER=clang++-14, or the libfuzzer preset)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
  add_link_options(-fsanitize=fuzzer-no-link)
endif()
