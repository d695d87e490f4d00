# SPDX-License-Identifier: MIT
"""TIFF pages, pyramid levels and save options through the Python module (issue 13), and
load_region's colour keywords (issue 12). The reference is tifffile (Debian's python3-tifffile):
files it writes are read by tileproc with page=/level=, files tileproc writes are read back by
it (tile shape, compression, predictor, BigTIFF, levels and their pixels)."""

import pathlib

import numpy
import pytest
import tifffile

import tileproc

ICC = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "icc"


def picture(h, w, c=3, seed=0):
    """A smooth picture with some noise: compresses, and differs everywhere."""
    rng = numpy.random.default_rng(seed)
    y, x = numpy.mgrid[0:h, 0:w]
    base = numpy.stack([(x * 255 // max(w - 1, 1)), (y * 255 // max(h - 1, 1)),
                        ((x + y) * 3) % 256][:c], axis=-1)
    return ((base + rng.integers(0, 8, base.shape)) % 256).astype(numpy.uint8)


# --- reading: page= and level= against tifffile ---------------------------------------------

@pytest.fixture
def multipage(tmp_path):
    path = tmp_path / "pages.tif"
    pages = [picture(40 + 10 * i, 50 + 7 * i, seed=i) for i in range(3)]
    with tifffile.TiffWriter(path) as tif:
        for p in pages:
            tif.write(p, photometric="rgb", tile=(16, 16) if p.shape[0] > 45 else None)
    return path


def test_page_reads_what_tifffile_reads(multipage):
    assert tileproc.info(multipage)["pages"] == 3
    with tifffile.TiffFile(multipage) as tif:
        want = [p.asarray() for p in tif.pages]
    assert len(want) == 3
    for i, w in enumerate(want):
        got = numpy.asarray(tileproc.load(multipage, page=i))
        numpy.testing.assert_array_equal(got, w)
    # The default is the first page; one past the last is a ParamError naming the file.
    numpy.testing.assert_array_equal(numpy.asarray(tileproc.load(multipage)), want[0])
    with pytest.raises(tileproc.ParamError, match="pages.tif"):
        tileproc.load(multipage, page=3)
    with pytest.raises(ValueError):
        tileproc.load(multipage, page=-1)


@pytest.fixture
def pyramid_tif(tmp_path):
    """A tiled pyramid as tifffile writes one: full size plus two reduced-resolution SubIFDs."""
    path = tmp_path / "pyramid.tif"
    full = picture(200, 304)
    levels = [full, full[::2, ::2].copy(), full[::4, ::4].copy()]
    with tifffile.TiffWriter(path) as tif:
        tif.write(levels[0], photometric="rgb", tile=(64, 64), subifds=2)
        for lv in levels[1:]:
            tif.write(lv, photometric="rgb", tile=(64, 64), subfiletype=1)
    return path


def test_level_reads_what_tifffile_reads(pyramid_tif):
    assert tileproc.info(pyramid_tif)["levels"] == 3
    with tifffile.TiffFile(pyramid_tif) as tif:
        want = [lv.asarray() for lv in tif.series[0].levels]
    assert [w.shape for w in want] == [(200, 304, 3), (100, 152, 3), (50, 76, 3)]
    for k, w in enumerate(want):
        numpy.testing.assert_array_equal(numpy.asarray(tileproc.load(pyramid_tif, level=k)), w)
        # load_region and stream take level= too.
        region = numpy.asarray(tileproc.load_region(pyramid_tif, 5, 7, 30, 20, level=k))
        numpy.testing.assert_array_equal(region, w[7:27, 5:35])
    with pytest.raises(tileproc.ParamError):
        tileproc.load(pyramid_tif, level=3)


def test_stream_reads_a_level(pyramid_tif, tmp_path):
    out = tmp_path / "level1.png"
    r = tileproc.stream(pyramid_tif, out, "invert", level=1)
    assert (r["width"], r["height"]) == (152, 100)
    with tifffile.TiffFile(pyramid_tif) as tif:
        want = 255 - tif.series[0].levels[1].asarray()
    numpy.testing.assert_array_equal(numpy.asarray(tileproc.load(out)), want)


def test_page_and_level_refused_on_single_image_formats(tmp_path, rocket):
    with pytest.raises(tileproc.ParamError):
        tileproc.load(rocket, page=1)
    with pytest.raises(tileproc.ParamError):
        tileproc.load_region(rocket, 0, 0, 8, 8, level=1)


# --- writing: the TIFF save keywords, read back by tifffile ---------------------------------

@pytest.mark.parametrize("tiled, tile", [(True, (256, 256)), (64, (64, 64)),
                                         ((32, 48), (48, 32))])
def test_tiled_save(tmp_path, tiled, tile):
    a = picture(100, 130)
    path = tmp_path / "t.tif"
    tileproc.save(a, path, tiled=tiled, compression="none")
    with tifffile.TiffFile(path) as tif:
        page = tif.pages[0]
        assert page.is_tiled and (page.tilelength, page.tilewidth) == tile
        assert page.compression == tifffile.COMPRESSION.NONE
        assert not tif.is_bigtiff
        numpy.testing.assert_array_equal(page.asarray(), a)


@pytest.mark.parametrize("name, code", [("none", 1), ("deflate", 8), ("lzw", 5), ("jpeg", 7),
                                        ("zstd", 50000), ("webp", 50001)])
def test_compression_by_name(tmp_path, name, code):
    a = picture(64, 80)
    path = tmp_path / "c.tif"
    tileproc.save(a, path, compression=name, tiled=True)
    with tifffile.TiffFile(path) as tif:
        page = tif.pages[0]
        assert int(page.compression) == code
        if name in ("none", "deflate"):  # what tifffile decodes without imagecodecs
            numpy.testing.assert_array_equal(page.asarray(), a)
    back = numpy.asarray(tileproc.load(path))
    if name in ("jpeg", "webp"):
        assert numpy.abs(back.astype(int) - a).mean() < 12  # noise and wrapping edges
    else:
        numpy.testing.assert_array_equal(back, a)


def test_predictor_and_bigtiff(tmp_path):
    a = picture(50, 60)
    f = numpy.linspace(0, 1, 50 * 60, dtype=numpy.float32).reshape(50, 60)
    cases = [(a, "none", tifffile.PREDICTOR.NONE), (a, "horizontal", tifffile.PREDICTOR.HORIZONTAL),
             (f, "float", tifffile.PREDICTOR.FLOATINGPOINT)]
    for arr, name, want in cases:
        path = tmp_path / f"p-{name}.tif"
        tileproc.save(arr, path, compression="deflate", predictor=name, bigtiff=True)
        with tifffile.TiffFile(path) as tif:
            assert tif.is_bigtiff
            assert tif.pages[0].predictor == want
            if name != "float":  # tifffile's float predictor decode needs imagecodecs
                numpy.testing.assert_array_equal(tif.pages[0].asarray(), arr)
    with pytest.raises(tileproc.Error):  # the float predictor needs f32 samples
        tileproc.save(a, tmp_path / "bad.tif", predictor="float")


def test_pyramid_save(tmp_path):
    a = picture(300, 520)
    path = tmp_path / "pyr.tif"
    tileproc.save(a, path, pyramid=True, tiled=64, compression="deflate")
    with tifffile.TiffFile(path) as tif:
        levels = tif.series[0].levels
        shapes = [lv.shape for lv in levels]
        # Every 2x reduction (rounded up) until a level fits one 64x64 tile.
        assert shapes == [(300, 520, 3), (150, 260, 3), (75, 130, 3), (38, 65, 3), (19, 33, 3)]
        for lv in levels:
            page = lv.keyframe
            assert (page.tilelength, page.tilewidth) == (64, 64)
            assert page.compression == tifffile.COMPRESSION.ADOBE_DEFLATE
        numpy.testing.assert_array_equal(levels[0].asarray(), a)
        reduced = [lv.asarray() for lv in levels]
    # tileproc reads its own levels as tifffile does.
    assert tileproc.info(path)["levels"] == 5
    for k, want in enumerate(reduced):
        numpy.testing.assert_array_equal(numpy.asarray(tileproc.load(path, level=k)), want)


def test_stream_writes_a_pyramid(tmp_path):
    src = tmp_path / "in.png"
    a = picture(260, 300)
    tileproc.save(a, src)
    out = tmp_path / "out.tif"
    tileproc.stream(src, out, "invert", pyramid=True, tiled=(128, 64), compression="lzw")
    with tifffile.TiffFile(out) as tif:
        levels = tif.series[0].levels
        assert [lv.shape for lv in levels] == [(260, 300, 3), (130, 150, 3), (65, 75, 3),
                                               (33, 38, 3)]
        assert all((lv.keyframe.tilelength, lv.keyframe.tilewidth) == (64, 128) for lv in levels)
        assert all(lv.keyframe.compression == tifffile.COMPRESSION.LZW for lv in levels)
    numpy.testing.assert_array_equal(numpy.asarray(tileproc.load(out)), 255 - a)


def test_tiff_keywords_refused_elsewhere(tmp_path):
    a = picture(20, 20)
    for kw in ({"tiled": True}, {"pyramid": True}, {"bigtiff": True}, {"predictor": "none"},
               {"compression": "lzw"}):
        with pytest.raises(ValueError, match="only for TIFF"):
            tileproc.save(a, tmp_path / "x.png", **kw)
    with pytest.raises(ValueError, match="multiples of 16"):
        tileproc.save(a, tmp_path / "x.tif", tiled=(20, 16))
    with pytest.raises(ValueError, match="compression"):
        tileproc.save(a, tmp_path / "x.tif", compression="packbits")
    with pytest.raises(ValueError, match="predictor"):
        tileproc.save(a, tmp_path / "x.tif", predictor="vertical")
    # An int is PNG's zlib level: refused for a TIFF (it would be ignored), and -1 is no level.
    for level in (6, -1):
        with pytest.raises(ValueError, match="zlib level"):
            tileproc.save(a, tmp_path / "x.tif", compression=level)
    with pytest.raises(ValueError, match="0-9"):
        tileproc.save(a, tmp_path / "x.png", compression=-1)
    assert not (tmp_path / "x.tif").exists() and not (tmp_path / "x.png").exists()
    # TIFF in memory needs the format named.
    assert tileproc.save(a, format="png", compression=1)[:4] == b"\x89PNG"
    assert tileproc.save(a, format="tiff", tiled=True)[:2] in (b"II", b"MM")


# --- load_region's colour keywords ----------------------------------------------------------

@pytest.fixture
def adobe_tif(tmp_path, rocket):
    """rocket's pixels as stored, tagged Adobe RGB (tag 34675) in a tiled TIFF by tifffile."""
    a = numpy.asarray(tileproc.load(rocket, colour="ignore"))
    icc = (ICC / "AdobeRGB1998.icc").read_bytes()
    tif = tmp_path / "adobe.tif"
    tifffile.imwrite(tif, a, photometric="rgb", tile=(64, 64),
                     extratags=[(34675, 7, len(icc), icc, True)])
    assert tileproc.info(tif)["has_icc"]
    return tif, icc


@pytest.mark.parametrize("colour", ["keep", "srgb", "ignore"])
def test_load_region_colour_equals_crop_of_load(adobe_tif, colour):
    path, icc = adobe_tif
    whole = numpy.asarray(tileproc.load(path, colour=colour))
    for x, y, w, h in [(0, 0, 640, 427), (63, 65, 130, 70), (600, 400, 40, 27)]:
        region = numpy.asarray(tileproc.load_region(path, x, y, w, h, colour=colour))
        numpy.testing.assert_array_equal(region, whole[y:y + h, x:x + w])
    stored = tifffile.imread(path)
    if colour == "srgb":  # Adobe RGB to sRGB changes the colours
        assert numpy.abs(whole.astype(int) - stored).max() > 10
    else:
        numpy.testing.assert_array_equal(whole, stored)


def test_load_region_colour_on_a_jpeg(rocket):
    """rocket.jpg carries a profile: keep and srgb differ, and each region is its load's crop."""
    for colour in ("keep", "srgb"):
        whole = numpy.asarray(tileproc.load(rocket, colour=colour))
        region = numpy.asarray(tileproc.load_region(rocket, 17, 33, 200, 150, colour=colour))
        numpy.testing.assert_array_equal(region, whole[33:183, 17:217])
    keep = numpy.asarray(tileproc.load_region(rocket, 17, 33, 200, 150, colour="keep"))
    srgb = numpy.asarray(tileproc.load_region(rocket, 17, 33, 200, 150, colour="srgb"))
    assert not numpy.array_equal(keep, srgb)


def test_load_region_profile_keywords(adobe_tif):
    """input_profile/output_profile/intent reach load_region as they reach load."""
    path, icc = adobe_tif
    kw = {"input_profile": ICC / "ProPhotoRGB.icc", "intent": "perceptual",
          "black_point_compensation": True}
    whole = numpy.asarray(tileproc.load(path, **kw))
    region = numpy.asarray(tileproc.load_region(path, 10, 20, 100, 50, **kw))
    numpy.testing.assert_array_equal(region, whole[20:70, 10:110])
    default = numpy.asarray(tileproc.load_region(path, 10, 20, 100, 50))
    assert not numpy.array_equal(region, default)
    with pytest.raises(ValueError, match="colour"):
        tileproc.load_region(path, 0, 0, 4, 4, colour="cmyk")
