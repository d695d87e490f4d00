#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""TIFF against independent readers (issue 13).

    tiff_reference.py TIFF_DUMP DATA_DIR WORK_DIR [TILEPROC_CLI]

Decoding: every file of DATA_DIR/tiff goes through tiff_dump (whose load must equal its streamed
rows) and is compared sample for sample with what tifffile reads (directly, or after libtiff's
`tiffcp -c none` for compressions tifffile cannot decode without imagecodecs), with tileproc's
conventions applied to tifffile's stored samples here (palette expansion, min-is-white, bit
depths, associated alpha divided out, untagged CMYK by the colour step's naive formula). Files libtiff itself turns into
RGBA (old-style JPEG, YCbCr JPEG, CIE L*a*b*, 2/4-bit) are compared with `tiff2rgba`. Pages and
levels are compared with tifffile's pages and vips' subifd loader. Files tileproc cannot hold
must fail naming what they have; every file of DATA_DIR/bad-tiff must fail cleanly or decode.
CMYK TIFFs carrying a CMYK profile (made by the colour tests' colour_tool, named by the
environment's TPROC_COLOUR_TOOL) convert within a level of lcms2's tificc on the same file.
"""
import os
import shutil
import struct
import subprocess
import sys

import numpy as np
import tifffile

DUMP, DATA, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
CLI = sys.argv[4] if len(sys.argv) > 4 else None
os.makedirs(WORK, exist_ok=True)
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def dump(path, page=0, level=0, limit=None):
    """(pixels, meta) from tiff_dump, or (None, stderr) when it refuses the file."""
    args = [DUMP, path, str(page), str(level)] + ([str(limit)] if limit else [])
    p = subprocess.run(args, capture_output=True, timeout=300)
    if p.returncode == 1:
        return None, p.stderr.decode(errors="replace")
    if p.returncode != 0:
        raise AssertionError(f"tiff_dump {path} exited {p.returncode}: {p.stderr.decode()[-2000:]}")
    head, _, body = p.stdout.partition(b"\n")
    w, h, c, sample, orientation, icc = head.split()
    dtype = {b"u8": np.uint8, b"u16": np.uint16, b"f32": np.float32}[sample]
    pixels = np.frombuffer(body, dtype=dtype).reshape(int(h), int(w), int(c))
    return pixels, {"orientation": int(orientation), "icc": int(icc)}


def run(*args):
    return subprocess.run(args, capture_output=True, timeout=300)


def stored(path, page_index=0):
    """tifffile's page (and its samples, HxWxS) of path, decompressed by tiffcp if need be."""
    plain = os.path.join(WORK, "plain.tif")
    for candidate, layout in ((path, None), (plain, "-s"), (plain, "-t")):
        if candidate != path:
            # Strips, or tiles when libtiff cannot turn them into strips (tiled separate planes).
            if run("tiffcp", "-c", "none", layout, path, candidate).returncode != 0:
                continue
        try:
            with tifffile.TiffFile(candidate) as t:
                page = t.pages[page_index]
                a = page.asarray()
                if page.planarconfig == 2 and a.ndim == 3 and page.samplesperpixel > 1:
                    a = np.moveaxis(a, 0, -1)
                if a.ndim == 2:
                    a = a[:, :, None]
                tags = {
                    "photometric": int(page.photometric),
                    "bps": page.bitspersample,
                    "extra": list(page.extrasamples) if page.extrasamples else [],
                    "colormap": page.colormap,
                    "orientation": int(page.tags["Orientation"].value)
                    if "Orientation" in page.tags
                    else 1,
                    "icc": len(page.tags["InterColorProfile"].value)
                    if "InterColorProfile" in page.tags
                    else 0,
                    "compression": int(page.compression),
                }
                return a, tags
        except Exception:  # tifffile without imagecodecs, or subsampled YCbCr
            continue
    return None, None


def unpremultiply(colour, alpha, maxv):
    colour = colour.astype(np.int64)
    alpha = alpha.astype(np.int64)
    safe = np.where(alpha == 0, 1, alpha)
    out = np.minimum(maxv, (colour * maxv + safe // 2) // safe)
    return np.where(alpha == 0, 0, out)


def convert(a, tags):
    """tifffile's stored samples in tileproc's conventions."""
    photometric, bps, extra = tags["photometric"], tags["bps"], tags["extra"]
    if a.dtype == np.bool_:
        a = a.astype(np.uint8)
    if photometric == 3:  # palette
        cmap = tags["colormap"].astype(np.int64)
        rgb = cmap[:, a[:, :, 0].astype(np.int64)].transpose(1, 2, 0)
        if cmap.max() >= 256:
            rgb = rgb >> 8
        return rgb.astype(np.uint8)
    if a.dtype == np.float32:
        out = a.astype(np.float32).copy()
        if photometric == 0:
            out[:, :, 0] = 1.0 - out[:, :, 0]
        if extra and extra[0] == 1:
            alpha = out[:, :, -1:]
            out[:, :, :-1] = np.where(alpha > 0, out[:, :, :-1] / np.where(alpha > 0, alpha, 1), 0)
        return out
    maxv = 65535 if a.dtype == np.uint16 else 255
    out = a.astype(np.int64)
    if bps == 1:
        out = out * 255
    if photometric == 0:
        out[:, :, 0] = maxv - out[:, :, 0]
    if photometric == 5:  # CMYK, naive: (max - C)(max - K) / max, rounded
        k = out[:, :, 3:4]
        rgb = ((maxv - out[:, :, :3]) * (maxv - k) + maxv // 2) // maxv
        out = np.concatenate([rgb, out[:, :, 4:]], axis=2)
    if extra and extra[0] == 1:
        out[:, :, :-1] = unpremultiply(out[:, :, :-1], out[:, :, -1:], maxv)
    return out.astype(a.dtype if a.dtype != np.bool_ else np.uint8)


def rgba_reference(path, channels):
    """libtiff's own RGBA rendering (tiff2rgba), alpha divided out when we keep it."""
    out = os.path.join(WORK, "rgba.tif")
    if run("tiff2rgba", "-c", "none", path, out).returncode != 0:
        return None
    a = tifffile.imread(out)
    if channels == 3:
        return a[:, :, :3]
    rgb = unpremultiply(a[:, :, :3], a[:, :, 3:4], 255)
    return np.concatenate([rgb, a[:, :, 3:4]], axis=2).astype(np.uint8)


REFUSED = {
    "imagetiff_int16_zstd.tif": "signed 16-bit integer",
    "libtiff_test_float64_predictor2_le_lzw.tif": "64-bit floating-point",
}
# The same pixels in another layout, for a file no reference reads (libtiff's tiffcp cannot turn
# its tiled separate planes into strips, tifffile cannot decode its LZW); the twin itself is
# compared with tifffile.
TWINS = {"pillow_tiff_tiled_planar_16bit_RGBa.tiff": "pillow_tiff_16bit_RGBa.tiff"}
RGBA_FIRST = ("ojpeg", "old-style", "ycbcr_jpeg", "quad-tile", ".Lab.", "gray_4bpp", "palette-1c-4b")


def check_decodes():
    folder = os.path.join(DATA, "tiff")
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        ours, meta = dump(path)
        if name in REFUSED:
            if ours is not None or REFUSED[name] not in meta:
                fail(f"{name}: expected a refusal naming '{REFUSED[name]}', got {meta!r}")
            continue
        if ours is None:
            fail(f"{name}: {meta.strip()}")
            continue
        expected, how = None, ""
        if not any(k in name for k in RGBA_FIRST):
            a, tags = stored(path)
            if a is not None:
                expected, how = convert(a, tags), "tifffile"
                if tags["orientation"] != meta["orientation"]:
                    fail(f"{name}: orientation {meta['orientation']}, tifffile {tags['orientation']}")
                if tags["icc"] != meta["icc"]:
                    fail(f"{name}: ICC {meta['icc']} bytes, tifffile {tags['icc']}")
        if expected is None and ours.dtype == np.uint8 and ours.shape[2] >= 3:
            expected, how = rgba_reference(path, ours.shape[2]), "tiff2rgba"
        if expected is None and ours.dtype == np.uint8 and ours.shape[2] == 1:
            rgba = rgba_reference(path, 3)
            expected, how = (rgba[:, :, :1] if rgba is not None else None), "tiff2rgba"
        if expected is None and name in TWINS:
            expected, how = dump(os.path.join(folder, TWINS[name]))[0], f"its twin {TWINS[name]}"
        if expected is None:
            fail(f"{name}: no reference could read it")
            continue
        if expected.shape != ours.shape or not np.array_equal(expected, ours):
            diff = (
                np.abs(expected.astype(np.float64) - ours.astype(np.float64)).max()
                if expected.shape == ours.shape
                else f"shapes {expected.shape} vs {ours.shape}"
            )
            fail(f"{name}: differs from {how} ({diff})")
        else:
            print(f"ok {name} {ours.shape} {ours.dtype} == {how}")


def check_pages_and_levels():
    folder = os.path.join(DATA, "tiff")
    # Reduced-resolution IFDs after the page: tifffile's pages 1.. are our levels 1..
    path = os.path.join(folder, "pillow_tiff_strip_planar_raw_with_overviews.tif")
    with tifffile.TiffFile(path) as t:
        for level in range(len(t.pages)):
            ours, _ = dump(path, 0, level)
            expected = np.moveaxis(t.pages[level].asarray(), 0, -1)
            if ours is None or not np.array_equal(ours, expected):
                fail(f"overviews level {level} differs from tifffile page {level}")
            else:
                print(f"ok overview level {level} {ours.shape}")
    ours, msg = dump(path, 0, 5)
    if ours is not None or "no level 5: page 0 has 5 levels" not in msg:
        fail(f"level past the last: {msg!r}")
    # Pages.
    path = os.path.join(folder, "pillow_multipage.tiff")
    with tifffile.TiffFile(path) as t:
        for page in range(len(t.pages)):
            ours, _ = dump(path, page, 0)
            p = t.pages[page]
            tags = {"photometric": int(p.photometric), "bps": p.bitspersample, "extra": [],
                    "colormap": p.colormap}
            expected = convert(p.asarray()[:, :, None] if p.asarray().ndim == 2 else p.asarray(), tags)
            if ours is None or not np.array_equal(ours, expected):
                fail(f"multipage page {page} differs from tifffile")
            else:
                print(f"ok page {page} {ours.shape}")
    ours, msg = dump(path, 3, 0)
    if ours is not None or "no page 3: the file has 3 pages" not in msg:
        fail(f"page past the last: {msg!r}")
    # SubIFDs as levels, against vips' subifd loader.
    path = os.path.join(folder, "libtiff_tiff_with_subifd_chain.tif")
    for level in (0, 1, 2):
        ours, msg = dump(path, 0, level)
        if ours is None:
            fail(f"subifd level {level}: {msg}")
            continue
        raw = os.path.join(WORK, "sub.raw")
        p = run("vips", "rawsave", f"{path}[page=0,subifd={level - 1}]", raw)
        if p.returncode != 0:
            fail(f"vips subifd {level - 1}: {p.stderr.decode()}")
            continue
        expected = np.fromfile(raw, dtype=np.uint8)
        if expected.size != ours.size or not np.array_equal(expected, ours.reshape(-1)):
            fail(f"subifd level {level} differs from vips subifd={level - 1}")
        else:
            print(f"ok subifd level {level} {ours.shape}")


def tiny_tiff_claiming(width, height):
    """A little-endian classic TIFF declaring width x height RGB, one uncompressed strip, 8 bytes
    of data."""
    entries = [
        (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1),
        (262, 3, 1, 2), (273, 4, 1, 8), (277, 3, 1, 3), (278, 4, 1, height),
        (279, 4, 1, width * height * 3 & 0xFFFFFFFF),
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        ifd += struct.pack("<HHII", tag, typ, count, value) if typ == 4 else struct.pack(
            "<HHIHH", tag, typ, count, value, 0)
    ifd += struct.pack("<I", 0)
    return b"II*\0" + struct.pack("<I", 16) + b"\0" * 8 + ifd


def check_hostile():
    folder = os.path.join(DATA, "bad-tiff")
    for name in sorted(os.listdir(folder)):
        ours, msg = dump(os.path.join(folder, name))  # raises on a crash or sanitizer report
        if ours is None and not msg.strip():
            fail(f"{name}: failed without a message")
        print(f"ok hostile {name}: {'decoded' if ours is not None else msg.strip()[:100]}")
    path = os.path.join(WORK, "huge.tif")
    with open(path, "wb") as f:
        f.write(tiny_tiff_claiming(100000, 100000))
    ours, msg = dump(path, limit=64 << 20)
    if ours is not None or "limit" not in msg:
        fail(f"100000x100000 under a 64 MiB limit: {msg!r}")
    else:
        print(f"ok huge: {msg.strip()}")


def read_back(path):
    """What tifffile reads of our output (decompressed by tiffcp first when it must be)."""
    try:
        return tifffile.imread(path)
    except Exception:
        pass
    plain = os.path.join(WORK, "back.tif")
    try:
        if run("tiffcp", "-c", "none", path, plain).returncode == 0:
            return tifffile.imread(plain)
    except Exception:  # YCbCr JPEG stays subsampled YCbCr: libtiff's RGBA reader then
        pass
    if run("tiff2rgba", "-c", "none", path, plain).returncode != 0:
        return None
    return tifffile.imread(plain)[:, :, :3]


def psnr(a, b):
    err = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 99.0 if err == 0 else 10 * np.log10(255.0**2 / err)


def sources():
    """Test images, written uncompressed by tifffile: RGB, RGBA, 16-bit gray, f32 RGB."""
    y, x = np.mgrid[0:203, 0:301]
    # Smooth (JPEG's 4:2:0 chroma is compared by PSNR), with a sharp-edged block.
    rgb = np.stack([(x * 255 // 300), (y * 255 // 202), ((x + y) * 255 // 502)], axis=2).astype(
        np.uint8)
    rgb[50:80, 60:200] = [200, 30, 90]
    out = {}
    out["rgb8"] = (rgb, os.path.join(WORK, "rgb8.tif"))
    tifffile.imwrite(out["rgb8"][1], rgb, photometric="rgb")
    # No alpha of 0: lossless WebP need not keep the colour of invisible pixels.
    rgba = np.concatenate([rgb, ((x + y) % 255 + 1).astype(np.uint8)[:, :, None]], axis=2)
    out["rgba8"] = (rgba, os.path.join(WORK, "rgba8.tif"))
    tifffile.imwrite(out["rgba8"][1], rgba, photometric="rgb", extrasamples=["unassalpha"])
    gray16 = (x * 200 + y * 17).astype(np.uint16)[:, :, None]
    out["gray16"] = (gray16, os.path.join(WORK, "gray16.tif"))
    tifffile.imwrite(out["gray16"][1], gray16[:, :, 0], photometric="minisblack")
    f32 = (rgb.astype(np.float32) / 255.0) * np.float32(1.5) - np.float32(0.25)
    out["f32"] = (f32, os.path.join(WORK, "f32.tif"))
    tifffile.imwrite(out["f32"][1], f32, photometric="rgb")
    return out


def tileproc(*args):
    p = run(CLI, "run", *args)
    if p.returncode != 0:
        raise AssertionError(f"tileproc run {' '.join(args)}: {p.stderr.decode()}")


def check_writes():
    srcs = sources()
    layouts = [[], ["--tiled"], ["--tiled=64x32"]]
    for key, (pixels, path) in srcs.items():
        for compression in ("none", "deflate", "lzw", "zstd", "webp", "jpeg"):
            if compression in ("webp", "jpeg") and pixels.dtype != np.uint8:
                continue
            for layout in layouts:
                for predictor in ([], ["--predictor", "none"]):
                    out = os.path.join(WORK, f"w_{key}_{compression}_{len(layout)}.tif")
                    extra = ["--quality", "100"] if compression == "webp" else []
                    tileproc(*layout, "--compression", compression, *predictor, *extra, path, out)
                    back = read_back(out)
                    if back is None:
                        fail(f"{out}: no reader could read it back")
                        continue
                    if back.ndim == 2:
                        back = back[:, :, None]
                    want = pixels
                    if compression == "jpeg":
                        want = pixels[:, :, :3]
                        ok = back.shape == want.shape and psnr(back, want) > 30
                    else:
                        ok = back.shape == want.shape and np.array_equal(back, want)
                    what = f"{key} {compression} {' '.join(layout + predictor)}"
                    if not ok:
                        fail(f"write {what}: read back differs {back.shape} {back.dtype}")
                    else:
                        print(f"ok write {what}")
                    # Our reader agrees with what tifffile read back.
                    ours, msg = dump(out)
                    if ours is None or not np.array_equal(ours, back):
                        fail(f"write {what}: our reader differs from tifffile ({msg if ours is None else ''})")
    # BigTIFF on request, classic otherwise.
    out = os.path.join(WORK, "big.tif")
    tileproc("--bigtiff", srcs["rgb8"][1], out)
    with open(out, "rb") as f:
        head = f.read(4)
    back = read_back(out)
    if head != b"II+\0" or not np.array_equal(back, srcs["rgb8"][0]):
        fail(f"--bigtiff: header {head!r}")
    # ICC: with --colour keep the profile of the input is written as it was (by default the
    # pixels are converted to sRGB and the output carries no profile).
    icc_in = os.path.join(DATA, "tiff", "pillow_hopper.iccprofile.tif")
    out = os.path.join(WORK, "icc.tif")
    tileproc("--colour", "keep", icc_in, out)
    with tifffile.TiffFile(icc_in) as a, tifffile.TiffFile(out) as b:
        if a.pages[0].tags["InterColorProfile"].value != b.pages[0].tags["InterColorProfile"].value:
            fail("the ICC profile was not carried over")


def box_half(a):
    """The 2x2 box average of a level, edges replicated, rounded as the writer does."""
    h, w = a.shape[:2]
    p = np.pad(a.astype(np.int64), ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
    s = p[0::2, 0::2] + p[1::2, 0::2] + p[0::2, 1::2] + p[1::2, 1::2]
    return ((s + 2) // 4).astype(a.dtype)


def check_pyramid():
    import openslide

    pixels, path = sources()["rgb8"]
    big = os.path.join(WORK, "big_src.tif")

    # 1280x1024: four levels with 256x256 tiles, each exactly half the one above, so that
    # OpenSlide's downsamples are whole and its regions are the levels' pixels.
    tiled = np.ascontiguousarray(np.tile(pixels, (6, 5, 1))[:1024, :1280])
    tifffile.imwrite(big, tiled, photometric="rgb")
    for compression in ("deflate", "jpeg"):
        out = os.path.join(WORK, f"pyramid_{compression}.tif")
        tileproc("--pyramid", "--compression", compression, big, out)
        want = [tiled]
        while want[-1].shape[0] > 256 or want[-1].shape[1] > 256:
            want.append(box_half(want[-1]))
        shapes = [w.shape for w in want]
        with tifffile.TiffFile(out) as t:
            got = [tuple(level.shape) for level in t.series[0].levels]
        if got != shapes:
            fail(f"pyramid {compression}: tifffile levels {got}, expected {shapes}")
        p = run("vipsheader", "-f", "n-pages", out)
        if p.stdout.decode().strip() != str(len(shapes)):
            fail(f"pyramid {compression}: vips n-pages {p.stdout!r}")
        for k, w in enumerate(want):
            p = run("vipsheader", "-f", "width", f"{out}[page={k}]")
            if p.stdout.decode().strip() != str(w.shape[1]):
                fail(f"pyramid {compression}: vips page {k} width {p.stdout!r}")
        # `tileproc info --json` lists every level with its size, tiles and compression.
        import json

        info = json.loads(run(CLI, "info", "--json", out).stdout)
        listed = [(i["height"], i["width"], i["tile_width"], i["compression"]) for i in info["images"]]
        if listed != [(w.shape[0], w.shape[1], 256, compression) for w in want]:
            fail(f"pyramid {compression}: info lists {listed}")
        slide = openslide.OpenSlide(out)
        dims = [(w.shape[1], w.shape[0]) for w in want]
        if list(slide.level_dimensions) != dims:
            fail(f"pyramid {compression}: OpenSlide levels {slide.level_dimensions}, expected {dims}")
        for k, w in enumerate(want):
            ours, _ = dump(out, 0, k)
            if w.shape[0] < 256 and w.shape[1] < 256:
                # OpenSlide 3.4.1 misreads a level smaller than its tile (libtiff's RGBA reader
                # warns "Raster width ... adapted"); it does the same with vips' pyramids.
                ok = np.array_equal(ours, w)
                if compression == "jpeg":  # vips' decode of the page instead, and a PSNR
                    raw = os.path.join(WORK, "level.raw")
                    run("vips", "rawsave", f"{out}[page={k}]", raw)
                    ok = np.array_equal(np.fromfile(raw, np.uint8), ours.reshape(-1)) and psnr(
                        ours, w) > 24
                print(f"ok pyramid {compression} level {k} {w.shape} (ours and vips)" if ok else "")
                if not ok:
                    fail(f"pyramid {compression} level {k}: our reader differs")
                continue
            region = np.asarray(slide.read_region((0, 0), k, (w.shape[1], w.shape[0])))[:, :, :3]
            if compression == "deflate":
                ok = np.array_equal(region, w) and np.array_equal(ours, w)
            else:
                ok = psnr(region, w) > 28 and np.array_equal(ours, region)
            if not ok:
                fail(f"pyramid {compression} level {k}: pixels differ (psnr {psnr(region, w):.1f})")
            else:
                print(f"ok pyramid {compression} level {k} {w.shape}")
        slide.close()


def check_cmyk_profiles():
    """8 and 16-bit CMYK, strips and tiles, with an embedded LUT-based CMYK profile: within a
    level of tificc (relative colorimetric, no black point compensation, to its sRGB)."""
    tool = os.environ.get("TPROC_COLOUR_TOOL")
    if not tool or not shutil.which("tificc"):
        print("skip CMYK profiles: no colour_tool or tificc")
        return
    rng = np.random.default_rng(13)
    ink = (rng.random((37, 53, 4)) * 255).astype(np.uint8)
    ink[:4] = np.linspace(0, 255, 53).astype(np.uint8)[None, :, None]  # ramps on every ink
    for name in ("cmyk-v2", "cmyk-v4"):
        icc_path = os.path.join(WORK, name + ".icc")
        subprocess.run([tool, "profile", name, icc_path], check=True)
        icc = open(icc_path, "rb").read()
        for bits, tiled in ((8, False), (8, True), (16, False), (16, True)):
            px = ink if bits == 8 else ink.astype(np.uint16) * 257
            path, ref = os.path.join(WORK, "cmyk.tif"), os.path.join(WORK, "cmyk_ref.tif")
            tifffile.imwrite(path, px, photometric="separated", compression="zlib",
                             tile=(16, 16) if tiled else None,
                             extratags=[(34675, 7, len(icc), icc, True)])
            wide = ["-w16"] if bits == 16 else []
            run("tificc", "-c0", "-t1", *wide, path, ref).check_returncode()
            with tifffile.TiffFile(ref) as t:
                want = t.pages[0].asarray().astype(np.int64)
            ours, msg = dump(path)
            what = f"CMYK {name} {bits}-bit {'tiled' if tiled else 'strips'}"
            if ours is None or ours.shape != want.shape:
                fail(f"{what}: {msg if ours is None else ours.shape}")
                continue
            worst = np.abs(ours.astype(np.int64) - want).max()
            if worst > 1:
                fail(f"{what}: off tificc by {worst} levels")
            else:
                print(f"ok {what} within {worst} of tificc")


if __name__ == "__main__":
    check_decodes()
    check_cmyk_profiles()
    check_pages_and_levels()
    check_hostile()
    if CLI:
        check_writes()
        check_pyramid()
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("all TIFF reference checks passed")
