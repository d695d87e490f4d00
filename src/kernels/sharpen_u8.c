/* SPDX-License-Identifier: MIT */
/*
 * sharpen_u8.c: the unsharp mask's point pass on u8, in single precision (see sharpen_u8.h).
 *
 * With v an integer and acc below 2^16, acc / 128 and d = v - acc / 128 are exact in float; the
 * other steps round: amount to float (relative 2^-24), amount * d (2^-24 of at most 256 amount),
 * v + that (2^-24 of at most 255 + 256 amount) and the final + 0.5 (2^-24 of 256 where it
 * matters: outside [-0.5, 255.5) the result clamps either way). Their sum is
 * at most (768 amount + 511) 2^-24 levels, 0.005 for amount 100. Added to amount times the blur's
 * error, that is tproc__sharpen_u8_bound(). IEEE arithmetic without fused multiply-adds gives
 * the same results in every build (portable, AVX2, AVX-512).
 */
#include "kernels/sharpen_u8.h"

TPROC__SIMD_BODY void point_body(float amount, const uint16_t *restrict acc,
                                 const uint8_t *restrict in, uint8_t *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float v = (float)in[i];
        float x = v + amount * (v - (float)acc[i] * (1.0f / 128.0f));
        int32_t m = (int32_t)(x + 0.5f); /* |x| < 26000: clamping after rounding is the same */
        out[i] = (uint8_t)(m < 0 ? 0 : m > 255 ? 255 : m);
    }
}
TPROC__SIMD_VARIANTS(point,
                     (float amount, const uint16_t *restrict acc, const uint8_t *restrict in,
                      uint8_t *restrict out, size_t n),
                     (amount, acc, in, out, n))

void tproc__sharpen_u8_row(tproc__simd level, float amount, const uint16_t *acc, const uint8_t *in,
                           uint8_t *out, size_t n)
{
    TPROC__SIMD_PICK(level, point)(amount, acc, in, out, n);
}

double tproc__sharpen_u8_bound(double amount, double blur_error)
{
    return amount * blur_error + (768.0 * amount + 511.0) / 16777216.0;
}
