# Warnings are errors for our own code: a clean build is part of "done".
add_library(erx_warnings INTERFACE)
target_compile_options(erx_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wdouble-promotion -Wimplicit-fallthrough
  -Werror)
