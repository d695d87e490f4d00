# SPDX-License-Identifier: MIT
# Lists the dynamic symbols libtileproc.so defines (nm -D --defined-only) and checks that every
# one is public API: tproc_ followed by a lower-case letter or digit (library-internal names,
# tproc__*, are hidden). Fails on an empty list too, so a broken nm cannot pass.
# usage: cmake -DNM=nm -DLIB=libtileproc.so -P symbols.cmake
execute_process(COMMAND ${NM} -D --defined-only ${LIB}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${LIB}: ${err}")
endif()
string(REPLACE "\n" ";" lines "${out}")
set(bad "")
set(count 0)
foreach(line ${lines})
  # "0000000000012340 T tproc_view_sub" (some nm versions add @VERSION)
  if(NOT line MATCHES "^[0-9a-fA-F]* *([A-Za-z]) ([^ @]+)")
    continue()
  endif()
  set(type ${CMAKE_MATCH_1})
  set(name ${CMAKE_MATCH_2})
  math(EXPR count "${count} + 1")
  if(NOT name MATCHES "^tproc_[a-z0-9]")
    list(APPEND bad "${type} ${name}")
  endif()
endforeach()
if(count LESS 10 OR NOT out MATCHES " tproc_version\n")
  message(FATAL_ERROR "${LIB}: expected the public API among the exported symbols, got:\n${out}")
endif()
if(bad)
  list(JOIN bad "\n  " bad)
  message(FATAL_ERROR "${LIB} exports symbols outside the public API:\n  ${bad}")
endif()
message(STATUS "${LIB}: ${count} exported symbols, all tproc_*")
