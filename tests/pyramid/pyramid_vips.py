#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tileproc pyramid against two independent references.

1. vips dzsave (libvips-tools) on the same input with --suffix .png (lossless): the same set of
   files, the same tile sizes, the same .dzi / info.json / ImageProperties.xml values, and
   pixels within 1 level per sample at every level. Where vips 8.14 has bugs that vips later
   fixed (IIIF scaleFactors without the coarsest level before 8.17; the whole-image IIIF tile
   named by its region instead of `full` before 8.17.1), vips' answer is corrected first.
2. A naive pyramid in numpy (the whole image, each level the 2x2 mean with the odd edge
   repeated, (a+b+c+d+2)//4, colour weighted by alpha when there is one, tiles cut by
   slicing): our tiles must equal it exactly.

Then: JPEG tiles within a stated error of the naive reference; the zip container (unzip -t,
contents equal to the fs layout, Zip64 on a pyramid of over 65535 tiles); streamed == whole
input; thread count and processing-tile invariance; refusal of existing targets; no output
after failed or interrupted runs.

usage: pyramid_vips.py TILEPROC WORKDIR
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile

import cv2
import numpy as np

TOOL, WORK = sys.argv[1], sys.argv[2]
TILE_EFFORT = "0"  # the pyramid's default WebP tile effort (README: "WebP tiles")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def tileproc(*args):
    r = run([TOOL, "pyramid", "-q", *map(str, args)])
    if r.returncode != 0:
        raise SystemExit(f"tileproc pyramid {args} failed: {r.stderr}")


def vips(inp, out, *args):
    r = run(["vips", "dzsave", inp, out, *map(str, args)])
    if r.returncode != 0:
        raise SystemExit(f"vips dzsave failed: {r.stderr}")


def listing(root):
    out = set()
    for d, _, files in os.walk(root):
        for f in files:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out


def read(path):
    return cv2.imread(path, cv2.IMREAD_UNCHANGED)


def make_image(w, h, channels, seed):
    """A smooth gradient plus noise: every level has detail, and nothing is flat."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = [(x * 255 // max(w - 1, 1)), (y * 255 // max(h - 1, 1)), ((x + y) * 7) % 256, 200 + 0 * x]
    img = np.stack(base[:channels], axis=-1).astype(np.int32)
    img = np.clip(img + rng.integers(-40, 41, img.shape), 0, 255).astype(np.uint8)
    return img[:, :, 0] if channels == 1 else img


def save(path, img):
    # cv2 writes BGR(A): hand it reversed colour so the file holds img as RGB(A).
    if img.ndim == 3 and img.shape[2] >= 3:
        img = np.concatenate([img[:, :, 2::-1], img[:, :, 3:]], axis=2)
    cv2.imwrite(path, img)


def naive_levels(img, count):
    levels = [img.astype(np.int32)]
    for _ in range(count - 1):
        a = levels[-1]
        if a.ndim == 2:
            a = a[:, :, None]
        p = np.pad(a, ((0, a.shape[0] & 1), (0, a.shape[1] & 1), (0, 0)), mode="edge")
        quad = lambda q: q[0::2, 0::2] + q[1::2, 0::2] + q[0::2, 1::2] + q[1::2, 1::2]
        r = (quad(p) + 2) // 4
        if p.shape[2] in (2, 4):  # alpha-weighted colour, rounded to nearest (vips premultiplies)
            a = quad(p[:, :, -1:])
            s = quad(p[:, :, :-1] * p[:, :, -1:])
            r[:, :, :-1] = np.where(a > 0, (s + a // 2) // np.maximum(a, 1), 0)
        levels.append(r[:, :, 0] if img.ndim == 2 else r)
    return levels


def as_rgb(tile):
    """cv2's BGR(A) back to RGB(A); gray stays 2-D."""
    if tile.ndim == 3 and tile.shape[2] >= 3:
        return np.concatenate([tile[:, :, 2::-1], tile[:, :, 3:]], axis=2)
    return tile


def vips_names(names, layout, w, h):
    """vips 8.14's names, with the whole-image IIIF tile named `full` as vips 8.17.1 does."""
    out = set()
    for n in names:
        if n.endswith("vips-properties.xml"):
            continue
        if layout.startswith("iiif"):
            n = n.replace(f"/0,0,{w},{h}/", "/full/", 1)
        out.add(n)
    return out


