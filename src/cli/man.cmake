# SPDX-License-Identifier: MIT
# Writes the man page by running the built tool with its hidden --man flag (from the same
# tables as --help). Usage: cmake -DTOOL=<tileproc> -DOUT=<file> -P man.cmake
# The installed page lists the built-in filters only, whatever plugins the builder has set up.
unset(ENV{TILEPROC_PLUGIN_PATH})
execute_process(COMMAND ${TOOL} --man OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${TOOL} --man failed: ${rc}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
