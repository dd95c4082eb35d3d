# Warnings are errors for our own code: a clean build is part of "done".
add_library(erx_warnings INTERFACE)
target_compile_options(erx_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wdouble-promotion -Wimplicit-fallthrough
  -Werror)

# GCC 12 at -O2/-O3 reports false -Wrestrict overlaps inside libstdc++'s
# std::string code (GCC bug 105329); it fires in Boost.Multiprecision's str()
# and in Catch2. Keep the warning but do not let it fail the build.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(erx_warnings INTERFACE -Wno-error=restrict -Wno-restrict)
endif()