def compare_layout(name, img, layout, extra, dz_levels_check=True):
    h, w = img.shape[:2]
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "vips"))
    os.makedirs(os.path.join(d, "ours"))
    src = os.path.join(d, "in.png")
    save(src, img)
    vips(src, os.path.join(d, "vips", "p"), "--layout", layout, "--suffix", ".png", *extra)
    tileproc(src, os.path.join(d, "ours", "p"), "--layout", layout, "--suffix", "png", *extra)
    ours = listing(os.path.join(d, "ours"))
    theirs = vips_names(listing(os.path.join(d, "vips")), layout, w, h)
    check(ours == theirs, f"{name}: file set differs from vips: only ours {sorted(ours - theirs)[:5]}, "
                          f"only vips {sorted(theirs - ours)[:5]}")
    worst = 0
    for n in sorted(ours & theirs):
        if not n.endswith(".png"):
            continue
        a = read(os.path.join(d, "ours", n))
        vn = n.replace("/full/", f"/0,0,{w},{h}/", 1) if layout.startswith("iiif") else n
        b = read(os.path.join(d, "vips", vn))
        if a.ndim != b.ndim and a.ndim == 3 and b.ndim == 2:
            b = np.repeat(b[:, :, None], a.shape[2], axis=2)  # vips' 1-band blank tile
        if a.ndim == 2 and b.ndim == 3:
            b = b[:, :, 0]
        check(a.shape[:2] == b.shape[:2], f"{name}/{n}: size {a.shape} vs vips {b.shape}")
        if a.shape == b.shape:
            worst = max(worst, int(np.abs(a.astype(int) - b.astype(int)).max()))
    # With alpha, vips keeps its pyramid premultiplied between levels while ours rounds each
    # level's alpha-weighted mean to 8 bits: the difference grows about one level for every
    # two reductions (measured: 1 after one, 5 after nine). Our exact formula is checked
    # against the naive pyramid instead (naive_check).
    alpha = img.ndim == 3 and img.shape[2] in (2, 4)
    bound = 1 + (dz_level_count(w, h) - 1) // 2 if alpha else 1
    check(worst <= bound, f"{name}: pixels differ from vips by {worst} > {bound}")
    return d, ours


def check_metadata(d, layout, img, levels_expected):
    h, w = img.shape[:2]
    if layout == "dz":
        a = ET.parse(os.path.join(d, "ours", "p.dzi")).getroot()
        b = ET.parse(os.path.join(d, "vips", "p.dzi")).getroot()
        check(a.attrib == b.attrib, f"{d}: dzi attributes {a.attrib} vs {b.attrib}")
        check(a[0].attrib == b[0].attrib, f"{d}: dzi size {a[0].attrib} vs {b[0].attrib}")
        check(a[0].attrib == {"Height": str(h), "Width": str(w)}, f"{d}: dzi size wrong")
    elif layout == "zoomify":
        a = ET.parse(os.path.join(d, "ours", "p", "ImageProperties.xml")).getroot()
        b = ET.parse(os.path.join(d, "vips", "p", "ImageProperties.xml")).getroot()
        check(a.attrib == b.attrib, f"{d}: ImageProperties {a.attrib} vs {b.attrib}")
    elif layout.startswith("iiif"):
        a = json.load(open(os.path.join(d, "ours", "p", "info.json")))
        b = json.load(open(os.path.join(d, "vips", "p", "info.json")))
        # vips before 8.17 leaves the coarsest level out of scaleFactors: the fixed list
        b["tiles"][0]["scaleFactors"] = [1 << i for i in range(levels_expected)]
        check(a == b, f"{d}: info.json {a} vs corrected vips {b}")


