# SPDX-License-Identifier: MIT
# Configures, builds and runs tests/cxx/consumer/ (a C and a C++ program) against the tileproc
# installed by the install test, through find_package(tileproc) (MODE=cmake) or pkg-config
# (MODE=pkgconfig: only PKG_CONFIG_PATH points at the install).
# usage: cmake -DMODE=cmake|pkgconfig -DPREFIX=... -DLIBDIR=... -DSOURCE_DIR=... -DWORK_DIR=...
#              -DGENERATOR=... -DC_COMPILER=... -DCXX_COMPILER=... [-DFLAGS=...] -P consumer_test.cmake
file(REMOVE_RECURSE ${WORK_DIR})
function(run what)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

set(args -S ${SOURCE_DIR} -B ${WORK_DIR} -G ${GENERATOR} -DCONSUMER_MODE=${MODE}
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  "-DCMAKE_C_FLAGS=${FLAGS}" "-DCMAKE_CXX_FLAGS=${FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${FLAGS}")
if(MODE STREQUAL "cmake")
  list(APPEND args -DCMAKE_PREFIX_PATH=${PREFIX})
else()
  set(ENV{PKG_CONFIG_PATH} ${PREFIX}/${LIBDIR}/pkgconfig)
  # Requires.private brings libpng and libjpeg to static links.
  run("pkg-config --static" pkg-config --static --libs tileproc)
  if(NOT out MATCHES "-ltileproc" OR NOT out MATCHES "-lpng" OR NOT out MATCHES "-ljpeg")
    message(FATAL_ERROR "pkg-config --static --libs tileproc: ${out}")
  endif()
endif()
run("configuring the consumer" ${CMAKE_COMMAND} ${args})
run("building the consumer" ${CMAKE_COMMAND} --build ${WORK_DIR})
file(GLOB programs ${WORK_DIR}/consumer_*)
list(LENGTH programs n)
if(MODE STREQUAL "cmake" AND NOT n EQUAL 3 OR MODE STREQUAL "pkgconfig" AND NOT n EQUAL 2)
  message(FATAL_ERROR "expected the consumer programs, found: ${programs}")
endif()
foreach(p ${programs})
  run(${p} ${p})
  if(NOT out MATCHES "ok")
    message(FATAL_ERROR "${p} printed: ${out}")
  endif()
  message(STATUS "${p}: ${out}")
endforeach()
