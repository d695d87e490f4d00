# SPDX-License-Identifier: MIT
# Finds OpenCV's core and imgproc modules for the interop sample and test (the library never
# uses OpenCV) and makes the target tileproc_opencv. OpenCV's own CMake package is tried first;
# Debian ships it only in libopencv-dev, so with just libopencv-core-dev and
# libopencv-imgproc-dev installed the header and the two libraries are found directly.
# Sets TILEPROC_HAVE_OPENCV.
set(TILEPROC_HAVE_OPENCV OFF)
find_package(OpenCV 4 QUIET COMPONENTS core imgproc)
if(OpenCV_FOUND)
  add_library(tileproc_opencv INTERFACE)
  target_link_libraries(tileproc_opencv INTERFACE opencv_core opencv_imgproc)
  set(TILEPROC_HAVE_OPENCV ON)
else()
  find_path(TILEPROC_OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4)
  find_library(TILEPROC_OPENCV_CORE_LIBRARY opencv_core)
  find_library(TILEPROC_OPENCV_IMGPROC_LIBRARY opencv_imgproc)
  if(TILEPROC_OPENCV_INCLUDE_DIR AND TILEPROC_OPENCV_CORE_LIBRARY
     AND TILEPROC_OPENCV_IMGPROC_LIBRARY)
    add_library(tileproc_opencv INTERFACE)
    # SYSTEM: OpenCV's headers are not held to our warning flags.
    target_include_directories(tileproc_opencv SYSTEM INTERFACE ${TILEPROC_OPENCV_INCLUDE_DIR})
    target_link_libraries(tileproc_opencv INTERFACE ${TILEPROC_OPENCV_IMGPROC_LIBRARY}
      ${TILEPROC_OPENCV_CORE_LIBRARY})
    set(TILEPROC_HAVE_OPENCV ON)
  endif()
endif()
