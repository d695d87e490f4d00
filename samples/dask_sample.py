#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A tileproc chain over an image stored in chunks (zarr), on a Dask cluster.

The workers generate the input chunk by chunk into a zarr store (or you give one with
--input), then run the chain with tileproc.dask.apply -- each chunk extended by the chain's
halo from its neighbours, processed by tileproc in the worker, trimmed -- and write the result
chunk by chunk into another zarr store. No process ever holds the whole image.

    PYTHONPATH=build/python /usr/bin/python3 samples/dask_sample.py --size 20000 15000
    PYTHONPATH=build/python /usr/bin/python3 samples/dask_sample.py --check  # small, verified

By default a LocalCluster of worker processes on this machine (loopback only) runs it; with
--scheduler tcp://host:8786 the same code runs on a real cluster (every worker needs tileproc
importable and the zarr paths on shared storage).
"""

import argparse
import logging
import os
import sys
import tempfile
import time

import dask.array as da
import distributed
import numpy
import zarr

import tileproc
import tileproc.dask


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("filters", nargs="*", default=["gaussian:sigma=2", "sharpen"],
                    help="filters, as for tileproc.apply (default: gaussian:sigma=2 sharpen)")
    ap.add_argument("--size", nargs=2, type=int, default=[4000, 3000], metavar=("W", "H"),
                    help="size of the generated RGB image (default 4000 3000)")
    ap.add_argument("--chunk", type=int, default=1024, help="chunk side in pixels")
    ap.add_argument("--input", help="an existing zarr array (H, W[, C]) instead of generating")
    ap.add_argument("--output", help="the zarr store to write (default: a temporary folder)")
    ap.add_argument("--border", default="reflect101")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler to use instead")
    ap.add_argument("--check", action="store_true",
                    help="compare with tileproc.apply on the whole image (loads it: small "
                         "sizes only)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="tileproc-dask-") as tmp:
        if args.scheduler:
            client = distributed.Client(args.scheduler)
            cluster = None
        else:
            cluster = distributed.LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None, worker_dashboard_address=None,
                silence_logs=logging.ERROR)
            client = distributed.Client(cluster)
        try:
            src = args.input
            if not src:
                src = os.path.join(tmp, "input.zarr")
                w, h = args.size
                # A smooth pattern plus noise, computed by the workers chunk by chunk.
                y = da.arange(h, chunks=args.chunk, dtype=numpy.float32)[:, None, None]
                x = da.arange(w, chunks=args.chunk, dtype=numpy.float32)[None, :, None]
                c = da.arange(3, chunks=3, dtype=numpy.float32)[None, None, :]
                noise = da.random.RandomState(1).randint(
                    0, 48, size=(h, w, 3), chunks=(args.chunk, args.chunk, 3))
                img = ((x * (1 + c) + y * 0.5) % 200 + noise).astype(numpy.uint8)
                img.to_zarr(src)
            dst = args.output or os.path.join(tmp, "output.zarr")

            x = da.from_zarr(src)
            start = time.perf_counter()
            y = tileproc.dask.apply(x, *args.filters, border=args.border)
            y.to_zarr(dst, overwrite=True)
            elapsed = time.perf_counter() - start
            mp = x.shape[0] * x.shape[1] / 1e6
            workers = len(client.scheduler_info()["workers"])
            print(f"{' '.join(args.filters)} on {x.shape[1]} x {x.shape[0]} ({mp:.1f} MP, "
                  f"chunks {x.chunksize[:2]}, halo {tileproc.dask.halo(x, *args.filters)}) "
                  f"with {workers} workers: {elapsed:.2f} s ({mp / elapsed:.1f} MP/s) -> {dst}")

            if args.check:
                whole = zarr.open(src, mode="r")[...]
                want = numpy.asarray(tileproc.apply(whole, *args.filters, border=args.border))
                got = zarr.open(dst, mode="r")[...]
                if not numpy.array_equal(got, want):
                    print("MISMATCH against tileproc.apply on the whole image", file=sys.stderr)
                    return 1
                print("identical to tileproc.apply on the whole image")
        finally:
            client.close()
            if cluster:
                cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
