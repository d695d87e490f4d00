/* SPDX-License-Identifier: MIT */
/*
 * reduce.c: the 2x2 box reduction of 8-bit rows that both pyramids use (pyramid.c for tile
 * pyramids, tiff_write.c for TIFF levels): see reduce.h.
 */
#include "reduce.h"

/* One pixel of the level below from four of this one (s[0..3]); with alpha (the last of 2 or
 * 4 channels) the colour is weighted by it, as vips premultiplies, so that transparent pixels
 * lend no colour to their neighbours. */
static void reduce_pixel(const unsigned char *const s[4], unsigned char *out, int ch)
{
    if (ch == 2 || ch == 4) {
        int alpha = ch - 1;
        unsigned a = (unsigned)s[0][alpha] + s[1][alpha] + s[2][alpha] + s[3][alpha];
        for (int c = 0; c < alpha; c++) {
            unsigned sum = 0;
            for (int k = 0; k < 4; k++)
                sum += (unsigned)s[k][c] * s[k][alpha];
            out[c] = (unsigned char)(a ? (sum + a / 2) / a : 0);
        }
        out[alpha] = (unsigned char)((a + 2) >> 2);
        return;
    }
    for (int c = 0; c < ch; c++)
        out[c] = (unsigned char)((s[0][c] + s[1][c] + s[2][c] + s[3][c] + 2) >> 2);
}

/* Row out of the level below from rows a and b of this level: 2x2 means, an odd last column
 * paired with itself. */
void tproc__reduce_2x2_u8(const unsigned char *a, const unsigned char *b, unsigned char *out,
                          ptrdiff_t width, int ch)
{
    ptrdiff_t pairs = width / 2;
    /* The SIMD rows do what they can; the loops below are the reference and do the tail. */
    ptrdiff_t done = ch == 1 || ch == 3 ? tproc__reduce_2x2_u8_simd(a, b, out, pairs, ch) : 0;
    if (ch == 1) {
        for (ptrdiff_t x = done; x < pairs; x++)
            out[x] = (unsigned char)((a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1] + 2) >> 2);
    } else if (ch == 3) {
        for (ptrdiff_t x = done; x < pairs; x++) {
            const unsigned char *p = a + 6 * x, *q = b + 6 * x;
            unsigned char *o = out + 3 * x;
            o[0] = (unsigned char)((p[0] + p[3] + q[0] + q[3] + 2) >> 2);
            o[1] = (unsigned char)((p[1] + p[4] + q[1] + q[4] + 2) >> 2);
            o[2] = (unsigned char)((p[2] + p[5] + q[2] + q[5] + 2) >> 2);
        }
    } else {
        for (ptrdiff_t x = 0; x < pairs; x++) {
            const unsigned char *s[4] = {a + 2 * x * ch, a + (2 * x + 1) * ch, b + 2 * x * ch,
                                         b + (2 * x + 1) * ch};
            reduce_pixel(s, out + x * ch, ch);
        }
    }
    if (width & 1) {
        const unsigned char *s[4] = {a + (width - 1) * ch, a + (width - 1) * ch,
                                     b + (width - 1) * ch, b + (width - 1) * ch};
        reduce_pixel(s, out + pairs * ch, ch);
    }
}
