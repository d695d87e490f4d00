# SPDX-License-Identifier: MIT
"""Buffers in, buffers out: every supported layout becomes a view of the same memory, and
results export the buffer protocol with the right shape, strides, format and flags."""

import ctypes
import sys
import zlib

import numpy
import pytest

import tileproc

DTYPES = [numpy.uint8, numpy.uint16, numpy.float32]


def sample(rng, shape, dtype):
    if dtype == numpy.float32:
        return rng.random(shape, dtype=numpy.float32)
    return rng.integers(0, numpy.iinfo(dtype).max + 1, shape, dtype=dtype)


def invert(a):
    """tileproc's invert: max - v on colour; alpha (the last of 2 or 4 channels) unchanged."""
    r = (1.0 - a).astype(numpy.float32) if a.dtype == numpy.float32 else \
        numpy.iinfo(a.dtype).max - a
    if a.ndim == 3 and a.shape[2] in (2, 4):
        r[..., -1] = a[..., -1]
    return r


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(50, 70), (50, 70, 1), (50, 70, 2), (50, 70, 3), (50, 70, 4)])
def test_shapes_and_dtypes(rng, shape, dtype):
    a = sample(rng, shape, dtype)
    r = tileproc.apply(a, "invert")
    assert isinstance(r, tileproc.Image)
    assert r.shape == a.shape and r.dtype == numpy.dtype(dtype).name
    assert numpy.array_equal(numpy.asarray(r), invert(a))


SLICES = [
    numpy.s_[100:900:2, ::3],
    numpy.s_[::-1, :],
    numpy.s_[:, ::-1],
    numpy.s_[::-3, ::-2],
    numpy.s_[7:, 5:-9],
    numpy.s_[-1:0:-5, 999:0:-7],
]


@pytest.mark.parametrize("index", SLICES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_strided_and_negative_slices(rng, index, dtype):
    base = sample(rng, (1000, 1000, 3), dtype)
    view = base[index]
    got = numpy.asarray(tileproc.apply(view, "gaussian:sigma=1.5", "invert"))
    want = numpy.asarray(tileproc.apply(numpy.ascontiguousarray(view), "gaussian:sigma=1.5",
                                        "invert"))
    assert numpy.array_equal(got, want)


def test_transposed_array(rng):
    a = sample(rng, (40, 60), numpy.uint8)
    t = a.T  # strides (1, 60): pixels down a column
    assert numpy.array_equal(numpy.asarray(tileproc.apply(t, "invert")), 255 - t)


def test_out_strided_and_flipped(rng):
    a = sample(rng, (64, 80, 3), numpy.uint8)
    big = numpy.zeros((200, 300, 3), numpy.uint8)
    out = big[150:22:-2, 10:250:3]
    assert out.shape == (64, 80, 3)
    assert tileproc.apply(a, "invert", out=out) is out
    assert numpy.array_equal(out, 255 - a)
    # nothing outside the view was touched
    mask = numpy.ones(big.shape[:2], bool)
    mask[150:22:-2, 10:250:3] = False
    assert not big[mask].any()


def test_bytes_bytearray_memoryview():
    data = bytes(range(256)) * 12  # 3072 bytes
    img = tileproc.Image(data, width=32, height=32, channels=3)
    assert img.shape == (32, 32, 3) and img.readonly
    assert img.owner is data
    r = numpy.asarray(tileproc.apply(img, "invert"))
    assert numpy.array_equal(r.ravel(), 255 - numpy.frombuffer(data, numpy.uint8))

    buf = bytearray(32 * 32)
    out = tileproc.Image(buf, width=32, height=32)
    assert not out.readonly and out.shape == (32, 32)
    src = numpy.full((32, 32), 10, numpy.uint8)
    tileproc.apply(src, "invert", out=out)
    assert set(buf) == {245}

    mv = memoryview(bytearray(16 * 8 * 2 * 2)).cast("H", (8, 16, 2))
    r = tileproc.apply(mv, "invert")
    assert r.shape == (8, 16, 2) and r.dtype == "uint16"
    assert numpy.asarray(r).max() == 65535


def test_raw_buffer_row_stride_and_u16():
    # 10 x 4 u16 gray pixels in rows of 24 bytes (4 bytes of padding a row)
    raw = numpy.arange(4 * 12, dtype=numpy.uint16)
    img = tileproc.Image(raw, width=10, height=4, sample="uint16", row_stride=24)
    a = numpy.asarray(img)
    assert a.shape == (4, 10) and a.strides == (24, 2)
    assert numpy.array_equal(a, raw.reshape(4, 12)[:, :10])
    assert numpy.shares_memory(a, raw)
    with pytest.raises(ValueError, match="need"):
        tileproc.Image(raw, width=10, height=5, sample="uint16", row_stride=24)


UNSUPPORTED_DTYPES = [numpy.int8, numpy.int16, numpy.int32, numpy.float64, numpy.float16,
                      numpy.uint32, numpy.complex64, bool]


@pytest.mark.parametrize("dtype", UNSUPPORTED_DTYPES)
def test_unsupported_dtype(dtype):
    with pytest.raises(TypeError, match="uint8, uint16 or float32"):
        tileproc.apply(numpy.zeros((4, 4), dtype), "invert")


def test_byte_swapped_refused():
    a = numpy.zeros((4, 4), numpy.dtype(">u2" if sys.byteorder == "little" else "<u2"))
    with pytest.raises(TypeError, match="native byte order"):
        tileproc.apply(a, "invert")


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 1), (4, 4, 5), (4, 4, 0), (0, 4), ()])
def test_unsupported_shapes(shape):
    with pytest.raises(ValueError, match="expected|empty"):
        tileproc.apply(numpy.zeros(shape, numpy.uint8), "invert")


