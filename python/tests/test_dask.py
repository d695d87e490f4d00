# SPDX-License-Identifier: MIT
"""tileproc.dask.apply: chunk by chunk with map_overlap, byte-identical to tileproc.apply on
the whole image for every border rule, chunk shape and chain; and the same on a LocalCluster
of worker processes reading and writing zarr."""

import logging
import os
import sys

import numpy
import pytest

import tileproc
import tileproc.dask

da = pytest.importorskip("dask.array")

CHAINS = [
    ("gaussian:sigma=2", "sharpen:amount=1.5"),
    # not symmetric: padding the input and filtering would differ from the border rule
    ("convolve:matrix=1 2 3;0 1 -1;4 0 -2,scale=0.1,offset=0.2", "median:radius=2"),
    ("box:radius=3", "invert", "sobel"),
    ("levels:in_black=0.1,in_white=0.8",),
]
CHUNKS = [(32, 48), (37, 53), (5, 5), (1, 300), ((50, 3, 47, 1), (7, 120, 3))]
BORDERS = ["reflect101", "reflect", "replicate", "constant", "wrap"]


def whole(a, chain, **kw):
    return numpy.asarray(tileproc.apply(a, *chain, **kw))


def as_dask(a, chunks):
    if isinstance(chunks[0], int):
        chunks = chunks + a.shape[2:]
    else:
        chunks = chunks + tuple((c,) for c in a.shape[2:])
    return da.from_array(a, chunks=chunks)


@pytest.fixture(scope="module")
def image():
    rng = numpy.random.default_rng(7)
    return rng.integers(0, 256, (101, 130, 3), dtype=numpy.uint8)


@pytest.mark.parametrize("chain", CHAINS, ids=lambda c: c[0].split(":")[0])
@pytest.mark.parametrize("chunks", CHUNKS, ids=str)
@pytest.mark.parametrize("border", BORDERS)
def test_byte_identical(image, chain, chunks, border):
    want = whole(image, chain, border=border, border_value=(40, 90, 200))
    y = tileproc.dask.apply(as_dask(image, chunks), *chain, border=border,
                            border_value=(40, 90, 200))
    got = y.compute(scheduler="threads")
    assert got.dtype == want.dtype and got.shape == want.shape
    assert numpy.array_equal(got, want)


@pytest.mark.parametrize("dtype", [numpy.uint16, numpy.float32])
def test_other_dtypes_gray(dtype):
    rng = numpy.random.default_rng(3)
    a = (rng.random((150, 170)) * (1 if dtype == numpy.float32 else 65535)).astype(dtype)
    chain = ("gaussian:sigma=1.5", "sharpen")
    for chunks in [(40, 40), (4, 9)]:
        got = tileproc.dask.apply(da.from_array(a, chunks=chunks), *chain).compute()
        assert got.shape == a.shape and numpy.array_equal(got, whole(a, chain))


def test_channels_change_and_alpha():
    rng = numpy.random.default_rng(5)
    a = rng.integers(0, 256, (90, 110, 4), dtype=numpy.uint8)
    x = da.from_array(a, chunks=(30, 30, 2))  # the channel axis is split: merged
    y = tileproc.dask.apply(x, "gaussian:sigma=1", "grayscale")
    assert y.shape == (90, 110, 2) and y.chunks[2] == (2,)
    assert numpy.array_equal(y.compute(), whole(a, ("gaussian:sigma=1", "grayscale")))


def test_small_chunks_are_merged(image):
    x = as_dask(image, (5, 5))
    y = tileproc.dask.apply(x, "gaussian:sigma=2", "sharpen")  # halo 9
    assert min(y.chunks[0]) >= 9 and min(y.chunks[1]) >= 9
    assert sum(y.chunks[0]) == 101 and sum(y.chunks[1]) == 130
    tiny = da.from_array(image[:6, :7], chunks=(2, 3, 3))  # smaller than the halo: one chunk
    got = tileproc.dask.apply(tiny, "gaussian:sigma=2").compute()
    assert numpy.array_equal(got, whole(image[:6, :7], ("gaussian:sigma=2",)))


def test_halo_helper(image):
    assert tileproc.dask.halo(image, "gaussian:sigma=2", "median:radius=3") == (9, 9, 9, 9)


@pytest.mark.parametrize("spec", ["resize:scale=0.5", "crop:x=0,y=0,width=10,height=10",
                                  "rotate:angle=90", "flip"])
def test_geometry_refused(image, spec):
    with pytest.raises(ValueError, match="geometry"):
        tileproc.dask.apply(as_dask(image, (64, 64)), "gaussian", spec)


def test_bad_inputs():
    with pytest.raises(TypeError, match="uint8, uint16 or float32"):
        tileproc.dask.apply(da.zeros((10, 10), dtype="f8"), "invert")
    with pytest.raises(ValueError, match="dimensions"):
        tileproc.dask.apply(da.zeros((10,), dtype="u1"), "invert")
    with pytest.raises(tileproc.ParamError):
        tileproc.dask.apply(da.zeros((10, 10), dtype="u1"), "gausian")


def test_dask_boundary_names():
    """Why boundary='none' and tileproc's own border rule: Dask's 'reflect' is NumPy's
    'symmetric' (tileproc's reflect, dcba|abcd), not reflect-101 (edcb|abcd), which Dask does
    not offer; 'nearest' is replicate and 'periodic' is wrap."""
    from dask.array.overlap import overlap
    a = numpy.arange(20, dtype=numpy.uint8).reshape(4, 5)
    x = da.from_array(a, chunks=(2, 5))
    for boundary, mode in [("reflect", "symmetric"), ("nearest", "edge"), ("periodic", "wrap")]:
        got = overlap(x, depth={0: 2, 1: 0}, boundary={0: boundary, 1: "none"}).compute()
        want = numpy.pad(a, ((2, 2), (0, 0)), mode=mode)
        # rows of the padded image as dask lays them out: [pad, chunk0+overlap, ...]
        assert numpy.array_equal(got[:2], want[:2]) and numpy.array_equal(got[-2:], want[-2:])
    got = overlap(x, depth={0: 2, 1: 0}, boundary={0: "reflect", 1: "none"}).compute()
    assert not numpy.array_equal(got[:2], numpy.pad(a, ((2, 2), (0, 0)), mode="reflect")[:2])


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None,
                                       silence_logs=logging.ERROR, worker_dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_local_cluster_zarr(client, tmp_path):
    zarr = pytest.importorskip("zarr")
    src, dst = str(tmp_path / "in.zarr"), str(tmp_path / "out.zarr")
    # written chunk by chunk by the workers: no process holds the whole image
    x = da.random.RandomState(11).randint(0, 256, size=(700, 900, 3), chunks=(128, 160, 3),
                                          dtype=numpy.uint8)
    x.to_zarr(src)
    chain = ("gaussian:sigma=2", "sharpen")
    y = tileproc.dask.apply(da.from_zarr(src), *chain)
    y.to_zarr(dst)
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids
    used = client.run(lambda: "tileproc._tileproc" in sys.modules)
    assert all(used.values()), used
    out = zarr.open(dst, mode="r")
    assert out.chunks == (128, 160, 3)
    whole_in = zarr.open(src, mode="r")[...]
    assert numpy.array_equal(out[...], whole(whole_in, chain))