def naive_check(d, img, layout, ts, overlap, levels):
    """Our dz tiles equal the naive pyramid cut by slicing."""
    ref = naive_levels(img, levels)
    bad = 0
    for i, lev in enumerate(ref):
        z = levels - 1 - i
        lh, lw = lev.shape[:2]
        for r in range((lh + ts - 1) // ts):
            for c in range((lw + ts - 1) // ts):
                x0, y0 = c * ts - (overlap if c else 0), r * ts - (overlap if r else 0)
                x1, y1 = min(lw, (c + 1) * ts + overlap), min(lh, (r + 1) * ts + overlap)
                t = as_rgb(read(os.path.join(d, "ours", "p_files", str(z), f"{c}_{r}.png")))
                if t is None or t.shape[:2] != (y1 - y0, x1 - x0) or \
                        not np.array_equal(t.astype(int), lev[y0:y1, x0:x1]):
                    bad += 1
    check(bad == 0, f"{d}: {bad} dz tiles differ from the naive pyramid")


def dz_level_count(w, h):
    n = 1
    while w > 1 or h > 1:
        w, h, n = (w + 1) // 2, (h + 1) // 2, n + 1
    return n


def onetile_count(w, h, ts):
    n = 1
    while w > ts or h > ts:
        w, h, n = (w + 1) // 2, (h + 1) // 2, n + 1
    return n


def test_against_vips():
    cases = [
        ("rgb_600x300", make_image(600, 300, 3, 1)),
        ("rgb_odd_1001x777", make_image(1001, 777, 3, 2)),
        ("gray_517x259", make_image(517, 259, 1, 3)),
        ("rgba_300x410", make_image(300, 410, 4, 4)),
        ("tiny_5x3", make_image(5, 3, 3, 5)),
    ]
    for label, img in cases:
        h, w = img.shape[:2]
        for layout in ["dz", "iiif", "iiif3", "zoomify", "google"]:
            if layout == "google" and img.ndim == 3 and img.shape[2] == 4:
                continue  # vips pads RGBA google tiles with alpha 0 there; not compared
            d, _ = compare_layout(f"{label}_{layout}", img, layout, [])
            ts = {"dz": 254, "iiif": 512, "iiif3": 512}.get(layout, 256)
            levels = dz_level_count(w, h) if layout == "dz" else onetile_count(w, h, ts)
            check_metadata(d, layout, img, levels)
            if layout == "dz":
                naive_check(d, img, layout, 254, 1, levels)
    # Options: tile size, overlap, depth.
    img = make_image(1001, 777, 3, 6)
    for label, extra, ts, ov in [("ts100_ov3", ["--tile-size", "100", "--overlap", "3"], 100, 3),
                                 ("ts64_ov0", ["--tile-size", "64", "--overlap", "0"], 64, 0),
                                 ("onetile", ["--depth", "onetile"], 254, 1),
                                 ("one", ["--depth", "one"], 254, 1)]:
        d, _ = compare_layout(f"opt_{label}", img, "dz", extra)
        depth = extra[extra.index("--depth") + 1] if "--depth" in extra else "onepixel"
        levels = {"onepixel": dz_level_count(1001, 777), "onetile": onetile_count(1001, 777, ts),
                  "one": 1}[depth]
        check_metadata(d, "dz", img, levels)
        naive_check(d, img, "dz", ts, ov, levels)
    d, _ = compare_layout("opt_zoomify_ts64", img, "zoomify", ["--tile-size", "64"])
    check_metadata(d, "zoomify", img, 0)
    d, _ = compare_layout("opt_iiif_ts128", img, "iiif", ["--tile-size", "128"])
    check_metadata(d, "iiif", img, onetile_count(1001, 777, 128))
    compare_layout("opt_google_ts100_bg", img, "google", ["--tile-size", "100", "--background", "0"])


def test_google_blanks():
    """Near-blank tiles are skipped (default threshold 5) exactly where vips skips them."""
    img = np.full((700, 900, 3), 255, np.uint8)
    img[0:300, 0:300] = make_image(300, 300, 3, 7)
    img[500:510, 800:810] = 252  # within 5 of white: still blank
    d, ours = compare_layout("google_blanks", img, "google", [])
    check(len(ours) < 1 + 4 * 3 + 2 * 2 + 1 + 1, f"{d}: blank tiles were not skipped ({len(ours)})")


def psnr_against(root, ref, levels):
    """PSNR over every tile of a dz pyramid under root against the exact pyramid ref."""
    se, n = 0.0, 0
    for z_dir in os.listdir(root):
        if not z_dir.isdigit():
            continue
        i = levels - 1 - int(z_dir)
        for f in os.listdir(os.path.join(root, z_dir)):
            c, r = map(int, f.split(".")[0].split("_"))
            t = as_rgb(read(os.path.join(root, z_dir, f))).astype(float)
            x0, y0 = c * 254 - (1 if c else 0), r * 254 - (1 if r else 0)
            sub = ref[i][y0:y0 + t.shape[0], x0:x0 + t.shape[1]].astype(float)
            if t.shape != sub.shape:
                check(False, f"jpeg: tile {root}/{z_dir}/{f} has size {t.shape}, want {sub.shape}")
                continue
            se += ((t - sub) ** 2).sum()
            n += t.size
    return 10 * np.log10(255 ** 2 / max(se / max(n, 1), 1e-9))


def test_jpeg():
    """JPEG tiles (the default, Q75): within 0.5 dB of vips' Q75 tiles' PSNR against the
    exact pyramid, and above 30 dB on this image."""
    img = cv2.GaussianBlur(make_image(800, 600, 3, 8), (0, 0), 1.5)
    d = os.path.join(WORK, "jpeg")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    src = os.path.join(d, "in.png")
    save(src, img)
    tileproc(src, os.path.join(d, "p.dzi"))
    vips(src, os.path.join(d, "v"))
    levels = dz_level_count(800, 600)
    ref = naive_levels(img, levels)
    ours = psnr_against(os.path.join(d, "p_files"), ref, levels)
    theirs = psnr_against(os.path.join(d, "v_files"), ref, levels)
    print(f"jpeg: PSNR ours {ours:.2f} dB, vips {theirs:.2f} dB")
    check(ours > 30 and ours > theirs - 0.5, f"jpeg: PSNR {ours:.2f} dB (vips {theirs:.2f} dB)")
    check(all(f.endswith(".jpeg") for z in os.listdir(os.path.join(d, "p_files"))
              for f in os.listdir(os.path.join(d, "p_files", z))), "jpeg: tiles not .jpeg")
    check(listing(os.path.join(d, "p_files")) ==
          {n for n in listing(os.path.join(d, "v_files")) if "vips-properties" not in n},
          "jpeg: file set differs from vips")
    dzi = ET.parse(os.path.join(d, "p.dzi")).getroot()
    check(dzi.attrib["Format"] == "jpeg", "jpeg: dzi Format")
    # The full-size level of a JPEG pyramid is encoded by streaming encoders fed strip by strip
    # (src/pyramid_strips.c), the other levels from bands: every tile must be the bytes that
    # encoding its pixels whole gives (the lossless PNG pyramid's tile through `tileproc run`).
    for layout, extra in [("dz", ["--overlap", "3"]), ("iiif", ["--tile-size", "200"]),
                          ("google", [])]:
        jd, pd = os.path.join(d, f"{layout}_jpg"), os.path.join(d, f"{layout}_png")
        tileproc(src, jd, "--layout", layout, "--threads", "3", *extra)
        tileproc(src, pd, "--layout", layout, "--suffix", "png", *extra)
        pngs = sorted(n for n in listing(pd) if n.endswith(".png"))
        sample = pngs[:: max(1, len(pngs) // 12)] + pngs[-2:]
        for n in sample:
            tmp = os.path.join(d, "one.jpg")
            r = run([TOOL, "run", "-q", "--quality", "75", os.path.join(pd, n), tmp])
            jn = n[:-4] + (".jpeg" if layout == "dz" else ".jpg")
            ok = r.returncode == 0 and os.path.exists(os.path.join(jd, jn)) and \
                open(tmp, "rb").read() == open(os.path.join(jd, jn), "rb").read()
            check(ok, f"jpeg {layout}: {jn} is not the bytes of its pixels encoded whole")


def tree_bytes(root):
    return {n: open(os.path.join(root, n), "rb").read() for n in listing(root)}


def dwebp(path):
    """A WebP tile decoded by libwebp's own tool (dwebp, Debian's webp), as RGBA."""
    out = path + ".pam"
    r = run(["dwebp", "-quiet", "-pam", path, "-o", out])
    if r.returncode != 0:
        return None
    with open(out, "rb") as f:
        data = f.read()
    os.remove(out)
    head, _, body = data.partition(b"ENDHDR\n")
    fields = dict(line.split(b" ", 1) for line in head.split(b"\n")[1:] if b" " in line)
    w, h = int(fields[b"WIDTH"]), int(fields[b"HEIGHT"])
    return np.frombuffer(body, np.uint8).reshape(h, w, 4)


def test_webp():
    """WebP tiles (the pyramid's default effort and vips' 4), decoded by dwebp: within a stated
    error of the exact pyramid (PSNR above 30 dB, at most 1 dB below the JPEG-suffix tiles' on
    the same image); each tile the bytes `tileproc run` makes of its pixels whole (the tile
    writer and the image writer agree) for gray, gray+alpha, RGB and RGBA; the same bytes on 1,
    2 and 3 threads."""
    d = os.path.join(WORK, "webp")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    img = cv2.GaussianBlur(make_image(800, 600, 3, 12), (0, 0), 1.5)
    src = os.path.join(d, "in.png")
    save(src, img)
    levels = dz_level_count(800, 600)
    ref = naive_levels(img, levels)
    tileproc(src, os.path.join(d, "j.dzi"))
    jpeg = psnr_against(os.path.join(d, "j_files"), ref, levels)
    for effort in ["default", "4"]:
        extra = [] if effort == "default" else ["--effort", effort]
        tileproc(src, os.path.join(d, f"w{effort}.dzi"), "--suffix", "webp", *extra)
        root = os.path.join(d, f"w{effort}_files")
        se, n = 0.0, 0
        for name in sorted(listing(root)):
            z, f = name.split("/")
            i = levels - 1 - int(z)
            c, r = map(int, f.split(".")[0].split("_"))
            t = dwebp(os.path.join(root, name))
            if t is None:
                check(False, f"webp: dwebp cannot decode {name}")
                continue
            x0, y0 = c * 254 - (1 if c else 0), r * 254 - (1 if r else 0)
            sub = ref[i][y0:y0 + t.shape[0], x0:x0 + t.shape[1]].astype(float)
            check(t.shape[:2] == sub.shape[:2] and (t[:, :, 3] == 255).all(),
                  f"webp: tile {name} is {t.shape}, want {sub.shape} opaque")
            if t.shape[:2] == sub.shape[:2]:
                se += ((t[:, :, :3].astype(float) - sub) ** 2).sum()
                n += sub.size
        ours = 10 * np.log10(255 ** 2 / max(se / max(n, 1), 1e-9))
        print(f"webp effort {effort}: PSNR {ours:.2f} dB (JPEG tiles {jpeg:.2f} dB)")
        check(ours > 30 and ours > jpeg - 1, f"webp effort {effort}: PSNR {ours:.2f} dB "
              f"(JPEG tiles {jpeg:.2f} dB)")
    # The tile writer (libwebp importing the band's rows) against the image writer, for gray,
    # gray+alpha (RGBA through the grayscale filter), RGB and RGBA, with google's padded tiles.
    rgba = make_image(530, 300, 4, 13)
    rgba[:, :, 3] = make_image(530, 300, 1, 14)  # varied alpha, some of it 0
    for channels, image, filt in [(1, rgba[:, :, 0], []), (2, rgba, ["grayscale"]),
                                  (3, rgba[:, :, :3], []), (4, rgba, [])]:
        s = os.path.join(d, f"c{channels}.png")
        save(s, image)
        for layout in ["dz", "google"]:
            wd, pd = os.path.join(d, f"w{channels}{layout}"), os.path.join(d, f"p{channels}{layout}")
            opts = ["--layout", layout, "--skip-blanks", "-1"]
            tileproc(s, wd, *opts, "--suffix", "webp", *filt)
            tileproc(s, pd, *opts, "--suffix", "png", *filt)
            tree = (lambda o: o + "_files") if layout == "dz" else (lambda o: o)
            for threads in ["1", "3"]:
                other = wd + "t" + threads
                tileproc(s, other, *opts, "--suffix", "webp", "--threads", threads, *filt)
                check(tree_bytes(tree(wd)) == tree_bytes(tree(other)) != {},
                      f"webp {channels} {layout}: --threads {threads} gives other bytes")
            wd, pd = tree(wd), tree(pd)
            pngs = sorted(n for n in listing(pd) if n.endswith(".png"))
            check(len(pngs) > 8, f"webp {channels} {layout}: {len(pngs)} PNG tiles")
            for n in pngs[:: max(1, len(pngs) // 8)] + pngs[-1:]:
                tmp = os.path.join(d, "one.webp")
                r = run([TOOL, "run", "-q", "--quality", "75", "--effort", TILE_EFFORT,
                         os.path.join(pd, n), tmp])
                wn = n[:-4] + ".webp"
                ok = r.returncode == 0 and os.path.exists(os.path.join(wd, wn)) and \
                    open(tmp, "rb").read() == open(os.path.join(wd, wn), "rb").read()
                check(ok, f"webp {channels} {layout}: {wn} is not the bytes of its pixels "
                      "encoded whole")


def test_zip():
    img = make_image(700, 500, 3, 9)
    d = os.path.join(WORK, "zip")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    src = os.path.join(d, "in.png")
    save(src, img)
    for layout in ["dz", "iiif3", "google"]:
        fs, zd = os.path.join(d, f"fs_{layout}"), os.path.join(d, f"zip_{layout}")
        os.makedirs(fs)
        os.makedirs(zd)
        tileproc(src, os.path.join(fs, "q"), "--layout", layout, "--suffix", "png")
        z = os.path.join(zd, "q.zip")
        tileproc(src, os.path.join(zd, "q"), "--layout", layout, "--suffix", "png",
                 "--container", "zip")
        check(os.listdir(zd) == ["q.zip"], f"zip {layout}: wrote {os.listdir(zd)}")
        t = run(["unzip", "-t", "-q", z])
        check(t.returncode == 0, f"zip {layout}: unzip -t: {t.stdout} {t.stderr}")
        with zipfile.ZipFile(z) as zf:
            got = {n: zf.read(n) for n in zf.namelist()}
        # vips' zip layout: the same tree, under q/ for dz (whose fs tree has no q/ of its own)
        want = {("q/" if layout == "dz" else "") + n: b for n, b in tree_bytes(fs).items()}
        check(set(got) == set(want), f"zip {layout}: names differ: {sorted(set(got) ^ set(want))[:5]}")
        check(all(got[n] == want[n] for n in set(got) & set(want)), f"zip {layout}: contents differ")
    # Zip64: over 65535 entries.
    big = make_image(260, 260, 1, 10)
    save(src, big)
    z = os.path.join(d, "many.zip")
    tileproc(src, z, "--tile-size", "1", "--overlap", "0", "--depth", "one", "--suffix", "png")
    t = run(["unzip", "-t", "-q", z])
    check(t.returncode == 0, f"zip64: unzip -t failed: {t.stdout[-300:]} {t.stderr[-300:]}")
    with zipfile.ZipFile(z) as zf:
        names = zf.namelist()
        check(len(names) == 260 * 260 + 1, f"zip64: {len(names)} entries")
        px = cv2.imdecode(np.frombuffer(zf.read("many/many_files/0/17_33.png"), np.uint8),
                          cv2.IMREAD_UNCHANGED)
        check(px is not None and int(px.reshape(-1)[0]) == int(big[33, 17]), "zip64: a tile's pixel")
    with open(z, "rb") as f:
        data = f.read()
    check(b"PK\x06\x06" in data[-200:], "zip64: no Zip64 end of central directory record")


def test_invariance():
    img = make_image(900, 700, 3, 11)
    d = os.path.join(WORK, "inv")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    src = os.path.join(d, "in.png")
    save(src, img)
    variants = {"t1": ["--threads", "1"], "t2": ["--threads", "2"], "t7": ["--threads", "7"],
                "whole": ["--no-stream"], "tile": ["--tile", "37x13"]}
    trees = {}
    for k, extra in variants.items():
        tileproc(src, os.path.join(d, k), "--layout", "zoomify", "--tile-size", "200", *extra)
        trees[k] = tree_bytes(os.path.join(d, k))
    for k in variants:
        check(trees[k] == trees["t1"], f"invariance: {k} differs from --threads 1")
    # Filters run first: the pyramid of a flipped image is the flip's pyramid.
    tileproc(src, os.path.join(d, "filt"), "--layout", "zoomify", "--tile-size", "200", "flip")
    r = run([os.path.dirname(TOOL) + "/tileproc", "run", src, os.path.join(d, "flipped.png"), "flip"])
    check(r.returncode == 0, "run flip")
    tileproc(os.path.join(d, "flipped.png"), os.path.join(d, "ref"), "--layout", "zoomify",
             "--tile-size", "200")
    check(tree_bytes(os.path.join(d, "filt")) == tree_bytes(os.path.join(d, "ref")),
          "filters: pyramid of 'flip' differs from the pyramid of the flipped file")


def leftovers(d):
    return [n for n in os.listdir(d) if ".tmp-" in n or ".old-" in n]


def test_targets_and_failures():
    img = make_image(400, 300, 3, 12)
    d = os.path.join(WORK, "targets")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    src = os.path.join(d, "in.png")
    save(src, img)
    out = os.path.join(d, "p.dzi")
    tileproc(src, out, "--suffix", "png")
    before = tree_bytes(d)
    r = run([TOOL, "pyramid", "-q", src, out])
    check(r.returncode == 1 and "exists" in r.stderr, f"existing target: {r.returncode} {r.stderr}")
    check(tree_bytes(d) == before, "existing target was touched")
    # --force replaces it, with other tiles.
    r = run([TOOL, "pyramid", "-q", "--force", "--tile-size", "100", src, out])
    check(r.returncode == 0, f"--force: {r.stderr}")
    check(os.path.exists(os.path.join(d, "p_files", "9", "3_2.jpeg")), "--force: new tiles")
    check(not os.path.exists(os.path.join(d, "p_files", "9", "0_0.png")), "--force: old tiles gone")
    check(leftovers(d) == [], f"--force left {leftovers(d)}")
    # A truncated input fails and leaves nothing.
    with open(src, "rb") as f:
        data = f.read()
    bad = os.path.join(d, "bad.png")
    with open(bad, "wb") as f:
        f.write(data[: len(data) // 2])
    for extra in [[], ["--container", "zip"], ["--layout", "google"]]:
        r = run([TOOL, "pyramid", "-q", *extra, bad, os.path.join(d, "b")])
        check(r.returncode == 1, f"truncated input {extra}: status {r.returncode}")
        left = [n for n in os.listdir(d) if n.startswith("b") and n != "bad.png"] + leftovers(d)
        check(left == [], f"truncated input {extra} left {left}")
    # Usage errors: exit 2 before anything is written.
    for args in [["--layout", "nope"], ["--tile-size", "0"], ["--depth", "two"],
                 ["--container", "tar"], ["--viewer", "--container", "zip"], ["--suffix", "gif"]]:
        r = run([TOOL, "pyramid", *args, src, os.path.join(d, "u")])
        check(r.returncode == 2, f"usage {args}: status {r.returncode}")
    check(not any(n.startswith("u") for n in os.listdir(d)), "usage errors wrote something")
    # An interrupted run leaves nothing: a slow pyramid (tile size 1) stopped by SIGINT.
    big = make_image(400, 400, 3, 13)
    save(src, big)
    p = subprocess.Popen([TOOL, "pyramid", "-q", "--tile-size", "1", "--overlap", "0", "--suffix",
                          "png", src, os.path.join(d, "intr")], stderr=subprocess.PIPE)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    err = p.communicate(timeout=120)[1].decode()
    check(p.returncode == 130, f"interrupted: status {p.returncode} {err}")
    left = [n for n in os.listdir(d) if n.startswith("intr")] + leftovers(d)
    check(left == [], f"interrupted run left {left}")
    # --memory-limit too small: fails before any output.
    r = run([TOOL, "pyramid", "-q", "--memory-limit", "64K", src, os.path.join(d, "m")])
    check(r.returncode == 1 and "limit" in r.stderr, f"memory limit: {r.returncode} {r.stderr}")
    check(not any(n.startswith("m") for n in os.listdir(d)), "memory limit run wrote something")


if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    for t in [test_against_vips, test_google_blanks, test_jpeg, test_webp, test_zip, test_invariance,
              test_targets_and_failures]:
        print("==", t.__name__, flush=True)
        t()
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("all pyramid checks passed")
