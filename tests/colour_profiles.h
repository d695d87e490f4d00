/* SPDX-License-Identifier: MIT */
/*
 * colour_profiles.h: ICC profiles the colour tests and benchmark build with lcms2 (no free
 * profile of these kinds can be shipped, or they are made from published numbers):
 *   "p3"        Display P3: P3 primaries, D65 white, sRGB's tone curve (matrix-shaper, v4)
 *   "gray22"    gray, gamma 2.2 (v4)
 *   "srgb-gray" gray with sRGB's tone curve: what tileproc converts gray to (the reference's
 *               output profile for tificc)
 *   "cmyk-v2"   a LUT-based CMYK printer profile (A2B0 CLUT, 11 points a side, lut16, v2.1)
 *   "cmyk-v4"   the same ink model as a v4 profile (lutAtoBType, 4.3)
 *   "rgb-lut"   a LUT-based RGB profile (A2B0 CLUT of a wide-gamut space with a curve)
 * The CMYK ink model is made up, not measured: dot gain on each ink, inks multiply, black
 * darkens with a small hue shift. It only has to be a smooth, realistic-looking LUT.
 */
#ifndef TILEPROC_COLOUR_PROFILES_H
#define TILEPROC_COLOUR_PROFILES_H

#include <stddef.h>

#include <lcms2.h>

/* The profile's bytes (malloc'd; free() them), or NULL for an unknown name or on failure. */
unsigned char *tcp_make(const char *name, size_t *size);
/* A whole file (malloc'd; free() it), or NULL. For the programs that do not link testutil. */
unsigned char *tcp_read_file(const char *path, size_t *size);
/* The profile itself, before it is saved (saving rounds its numbers to the ICC encodings);
 * cmsCloseProfile() it. */
cmsHPROFILE tcp_profile(const char *name);

#endif
