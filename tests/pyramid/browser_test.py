#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A real client: headless Chromium (Debian's chromium) opens the viewer page `tileproc pyramid
--viewer` writes, with OpenSeadragon from the npm package `openseadragon`, served from
127.0.0.1 only, for every layout. A script added to a copy of the page records OpenSeadragon's
'open' and 'tile-loaded' events and, once the tiles are fully loaded, the canvas (the canvas
drawer, so it can be read back): zoomed out (home), it must match the image scaled to the
viewport, and zoomed into the top-left corner at 1 image pixel per screen pixel, that corner at
full resolution. References are made with the library (tileproc run ... resize / crop).
Tolerance: mean absolute difference under 4 levels (home: OpenSeadragon draws our 2x2-box
level while the reference is the library's area resize; corner: the same pixels, JPEG Q90
tiles) and the 99th percentile under 24.

Skips (exit 77) with a message only when chromium or npm is missing, or npm cannot install
openseadragon (no registry access). usage: browser_test.py TILEPROC WORKDIR
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import cv2
import numpy as np

TOOL, WORK = sys.argv[1], sys.argv[2]
SKIP = 77
W, H = 1600, 1200          # the image; the viewport is 800x600: home is exactly 1/2 scale
VW, VH = 800, 600


def skip(why):
    print("SKIP:", why)
    sys.exit(SKIP)


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def install_openseadragon():
    """node_modules/openseadragon under WORK (kept between runs)."""
    script = os.path.join(WORK, "node_modules", "openseadragon", "build", "openseadragon",
                          "openseadragon.min.js")
    if os.path.exists(script):
        return script
    if not shutil.which("npm"):
        skip("npm is not installed (Debian: npm), so OpenSeadragon cannot be fetched")
    r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", WORK,
                        "openseadragon"], capture_output=True, text=True, timeout=300)
    if r.returncode != 0 or not os.path.exists(script):
        skip("npm could not install openseadragon: " + (r.stderr.strip()[-300:] or "?"))
    return script


def make_image(path):
    """Large smooth shapes and sharp block edges: every zoom has something to compare."""
    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    img = np.stack([x * 255 / W, y * 255 / H, 128 + 100 * np.sin(x / 90) * np.cos(y / 70)], -1)
    for i, (bx, by) in enumerate([(50, 60), (400, 300), (1100, 200), (700, 800), (1300, 900)]):
        img[by:by + 220, bx:bx + 260] = [(i * 53) % 256, 255 - (i * 71) % 256, (i * 97) % 256]
    img = np.clip(img, 0, 255).astype(np.uint8)
    cv2.imwrite(path, img[:, :, ::-1])


HARNESS = """
<script>
(function () {
  var out = {open: false, tilesLoaded: 0, failed: 0, shots: {}};
  function report(done) {
    out.done = done;
    var pre = document.getElementById('tileproc-result') || document.createElement('pre');
    pre.id = 'tileproc-result';
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }
  /* Waits until more than `after` tiles have loaded, settled() holds (when given) and the view
   * has been fully loaded, with no new tile, for 5 polls in a row. */
  function whenLoaded(after, then, settled) {
    var waited = 0, calm = 0, seen = -1;
    var timer = setInterval(function () {
      waited += 100;
      var item = viewer.world.getItemAt(0);
      var ready = item && item.getFullyLoaded() && !viewer.world.needsDraw() &&
                  out.tilesLoaded > after && (!settled || settled(item));
      calm = ready && out.tilesLoaded === seen ? calm + 1 : 0;
      seen = out.tilesLoaded;
      if (calm >= 5 || waited > 30000) {
        clearInterval(timer);
        then();
      }
    }, 100);
  }
  function shot(name) {
    out.shots[name] = viewer.drawer.canvas.toDataURL('image/png');
  }
  function opened() {
    if (out.open) return;
    out.open = true;
    whenLoaded(0, function () {
      shot('home');
      var home = out.tilesLoaded;
      var vp = viewer.viewport;
      vp.fitBounds(vp.imageToViewportRectangle(0, 0, %(vw)d, %(vh)d), true);
      /* The corner at full size needs tiles the home view did not. Late tiles of the home
       * view also count as loaded, so wait for the zoom itself to be in place and for a tile
       * of the full-size level (the home view, at half size, does not draw from it). */
      var target = vp.getZoom(false);
      whenLoaded(home, function () {
        shot('corner');
        report(true);
        /* Stops the animation loop, so that virtual time runs out at once and Chromium
         * dumps the page now rather than at the end of its budget. */
        viewer.destroy();
      }, function (item) {
        return deepest >= item.source.maxLevel &&
               Math.abs(vp.getZoom(true) - target) <= 1e-6 * target;
      });
    });
  }
  viewer.addHandler('open', opened);
  viewer.addHandler('open-failed', function (e) { out.openFailed = String(e.message); report(true); });
  var deepest = -1; /* the deepest level a loaded tile came from */
  viewer.addHandler('tile-loaded', function (e) {
    out.tilesLoaded++;
    if (e.tile && e.tile.level > deepest) deepest = e.tile.level;
  });
  viewer.addHandler('tile-load-failed', function () { out.failed++; });
  report(false);
  /* A tile source given as an object may have opened already, inside the constructor. */
  if (viewer.world.getItemCount() > 0) opened();
})();
</script>
"""

# Force the canvas drawer before the page's own script creates the viewer (WebGL's buffer
# cannot be read back after drawing), without changing anything else the page does.
FORCE_CANVAS = """
<script>
(function () {
  var Real = window.OpenSeadragon;
  var Wrapped = function (options) { options.drawer = 'canvas'; return Real(options); };
  Object.keys(Real).forEach(function (k) { Wrapped[k] = Real[k]; });
  window.OpenSeadragon = Wrapped;
})();
</script>
"""


# The viewer element at exactly the viewport size the references are made for (a headless
# window's inner size depends on the Chromium version).
FIXED_SIZE = f"<style>#viewer {{ width: {VW}px !important; height: {VH}px !important; }}</style>"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def decode(data_url):
    raw = base64.b64decode(data_url.split(",", 1)[1])
    img = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_UNCHANGED)
    return img[:, :, 2::-1].astype(int)  # BGRA -> RGB


def compare(name, got, want, failures):
    if got.shape[:2] != want.shape[:2]:
        failures.append(f"{name}: canvas {got.shape[:2]}, reference {want.shape[:2]}")
        return
    d = np.abs(got - want)[2:-2, 2:-2]  # the canvas' outermost pixels may be blended
    mean, p99 = d.mean(), np.percentile(d, 99)
    print(f"  {name}: mean |diff| {mean:.2f}, 99th percentile {p99:.0f}")
    if mean >= 4 or p99 >= 24:
        failures.append(f"{name}: mean {mean:.2f} / p99 {p99:.0f} over 4 / 24")


def main():
    chromium = find_chromium()
    if not chromium:
        skip("chromium is not installed (Debian: chromium)")
    os.makedirs(WORK, exist_ok=True)
    osd = install_openseadragon()
    site = os.path.join(WORK, "site")
    shutil.rmtree(site, ignore_errors=True)
    os.makedirs(site)
    src = os.path.join(site, "in.png")
    make_image(src)
    # References from the library: the image at the home view's scale, and the corner.
    ref_home = os.path.join(WORK, "ref_home.png")
    ref_corner = os.path.join(WORK, "ref_corner.png")
    for out, f in [(ref_home, f"resize:width={VW},height={VH},kernel=area"),
                   (ref_corner, f"crop:x=0,y=0,width={VW},height={VH}")]:
        subprocess.run([TOOL, "run", "-q", src, out, f], check=True)
    want = {"home": cv2.imread(ref_home)[:, :, ::-1].astype(int),
            "corner": cv2.imread(ref_corner)[:, :, ::-1].astype(int)}
    script = os.path.relpath(osd, site)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", WORK], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    failures = []
    try:
        time.sleep(0.5)
        browsers = {}
        for layout in ["dz", "iiif", "iiif3", "zoomify", "google"]:
            name = f"p_{layout}"
            subprocess.run([TOOL, "pyramid", "-q", "--layout", layout, "--quality", "90",
                            "--viewer", "--viewer-script", script,
                            src, os.path.join(site, name)], check=True)
            page = open(os.path.join(site, name + ".html")).read()
            check_page = page.replace("</head>", "</head>", 1)
            osd_tag = page.index("</script>", page.index("<script src=")) + len("</script>")
            check_page = page[:osd_tag] + FORCE_CANVAS + page[osd_tag:]
            check_page = check_page.replace("</head>", FIXED_SIZE + "</head>", 1)
            check_page = check_page.replace("</body>", HARNESS % {"vw": VW, "vh": VH} + "</body>")
            with open(os.path.join(site, name + "_check.html"), "w") as f:
                f.write(check_page)
            url = f"http://127.0.0.1:{port}/site/{name}_check.html"
            browsers[layout] = subprocess.Popen(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                 "--force-device-scale-factor=1", f"--window-size={VW + 200},{VH + 300}",
                 "--hide-scrollbars", "--virtual-time-budget=60000",
                 "--user-data-dir=" + os.path.join(WORK, "profile-" + layout), "--dump-dom", url],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # The browsers run side by side: each mostly waits.
        for layout, proc in browsers.items():
            stdout, stderr = proc.communicate(timeout=180)
            r = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
            dom = r.stdout
            start = dom.find('<pre id="tileproc-result">')
            if start < 0:
                failures.append(f"{layout}: no result in the page: {r.stderr[-500:]}")
                continue
            text = dom[start + len('<pre id="tileproc-result">'):dom.index("</pre>", start)]
            res = json.loads(text.replace("&quot;", '"').replace("&amp;", "&"))
            print(f"{layout}: open={res.get('open')} tiles loaded={res.get('tilesLoaded')} "
                  f"failed={res.get('failed')} done={res.get('done')}")
            if not res.get("open") or not res.get("done") or res.get("tilesLoaded", 0) < 2:
                failures.append(f"{layout}: the viewer did not open the pyramid or load tiles: "
                                f"{ {k: v for k, v in res.items() if k != 'shots'} }")
                continue
            if layout != "google" and res.get("failed"):
                failures.append(f"{layout}: {res['failed']} tiles failed to load")
            for view in ("home", "corner"):
                if view not in res["shots"]:
                    failures.append(f"{layout}: no {view} canvas")
                    continue
                got = decode(res["shots"][view])
                cv2.imwrite(os.path.join(WORK, f"{layout}_{view}.png"),
                            got[:, :, ::-1].astype(np.uint8))
                compare(f"{layout} {view}", got, want[view], failures)
    finally:
        server.terminate()
        server.wait()
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
