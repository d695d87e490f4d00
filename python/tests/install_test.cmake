# SPDX-License-Identifier: MIT
# `cmake --install` into a scratch prefix, then import the installed package (and nothing from
# the build tree) and run a filter with it.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX}
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
if(IS_ABSOLUTE "${PYDIR}")
  set(dir ${PYDIR})
else()
  set(dir ${PREFIX}/${PYDIR})
endif()
foreach(f __init__.py dask.py _tileproc.abi3.so)
  if(NOT EXISTS ${dir}/tileproc/${f})
    message(FATAL_ERROR "not installed: ${dir}/tileproc/${f}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=PYTHONPATH PYTHONPATH=${dir}
  PYTHONDONTWRITEBYTECODE=1
  ${PYTHON} -c "
import sys, tileproc
assert tileproc.__file__.startswith(sys.argv[1]), tileproc.__file__
src = tileproc.Image(bytearray(64 * 48 * 3), width=64, height=48, channels=3)
img = tileproc.apply(src, 'gaussian:sigma=1', 'invert')
assert img.shape == (48, 64, 3), img.shape
v = memoryview(tileproc.Image(bytearray(64 * 48), width=64, height=48))
print('installed tileproc', tileproc.__version__, 'at', tileproc.__file__)
" ${dir}
  WORKING_DIRECTORY ${PREFIX} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "importing the installed package failed")
endif()
