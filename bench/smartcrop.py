#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""How far resize's fit=cover,position=entropy|attention crops from libvips' smartcrop on the
photos in ../shared/photos (or the directory given). For each photo and target box, the scaled
image both start from is tileproc's own (resize fit=outside, the size cover scales to), so
only the choice of crop differs: vips smartcrop --interesting entropy|attention picks its crop
of that image (its offset read back from a .v file's header), tileproc's offset is found by
matching its cover output inside the scaled image. Prints a Markdown table of both offsets and
the distance between them in pixels of the scaled image.
usage: bench/smartcrop.py TILEPROC_CLI [PHOTO_DIR]"""

import pathlib
import subprocess
import sys
import tempfile

import cv2
import numpy

tileproc = sys.argv[1]
photos = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "../shared/photos")
boxes = [(200, 200), (300, 150), (150, 300)]


def run(*args):
    subprocess.run(args, check=True, capture_output=True)


def offset_in(scaled, crop):
    """Where crop lies in scaled (exact match)."""
    h, w = crop.shape[:2]
    res = cv2.matchTemplate(scaled.astype(numpy.float32), crop.astype(numpy.float32),
                            cv2.TM_SQDIFF)
    _, _, (x, y), _ = cv2.minMaxLoc(res)
    assert numpy.array_equal(scaled[y:y + h, x:x + w], crop), "cover is not a crop of outside"
    return x, y


print("| photo | box | strategy | tileproc (x, y) | vips (x, y) | distance (px) |")
print("|---|---|---|---|---|---|")
with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    for photo in sorted(list(photos.glob("*.png")) + list(photos.glob("*.jpg"))):
        src = tmp / "src.png"  # without metadata (some sample PNGs carry a broken sRGB profile)
        run("convert", str(photo), "-strip", str(src))
        for w, h in boxes:
            spec = f"resize:width={w},height={h}"
            run(tileproc, "run", "--quiet", str(src), str(tmp / "scaled.png"), spec + ",fit=outside")
            scaled = cv2.imread(str(tmp / "scaled.png"))
            for strategy in ("entropy", "attention"):
                run(tileproc, "run", "--quiet", str(src), str(tmp / "ours.png"),
                    f"{spec},fit=cover,position={strategy}")
                ox, oy = offset_in(scaled, cv2.imread(str(tmp / "ours.png")))
                run("vips", "smartcrop", str(tmp / "scaled.png"), str(tmp / "v.v"), str(w), str(h),
                    "--interesting", strategy)
                vx = -int(subprocess.check_output(["vipsheader", "-f", "xoffset", str(tmp / "v.v")]))
                vy = -int(subprocess.check_output(["vipsheader", "-f", "yoffset", str(tmp / "v.v")]))
                d = ((ox - vx) ** 2 + (oy - vy) ** 2) ** 0.5
                print(f"| {photo.name} | {w}x{h} (of {scaled.shape[1]}x{scaled.shape[0]}) | "
                      f"{strategy} | ({ox}, {oy}) | ({vx}, {vy}) | {d:.0f} |")
