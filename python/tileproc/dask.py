# SPDX-License-Identifier: MIT
"""Running a tileproc chain over the chunks of a Dask array.

    >>> import dask.array as da, tileproc.dask
    >>> x = da.from_zarr("big.zarr")                 # (H, W) or (H, W, C); uint8/uint16/float32
    >>> y = tileproc.dask.apply(x, "gaussian:sigma=2", "sharpen")
    >>> y.to_zarr("out.zarr")                        # or y.compute(), y.store(...)

``apply`` maps the chain over the chunks with ``dask.array.map_overlap``: every chunk is
extended by the chain's halo (the sum of its stages' halos, from ``Pipeline.halo``) with
pixels of its neighbours, processed by tileproc in the worker, and trimmed back. The result is
byte-identical to ``tileproc.apply`` on the whole image, for every border rule and chunk shape.

How the image's own edges are handled: tileproc applies the border rule to the output of
*every* stage, as a whole-image run does. Dask's ``boundary=`` pads only the input, which
differs for chains (and for any filter that does not commute with the padding), and it has no
reflect-101 at all -- Dask's ``'reflect'`` is NumPy's ``'symmetric'`` (tileproc's
``reflect``), ``'nearest'`` is ``replicate`` and ``'periodic'`` is ``wrap``. So chunks are
overlapped with ``boundary='none'``: a chunk on the image's edge is not padded on that side,
and tileproc applies the border rule there itself, stage by stage, exactly as it does for the
whole image. Only ``border='wrap'`` uses Dask's ``'periodic'``, since wrapping needs the
pixels of the opposite edge; the wrapped padding is exact for every translation-invariant
chain.

Chunks narrower than the halo are merged with their neighbours first (an axis shorter than
the halo becomes one chunk); the channel axis is always one chunk. Filters that change the
image's geometry (resize, crop, rotate, flip) cannot run chunk by chunk and are refused with
``ValueError``: run them on the result, or stream the whole image with ``tileproc.stream``.
"""

import functools

import numpy

from . import _tileproc

__all__ = ["apply", "halo"]

_DTYPES = ("uint8", "uint16", "float32")


@functools.lru_cache(maxsize=64)
def _pipeline(specs):
    return _tileproc.Pipeline(*specs)


def _check(array, filters):
    """The Dask array, its pipeline and its halo (left, top, right, bottom)."""
    import dask.array as da

    x = array if isinstance(array, da.Array) else da.asarray(array)
    if x.ndim not in (2, 3):
        raise ValueError(
            "tileproc.dask.apply: expected an array of shape (height, width) or "
            f"(height, width, channels), got {x.ndim} dimensions")
    dtype = numpy.dtype(x.dtype)
    if dtype.name not in _DTYPES:
        raise TypeError(
            f"tileproc.dask.apply: expected uint8, uint16 or float32 samples, got {dtype.name}")
    if any(numpy.isnan(s) for s in x.shape):
        raise ValueError("tileproc.dask.apply: the array's chunk sizes must be known "
                         "(call compute_chunk_sizes() first)")
    pipeline = _tileproc.Pipeline(*filters)
    shape = tuple(int(s) for s in x.shape)
    for stage in pipeline.stages(shape, dtype.name):
        if (stage["geometry"] or stage["whole_image"]
                or stage["shape_out"][:2] != stage["shape_in"][:2]):
            raise ValueError(
                f"tileproc.dask.apply: {stage['spec']} changes the image's geometry, so it "
                "cannot run chunk by chunk; apply it to the result, or run the whole chain "
                "with tileproc.apply() or tileproc.stream()")
    return x, pipeline, pipeline.halo(shape, dtype.name)


def halo(array, *filters):
    """The chain's halo (left, top, right, bottom) for this array's shape and dtype."""
    return _check(array, filters)[2]


