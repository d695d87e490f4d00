/* SPDX-License-Identifier: MIT */
/*
 * box_sum.c: the box filter on u8 and u16, in exact integer sums (see box_sum.h).
 *
 * Vertical: one running sum per column sample over the 2r+1 window rows, started at the tile's
 * top and moved down a row at a time by adding the entering row and subtracting the leaving one
 * (16-bit lanes for u8 while (2r+1) * 255 fits, otherwise 32). Horizontal, for each output row:
 *  - narrow (u8, window at most 15x15): the 2r+1 column sums of each output sample are added
 *    directly in 16-bit lanes;
 *  - wide: prefix sums P of the column sums along the row (32 bits for u8, modulo 2^32, which
 *    the differences undo since every window sum is below 2^31; 64 bits for u16), and the
 *    window sum is P[x + 2r + 1] - P[x].
 * Every sum is exact, so starting them at a tile's edge gives the same result as anywhere.
 *
 * The mean rounded half up, floor((2S + N) / 2N) with N = (2r+1)^2, equals floor(A / N) with
 * A = S + (N - 1) / 2 (N is odd). It is computed without a division:
 *  - narrow: A < 2^16, and floor(A / N) = mulhi(A, magic) >> shift for a magic number that
 *    tproc__box_init finds and checks against the division for every A the window can give;
 *  - wide: floor(fl(fl(A * fl(1/N)) + 2^-24)). With A < 2^38 (u16, r <= 1000) the relative
 *    error of the product is at most 2^-52, under 1.6e-11 absolute, and the addition adds at
 *    most 8e-12. If N divides A the result is then above A / N and below A / N + 1; otherwise
 *    A / N is at least 1/N >= 2.4e-7 above and below an integer, far more than 2^-24 (6e-8)
 *    plus those errors. Either way truncation gives floor(A / N) exactly.
 * Both are exact, so every build of the kernels (portable, AVX2, AVX-512) gives the same bytes.
 */
#include "kernels/box_sum.h"

#include <string.h>

#include "kernels/area_rows.h"

#if TPROC__SIMD_X86
#include <immintrin.h>
#endif

#define BLOCK 64 /* samples per register block of the narrow horizontal pass */

/* --- kernel bodies ------------------------------------------------------------------------ */

/* Column sums: col += row, and col += enter - leave, for each pair of sample and sum types. */
#define COLUMN_BODIES(name, sum_t, in_t)                                                           \
    TPROC__SIMD_BODY void name##_add_body(sum_t *restrict col, const in_t *restrict row, size_t n) \
    {                                                                                              \
        for (size_t i = 0; i < n; i++)                                                             \
            col[i] = (sum_t)(col[i] + row[i]);                                                     \
    }                                                                                              \
    TPROC__SIMD_BODY void name##_slide_body(sum_t *restrict col, const in_t *restrict enter,       \
                                            const in_t *restrict leave, size_t n)                  \
    {                                                                                              \
        for (size_t i = 0; i < n; i++)                                                             \
            col[i] = (sum_t)(col[i] + (sum_t)(enter[i] - leave[i]));                               \
    }                                                                                              \
    TPROC__SIMD_VARIANTS(name##_add, (sum_t *restrict col, const in_t *restrict row, size_t n),    \
                         (col, row, n))                                                            \
    TPROC__SIMD_VARIANTS(                                                                          \
        name##_slide,                                                                              \
        (sum_t *restrict col, const in_t *restrict enter, const in_t *restrict leave, size_t n),   \
        (col, enter, leave, n))

COLUMN_BODIES(col16_u8, uint16_t, uint8_t)
COLUMN_BODIES(col32_u8, uint32_t, uint8_t)
COLUMN_BODIES(col32_u16, uint32_t, uint16_t)

/* Narrow horizontal pass: out[i] = mean of col[i + k * ch], k = 0..w-1, for n samples. */
TPROC__SIMD_BODY void narrow_body(uint8_t *restrict out, const uint16_t *restrict col, size_t ch,
                                  int w, uint16_t half, uint16_t magic, int shift, size_t n)
{
    size_t i0 = 0;
    for (; i0 + BLOCK <= n; i0 += BLOCK) {
        uint16_t acc[BLOCK];
        const uint16_t *c = col + i0;
        for (size_t t = 0; t < BLOCK; t++)
            acc[t] = (uint16_t)(c[t] + half);
        for (int k = 1; k < w; k++) {
            const uint16_t *p = c + (size_t)k * ch;
            for (size_t t = 0; t < BLOCK; t++)
                acc[t] = (uint16_t)(acc[t] + p[t]);
        }
        for (size_t t = 0; t < BLOCK; t++)
            out[i0 + t] = (uint8_t)((uint16_t)(((uint32_t)acc[t] * magic) >> 16) >> shift);
    }
    for (size_t i = i0; i < n; i++) {
        uint32_t a = half;
        for (int k = 0; k < w; k++)
            a += col[i + (size_t)k * ch];
        out[i] = (uint8_t)((uint16_t)((a * magic) >> 16) >> shift);
    }
}
TPROC__SIMD_VARIANTS(narrow,
                     (uint8_t *restrict out, const uint16_t *restrict col, size_t ch, int w,
                      uint16_t half, uint16_t magic, int shift, size_t n),
                     (out, col, ch, w, half, magic, shift, n))

