# SPDX-License-Identifier: MIT
"""tileproc.stream(): file to file through a band of rows, byte-identical to apply()."""

import numpy
import pytest

import tileproc


@pytest.fixture
def big_png(tmp_path, rng):
    # 2000 x 1500 RGB: 9 MB of pixels
    y, x = numpy.mgrid[0:1500, 0:2000]
    a = numpy.stack([(x * 7 + y) % 256, (y * 3) % 256, (x ^ y) % 256], axis=-1).astype(numpy.uint8)
    a[::97] = rng.integers(0, 256, a[::97].shape, dtype=numpy.uint8)
    path = tmp_path / "big.png"
    tileproc.save(a, path, compression=1)
    return path, a


def test_stream_matches_apply(tmp_path, big_png):
    src, a = big_png
    out = tmp_path / "out.png"
    chain = ("gaussian:sigma=2", "sharpen", "invert")
    r = tileproc.stream(src, out, *chain, memory_limit=8 << 20, threads=2)
    assert r["streamed"] and (r["width"], r["height"]) == (2000, 1500)
    # a band of rows, not the 9 MB image (nor its output)
    assert r["peak_memory"] < 8 << 20
    want = numpy.asarray(tileproc.apply(a, *chain))
    assert numpy.array_equal(numpy.asarray(tileproc.load(out)), want)


def test_stream_jpeg_out(tmp_path, big_png):
    src, _ = big_png
    out = tmp_path / "out.jpg"
    tileproc.stream(str(src), str(out), "resize:scale=0.25", quality=85)
    info = tileproc.info(out)
    assert info["format"] == "jpeg" and (info["width"], info["height"]) == (500, 375)


def test_stream_refuses_whole_image_over_limit(tmp_path, big_png):
    src, _ = big_png
    out = tmp_path / "rot.png"
    with pytest.raises(tileproc.Error, match="needs the whole image") as e:
        tileproc.stream(src, out, "rotate:angle=90", memory_limit=4 << 20)
    assert isinstance(e.value, MemoryError)
    assert not out.exists()
    r = tileproc.stream(src, out, "rotate:angle=90")
    assert not r["streamed"] and tileproc.info(out)["width"] == 1500


def test_stream_errors(tmp_path):
    with pytest.raises(tileproc.FileError, match="nothing.png"):
        tileproc.stream(tmp_path / "nothing.png", tmp_path / "x.png", "invert")
    with pytest.raises(TypeError, match="two paths"):
        tileproc.stream("a.png")
    with pytest.raises(tileproc.ParamError):
        tileproc.stream("a.png", "b.png", "nosuchfilter")
