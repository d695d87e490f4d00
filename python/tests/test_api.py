# SPDX-License-Identifier: MIT
"""The module's functions: load, save, info, filters, apply, Pipeline; errors; the GIL."""

import os
import pickle
import threading

import numpy
import pytest

import tileproc


def test_version():
    assert tileproc.__version__ == tileproc.library_version


def test_load_save_info(tmp_path, rocket):
    info = tileproc.info(rocket)
    assert info["format"] == "jpeg" and info["channels"] == 3 and info["dtype"] == "uint8"
    img = tileproc.load(rocket)
    assert img.shape == (info["height"], info["width"], 3)
    assert tileproc.info(str(rocket)) == info
    assert tileproc.info(rocket.read_bytes()) == info
    mem = tileproc.load(rocket.read_bytes())
    assert numpy.array_equal(numpy.asarray(mem), numpy.asarray(img))

    png = tmp_path / "r.png"
    tileproc.save(img, png)
    back = tileproc.load(png)
    assert numpy.array_equal(numpy.asarray(back), numpy.asarray(img))
    data = tileproc.save(img, format="png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert numpy.array_equal(numpy.asarray(tileproc.load(data)), numpy.asarray(img))
    jpg = tileproc.save(numpy.asarray(img)[::2, ::2], format="jpeg", quality=80)
    assert tileproc.info(jpg)["width"] == (info["width"] + 1) // 2


def test_load_gray_is_2d_and_u16(tmp_path):
    g = numpy.arange(30 * 40, dtype=numpy.uint16).reshape(30, 40) * 50
    tileproc.save(g, tmp_path / "g.png")
    back = tileproc.load(tmp_path / "g.png")
    assert back.shape == (30, 40) and back.dtype == "uint16"
    assert numpy.array_equal(numpy.asarray(back), g)


def test_file_errors(tmp_path):
    with pytest.raises(tileproc.FileError) as e:
        tileproc.load(tmp_path / "missing.png")
    assert isinstance(e.value, OSError) and "missing.png" in str(e.value)
    assert e.value.name == "ERR_IO" and e.value.status < 0
    (tmp_path / "junk.png").write_bytes(b"not an image at all")
    with pytest.raises(tileproc.FileError, match="junk.png"):
        tileproc.load(tmp_path / "junk.png")
    with pytest.raises(ValueError, match="format"):
        tileproc.save(numpy.zeros((2, 2), numpy.uint8))
    with pytest.raises(TypeError):
        tileproc.load(12)


def test_filters_table():
    table = tileproc.filters()
    for name in ("gaussian", "sharpen", "median", "resize", "convolve", "invert"):
        assert name in table
    sigma = table["gaussian"]["params"][0]
    assert sigma["name"] == "sigma" and sigma["type"] == "float" and sigma["min_open"]
    kernel = [p for p in table["resize"]["params"] if p["name"] == "kernel"][0]
    assert "lanczos3" in kernel["choices"] and kernel["default"] == "lanczos3"


def test_apply_chain_and_options(rgb):
    chain = ("gaussian:sigma=2", ("sharpen", {"amount": 1.5}), "median:radius=1")
    ref = numpy.asarray(tileproc.apply(rgb, *chain))
    for tile, threads in [((7, 5), 1), (16, 2), ((160, 1), 3), (None, 0)]:
        got = tileproc.apply(rgb, *chain, tile=tile, threads=threads)
        assert numpy.array_equal(numpy.asarray(got), ref), (tile, threads)
    assert not numpy.array_equal(ref, numpy.asarray(tileproc.apply(rgb, *chain,
                                                                   border="constant")))


def test_apply_borders(rgb):
    for border in ("constant", "replicate", "reflect", "reflect101", "reflect-101", "wrap"):
        tileproc.apply(rgb, "box:radius=2", border=border, border_value=(10, 20, 30))
    with pytest.raises(ValueError, match="border must be"):
        tileproc.apply(rgb, "box", border="mirror")
    # constant border with a value: a box blur of a black image reads the value at the edge
    z = numpy.zeros((5, 5), numpy.uint8)
    r = numpy.asarray(tileproc.apply(z, "box:radius=1", border="constant", border_value=90))
    assert r[0, 0] == 50 and r[2, 2] == 0  # 5 of the corner's 9 samples are 90


def test_geometry_filters(rgb):
    r = tileproc.apply(rgb, "resize:scale=0.5")
    assert r.shape == (60, 80, 3)
    r = tileproc.apply(rgb, "rotate:angle=90")
    assert numpy.array_equal(numpy.asarray(r), numpy.rot90(rgb, -1))
    r = tileproc.apply(rgb, "crop:x=10,y=20,width=30,height=40")
    assert numpy.array_equal(numpy.asarray(r), rgb[20:60, 10:40])
    r = tileproc.apply(rgb, "grayscale")
    assert r.shape == (120, 160, 1)


def test_matrix_parameter(rgb):
    m = [[0, 0, 0], [0, 2, 0], [0, 0, 0]]
    a = numpy.asarray(tileproc.apply(rgb, ("convolve", {"matrix": m, "scale": 0.5})))
    b = numpy.asarray(tileproc.apply(rgb, "convolve:matrix=0 0 0;0 2 0;0 0 0,scale=0.5"))
    assert numpy.array_equal(a, b) and numpy.array_equal(a, rgb)


def test_param_errors(rgb):
    with pytest.raises(tileproc.ParamError, match="did you mean 'gaussian'") as e:
        tileproc.apply(rgb, "gausian")
    assert isinstance(e.value, ValueError) and e.value.name == "ERR_NOT_FOUND"
    with pytest.raises(ValueError, match=r"sigma must be in \(0, 1000\], got -1"):
        tileproc.apply(rgb, "gaussian:sigma=-1")
    with pytest.raises(tileproc.ParamError, match="sigma"):
        tileproc.apply(rgb, ("gaussian", {"sigma": 0}))
    with pytest.raises(tileproc.Error):
        tileproc.apply(rgb, "crop:x=1")  # required parameters missing
    with pytest.raises(TypeError, match="filter is a string"):
        tileproc.apply(rgb, 42)
    with pytest.raises(ValueError, match="tile"):
        tileproc.apply(rgb, "invert", tile=0)
    with pytest.raises(ValueError, match="threads"):
        tileproc.apply(rgb, "invert", threads=-1)


def test_limit_error(rgb):
    old = tileproc.memory()["limit"]
    tileproc.set_memory_limit(1000)
    try:
        with pytest.raises(tileproc.LimitError, match="limit") as e:
            tileproc.apply(rgb, "gaussian")
        assert isinstance(e.value, MemoryError) and e.value.name == "ERR_LIMIT"
    finally:
        tileproc.set_memory_limit(old)
    tileproc.apply(rgb, "gaussian")


def test_pipeline(rgb):
    p = tileproc.Pipeline("gaussian:sigma=2")
    assert p.add("sharpen") is p and len(p) == 2
    assert p.specs == ["gaussian:sigma=2", "sharpen:sigma=1,amount=1,threshold=0"]
    assert p.halo(rgb.shape) == (9, 9, 9, 9)  # ceil(3*2) + ceil(3*1)
    assert p.output(rgb.shape, rgb.dtype) == ((120, 160, 3), "uint8")
    stages = p.stages((10, 20), "float32")
    assert [s["filter"] for s in stages] == ["gaussian", "sharpen"]
    assert stages[0]["halo"] == (6, 6, 6, 6) and not stages[0]["geometry"]
    out = numpy.empty_like(rgb)
    assert p.run(rgb, out) is out
    assert numpy.array_equal(out, numpy.asarray(tileproc.apply(rgb, *p.specs)))
    q = pickle.loads(pickle.dumps(p))
    assert q.specs == p.specs and repr(q) == repr(p)
    r = tileproc.Pipeline("resize:scale=0.5")
    assert r.output((100, 80)) == ((50, 40), "uint8")
    with pytest.raises(ValueError, match="geometry"):
        r.halo((100, 80))
    assert tileproc.Pipeline().halo((5, 5)) == (0, 0, 0, 0)


def test_gil_released_while_processing():
    # Enough work that the call lasts far longer than a few thousand loop turns even on the
    # fastest paths (median and gaussian run at hundreds of MP/s).
    a = numpy.random.default_rng(5).integers(0, 256, (4000, 4000), numpy.uint8)
    done = threading.Event()

    def work():
        tileproc.apply(a, "median:radius=3", "gaussian:sigma=4", "median:radius=3",
                       "sharpen:sigma=3", threads=1)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    spins = 0
    while not done.is_set():
        spins += 1
    t.join()
    # Holding the GIL for the whole call would leave this loop a handful of iterations.
    assert spins > 10000, spins


def test_threads_run_concurrently(rgb):
    p = tileproc.Pipeline("gaussian:sigma=3")
    want = numpy.asarray(p.run(rgb))
    results = [None] * 8

    def work(i):
        results[i] = numpy.asarray(p.run(rgb, threads=1))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(numpy.array_equal(r, want) for r in results)


def test_plugin(tmp_path):
    path = os.environ.get("TILEPROC_TEST_PLUGIN")
    with pytest.raises(tileproc.Error):
        tileproc.load_plugin(tmp_path / "nope.so")
    if not path:
        pytest.skip("TILEPROC_TEST_PLUGIN not set")
    tileproc.load_plugin(path)
    assert "posterize" in tileproc.filters()
