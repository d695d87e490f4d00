# SPDX-License-Identifier: MIT
"""tileproc.tiles(): interior tiles are views into the original memory, edge tiles with a halo
are assembled copies, tile.core is always a view of the tile's own rectangle."""

import numpy
import pytest

import tileproc


def padded(a, halo, mode="reflect"):
    """NumPy's padding for tileproc's border rules ('reflect' is reflect-101)."""
    pad = [(halo, halo), (halo, halo)] + [(0, 0)] * (a.ndim - 2)
    return numpy.pad(a, pad, mode=mode)


@pytest.mark.parametrize("size,halo", [(32, 0), (32, 3), ((50, 20), 5), (1000, 2)])
def test_tiles_cover_and_match(rgb, size, halo):
    tw, th = (size, size) if isinstance(size, int) else size
    ref = padded(rgb, halo)
    seen = numpy.zeros(rgb.shape[:2], int)
    tiles = tileproc.tiles(rgb, size, halo)
    n = 0
    for t in tiles:
        x, y, w, h = t.rect
        assert t.index == n and (w, h) == (min(tw, 160 - x), min(th, 120 - y))
        a = numpy.asarray(t)
        assert a.shape == (h + 2 * halo, w + 2 * halo, 3)
        assert numpy.array_equal(a, ref[y:y + h + 2 * halo, x:x + w + 2 * halo])
        interior = x >= halo and y >= halo and x + w + halo <= 160 and y + h + halo <= 120
        assert t.assembled == (not interior)
        assert numpy.shares_memory(a, rgb) == (not t.assembled)
        core = numpy.asarray(t.core)
        assert numpy.shares_memory(core, rgb) and numpy.array_equal(core, rgb[y:y + h, x:x + w])
        assert t.halo == (halo,) * 4
        seen[y:y + h, x:x + w] += 1
        n += 1
    assert n == len(tiles) and (seen == 1).all()
    across, down = tiles.grid
    assert across * down == n


def test_interior_tile_address(rng):
    a = rng.integers(0, 256, (300, 300), dtype=numpy.uint8)
    for t in tileproc.tiles(a, 100, 4):
        if not t.assembled:
            m = memoryview(t)
            assert m.readonly and m.shape == (108, 108)
            arr = numpy.asarray(m)
            assert arr.ctypes.data == a[t.y - 4:, t.x - 4:].ctypes.data
            assert arr.strides == a.strides
            break
    else:
        pytest.fail("no interior tile")


def test_tiles_write_through_core(rng):
    a = rng.integers(0, 256, (64, 96, 3), dtype=numpy.uint8)
    orig = a.copy()
    for t in tileproc.tiles(a, 16, 1):
        core = numpy.asarray(t.core)
        core[...] = 255 - numpy.asarray(t)[1:-1, 1:-1]
    assert numpy.array_equal(a, 255 - orig)


def test_tiles_negative_strides_and_borders(rng):
    a = rng.integers(0, 65536, (40, 50), dtype=numpy.uint16)[::-1, ::-2]
    for border, mode in [("reflect101", "reflect"), ("reflect", "symmetric"),
                         ("replicate", "edge"), ("wrap", "wrap")]:
        ref = padded(a, 3, mode)
        for t in tileproc.tiles(a, 8, 3, border=border):
            x, y, w, h = t.rect
            assert numpy.array_equal(numpy.asarray(t), ref[y:y + h + 6, x:x + w + 6])
    for t in tileproc.tiles(a, 8, 1, border="constant", border_value=7):
        if t.rect[:2] == (0, 0):
            assert numpy.asarray(t)[0, 0] == 7


def test_tiles_keep_source_alive(rng):
    a = rng.integers(0, 256, (20, 20), dtype=numpy.uint8)
    tiles = tileproc.tiles(a.copy(), 10, 0)
    views = [numpy.asarray(t) for t in tiles]
    del tiles
    assert numpy.array_equal(numpy.vstack([numpy.hstack(views[:2]), numpy.hstack(views[2:])]), a)


def test_readonly_source(rng):
    a = rng.integers(0, 256, (20, 20), dtype=numpy.uint8)
    a.flags.writeable = False
    t = next(iter(tileproc.tiles(a, 10)))
    assert t.core.readonly and t.input.readonly


def test_tiles_errors(rgb):
    with pytest.raises(ValueError, match="halo"):
        tileproc.tiles(rgb, 10, -1)
    with pytest.raises(ValueError, match="tile"):
        tileproc.tiles(rgb, 0)
    with pytest.raises(TypeError, match="halo"):
        tileproc.tiles(rgb, 10, "x")
