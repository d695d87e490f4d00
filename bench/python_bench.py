#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Python-side benchmarks of tileproc; prints Markdown tables.

1. tileproc.apply against OpenCV's cv2.GaussianBlur (Debian's python3-opencv) on the same
   NumPy array: 12 MP RGB, sigma 2, ksize = 2*ceil(3*sigma)+1, BORDER_REFLECT_101, both into
   a preallocated output, with the same thread count (cv2.setNumThreads / threads=).
2. The Dask path (tileproc.dask.apply) against one tileproc.apply on a large gray image:
   in memory with Dask's threaded scheduler, and on a LocalCluster of worker processes from
   zarr to zarr (the whole image never in one process there).

    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py [--mp 900] [--repeat 5]
"""

import argparse
import logging
import math
import os
import platform
import statistics
import tempfile
import time

import numpy

import tileproc
import tileproc.dask


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def photo(width, height):
    """The sample photo resized to width x height: real content, not noise."""
    here = os.path.dirname(os.path.abspath(__file__))
    src = tileproc.load(os.path.join(here, "..", "samples", "rocket.jpg"))
    return numpy.asarray(tileproc.apply(src, f"resize:width={width},height={height}"))


def bench_opencv(args):
    import cv2
    sigma = 2.0
    k = 2 * math.ceil(3 * sigma) + 1
    a = photo(4000, 3000)
    mp = a.shape[0] * a.shape[1] / 1e6
    out_cv = numpy.empty_like(a)
    out_tp = numpy.empty_like(a)
    print(f"\n### Gaussian blur, {a.shape[1]} x {a.shape[0]} RGB u8 ({mp:.0f} MP), sigma 2 "
          f"(ksize {k}, reflect-101)\n")
    print("| threads | OpenCV cv2.GaussianBlur | tileproc.apply | tileproc / OpenCV |")
    print("|---:|---:|---:|---:|")
    for threads in args.threads:
        cv2.setNumThreads(threads)
        cv = best(lambda: cv2.GaussianBlur(a, (k, k), sigma, dst=out_cv,
                                           borderType=cv2.BORDER_REFLECT_101), args.repeat)
        tp = best(lambda: tileproc.apply(a, f"gaussian:sigma={sigma}", out=out_tp,
                                         threads=threads), args.repeat)
        print(f"| {threads} | {cv[0] * 1e3:.1f} ms ({mp / cv[0]:.0f} MP/s) | "
              f"{tp[0] * 1e3:.1f} ms ({mp / tp[0]:.0f} MP/s) | {tp[0] / cv[0]:.2f} |")
    diff = numpy.abs(out_cv.astype(int) - out_tp.astype(int))
    print(f"\nLargest difference {diff.max()} level(s), on {100 * (diff > 0).mean():.2f} % of "
          f"samples; times are the best of {args.repeat} runs.")


def bench_dask(args):
    import dask
    import dask.array as da
    import distributed
    side = int(math.sqrt(args.mp * 1e6))
    shape = (side, side)
    mp = side * side / 1e6
    chain = ("gaussian:sigma=2",)
    chunk = args.chunk
    print(f"\n### Dask against one process, {side} x {side} gray u8 ({mp:.0f} MP), "
          f"gaussian sigma 2, chunks {chunk} x {chunk}, {args.dask_threads} cores\n")
    print("| path | time | MP/s |")
    print("|---|---:|---:|")
    a = numpy.empty(shape, numpy.uint8)
    rows = 4096
    for y in range(0, side, rows):  # a cheap pattern, filled in strips
        r = numpy.arange(y, min(side, y + rows), dtype=numpy.uint32)[:, None]
        a[y:y + rows] = ((r * 7 + numpy.arange(side, dtype=numpy.uint32)[None, :] * 13)
                         % 251).astype(numpy.uint8)
    out = numpy.empty_like(a)
    t, _ = best(lambda: tileproc.apply(a, *chain, out=out, threads=args.dask_threads), 1)
    print(f"| tileproc.apply, one process, {args.dask_threads} threads, in memory | "
          f"{t:.2f} s | {mp / t:.0f} |")
    out2 = numpy.empty_like(a)
    x = da.from_array(a, chunks=chunk)
    with dask.config.set(scheduler="threads", num_workers=args.dask_threads):
        t, _ = best(lambda: da.store(tileproc.dask.apply(x, *chain), out2, lock=False), 1)
    same = numpy.array_equal(out, out2)
    print(f"| tileproc.dask.apply, threaded scheduler, {args.dask_threads} threads, "
          f"NumPy in and out | {t:.2f} s | {mp / t:.0f} |")
    del out2, x
    with tempfile.TemporaryDirectory(prefix="tileproc-bench-", dir=args.tmp) as tmp:
        src, dst = os.path.join(tmp, "in.zarr"), os.path.join(tmp, "out.zarr")
        da.from_array(a, chunks=chunk).to_zarr(src)
        del a
        cluster = distributed.LocalCluster(
            n_workers=args.dask_threads, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=None, worker_dashboard_address=None,
            silence_logs=logging.ERROR)
        client = distributed.Client(cluster)
        try:
            def run():
                tileproc.dask.apply(da.from_zarr(src), *chain).to_zarr(dst, overwrite=True)
            t, _ = best(run, 1)
            print(f"| tileproc.dask.apply, LocalCluster, {args.dask_threads} worker processes, "
                  f"zarr in and out | {t:.2f} s | {mp / t:.0f} |")
            import zarr
            z = zarr.open(dst, mode="r")
            same = same and all(numpy.array_equal(z[y:y + 4096], out[y:y + 4096])
                                for y in range(0, side, 4096))
        finally:
            client.close()
            cluster.close()
    print(f"\nAll three outputs byte-identical: {same}.")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, os.cpu_count()])
    ap.add_argument("--mp", type=float, default=900, help="megapixels of the Dask image")
    ap.add_argument("--chunk", type=int, default=4096)
    ap.add_argument("--dask-threads", type=int, default=os.cpu_count())
    ap.add_argument("--tmp", default=None, help="where the zarr stores go")
    ap.add_argument("--skip-opencv", action="store_true")
    ap.add_argument("--skip-dask", action="store_true")
    args = ap.parse_args()
    print(f"tileproc {tileproc.__version__}, NumPy {numpy.__version__}, "
          f"Python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")
    if not args.skip_opencv:
        bench_opencv(args)
    if not args.skip_dask:
        bench_dask(args)


if __name__ == "__main__":
    main()
