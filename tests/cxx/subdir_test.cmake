# SPDX-License-Identifier: MIT
# Configures tests/cxx/subdir/ (a parent project doing add_subdirectory on the tileproc source
# tree; it fails to configure if tileproc added tests or samples), builds its program and runs
# it. The build tree is kept between runs (only the cache is reset) so a rerun is incremental.
# usage: cmake -DTILEPROC_SOURCE_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=...
#              -DC_COMPILER=... -P subdir_test.cmake
file(REMOVE ${WORK_DIR}/CMakeCache.txt)
function(run what)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()
cmake_host_system_information(RESULT jobs QUERY NUMBER_OF_LOGICAL_CORES)
run("configuring the parent project" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}
  -G ${GENERATOR} -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_BUILD_TYPE=Debug
  -DTILEPROC_SOURCE_DIR=${TILEPROC_SOURCE_DIR})
run("building the parent project" ${CMAKE_COMMAND} --build ${WORK_DIR} --target parent_app
  --parallel ${jobs})
file(GLOB app ${WORK_DIR}/parent_app ${WORK_DIR}/parent_app.exe)
run("running parent_app" ${app})
if(NOT out MATCHES "ok")
  message(FATAL_ERROR "parent_app printed: ${out}")
endif()
message(STATUS "${out}")