/* Wide horizontal pass, u8: the window sums from 32-bit prefix sums, divided. */
TPROC__SIMD_BODY void wide_u8_body(uint8_t *restrict out, const uint32_t *restrict p, size_t span,
                                   uint32_t half, double inv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int32_t a = (int32_t)(p[i + span] - p[i] + half); /* below 2^31 */
        out[i] = (uint8_t)(int32_t)TPROC__BOX_QUOTIENT(a, inv);
    }
}
TPROC__SIMD_VARIANTS(wide_u8,
                     (uint8_t *restrict out, const uint32_t *restrict p, size_t span, uint32_t half,
                      double inv, size_t n),
                     (out, p, span, half, inv, n))

/* Wide horizontal pass, u16: 64-bit prefix sums. */
TPROC__SIMD_BODY void wide_u16_body(uint16_t *restrict out, const uint64_t *restrict p, size_t span,
                                    uint64_t half, double inv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t a = (int64_t)(p[i + span] - p[i] + half); /* below 2^38 */
        out[i] = (uint16_t)(int32_t)TPROC__BOX_QUOTIENT(a, inv);
    }
}
TPROC__SIMD_VARIANTS(wide_u16,
                     (uint16_t *restrict out, const uint64_t *restrict p, size_t span,
                      uint64_t half, double inv, size_t n),
                     (out, p, span, half, inv, n))

/*
 * Prefix sums along a row of interleaved channels: p[0..ch) = 0, p[i + ch] = p[i] + col[i].
 * A scan does not vectorise; the channels are independent chains kept in registers.
 */
#define PREFIX(name, p_t, col_t)                                                                   \
    static void name(p_t *restrict p, const col_t *restrict col, size_t ch, size_t n)              \
    {                                                                                              \
        for (size_t c = 0; c < ch; c++)                                                            \
            p[c] = 0;                                                                              \
        if (ch == 3) {                                                                             \
            p_t s0 = 0, s1 = 0, s2 = 0;                                                            \
            for (size_t i = 0; i + 3 <= n; i += 3) {                                               \
                s0 = (p_t)(s0 + col[i]);                                                           \
                s1 = (p_t)(s1 + col[i + 1]);                                                       \
                s2 = (p_t)(s2 + col[i + 2]);                                                       \
                p[i + 3] = s0;                                                                     \
                p[i + 4] = s1;                                                                     \
                p[i + 5] = s2;                                                                     \
            }                                                                                      \
            return;                                                                                \
        }                                                                                          \
        for (size_t i = 0; i < n; i++)                                                             \
            p[i + ch] = (p_t)(p[i] + col[i]);                                                      \
    }
PREFIX(prefix16_portable, uint32_t, uint16_t)
PREFIX(prefix_32_32, uint32_t, uint32_t)
PREFIX(prefix_64_32, uint64_t, uint32_t)

/*
 * The same scan on vectors (u8's 16-bit column sums): within a vector, each lane adds the lane
 * ch before it, then 2 ch, 4 ch... (a shift by a permutation with zeroed lanes), which gives
 * the sum over its channel's earlier lanes; then lane j adds the previous vector's total for its
 * channel, its lane V - ch + j mod ch. Integer additions modulo 2^32, as above.
 */
