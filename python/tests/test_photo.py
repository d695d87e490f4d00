# SPDX-License-Identifier: MIT
"""The photo operations (issue 15) against independent engines on the sample photo:
OpenCV's warpAffine/getRotationMatrix2D (rotate, affine), morphologyEx (erode ... gradient),
copyMakeBorder (extend); ImageMagick's `composite -compose` (blend modes); libvips's LCh
(modulate) and rotate (output sizes). Tools that are missing skip their tests."""

import math
import shutil
import subprocess

import numpy
import pytest

import tileproc

cv2 = pytest.importorskip("cv2")


@pytest.fixture
def photo(rocket):
    img = numpy.asarray(tileproc.load(rocket))
    return numpy.ascontiguousarray(img[60:260, 150:430])  # 280 x 200, RGB


def side(v):
    return max(1, int(math.floor(v + 0.5)))


def rotation_matrix(w, h, angle):
    """tileproc's rotate in OpenCV's terms: about the input's centre, onto the output's."""
    t = math.radians(angle)
    ow = side(w * abs(math.cos(t)) + h * abs(math.sin(t)))
    oh = side(w * abs(math.sin(t)) + h * abs(math.cos(t)))
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), -angle, 1.0)
    m[0, 2] += (ow - 1) / 2 - (w - 1) / 2
    m[1, 2] += (oh - 1) / 2 - (h - 1) / 2
    return m, ow, oh


def interior(mask, margin):
    """Pixels at least margin away from any pixel outside mask."""
    k = numpy.ones((2 * margin + 1, 2 * margin + 1), numpy.uint8)
    return cv2.erode(mask.astype(numpy.uint8), k, borderType=cv2.BORDER_CONSTANT,
                     borderValue=0).astype(bool)


@pytest.mark.parametrize("angle", [30, -17.5, 45, 100, 213.7, 1])
@pytest.mark.parametrize("interp", ["bilinear", "nearest"])
def test_rotate_matches_warpaffine(photo, angle, interp):
    h, w = photo.shape[:2]
    m, ow, oh = rotation_matrix(w, h, angle)
    flags = cv2.INTER_LINEAR if interp == "bilinear" else cv2.INTER_NEAREST
    ref = cv2.warpAffine(photo, m, (ow, oh), flags=flags, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=(10, 200, 30))
    got = numpy.asarray(tileproc.apply(
        photo, f"rotate:angle={angle},interpolation={interp},background=10 200 30",
        tile=(37, 23), threads=2))
    assert got.shape == ref.shape  # the geometry is exact
    d = numpy.abs(got.astype(int) - ref)
    # Away from the edges within 1 level (the bound); measured: equal everywhere.
    inside = cv2.warpAffine(numpy.ones((h, w), numpy.uint8), m, (ow, oh),
                            flags=cv2.INTER_NEAREST).astype(bool)
    assert d[interior(inside, 2)].max() <= 1
    assert d.max() <= 1


@pytest.mark.parametrize("matrix,dx,dy", [("1 0.3;0.1 0.7", 0, 0), ("0.5 0;0 0.5", 3.25, -2),
                                          ("1.3 0.2;-0.4 0.9", 0, 0), ("-1 0;0 2", 0.5, 0)])
