# The layering of the tree, checked on every #include "..." of every source
# file: a module may include only itself and the modules below it.
#
#   engine/core      the assertion and checked-arithmetic basics
#   engine/fixed     decimals                      -> core
#   engine/book      the order book                -> core, fixed
#   engine/exchange  the exchange state machine    -> core, fixed, book
#   ledger           the durable journal           -> engine/*
#   gateway          the FIX gateway               -> engine/*, ledger
#   tools            erx, erxd, demos              -> everything
#   tests, perf      (not checked: they may reach anything they test)
#
# So engine/ never includes anything outside engine/, the book never sees the
# exchange, and the ledger never sees the gateway. Of the libraries, engine/
# uses the standard library and Boost only (<boost/...>), and QuickFIX is
# included only by gateway/quickfix.hpp (and the dictionary checker
# gateway/spec/, a program of its own). Run as a script:
#
#   cmake -DERX_ROOT=<tree> -P cmake/CheckLayering.cmake
#
# It prints each wrong-direction include as file:line and fails when there is
# one. CTest runs it on the repository (test `layering`) and on a fixture tree
# that breaks every rule once (test `layering_detects`, which must fail).

cmake_minimum_required(VERSION 3.25)

if(NOT DEFINED ERX_ROOT)
  message(FATAL_ERROR "CheckLayering: pass -DERX_ROOT=<source tree>")
endif()

# Module of a path relative to the tree ("engine/book/x.hpp" -> "engine/book").
function(erx_module_of path out)
  if(path MATCHES "^engine/([a-z_]+)/")
    set(${out} "engine/${CMAKE_MATCH_1}" PARENT_SCOPE)
  elseif(path MATCHES "^([a-z_]+)/")
    set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# What each checked module may include, besides itself.
set(allowed_engine/core "")
set(allowed_engine/fixed "engine/core")
set(allowed_engine/book "engine/core;engine/fixed")
set(allowed_engine/exchange "engine/core;engine/fixed;engine/book")
set(allowed_ledger "engine/core;engine/fixed;engine/book;engine/exchange")
set(allowed_gateway "engine/core;engine/fixed;engine/book;engine/exchange;ledger")
set(allowed_tools "engine/core;engine/fixed;engine/book;engine/exchange;ledger;gateway;tools")
set(checked_modules engine/core engine/fixed engine/book engine/exchange ledger gateway tools)

set(violations 0)

set(files_checked 0)
foreach(top engine ledger gateway tools)
  file(GLOB_RECURSE sources RELATIVE "${ERX_ROOT}" "${ERX_ROOT}/${top}/*.hpp" "${ERX_ROOT}/${top}/*.cpp")
  foreach(source IN LISTS sources)
    erx_module_of("${source}" from)
    if(NOT from IN_LIST checked_modules)
      message(SEND_ERROR "${source}: not in any module of the layering table (add the module to cmake/CheckLayering.cmake)")
      math(EXPR violations "${violations} + 1")
      continue()
    endif()
    math(EXPR files_checked "${files_checked} + 1")
    # Every #include, "..." and <...>, read once.
    file(STRINGS "${ERX_ROOT}/${source}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]")
    foreach(line IN LISTS lines)
      if(line MATCHES "#[ \t]*include[ \t]*<([^>]+)>")
        # A library: engine/ uses std and Boost only; QuickFIX only through its one header.
        set(header "${CMAKE_MATCH_1}")
        if(from MATCHES "^engine/" AND header MATCHES "/" AND NOT header MATCHES "^boost/")
          message(SEND_ERROR "${source}: includes <${header}> (engine/ uses the standard library and Boost only)")
          math(EXPR violations "${violations} + 1")
        elseif(header MATCHES "^quickfix/" AND NOT source STREQUAL "gateway/quickfix.hpp"
               AND NOT source MATCHES "^gateway/spec/")
          message(SEND_ERROR "${source}: includes <${header}> (QuickFIX only through gateway/quickfix.hpp)")
          math(EXPR violations "${violations} + 1")
        endif()
        continue()
      endif()
      if(NOT line MATCHES "#[ \t]*include[ \t]*\"([^\"]+)\"")
        continue()
      endif()
      set(target "${CMAKE_MATCH_1}")
      if(target MATCHES "\\.\\.")
        message(SEND_ERROR "${source}: includes \"${target}\" (include by the path from the repository root, never with ..)")
        math(EXPR violations "${violations} + 1")
        continue()
      endif()
      erx_module_of("${target}" to)
      if(to STREQUAL "" OR to STREQUAL from OR to IN_LIST allowed_${from})
        continue()
      endif()
      message(SEND_ERROR "${source}: includes \"${target}\" (${from} may not depend on ${to})")
      math(EXPR violations "${violations} + 1")
    endforeach()
  endforeach()
endforeach()

if(violations GREATER 0)
  message(FATAL_ERROR "layering: ${violations} wrong-direction include(s) in ${ERX_ROOT}")
endif()
if(files_checked EQUAL 0)
  message(FATAL_ERROR "layering: no source files found under ${ERX_ROOT}")
endif()
message(STATUS "layering: ${files_checked} files, every include goes down the layers")
