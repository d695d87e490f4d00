/* SPDX-License-Identifier: MIT */
/*
 * lab.h: sRGB, linear RGB and CIELAB (D65), for modulate. sRGB's transfer curve and primaries
 * (IEC 61966-2-1), XYZ scaled so that RGB white is Lab (100, 0, 0) exactly (the D65 white the
 * primaries give), so neutral grays have no chroma. LCh is Lab in polar form: C = |(a, b)|,
 * h = atan2(b, a); scaling C and turning h are scaling and rotating (a, b).
 */
#ifndef TILEPROC_KERNELS_LAB_H
#define TILEPROC_KERNELS_LAB_H

/* The sRGB curve and its inverse on [0, 1], extended to all reals by symmetry. */
double tproc__srgb_to_linear(double v);
double tproc__linear_to_srgb(double v);

/* Linear RGB (1 = white) to L in [0, 100], a, b; and back. */
void tproc__linear_to_lab(const double rgb[3], double lab[3]);
void tproc__lab_to_linear(const double lab[3], double rgb[3]);

#endif
