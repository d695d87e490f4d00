# SPDX-License-Identifier: MIT
"""Shared fixtures for the tileproc Python tests (run by CTest with PYTHONPATH=<build>/python)."""

import os
import pathlib

import numpy
import pytest

SAMPLES = pathlib.Path(os.environ.get("TILEPROC_SAMPLES",
                                      pathlib.Path(__file__).resolve().parents[2] / "samples"))


@pytest.fixture
def rng():
    return numpy.random.default_rng(20240611)


@pytest.fixture
def rgb(rng):
    return rng.integers(0, 256, (120, 160, 3), dtype=numpy.uint8)


@pytest.fixture
def rocket():
    return SAMPLES / "rocket.jpg"
