/* SPDX-License-Identifier: MIT */
/*
 * test_reduce.c: tproc__reduce_2x2_u8, the pyramids' 2x2 box reduction, against a naive one
 * written here, for 1 and 3 channels with each SIMD level the CPU has (AVX2, SSSE3, none): every
 * width from 1 to 200 and widths around the vector blocks, rows and output at every offset from
 * a 16-byte boundary, the same row twice (a pyramid's odd last row). Each buffer is its own
 * allocation of exactly the bytes used, so that AddressSanitizer sees a read or write past it.
 */
#include <stdlib.h>
#include <string.h>

#include "reduce.h"
#include "testutil.h"

/* out[x] = (a + b + c + d + 2) / 4 per sample, the last column paired with itself. */
static void naive_reduce(const unsigned char *a, const unsigned char *b, unsigned char *out,
                         ptrdiff_t width, int ch)
{
    for (ptrdiff_t x = 0; x < (width + 1) / 2; x++) {
        ptrdiff_t x0 = 2 * x, x1 = 2 * x + 1 < width ? 2 * x + 1 : 2 * x;
        for (int c = 0; c < ch; c++) {
            unsigned sum =
                (unsigned)a[x0 * ch + c] + a[x1 * ch + c] + b[x0 * ch + c] + b[x1 * ch + c];
            out[x * ch + c] = (unsigned char)((sum + 2) / 4);
        }
    }
}

static uint32_t next_random(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

/* Random bytes, a quarter of them 0 or 255 so that the largest sums and the rounding of
 * every remainder come up. */
static void fill_row(unsigned char *p, size_t n, uint32_t *state)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t r = next_random(state);
        p[i] = (r & 0x300) == 0 ? (unsigned char)(r & 1 ? 255 : 0) : (unsigned char)r;
    }
}

/* One width at one set of offsets: rows a and b (b == a when same) and out start offset bytes
 * into their allocations. */
static void check_width(ptrdiff_t width, int ch, int same, size_t off_a, size_t off_b,
                        size_t off_out, uint32_t *state)
{
    size_t in_bytes = (size_t)width * (size_t)ch,
           out_bytes = (size_t)((width + 1) / 2) * (size_t)ch;
    unsigned char *a = malloc(off_a + in_bytes), *b = malloc(off_b + in_bytes);
    unsigned char *out = malloc(off_out + out_bytes), *want = malloc(out_bytes);
    ck_assert(a && b && out && want);
    fill_row(a + off_a, in_bytes, state);
    fill_row(b + off_b, in_bytes, state);
    memset(out, 0xA5, off_out + out_bytes);
    const unsigned char *ra = a + off_a, *rb = same ? ra : b + off_b;
    naive_reduce(ra, rb, want, width, ch);
    tproc__reduce_2x2_u8(ra, rb, out + off_out, width, ch);
    for (size_t i = 0; i < out_bytes; i++)
        if (out[off_out + i] != want[i])
            ck_abort_msg("width %td, %d channels, offsets %zu %zu %zu%s: byte %zu is %d, not %d",
                         width, ch, off_a, off_b, off_out, same ? ", one row" : "", i,
                         out[off_out + i], want[i]);
    for (size_t i = 0; i < off_out; i++) /* nothing written before out */
        ck_assert_int_eq(out[i], 0xA5);
    free(a);
    free(b);
    free(out);
    free(want);
}

/* Loop index _i: the SIMD level asked for (2 AVX2, 1 SSSE3, 0 none). */
START_TEST(reduce_equals_naive)
{
    int level = tproc__reduce_set_simd(_i);
    if (level < _i) { /* this CPU lacks the level: the lower one is tested in its own run */
        tproc__reduce_set_simd(2);
        return;
    }
    static const ptrdiff_t wide[] = {255, 256, 257, 383, 384, 385, 1023, 1024, 1025, 4095, 4097};
    uint32_t state = 0x12345u + (uint32_t)_i;
    for (int ch = 1; ch <= 3; ch += 2) {
        for (ptrdiff_t width = 1; width <= 200; width++)
            check_width(width, ch, 0, (size_t)width % 16, (size_t)(width * 7) % 16,
                        (size_t)(width * 11) % 16, &state);
        for (size_t k = 0; k < sizeof wide / sizeof wide[0]; k++)
            for (size_t off = 0; off < 16; off++)
                check_width(wide[k], ch, 0, off, (off + 5) % 16, (off + 9) % 16, &state);
        for (ptrdiff_t width = 1; width <= 70; width++)
            check_width(width, ch, 1, (size_t)width % 16, 0, (size_t)(width * 3) % 16, &state);
    }
    tproc__reduce_set_simd(2);
}
END_TEST

Suite *suite_reduce(void)
{
    Suite *s = suite_create("reduce");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, reduce_equals_naive, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}
