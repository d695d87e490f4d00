/* SPDX-License-Identifier: MIT */
/*
 * sharpen_u8.h: the point pass of sharpen's u8 path, fused after gaussian's fixed-point blur
 * (separable.h: tproc__sep_fixed_rows). See sharpen_u8.c.
 */
#ifndef TILEPROC_KERNELS_SHARPEN_U8_H
#define TILEPROC_KERNELS_SHARPEN_U8_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/simd.h"

/* out[i] = v + amount * (v - acc[i] / 128) with v = in[i], rounded half up and clamped to
 * 0..255, in single precision (amount in [0, 100]). */
void tproc__sharpen_u8_row(tproc__simd level, float amount, const uint16_t *acc, const uint8_t *in,
                           uint8_t *out, size_t n);

/* How far (in levels, before the final rounding) the result of the row above can be from the
 * exact unsharp mask when acc / 128 is within blur_error of the exact blur. */
double tproc__sharpen_u8_bound(double amount, double blur_error);

#endif