#if TPROC__SIMD_X86
TPROC__TARGET_AVX512 static void prefix16_avx512(uint32_t *restrict p, const uint16_t *restrict col,
                                                 size_t ch, size_t n)
{
    uint32_t at[5][16]; /* the lanes to add: steps ch, 2 ch, 4 ch, 8 ch, then the carry */
    __m512i from[4], carry;
    __mmask16 keep[4];
    int steps = 0;
    for (size_t s = ch; s < 16; s *= 2, steps++) {
        for (int j = 0; j < 16; j++)
            at[steps][j] = (uint32_t)(j >= (int)s ? j - (int)s : 0);
        from[steps] = _mm512_loadu_si512(at[steps]);
        keep[steps] = (__mmask16)(0xffffu << s);
    }
    for (int j = 0; j < 16; j++)
        at[4][j] = (uint32_t)(16 - (int)ch + j % (int)ch);
    carry = _mm512_loadu_si512(at[4]);
    for (size_t c = 0; c < ch; c++)
        p[c] = 0;
    __m512i prev = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i v = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(col + i)));
        for (int k = 0; k < steps; k++)
            v = _mm512_add_epi32(v, _mm512_maskz_permutexvar_epi32(keep[k], from[k], v));
        prev = _mm512_add_epi32(v, _mm512_permutexvar_epi32(carry, prev));
        _mm512_storeu_si512(p + ch + i, prev);
    }
    for (; i < n; i++)
        p[i + ch] = p[i] + col[i];
    _mm256_zeroupper();
}

TPROC__TARGET_AVX2 static void prefix16_avx2(uint32_t *restrict p, const uint16_t *restrict col,
                                             size_t ch, size_t n)
{
    int32_t at[5][8], zero[3][8];
    __m256i from[3], mask[3], carry;
    int steps = 0;
    for (size_t s = ch; s < 8; s *= 2, steps++) {
        for (int j = 0; j < 8; j++) {
            at[steps][j] = j >= (int)s ? j - (int)s : 0;
            zero[steps][j] = j >= (int)s ? -1 : 0;
        }
        from[steps] = _mm256_loadu_si256((const __m256i *)at[steps]);
        mask[steps] = _mm256_loadu_si256((const __m256i *)zero[steps]);
    }
    for (int j = 0; j < 8; j++)
        at[4][j] = 8 - (int)ch + j % (int)ch;
    carry = _mm256_loadu_si256((const __m256i *)at[4]);
    for (size_t c = 0; c < ch; c++)
        p[c] = 0;
    __m256i prev = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(col + i)));
        for (int k = 0; k < steps; k++)
            v = _mm256_add_epi32(
                v, _mm256_and_si256(_mm256_permutevar8x32_epi32(v, from[k]), mask[k]));
        prev = _mm256_add_epi32(v, _mm256_permutevar8x32_epi32(prev, carry));
        _mm256_storeu_si256((__m256i *)(p + ch + i), prev);
    }
    for (; i < n; i++)
        p[i + ch] = p[i] + col[i];
    _mm256_zeroupper();
}
#endif

/* --- set-up ------------------------------------------------------------------------------- */

void tproc__box_init(tproc__box *b, int radius, tproc__simd level)
{
    memset(b, 0, sizeof *b);
    b->radius = radius;
    b->simd = level;
    uint32_t n = (uint32_t)(2 * radius + 1) * (uint32_t)(2 * radius + 1);
    b->inv = 1.0 / (double)n;
    uint32_t amax = 255u * n + (n - 1) / 2; /* the largest A of a u8 window */
    if (radius > 7)
        return;
    /* The smallest shift whose magic number gives floor(A / n) for every A up to amax. */
    for (int shift = 0; shift <= 16 && !b->narrow; shift++) {
        uint64_t magic = ((1ull << (16 + shift)) + n - 1) / n;
        if (magic > 65535)
            break;
        int ok = 1;
        for (uint32_t a = 0; a <= amax && ok; a++)
            ok = (uint32_t)(((a * (uint32_t)magic) >> 16) >> shift) == a / n;
        if (ok) {
            b->narrow = 1;
            b->magic = (uint16_t)magic;
            b->shift = shift;
        }
    }
}

/* The parts of a tile's scratch. */
typedef struct layout {
    size_t col, prefix, enter, leave, stage, total;
} layout;

static int col_is_32(const tproc__box *b, tproc_sample s)
{
    return s == TPROC_U16 || b->radius > 128; /* (2r+1) * 255 must fit 16 bits */
}

static layout get_layout(const tproc__box *b, tproc_sample s, int channels, ptrdiff_t in_w,
                         ptrdiff_t out_w)
{
    size_t ch = (size_t)channels, ss = tproc_sample_size(s), n_in, n_out;
    layout l = {0};
    if (tproc__mul((size_t)(in_w > 0 ? in_w : 0), ch, &n_in) ||
        tproc__mul((size_t)(out_w > 0 ? out_w : 0), ch, &n_out)) {
        l.total = SIZE_MAX;
        return l;
    }
    l.col = tproc__carve(&l.total, n_in, col_is_32(b, s) ? 4 : 2);
    if (!(b->narrow && s == TPROC_U8))
        l.prefix = tproc__carve(&l.total, n_in + ch, s == TPROC_U16 ? 8 : 4);
    l.enter = tproc__carve(&l.total, n_in, ss);
    l.leave = tproc__carve(&l.total, n_in, ss);
    l.stage = tproc__carve(&l.total, n_out, ss);
    return l;
}