def _min_chunks(chunks, depth):
    """Merges chunks along one axis so that each is at least depth long (or the axis is one
    chunk): a chunk's overlap must come from its immediate neighbours."""
    if depth == 0 or all(c >= depth for c in chunks):
        return tuple(chunks)
    out = []
    run = 0
    for c in chunks:
        run += c
        if run >= depth:
            out.append(run)
            run = 0
    if run:
        if out:
            out[-1] += run
        else:
            out.append(run)
    return tuple(out)


def _run_block(block, *, specs, depth, periodic, out_channels, out_dtype, options,
               block_info=None):
    """One overlapped chunk: run the chain on it, return the chunk's own part."""
    info = block_info[0]
    loc, num = info["chunk-location"], info["num-chunks"]
    pads = []
    for axis in (0, 1):
        d = depth[axis]
        before = d if periodic or loc[axis] > 0 else 0
        after = d if periodic or loc[axis] < num[axis] - 1 else 0
        pads.append((before, after))
    shape = block.shape[:2] + ((out_channels,) if block.ndim == 3 else ())
    out = numpy.empty(shape, out_dtype)
    _pipeline(specs).run(block, out, **options)
    (t, b), (l, r) = pads
    return out[t:block.shape[0] - b, l:block.shape[1] - r]


def apply(array, *filters, border="reflect101", border_value=None, threads=1, tile=None):
    """Runs a chain of tileproc filters over a Dask array's chunks (lazily).

    array: a dask.array.Array (or anything dask.array.asarray takes) of shape (H, W) or
    (H, W, C), dtype uint8, uint16 or float32. filters: as for tileproc.apply. border and
    border_value: the border rule at the image's edges, as for tileproc.apply. threads: tileproc
    threads per chunk (1 suits Dask, which runs chunks in parallel; 0 means all cores). tile:
    tileproc's tile size inside a chunk.

    Returns a Dask array with the same chunks (merged where a chunk was smaller than the halo)
    whose computed values equal tileproc.apply(whole_image, *filters, border=...) byte for byte.
    Raises ValueError for filters that change the geometry (resize, crop, rotate, flip).
    """
    import dask.array as da

    x, pipeline, (left, top, right, bottom) = _check(array, filters)
    shape = tuple(int(s) for s in x.shape)
    out_shape, out_dtype = pipeline.output(shape, numpy.dtype(x.dtype).name)
    if len(out_shape) != x.ndim:
        raise ValueError("tileproc.dask.apply: the chain changes the number of axes "
                         f"({x.shape} -> {out_shape}); give a 3-D (H, W, C) array")
    # Dask overlaps symmetrically; every built-in filter's halo is symmetric anyway.
    depth = (max(top, bottom), max(left, right))
    periodic = str(border).lower() == "wrap"
    chunks = {0: _min_chunks(x.chunks[0], depth[0]), 1: _min_chunks(x.chunks[1], depth[1])}
    if x.ndim == 3:
        chunks[2] = -1
    x = x.rechunk(chunks)
    # An axis in one chunk needs no overlap: tileproc applies the border rule (wrap included)
    # at both of its ends itself.
    depth = tuple(d if len(c) > 1 else 0 for d, c in zip(depth, x.chunks))
    out_channels = out_shape[2] if x.ndim == 3 else 1
    out_chunks = x.chunks[:2] + (((out_channels,),) if x.ndim == 3 else ())
    axes_depth = {0: depth[0], 1: depth[1], 2: 0}
    if x.ndim == 2:
        del axes_depth[2]
    func = functools.partial(
        _run_block, specs=tuple(pipeline.specs), depth=depth, periodic=periodic,
        out_channels=out_channels, out_dtype=numpy.dtype(out_dtype),
        options={"border": border, "border_value": border_value, "threads": threads,
                 "tile": tile})
    return da.map_overlap(
        func, x, depth=axes_depth, boundary="periodic" if periodic else "none", trim=False,
        dtype=numpy.dtype(out_dtype), chunks=out_chunks,
        meta=numpy.empty((0,) * x.ndim, numpy.dtype(out_dtype)), name="tileproc-apply")