def test_channel_stride_refused():
    a = numpy.zeros((10, 10, 6), numpy.uint8)[:, :, ::2]  # channels 2 bytes apart
    with pytest.raises(ValueError, match="channels of a pixel must be adjacent"):
        tileproc.apply(a, "invert")
    b = numpy.zeros((3, 10, 10), numpy.uint8).transpose(1, 2, 0)  # planar
    with pytest.raises(ValueError, match="channel stride"):
        tileproc.apply(b, "invert")


def test_broadcast_and_misaligned_refused():
    with pytest.raises(ValueError, match="overlap"):
        tileproc.apply(numpy.broadcast_to(numpy.uint8(3), (10, 10)), "invert")
    raw = numpy.zeros(201, numpy.uint8)
    odd = raw[1:].view(numpy.uint16).reshape(10, 10)
    assert not odd.flags.aligned
    with pytest.raises(ValueError, match="aligned"):
        tileproc.apply(odd, "invert")


def test_not_a_buffer():
    with pytest.raises(TypeError, match="buffer protocol"):
        tileproc.apply([[1, 2], [3, 4]], "invert")


def test_out_checks(rng):
    a = sample(rng, (20, 30, 3), numpy.uint8)
    with pytest.raises(ValueError, match=r"expected shape \(20, 30, 3\) of uint8"):
        tileproc.apply(a, "invert", out=numpy.zeros((20, 30), numpy.uint8))
    with pytest.raises(ValueError, match="uint8"):
        tileproc.apply(a, "invert", out=numpy.zeros((20, 30, 3), numpy.uint16))
    ro = numpy.zeros((20, 30, 3), numpy.uint8)
    ro.flags.writeable = False
    with pytest.raises(TypeError, match="writable"):
        tileproc.apply(a, "invert", out=ro)
    with pytest.raises(TypeError, match="writable"):
        tileproc.apply(a, "invert", out=b"\0" * 1800)
    with pytest.raises(ValueError, match="share memory"):
        tileproc.apply(a, "invert", out=a)
    with pytest.raises(ValueError, match="share memory"):
        big = numpy.zeros((40, 30, 3), numpy.uint8)
        tileproc.apply(big[:20], "invert", out=big[10:30])


def test_result_buffer_export(rng):
    a = sample(rng, (33, 47, 3), numpy.uint16)
    r = tileproc.apply(a, "invert")
    m = memoryview(r)
    assert m.format == "H" and m.shape == (33, 47, 3) and m.itemsize == 2
    assert m.strides == r.strides and not m.readonly
    assert m.obj is r
    n = numpy.asarray(r)
    assert n.ctypes.data == numpy.asarray(m).ctypes.data
    # the rows may be padded (64-byte aligned), the pixels are compact
    assert r.strides[1:] == (6, 2) and r.strides[0] >= 47 * 6
    n[0, 0, 0] = 7
    assert numpy.asarray(r)[0, 0, 0] == 7
    assert tileproc.Image(r).owner is r


def test_result_keeps_owner_alive(rng):
    a = sample(rng, (30, 40), numpy.float32)
    n = numpy.asarray(tileproc.apply(a, "invert"))  # the Image is only referenced by n's base
    import gc
    gc.collect()
    assert numpy.allclose(n, 1 - a)
    assert isinstance(n.base, (memoryview, tileproc.Image)) or n.base is not None


def test_image_wrapper_keeps_buffer_alive():
    data = bytearray(b"\x05" * 12)
    img = tileproc.Image(data, width=2, height=2, channels=3)
    with pytest.raises(BufferError):
        data.extend(b"x")  # the wrapped bytearray cannot be resized under the view
    del img
    data.extend(b"x")


def test_readonly_input_stays_readonly(rng):
    a = sample(rng, (10, 10), numpy.uint8)
    a.flags.writeable = False
    img = tileproc.Image(a)
    assert img.readonly
    assert memoryview(img).readonly
    with pytest.raises((BufferError, TypeError), match="writable|read-only"):
        (ctypes.c_char * 100).from_buffer(img)  # asks for a writable buffer
    with pytest.raises((BufferError, TypeError)):
        tileproc.apply(numpy.zeros((10, 10), numpy.uint8), "invert", out=img)


def test_simple_buffer_requests(rng):
    a = sample(rng, (10, 12), numpy.uint8)
    r = tileproc.apply(a, "invert")
    assert bytes(tileproc.Image(numpy.ascontiguousarray(a))) == a.tobytes()
    flipped = tileproc.Image(a[::-1])
    assert bytes(flipped) == a[::-1].tobytes()  # bytes() copies a strided buffer itself
    with pytest.raises(BufferError, match="not contiguous"):
        zlib.crc32(flipped)  # a consumer that asks for contiguous memory
    assert numpy.array_equal(numpy.asarray(flipped), a[::-1])
    assert numpy.shares_memory(numpy.asarray(flipped), a)
    c = r.copy()
    assert numpy.array_equal(numpy.asarray(c), numpy.asarray(r))
    assert not numpy.shares_memory(numpy.asarray(c), numpy.asarray(r))