size_t tproc__box_scratch(const tproc__box *b, tproc_sample sample, int channels, ptrdiff_t in_w,
                          ptrdiff_t out_w)
{
    return get_layout(b, sample, channels, in_w, out_w).total;
}

/* --- the tile ----------------------------------------------------------------------------- */

typedef struct tile {
    const tproc__box *b;
    const tproc_view *in;
    ptrdiff_t x0, span; /* input pixels [x0, x0 + span) of each row feed the windows */
    size_t n_in;
    unsigned char *s;
    layout l;
} tile;

/* col += input row j (or, with leave >= 0, += row j - row leave). */
static void column_update(const tile *t, ptrdiff_t j, ptrdiff_t leave)
{
    const void *e = tproc__row_in(t->in, t->x0, j, t->span, t->s + t->l.enter);
    const void *g =
        leave >= 0 ? tproc__row_in(t->in, t->x0, leave, t->span, t->s + t->l.leave) : NULL;
    void *col = t->s + t->l.col;
    tproc__simd v = t->b->simd;
    if (t->in->sample == TPROC_U16) {
        if (g)
            TPROC__SIMD_PICK(v, col32_u16_slide)(col, e, g, t->n_in);
        else
            TPROC__SIMD_PICK(v, col32_u16_add)(col, e, t->n_in);
    } else if (col_is_32(t->b, TPROC_U8)) {
        if (g)
            TPROC__SIMD_PICK(v, col32_u8_slide)(col, e, g, t->n_in);
        else
            TPROC__SIMD_PICK(v, col32_u8_add)(col, e, t->n_in);
    } else {
        if (g)
            TPROC__SIMD_PICK(v, col16_u8_slide)(col, e, g, t->n_in);
        else
            TPROC__SIMD_PICK(v, col16_u8_add)(col, e, t->n_in);
    }
}

/* One output row of means from the column sums. */
static void horizontal(const tile *t, unsigned char *dst, size_t n_out)
{
    const tproc__box *b = t->b;
    size_t ch = (size_t)t->in->channels, w = (size_t)(2 * b->radius + 1), span = w * ch;
    uint32_t n = (uint32_t)(w * w), half = (n - 1) / 2;
    void *col = t->s + t->l.col, *p = t->s + t->l.prefix;
    if (t->in->sample == TPROC_U16) {
        prefix_64_32(p, col, ch, t->n_in);
        TPROC__SIMD_PICK(b->simd, wide_u16)((uint16_t *)(void *)dst, p, span, half, b->inv, n_out);
    } else if (b->narrow) {
        TPROC__SIMD_PICK(b->simd, narrow)
        (dst, col, ch, (int)w, (uint16_t)half, b->magic, b->shift, n_out);
    } else {
        if (col_is_32(b, TPROC_U8))
            prefix_32_32(p, col, ch, t->n_in);
        else
            TPROC__SIMD_PICK(b->simd, prefix16)(p, col, ch, t->n_in);
        TPROC__SIMD_PICK(b->simd, wide_u8)(dst, p, span, half, b->inv, n_out);
    }
}

void tproc__box_process(const tproc__box *b, const tproc_call *call)
{
    const tproc_view *in = &call->in, *out = &call->out;
    const ptrdiff_t r = b->radius;
    tile t = {b,
              in,
              call->out_rect.x - call->in_rect.x - r,
              out->width + 2 * r,
              0,
              call->scratch,
              get_layout(b, in->sample, in->channels, in->width, out->width)};
    t.n_in = (size_t)t.span * (size_t)in->channels;
    const ptrdiff_t y0 = call->out_rect.y - call->in_rect.y - r; /* first window row */
    memset(t.s + t.l.col, 0, t.n_in * (col_is_32(b, in->sample) ? 4 : 2));
    for (ptrdiff_t j = 0; j < 2 * r + 1; j++)
        column_update(&t, y0 + j, -1);
    size_t n_out = (size_t)out->width * (size_t)out->channels;
    for (ptrdiff_t y = 0; y < out->height; y++) {
        if (y > 0)
            column_update(&t, y0 + y + 2 * r, y0 + y - 1);
        unsigned char *dst = tproc__row_out(out, y, t.s + t.l.stage);
        horizontal(&t, dst, n_out);
        tproc__row_flush(out, y, t.s + t.l.stage);
    }
}
