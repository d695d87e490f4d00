# SPDX-License-Identifier: MIT
# Installs the build into a temporary prefix (the fixture for the consumer tests), then moves
# the prefix to a new place, so the consumers prove the CMake package and tileproc.pc are
# relocatable. Checks that the expected files are there.
# usage: cmake -DBUILD_DIR=... -DPREFIX=... -DCONFIG=... -DLIBDIR=lib -DINCLUDEDIR=include
#              -DHAVE_CLI=0|1 -DHAVE_DLPACK=ON|OFF -P install_test.cmake
set(staging ${PREFIX}-staging)
file(REMOVE_RECURSE ${PREFIX} ${staging})
set(config_args "")
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${staging} ${config_args}
  OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed:\n${out}")
endif()
file(RENAME ${staging} ${PREFIX})

set(expected
  ${INCLUDEDIR}/tileproc/tileproc.h ${INCLUDEDIR}/tileproc/base.h
  ${INCLUDEDIR}/tileproc/pipeline.h ${INCLUDEDIR}/tileproc/tileproc.hpp
  ${LIBDIR}/libtileproc.a ${LIBDIR}/libtileproc.so ${LIBDIR}/libtileproc.so.0.1
  ${LIBDIR}/cmake/tileproc/tileprocConfig.cmake
  ${LIBDIR}/cmake/tileproc/tileprocConfigVersion.cmake
  ${LIBDIR}/cmake/tileproc/tileprocTargets.cmake
  ${LIBDIR}/pkgconfig/tileproc.pc)
if(HAVE_CLI)
  list(APPEND expected bin/tileproc)
endif()
if(HAVE_DLPACK)
  list(APPEND expected ${INCLUDEDIR}/tileproc/dlpack.h)
endif()
set(missing "")
foreach(f ${expected})
  if(NOT EXISTS ${PREFIX}/${f})
    list(APPEND missing ${f})
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "not installed: ${missing}")
endif()
file(GLOB real ${PREFIX}/${LIBDIR}/libtileproc.so.*.*)
if(NOT real)
  message(FATAL_ERROR "no versioned libtileproc.so.MAJOR.MINOR.PATCH installed")
endif()

# No absolute path of the install prefix may remain in the pc file or the CMake package.
file(READ ${PREFIX}/${LIBDIR}/pkgconfig/tileproc.pc pc)
string(FIND "${pc}" "${staging}" at)
if(NOT pc MATCHES "prefix=\\\${pcfiledir}" OR NOT at EQUAL -1)
  message(FATAL_ERROR "tileproc.pc is not relocatable:\n${pc}")
endif()
if(NOT pc MATCHES "Requires.private: libpng libjpeg")
  message(FATAL_ERROR "tileproc.pc lacks Requires.private: libpng libjpeg:\n${pc}")
endif()
file(GLOB cmake_files ${PREFIX}/${LIBDIR}/cmake/tileproc/*.cmake)
foreach(f ${cmake_files})
  file(READ ${f} text)
  string(FIND "${text}" "${staging}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${f} names the install prefix ${staging}")
  endif()
endforeach()
message(STATUS "installed into ${PREFIX}")