def test_affine_matches_warpaffine(photo, matrix, dx, dy):
    h, w = photo.shape[:2]
    (a, b), (c, d) = [[float(v) for v in row.split()] for row in matrix.split(";")]
    ow, oh = side(w * abs(a) + h * abs(b)), side(w * abs(c) + h * abs(d))
    cx, cy = (w - 1) / 2, (h - 1) / 2
    m = numpy.array([[a, b, (ow - 1) / 2 + dx - (a * cx + b * cy)],
                     [c, d, (oh - 1) / 2 + dy - (c * cx + d * cy)]])
    ref = cv2.warpAffine(photo, m, (ow, oh), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    got = numpy.asarray(tileproc.apply(photo, f"affine:matrix={matrix},dx={dx},dy={dy}",
                                       tile=(64, 16)))
    assert got.shape == ref.shape
    assert numpy.abs(got.astype(int) - ref).max() <= 1


OPS = {"erode": cv2.MORPH_ERODE, "dilate": cv2.MORPH_DILATE, "open": cv2.MORPH_OPEN,
       "close": cv2.MORPH_CLOSE, "tophat": cv2.MORPH_TOPHAT, "gradient": cv2.MORPH_GRADIENT}
SHAPES = {"square": cv2.MORPH_RECT, "cross": cv2.MORPH_CROSS, "disk": cv2.MORPH_ELLIPSE}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("radius", [1, 3, 7])
def test_morphology_matches_morphologyex(photo, op, shape, radius):
    """Exact for u8, OpenCV's element of (2r+1) x (2r+1), both reading through reflect-101."""
    k = cv2.getStructuringElement(SHAPES[shape], (2 * radius + 1, 2 * radius + 1))
    ref = cv2.morphologyEx(photo, OPS[op], k, borderType=cv2.BORDER_REFLECT_101)
    got = numpy.asarray(tileproc.apply(photo, f"{op}:radius={radius},shape={shape}",
                                       border="reflect101", tile=(50, 30), threads=2))
    assert numpy.array_equal(got, ref)


@pytest.mark.parametrize("op", ["erode", "dilate", "gradient"])
@pytest.mark.parametrize("border,cvborder", [("replicate", cv2.BORDER_REPLICATE),
                                             ("reflect", cv2.BORDER_REFLECT),
                                             ("constant", cv2.BORDER_CONSTANT)])
def test_single_pass_morphology_any_border(photo, op, border, cvborder):
    """One pass reads the border rule as OpenCV does, a constant included (OpenCV's default
    constant, morphologyDefaultBorderValue, is +inf for erosion and -inf for dilation: edges
    never win; tileproc's constant is the run's border value)."""
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    ref = cv2.morphologyEx(gray, OPS[op], k, borderType=cvborder, borderValue=40)
    got = numpy.asarray(tileproc.apply(gray, f"{op}:radius=4,shape=disk", border=border,
                                       border_value=40))
    assert numpy.array_equal(got, ref)


@pytest.mark.parametrize("op", ["erode", "dilate", "gradient"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_opencv_default_border_is_replicate(photo, op, shape):
    """OpenCV's default border for morphology is a constant that never wins (+inf for erosion,
    -inf for dilation); for one pass that is what replicating the edge gives, since every
    element holds, for each position outside, the edge pixel it replicates."""
    k = cv2.getStructuringElement(SHAPES[shape], (11, 11))
    ref = cv2.morphologyEx(photo, OPS[op], k)
    got = numpy.asarray(tileproc.apply(photo, f"{op}:radius=5,shape={shape}", border="replicate"))
    assert numpy.array_equal(got, ref)


@pytest.mark.parametrize("border,cvborder", [("constant", cv2.BORDER_CONSTANT),
                                             ("replicate", cv2.BORDER_REPLICATE),
                                             ("reflect", cv2.BORDER_REFLECT),
                                             ("reflect101", cv2.BORDER_REFLECT_101),
                                             ("wrap", cv2.BORDER_WRAP)])
def test_extend_matches_copymakeborder(photo, border, cvborder):
    ref = cv2.copyMakeBorder(photo, 7, 30, 12, 5, cvborder, value=(1, 2, 3))
    got = numpy.asarray(tileproc.apply(
        photo, f"extend:top=7,right=5,bottom=30,left=12,border={border},background=1 2 3",
        border="reflect", tile=(33, 17)))
    assert numpy.array_equal(got, ref)


BLENDS = {"over": "Over", "multiply": "Multiply", "screen": "Screen", "overlay": "Overlay",
          "darken": "Darken", "lighten": "Lighten", "add": "Plus", "difference": "Difference"}


@pytest.mark.skipif(shutil.which("composite") is None, reason="ImageMagick not installed")
@pytest.mark.parametrize("blend", list(BLENDS))
@pytest.mark.parametrize("alpha_base", [False, True])
def test_composite_matches_imagemagick(tmp_path, photo, blend, alpha_base):
    rng = numpy.random.default_rng(15)
    over = rng.integers(0, 256, (60, 90, 4), dtype=numpy.uint8)
    over[..., 3] = numpy.linspace(0, 255, 90).astype(numpy.uint8)[None, :]
    over[:10, :, 3] = 255
    base = photo
    if alpha_base:
        base = numpy.dstack([photo, rng.integers(0, 256, photo.shape[:2], dtype=numpy.uint8)])
    tileproc.save(over, tmp_path / "over.png")
    tileproc.save(numpy.ascontiguousarray(base), tmp_path / "base.png")
    subprocess.run(["composite", "-compose", BLENDS[blend], "-geometry", "+40+25",
                    str(tmp_path / "over.png"), str(tmp_path / "base.png"),
                    str(tmp_path / "ref.png")], check=True)
    ref = numpy.asarray(tileproc.load(tmp_path / "ref.png")).astype(int)
    got = numpy.asarray(tileproc.apply(
        numpy.ascontiguousarray(base),
        f"composite:image={tmp_path / 'over.png'},x=40,y=25,blend={blend}")).astype(int)
    assert got.shape == ref.shape
    d = numpy.abs(got - ref)
    if alpha_base:  # colour where either result is transparent means nothing
        seen = (ref[..., 3] > 0) & (got[..., 3] > 0)
        assert d[..., :3][seen].max() <= 1 and d[..., 3].max() <= 1
    else:
        assert d.max() <= 1


@pytest.mark.skipif(shutil.which("vips") is None, reason="libvips-tools not installed")
@pytest.mark.parametrize("b,s,h,l", [(1.2, 1, 0, 0), (1, 0, 0, 0), (1, 1.5, 0, 0),
                                     (1, 1, 90, 0), (1, 1, 0, 10), (0.8, 1.3, -40, 5)])
def test_modulate_matches_vips_lch(tmp_path, photo, b, s, h, l):
    """sharp's modulate: vips's LCh, L * brightness + lightness, C * saturation, h + hue."""
    tileproc.save(photo, tmp_path / "in.png")
    run = lambda *a: subprocess.run(["vips", *a], check=True, cwd=tmp_path)
    run("colourspace", "in.png", "lch.v", "lch")
    run("linear", "lch.v", "mod.v", f"{b} {s} 1", f"{l} 0 {h}")
    run("colourspace", "mod.v", "ref.png", "srgb")
    ref = numpy.asarray(tileproc.load(tmp_path / "ref.png")).astype(int)
    got = numpy.asarray(tileproc.apply(
        photo, f"modulate:brightness={b},saturation={s},hue={h},lightness={l}")).astype(int)
    assert numpy.abs(got - ref).max() <= 1


@pytest.mark.skipif(shutil.which("vips") is None, reason="libvips-tools not installed")
@pytest.mark.parametrize("angle", [30, 10, 1, 89, 123.4, -45])
def test_rotate_size_is_vips_size(tmp_path, angle):
    w, h = 173, 61
    tileproc.save(numpy.zeros((h, w), numpy.uint8), tmp_path / "z.png")
    subprocess.run(["vips", "rotate", "z.png", "r.v", "--", str(angle)], check=True,
                   cwd=tmp_path)
    size = [int(subprocess.run(["vipsheader", "-f", f, "r.v"], cwd=tmp_path, check=True,
                               capture_output=True, text=True).stdout) for f in ("width", "height")]
    got = numpy.asarray(tileproc.apply(numpy.zeros((h, w), numpy.uint8), f"rotate:angle={angle}"))
    assert [got.shape[1], got.shape[0]] == size


def test_colour_and_path_parameters_from_python(tmp_path, photo):
    """A colour as a tuple, a path as a pathlib.Path; the same as their text forms."""
    a = numpy.asarray(tileproc.apply(photo, ("extend", {"top": 3, "background": (255, 0, 0)})))
    b = numpy.asarray(tileproc.apply(photo, "extend:top=3,background=#ff0000"))
    assert numpy.array_equal(a, b) and tuple(a[0, 0]) == (255, 0, 0)
    tileproc.save(numpy.full((4, 4, 4), 200, numpy.uint8), tmp_path / "w,1.png")
    c = numpy.asarray(tileproc.apply(photo, ("composite", {"image": tmp_path / "w,1.png"})))
    d = numpy.asarray(tileproc.apply(photo, "composite:image=%s" %
                                     str(tmp_path / "w,1.png").replace(",", "\\,")))
    assert numpy.array_equal(c, d) and not numpy.array_equal(c, photo)
    with pytest.raises(tileproc.Error, match="composite: cannot use image="):
        tileproc.apply(photo, ("composite", {"image": tmp_path / "missing.png"}))
