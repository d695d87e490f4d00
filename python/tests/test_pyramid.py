# SPDX-License-Identifier: MIT
"""tileproc.pyramid(): the library's one-pass tile pyramid from Python."""

import json
import zipfile

import numpy
import pytest

import tileproc


@pytest.fixture
def src(tmp_path, rng):
    a = rng.integers(0, 256, (300, 500, 3), dtype=numpy.uint8)
    path = tmp_path / "in.png"
    tileproc.save(a, path)
    return path, a


def test_dz_tiles_are_the_image_after_the_filters(tmp_path, src):
    path, a = src
    r = tileproc.pyramid(path, tmp_path / "p.dzi", "invert", suffix="png", tile_size=128,
                         overlap=2, depth="one", threads=2)
    assert (r["width"], r["height"]) == (500, 300) and r["peak_memory"] > 0
    want = 255 - a
    tile = numpy.asarray(tileproc.load(tmp_path / "p_files" / "0" / "1_1.png"))
    assert numpy.array_equal(tile, want[126:258, 126:258])
    assert 'TileSize="128"' in (tmp_path / "p.dzi").read_text()


def test_iiif_zip_and_options(tmp_path, src):
    path, _ = src
    tileproc.pyramid(path, tmp_path / "img.zip", layout="iiif3", id="https://x.org/iiif")
    with zipfile.ZipFile(tmp_path / "img.zip") as z:
        info = json.loads(z.read("img/info.json"))
        assert info["id"] == "https://x.org/iiif/img"
        assert info["tiles"][0]["scaleFactors"] == [1] and info["width"] == 500
        assert "img/full/500,300/0/default.jpg" in z.namelist()


def test_errors(tmp_path, src):
    path, _ = src
    with pytest.raises(ValueError):
        tileproc.pyramid(path, tmp_path / "x", layout="tiff")
    tileproc.pyramid(path, tmp_path / "x", layout="zoomify")
    with pytest.raises(tileproc.FileError):  # exists: refused without force
        tileproc.pyramid(path, tmp_path / "x", layout="zoomify")
    tileproc.pyramid(path, tmp_path / "x", layout="zoomify", force=True)
    with pytest.raises(tileproc.LimitError):
        tileproc.pyramid(path, tmp_path / "y", memory_limit=20000)
    assert not (tmp_path / "y.dzi").exists() and not (tmp_path / "y_files").exists()


def test_webp_effort(tmp_path, src):
    path, _ = src
    tiles = {}
    for effort in (0, 4):
        tileproc.pyramid(path, tmp_path / f"e{effort}.dzi", suffix="webp", tile_size=512,
                         depth="one", effort=effort)
        tiles[effort] = (tmp_path / f"e{effort}_files" / "0" / "0_0.webp").read_bytes()
    assert tiles[0] != tiles[4]  # libwebp's method 0 and 4 encode differently
    default = tileproc.pyramid(path, tmp_path / "d.dzi", suffix="webp", tile_size=512,
                               depth="one")
    assert default["width"] == 500
    assert (tmp_path / "d_files" / "0" / "0_0.webp").read_bytes() == tiles[0]  # default: 0
    with pytest.raises(ValueError):
        tileproc.pyramid(path, tmp_path / "bad", suffix="webp", effort=7)


@pytest.mark.parametrize("colour", ["srgb", "keep", "ignore"])
def test_colour_keywords(tmp_path, rocket, colour):
    """rocket.jpg is Adobe RGB: the one full-size tile is load()'s image under the same colour
    keyword, and carries the profile exactly when load's image would (keep)."""
    out = tmp_path / "c.dzi"
    r = tileproc.pyramid(rocket, out, layout="dz", tile_size=1024, overlap=0, depth="one",
                         suffix="png", colour=colour)
    assert (r["width"], r["height"]) == (640, 427)
    tiles = list((tmp_path / "c_files").rglob("*.png"))
    assert len(tiles) == 1
    want = numpy.asarray(tileproc.load(rocket, colour=colour))
    got = numpy.asarray(tileproc.load(tiles[0], colour="keep"))
    numpy.testing.assert_array_equal(got, want)
    assert tileproc.info(tiles[0])["has_icc"] == (colour == "keep")
    with pytest.raises(ValueError, match="colour"):
        tileproc.pyramid(rocket, tmp_path / "bad", colour="cmyk")
