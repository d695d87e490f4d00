# SPDX-License-Identifier: MIT
"""tileproc: tile-by-tile image processing on buffers, with no copies.

Any object with the buffer protocol -- a NumPy array of shape (H, W) or (H, W, C) in uint8,
uint16 or float32 (slices with any steps, negative ones included), a memoryview, or a flat
bytes-like object wrapped with ``Image(obj, width=..., height=..., channels=...)`` -- is read
(and, as ``out=``, written) in place. Results are :class:`Image` objects that export the
buffer protocol themselves: ``numpy.asarray(result)`` shares their memory.

    >>> import numpy, tileproc
    >>> a = numpy.zeros((480, 640, 3), numpy.uint8)
    >>> b = numpy.asarray(tileproc.apply(a, "gaussian:sigma=2", "sharpen"))
    >>> tileproc.apply(a[::2, ::-1], "invert", out=numpy.empty((240, 640, 3), numpy.uint8))

Filters are ``"name:key=value,..."`` strings (as the tileproc tool takes them) or
``(name, {key: value})`` tuples; :func:`filters` lists them. The GIL is released while pixels
are processed, and results are byte-identical whatever the tile size or thread count.
Failures raise :class:`Error` (``.status``, ``.name``), or its subclasses :class:`ParamError`
(also a ValueError), :class:`FileError` (also an OSError) and :class:`LimitError` (also a
MemoryError). ``tileproc.dask.apply`` runs a chain over a Dask array's chunks.
"""

from ._tileproc import (  # noqa: F401
    Error,
    FileError,
    Image,
    LimitError,
    ParamError,
    Pipeline,
    Tile,
    Tiles,
    __version__,
    apply,
    filters,
    info,
    library_version,
    load,
    load_plugin,
    load_region,
    memory,
    save,
    pyramid,
    set_memory_limit,
    stream,
    tiles,
)

__all__ = [
    "Error", "FileError", "Image", "LimitError", "ParamError", "Pipeline", "Tile", "Tiles",
    "apply", "filters", "info", "load", "load_plugin", "load_region", "memory", "pyramid", "save",
    "set_memory_limit", "stream", "tiles",
]
