# SPDX-License-Identifier: MIT
"""trim's box against ImageMagick's `-trim` (its bounding box, `-format %@`) and `-fuzz`:
the sample photo and noise framed with ImageMagick's own -border (opaque and transparent
borders), gray images under a threshold (ImageMagick's fuzz distance is the RMS over the
channels, trim's the largest channel difference: equal for gray images), every sample type.
Tools that are missing skip their tests."""

import shutil
import subprocess

import numpy
import pytest

import tileproc

pytestmark = pytest.mark.skipif(shutil.which("convert") is None,
                                reason="ImageMagick not installed")


@pytest.fixture
def photo(rocket):
    img = numpy.asarray(tileproc.load(rocket))
    return numpy.ascontiguousarray(img[60:260, 150:430])  # 280 x 200, RGB


def im_box(path, fuzz=0):
    """ImageMagick's trim box (x, y, w, h) of the image at path."""
    out = subprocess.run(["convert", str(path), "-fuzz", f"{fuzz}%", "-format", "%@", "info:"],
                         check=True, capture_output=True, text=True).stdout
    size, x, y = out.strip().split("+")
    w, h = size.split("x")
    return int(x), int(y), int(w), int(h)


def border(tmp_path, img, colour, geometry):
    tileproc.save(numpy.ascontiguousarray(img), tmp_path / "in.png")
    subprocess.run(["convert", str(tmp_path / "in.png"), "-bordercolor", colour, "-border",
                    geometry, str(tmp_path / "framed.png")], check=True)
    return tmp_path / "framed.png"


def check(path, img, spec, box):
    x, y, w, h = box
    got = numpy.asarray(tileproc.apply(img, spec, tile=(37, 23), threads=2))
    assert got.shape[:2] == (h, w)
    assert numpy.array_equal(got, img[y:y + h, x:x + w])


@pytest.mark.parametrize("colour,geometry", [("rgb(250,250,250)", "17x9"),
                                             ("rgb(0,0,0)", "3x40"), ("#12ab34", "1x1")])
def test_photo_in_a_frame(tmp_path, photo, colour, geometry):
    path = border(tmp_path, photo, colour, geometry)
    framed = numpy.asarray(tileproc.load(path))
    check(path, framed, "trim:threshold=0", im_box(path))


def test_transparent_frame(tmp_path, photo):
    rgba = numpy.dstack([photo, numpy.full(photo.shape[:2], 255, numpy.uint8)])
    path = border(tmp_path, rgba, "none", "11x6")
    framed = numpy.array(tileproc.load(path))
    # Transparent pixels of any colour are alike: scribble colour into the frame.
    framed[:6, :, :3] = numpy.random.default_rng(1).integers(0, 256, (6, framed.shape[1], 3))
    tileproc.save(framed, path)
    check(path, framed, "trim:threshold=0", im_box(path))


@pytest.mark.parametrize("fuzz", [0, 5, 10, 20])
def test_gray_threshold_is_fuzz(tmp_path, photo, fuzz):
    gray = numpy.ascontiguousarray(photo[..., 1])
    # A frame of 128 with noise around it that the larger fuzz values swallow.
    rng = numpy.random.default_rng(fuzz)
    framed = numpy.full((gray.shape[0] + 40, gray.shape[1] + 60), 128, numpy.uint8)
    framed[20:-20, 30:-30] = gray
    noise = rng.integers(-40, 41, framed.shape)
    ring = numpy.zeros(framed.shape, bool)
    ring[5:-5, 8:-8] = True
    ring[20:-20, 30:-30] = False
    framed[ring] = numpy.clip(128 + noise[ring], 0, 255)
    framed[0, 0] = 128
    tileproc.save(framed, tmp_path / "g.png")
    check(tmp_path / "g.png", framed, f"trim:threshold={fuzz / 100}",
          im_box(tmp_path / "g.png", fuzz))


@pytest.mark.parametrize("dtype,scale", [(numpy.uint16, 257), (numpy.float32, 1 / 255)])
def test_sample_types_give_the_u8_box(tmp_path, photo, dtype, scale):
    path = border(tmp_path, photo, "rgb(250,250,250)", "13x7")
    framed = numpy.asarray(tileproc.load(path))
    wide = numpy.ascontiguousarray((framed.astype(numpy.float64) * scale).astype(dtype))
    check(path, wide, "trim:threshold=0", im_box(path))


def test_uniform_image_is_unchanged():
    img = numpy.full((20, 30, 3), 77, numpy.uint8)
    got = numpy.asarray(tileproc.apply(img, "trim"))
    assert numpy.array_equal(got, img)  # sharp's choice; ImageMagick makes it 1x1
