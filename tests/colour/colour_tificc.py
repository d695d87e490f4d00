#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""colour_tificc.py: the colour engine against an independent program, lcms2's own tificc
(liblcms2-utils), on the same pixels: random ones plus a ramp of every level on each channel
and on all together, at u8, u16 and f32, for RGB, gray and CMYK profiles (Debian's colord and
icc-profiles-free ones in tests/data/icc, and lcms2-built ones: Display P3, LUT-based RGB and
CMYK v2/v4). tificc runs with -c0 (no precalculation: lcms2 without optimisation) and the
same intent and the input's depth (-w16, -w32 for float). Bound: 1 level at u8 and at u16;
f32 within 1/65535 (tificc's float output clamped to [0, 1], as ours is).

The gray output profile (gray with sRGB's tone curve) is a file here, for tificc; ours is the
same profile in memory, whose curve parameters are not rounded to 16.16 fixed point, so the
gray cases give the tool the file as its output profile too: like for like.

usage: colour_tificc.py COLOUR_TOOL DATA_DIR WORK_DIR
"""
import os
import subprocess
import sys
import zlib

import numpy as np
import tifffile

TOOL, DATA, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(WORK, exist_ok=True)

failures = 0
checks = 0


def made(name):
    path = os.path.join(WORK, name + ".icc")
    subprocess.run([TOOL, "profile", name, path], check=True)
    return path


def pixels(channels, dtype, seed):
    """256x48: rows 0-7 ramps (each channel alone, then all), the rest random."""
    rng = np.random.default_rng(seed)
    h, w = 48, 256
    a = rng.random((h, w, channels))
    ramp = np.linspace(0.0, 1.0, w)
    for r in range(min(channels + 1, h)):
        a[r] = 0.0
        for c in range(channels):
            if r == channels or r == c:
                a[r, :, c] = ramp
    if dtype == np.uint8:
        return np.round(a * 255).astype(np.uint8)
    if dtype == np.uint16:
        return np.round(a * 65535).astype(np.uint16)
    return a.astype(np.float32)


def check(label, in_icc, out_icc, layout, sample, intent=1, bpc=False):
    global failures, checks
    channels = {"gray": 1, "rgb": 3, "cmyk": 4}[layout]
    dtype = {"u8": np.uint8, "u16": np.uint16, "f32": np.float32}[sample]
    px = pixels(channels, dtype, zlib.crc32((label + sample).encode()))
    tif, ref_tif = os.path.join(WORK, "in.tif"), os.path.join(WORK, "ref.tif")
    photometric = {"gray": "minisblack", "rgb": "rgb", "cmyk": "separated"}[layout]
    # tificc hands float samples to lcms2 as they are, and lcms2's float CMYK is in percent.
    tif_px = px * 100 if layout == "cmyk" and sample == "f32" else px
    tifffile.imwrite(tif, tif_px if channels > 1 else tif_px[:, :, 0], photometric=photometric,
                     metadata=None)
    wide = {"u8": [], "u16": ["-w16"], "f32": ["-w32"]}[sample]
    cmd = ["tificc", "-c0", "-t%d" % intent, "-i" + in_icc]
    cmd += ["-o" + out_icc] if out_icc else []
    cmd += wide + (["-b"] if bpc else []) + [tif, ref_tif]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ref = tifffile.imread(ref_tif).astype(np.float64)
    raw_in, raw_out = os.path.join(WORK, "in.raw"), os.path.join(WORK, "out.raw")
    px.tofile(raw_in)
    intent_name = ["perceptual", "relative", "saturation", "absolute"][intent]
    got = subprocess.run([TOOL, "convert", in_icc, out_icc or "-", layout, sample, intent_name,
                          "1" if bpc else "0", "auto", str(px.shape[0] * px.shape[1]), raw_in,
                          raw_out], check=True, capture_output=True, text=True).stdout.split()
    ours = np.fromfile(raw_out, dtype=dtype).astype(np.float64).reshape(ref.shape)
    if sample == "f32":
        ours, ref = ours * 65535, np.clip(ref, 0, 1) * 65535
    diff = np.abs(ours - ref)
    worst = diff.max()
    checks += 1
    status = "ok" if worst <= 1 else "FAIL"
    if worst > 1:
        failures += 1
    print("%-4s %-34s %-4s %-5s intent %d%s (%s): max %g levels, %d of %d samples differ"
          % (status, label, layout, sample, intent, " bpc" if bpc else "", got[0], worst,
             int((diff > 0).sum()), diff.size))


icc = lambda name: os.path.join(DATA, "icc", name)
p3, rgb_lut = made("p3"), made("rgb-lut")
cmyk_v2, cmyk_v4 = made("cmyk-v2"), made("cmyk-v4")
gray22, srgb_gray = made("gray22"), made("srgb-gray")

rgb = [("AdobeRGB1998.icc", icc("AdobeRGB1998.icc")), ("ProPhotoRGB.icc", icc("ProPhotoRGB.icc")),
       ("compatibleWithAdobeRGB1998.icc", icc("compatibleWithAdobeRGB1998.icc")),
       ("LStar-RGB.icc", icc("LStar-RGB.icc")), ("CineonLog_M.icc", icc("CineonLog_M.icc")),
       ("colord-sRGB.icc", icc("colord-sRGB.icc")), ("Display P3 (lcms2-built)", p3),
       ("RGB LUT (lcms2-built)", rgb_lut)]
gray = [("Gray.icc", icc("Gray.icc")), ("Gray-CIE_L.icc", icc("Gray-CIE_L.icc")),
        ("gray 2.2 (lcms2-built)", gray22)]
cmyk = [("CMYK LUT v2 (lcms2-built)", cmyk_v2), ("CMYK LUT v4 (lcms2-built)", cmyk_v4)]

for sample in ("u8", "u16", "f32"):
    for label, path in rgb:
        check(label, path, None, "rgb", sample)
    for label, path in gray:
        check(label, path, srgb_gray, "gray", sample)
    for label, path in cmyk:
        check(label, path, None, "cmyk", sample)
# Other intents and black-point compensation, and an output profile (Adobe RGB to Display P3).
for intent in (0, 2, 3):
    for sample in ("u8", "u16"):
        check("AdobeRGB1998.icc", icc("AdobeRGB1998.icc"), None, "rgb", sample, intent)
        check("CMYK LUT v4 (lcms2-built)", cmyk_v4, None, "cmyk", sample, intent)
for sample in ("u8", "u16"):
    check("CMYK LUT v2 (lcms2-built)", cmyk_v2, None, "cmyk", sample, 1, True)
    check("AdobeRGB1998.icc to Display P3", icc("AdobeRGB1998.icc"), p3, "rgb", sample)

print("%d passed, %d failed" % (checks - failures, failures))
sys.exit(1 if failures else 0)
