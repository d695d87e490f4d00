# SPDX-License-Identifier: MIT
"""Zero copy, measured: addresses compared, and tracemalloc (which sees NumPy's allocations)
shows that 100 MB arrays and their slices go through apply(..., out=...) with well under 1 MB
of Python memory."""

import tracemalloc

import numpy
import pytest

import tileproc

MB = 1 << 20


@pytest.fixture(scope="module")
def big():
    # 100 MB: 5000 x 6990 RGB
    a = numpy.empty((5000, 6990, 3), numpy.uint8)
    a[...] = numpy.arange(6990, dtype=numpy.uint8)[None, :, None]
    return a


def traced_peak(fn):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_tracemalloc_sees_copies(big):
    # The measuring stick works: one real copy of a quarter of the array is 25 MB.
    peak = traced_peak(lambda: numpy.ascontiguousarray(big[::2, ::2]))
    assert peak > 20 * MB


def test_apply_out_allocates_under_1mb(big):
    out = numpy.empty_like(big)
    half = big[100:4900:2, ::3]
    out_half = numpy.empty(half.shape, numpy.uint8)
    flipped = big[::-1, ::-1]

    def run():
        tileproc.apply(big, "invert", out=out)
        tileproc.apply(half, "gaussian:sigma=1", "sharpen", out=out_half, threads=2)
        tileproc.apply(flipped, "invert", out=out)
        tileproc.Pipeline("box:radius=1").run(big[::-1], out[::-1])

    peak = traced_peak(run)
    assert peak < MB // 4, f"{peak} bytes of Python memory"


def test_shared_addresses(big):
    view = big[100:900:2, ::-3]
    img = tileproc.Image(view)
    back = numpy.asarray(img)
    assert numpy.shares_memory(back, big)
    assert back.__array_interface__["data"][0] == view.__array_interface__["data"][0]
    assert back.strides == view.strides and back.shape == view.shape
    m = memoryview(img)
    assert m.strides == view.strides and not m.readonly

    out = numpy.empty(view.shape, numpy.uint8)
    assert tileproc.apply(view, "invert", out=out) is out
    r = tileproc.apply(view[:50, :50], "invert")
    arr = numpy.asarray(r)
    assert arr.__array_interface__["data"][0] == numpy.asarray(memoryview(r)).ctypes.data
    assert not numpy.shares_memory(arr, big)


def test_result_image_not_counted_by_python(big):
    # A new result is allocated by tileproc, not by Python: the Image object is all Python sees.
    small = big[:1000, :1000]
    res = []
    peak = traced_peak(lambda: res.append(tileproc.apply(small, "invert")))
    assert peak < 64 * 1024
    assert tileproc.memory()["in_use"] >= 3 * 1000 * 1000
    del res
