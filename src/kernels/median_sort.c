/* SPDX-License-Identifier: MIT */
/*
 * median_sort.c: the median of each (2r+1) x (2r+1) window with min/max operations on whole
 * rows of samples, so that the compiler turns them into vector min/max (64 u8 samples per
 * AVX-512 instruction). Samples are handled as unsigned keys: u8 and u16 as they are, f32 by
 * its bits with the sign handled so that the order is -inf < ... < -0 < +0 < ... < +inf (NaNs
 * beyond the infinities), the order the filter documents.
 *
 * Radius 1: each column of three is sorted into low, middle and high rows; the median of the
 * nine is the median of {largest low, median of the middles, smallest high} of the window's
 * three columns (the rows are shared by the three windows that contain a column).
 *
 * Radius 2 and 3: the 2r+1 window rows are sorted column by column with an optimal sorting
 * network (9 and 16 compare-exchanges), shared by every window that contains the column. A
 * window then has 2r+1 sorted columns; a selection network (median_nets.h, written by
 * scripts/median_networks.py) merges them with Batcher's odd-even merges, pruned to the
 * comparisons that can change the median: 88 for radius 2, 210 for radius 3. It runs on one
 * vector of windows at a time, one window per lane, with every slot in a register. The
 * networks are checked against a sort on every 0/1 input in the tests (the 0-1 principle).
 */
#include "kernels/median_sort.h"

#include <string.h>

#include "filter_internal.h"
#include "kernels/area_rows.h"
#include "kernels/median_nets.h"

#define SLACK 64 /* bytes after each sorted row: a full vector (see select_row) */

#if TPROC__SIMD_X86
#include <immintrin.h>
#endif

/* Optimal sorting networks for the columns (checked in the tests); the first 2 (3) comparisons
 * touch disjoint rows and leave row 2 (1) alone. */
const uint8_t tproc__median_sort5[9][2] = {{0, 1}, {3, 4}, {2, 4}, {2, 3}, {0, 3},
                                           {0, 2}, {1, 4}, {1, 3}, {1, 2}};
const uint8_t tproc__median_sort7[16][2] = {{0, 6}, {2, 3}, {4, 5}, {0, 2}, {1, 4}, {3, 6},
                                            {0, 1}, {2, 5}, {3, 4}, {1, 2}, {4, 6}, {2, 3},
                                            {4, 5}, {1, 2}, {3, 4}, {5, 6}};

void tproc__median_init(tproc__median *m, int radius, tproc__simd level)
{
    m->radius = radius;
    m->simd = level;
}

/* --- kernels, for each key type ------------------------------------------------------------ */

#define MIN(a, b) ((b) < (a) ? (b) : (a))
#define MAX(a, b) ((b) < (a) ? (a) : (b))

#define KERNELS(T)                                                                                 \
    /* Columns of three sorted into lo, mid, hi. */                                                \
    TPROC__SIMD_BODY void sort3_##T##_body(T *restrict lo, T *restrict mid, T *restrict hi,        \
                                           const T *restrict a, const T *restrict b,               \
                                           const T *restrict c, size_t n)                          \
    {                                                                                              \
        for (size_t i = 0; i < n; i++) {                                                           \
            T x = a[i], y = b[i], z = c[i];                                                        \
            T mn = MIN(x, y), mx = MAX(x, y);                                                      \
            lo[i] = MIN(mn, z);                                                                    \
            hi[i] = MAX(mx, z);                                                                    \
            mid[i] = MAX(mn, MIN(mx, z));                                                          \
        }                                                                                          \
    }                                                                                              \
    TPROC__SIMD_VARIANTS(sort3_##T,                                                                \
                         (T *restrict lo, T *restrict mid, T *restrict hi, const T *restrict a,    \
                          const T *restrict b, const T *restrict c, size_t n),                     \
                         (lo, mid, hi, a, b, c, n))                                                \
    /* The 3x3 median from the sorted columns at t, t + ch, t + 2ch. */                            \
    TPROC__SIMD_BODY void med9_##T##_body(T *restrict out, const T *restrict lo,                   \
                                          const T *restrict mid, const T *restrict hi, size_t ch,  \
                                          size_t n)                                                \
    {                                                                                              \
        for (size_t t = 0; t < n; t++) {                                                           \
            T l = MAX(MAX(lo[t], lo[t + ch]), lo[t + 2 * ch]);                                     \
            T h = MIN(MIN(hi[t], hi[t + ch]), hi[t + 2 * ch]);                                     \
            T a = mid[t], b = mid[t + ch], c = mid[t + 2 * ch];                                    \
            T mn = MIN(a, b), mx = MAX(a, b);                                                      \
            T m = MAX(mn, MIN(mx, c));                                                             \
            mn = MIN(l, m);                                                                        \
            mx = MAX(l, m);                                                                        \
            out[t] = MAX(mn, MIN(mx, h));                                                          \
        }                                                                                          \
    }                                                                                              \
    TPROC__SIMD_VARIANTS(med9_##T,                                                                 \
                         (T *restrict out, const T *restrict lo, const T *restrict mid,            \
                          const T *restrict hi, size_t ch, size_t n),                              \
                         (out, lo, mid, hi, ch, n))                                                \
    /* One compare-exchange between two whole rows. */                                             \
    TPROC__SIMD_BODY void cas_##T##_body(T *restrict x, T *restrict y, size_t n)                   \
    {                                                                                              \
        for (size_t i = 0; i < n; i++) {                                                           \
            T a = x[i], b = y[i];                                                                  \
            x[i] = MIN(a, b);                                                                      \
            y[i] = MAX(a, b);                                                                      \
        }                                                                                          \
    }                                                                                              \
    TPROC__SIMD_VARIANTS(cas_##T, (T *restrict x, T *restrict y, size_t n), (x, y, n))             \
    /* The same from two other rows: x = min(a, b), y = max(a, b). */                              \
    TPROC__SIMD_BODY void cas2_##T##_body(T *restrict x, T *restrict y, const T *restrict a,       \
                                          const T *restrict b, size_t n)                           \
    {                                                                                              \
        for (size_t i = 0; i < n; i++) {                                                           \
            x[i] = MIN(a[i], b[i]);                                                                \
            y[i] = MAX(a[i], b[i]);                                                                \
        }                                                                                          \
    }                                                                                              \
    TPROC__SIMD_VARIANTS(                                                                          \
        cas2_##T,                                                                                  \
        (T *restrict x, T *restrict y, const T *restrict a, const T *restrict b, size_t n),        \
        (x, y, a, b, n))

KERNELS(uint8_t)
KERNELS(uint16_t)
KERNELS(uint32_t)

/* f32 bits to keys and back (see the top of the file). */
TPROC__SIMD_BODY void to_keys_body(uint32_t *restrict k, const uint32_t *restrict f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        k[i] = (f[i] & 0x80000000u) ? ~f[i] : f[i] | 0x80000000u;
}
TPROC__SIMD_VARIANTS(to_keys, (uint32_t *restrict k, const uint32_t *restrict f, size_t n),
                     (k, f, n))
TPROC__SIMD_BODY void from_keys_body(uint32_t *restrict f, const uint32_t *restrict k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        f[i] = (k[i] & 0x80000000u) ? k[i] & 0x7fffffffu : ~k[i];
}
TPROC__SIMD_VARIANTS(from_keys, (uint32_t *restrict f, const uint32_t *restrict k, size_t n),
                     (f, k, n))

/* --- the selection networks ---------------------------------------------------------------- */

/*
 * net<w>_<type>(out, cols, ch, n): out[t] = the median of the window whose column c, rank k
 * is cols[k][t + c * ch], for t < n. The vector builds keep the whole network in registers
 * (the table is a constant and the loop is unrolled, so every slot index is known at compile
 * time). Rows have SLACK bytes after their samples, so a last partial block may read past the
 * row's end.
 */
/* The portable build: GCC's generic 16-byte vectors, min and max written with a comparison
 * mask (any target, SIMD or not, compiles them). */
#define VMIN16(a, b) ((a) ^ (((a) ^ (b)) & (__typeof__(a))((b) < (a))))
#define VMAX16(a, b) ((a) ^ (((a) ^ (b)) & (__typeof__(a))((a) < (b))))
#define NET_PORTABLE(W, T)                                                                         \
    typedef T vec16_##W##_##T __attribute__((vector_size(16)));                                    \
    static void net##W##_##T##_portable(T *out, void *const *cols, size_t ch, size_t n)            \
    {                                                                                              \
        typedef vec16_##W##_##T VT;                                                                \
        enum { L = 16 / sizeof(T) };                                                               \
        for (size_t t0 = 0; t0 < n; t0 += L) {                                                     \
            VT w[W * W + 1];                                                                       \
            _Pragma("GCC unroll 8") for (int c = 0; c < W; c++)                                    \
                _Pragma("GCC unroll 8") for (int k = 0; k < W; k++)                                \
                    memcpy(&w[c * W + k], (const T *)cols[k] + t0 + (size_t)c * ch, 16);           \
            _Pragma("GCC unroll 256") for (int i = 0; i < TPROC__MEDIAN##W##_OPS; i++)             \
            {                                                                                      \
                VT a = w[tproc__median##W[i][0]], b = w[tproc__median##W[i][1]];                   \
                w[tproc__median##W[i][2]] = VMIN16(a, b);                                          \
                w[tproc__median##W[i][3]] = VMAX16(a, b);                                          \
            }                                                                                      \
            memcpy(out + t0, &w[TPROC__MEDIAN##W##_OUT], (n - t0 < L ? n - t0 : L) * sizeof(T));   \
        }                                                                                          \
    }

#define NET_VECTOR(W, T, SET, TARGET, VT, LOAD, STORE, VMIN, VMAX)                                 \
    TARGET static void net##W##_##T##_##SET(T *out, void *const *cols, size_t ch, size_t n)        \
    {                                                                                              \
        enum { L = sizeof(VT) / sizeof(T) };                                                       \
        size_t t0 = 0;                                                                             \
        for (; t0 < n; t0 += L) {                                                                  \
            VT w[W * W + 1];                                                                       \
            _Pragma("GCC unroll 8") for (int c = 0; c < W; c++)                                    \
                _Pragma("GCC unroll 8") for (int k = 0; k < W; k++) w[c * W + k] =                 \
                    LOAD((const void *)((const T *)cols[k] + t0 + (size_t)c * ch));                \
            _Pragma("GCC unroll 256") for (int i = 0; i < TPROC__MEDIAN##W##_OPS; i++)             \
            {                                                                                      \
                VT a = w[tproc__median##W[i][0]], b = w[tproc__median##W[i][1]];                   \
                w[tproc__median##W[i][2]] = VMIN(a, b);                                            \
                w[tproc__median##W[i][3]] = VMAX(a, b);                                            \
            }                                                                                      \
            if (t0 + L <= n) {                                                                     \
                STORE((void *)(out + t0), w[TPROC__MEDIAN##W##_OUT]);                              \
            } else { /* the last block reads into the rows' slack; keep its real lanes */          \
                T last[L];                                                                         \
                STORE((void *)last, w[TPROC__MEDIAN##W##_OUT]);                                    \
                memcpy(out + t0, last, (n - t0) * sizeof(T));                                      \
            }                                                                                      \
        }                                                                                          \
        _mm256_zeroupper();                                                                        \
    }

#if TPROC__SIMD_X86
#define LOAD256(p) _mm256_loadu_si256((const __m256i *)(p))
#define STORE256(p, v) _mm256_storeu_si256((__m256i *)(p), v)
#define NETS(W, T, BITS)                                                                           \
    NET_PORTABLE(W, T)                                                                             \
    NET_VECTOR(W, T, avx2, TPROC__TARGET_AVX2, __m256i, LOAD256, STORE256, _mm256_min_epu##BITS,   \
               _mm256_max_epu##BITS)                                                               \
    NET_VECTOR(W, T, avx512, TPROC__TARGET_AVX512, __m512i, _mm512_loadu_si512,                    \
               _mm512_storeu_si512, _mm512_min_epu##BITS, _mm512_max_epu##BITS)
#else
#define NETS(W, T, BITS) NET_PORTABLE(W, T)
#endif

NETS(5, uint8_t, 8)
NETS(5, uint16_t, 16)
NETS(5, uint32_t, 32)
NETS(7, uint8_t, 8)
NETS(7, uint16_t, 16)
NETS(7, uint32_t, 32)

/* The network of radius 2 or 3 over a row of windows of keys of ks bytes. */
static void select_row(const tproc__median *m, size_t ks, void *out, void *const *cols, size_t ch,
                       size_t n)
{
    tproc__simd v = m->simd;
    if (m->radius == 2) {
        if (ks == 1)
            TPROC__SIMD_PICK(v, net5_uint8_t)(out, cols, ch, n);
        else if (ks == 2)
            TPROC__SIMD_PICK(v, net5_uint16_t)(out, cols, ch, n);
        else
            TPROC__SIMD_PICK(v, net5_uint32_t)(out, cols, ch, n);
    } else {
        if (ks == 1)
            TPROC__SIMD_PICK(v, net7_uint8_t)(out, cols, ch, n);
        else if (ks == 2)
            TPROC__SIMD_PICK(v, net7_uint16_t)(out, cols, ch, n);
        else
            TPROC__SIMD_PICK(v, net7_uint32_t)(out, cols, ch, n);
    }
}

/* --- the tile ------------------------------------------------------------------------------- */

/* Scratch: the 2r+1 window rows as keys (sorted in place), lo/mid/hi for radius 1, a row of
 * output keys (f32) and a packed output row. */
typedef struct layout {
    size_t rows[7], lmh[3], keys, stage, total;
} layout;

static layout get_layout(const tproc__median *m, tproc_sample s, int channels, ptrdiff_t in_w,
                         ptrdiff_t out_w)
{
    size_t ch = (size_t)channels, ks = s == TPROC_F32 ? 4 : tproc_sample_size(s), n_in, n_out;
    layout l = {0};
    if (tproc__mul((size_t)(in_w > 0 ? in_w : 0), ch, &n_in) ||
        tproc__mul((size_t)(out_w > 0 ? out_w : 0), ch, &n_out)) {
        l.total = SIZE_MAX;
        return l;
    }
    for (int k = 0; k < 2 * m->radius + 1; k++)
        l.rows[k] = tproc__carve(&l.total, n_in + SLACK / ks, ks);
    if (m->radius == 1)
        for (int k = 0; k < 3; k++)
            l.lmh[k] = tproc__carve(&l.total, n_in, ks);
    l.keys = tproc__carve(&l.total, n_out, ks);
    l.stage = tproc__carve(&l.total, n_out, tproc_sample_size(s));
    return l;
}

size_t tproc__median_scratch(const tproc__median *m, tproc_sample sample, int channels,
                             ptrdiff_t in_w, ptrdiff_t out_w)
{
    return get_layout(m, sample, channels, in_w, out_w).total;
}

/* Dispatch on the key type: KEYS(name, args) calls name_<type>, built for m->simd. */
#define KEYS(name, T, ...) TPROC__SIMD_PICK(m->simd, name##_##T)(__VA_ARGS__)
#define BY_TYPE(ks, name, ...)                                                                     \
    do {                                                                                           \
        if ((ks) == 1)                                                                             \
            KEYS(name, uint8_t, __VA_ARGS__);                                                      \
        else if ((ks) == 2)                                                                        \
            KEYS(name, uint16_t, __VA_ARGS__);                                                     \
        else                                                                                       \
            KEYS(name, uint32_t, __VA_ARGS__);                                                     \
    } while (0)

/* Sorts the window rows column by column into rows. The first layer of the network reads the
 * source rows (often the input itself) and writes rows, which saves copying them. */
static void sort_columns(const tproc__median *m, size_t ks, void *const *rows,
                         const void *const *src, size_t n)
{
    const uint8_t(*net)[2] = m->radius == 2 ? tproc__median_sort5 : tproc__median_sort7;
    int count = m->radius == 2 ? 9 : 16, first = m->radius == 2 ? 2 : 3;
    int idle = m->radius == 2 ? 2 : 1; /* the row the first layer leaves alone */
    for (int i = 0; i < count; i++) {
        void *a = rows[net[i][0]], *b = rows[net[i][1]];
        if (i < first && src[net[i][0]] != a)
            BY_TYPE(ks, cas2, a, b, src[net[i][0]], src[net[i][1]], n);
        else
            BY_TYPE(ks, cas, a, b, n);
        if (i + 1 == first && src[idle] != rows[idle])
            memcpy(rows[idle], src[idle], n * ks);
    }
}

void tproc__median_process(const tproc__median *m, const tproc_call *call)
{
    const tproc_view *in = &call->in, *out = &call->out;
    const int r = m->radius, w = 2 * r + 1;
    const ptrdiff_t ox = call->out_rect.x - call->in_rect.x;
    const ptrdiff_t oy = call->out_rect.y - call->in_rect.y;
    const ptrdiff_t span = out->width + 2 * r;
    const size_t ch = (size_t)in->channels, n_in = (size_t)span * ch;
    const size_t n_out = (size_t)out->width * ch;
    const int f32 = in->sample == TPROC_F32;
    const size_t ks = f32 ? 4 : tproc_sample_size(in->sample);
    layout l = get_layout(m, in->sample, in->channels, in->width, out->width);
    unsigned char *s = call->scratch;
    void *rows[7];
    for (int k = 0; k < w; k++)
        rows[k] = s + l.rows[k];
    for (int k = 0; k < w; k++) /* the slack a last vector block reads */
        memset((unsigned char *)rows[k] + n_in * ks, 0, SLACK);
    for (ptrdiff_t y = 0; y < out->height; y++) {
        /* The window rows: in the input, or copied (gapped pixels) or as keys (f32) in rows. */
        const void *src[7];
        for (int k = 0; k < w; k++) {
            src[k] = tproc__row_in(in, ox - r, oy + y - r + k, span, rows[k]);
            if (f32) {
                TPROC__SIMD_PICK(m->simd, to_keys)(rows[k], src[k], n_in);
                src[k] = rows[k];
            }
        }
        unsigned char *dst = tproc__row_out(out, y, s + l.stage);
        void *keys = f32 ? (void *)(s + l.keys) : (void *)dst;
        if (r == 1) {
            void *lo = s + l.lmh[0], *mid = s + l.lmh[1], *hi = s + l.lmh[2];
            BY_TYPE(ks, sort3, lo, mid, hi, src[0], src[1], src[2], n_in);
            BY_TYPE(ks, med9, keys, lo, mid, hi, ch, n_out);
        } else {
            sort_columns(m, ks, rows, src, n_in);
            select_row(m, ks, keys, rows, ch, n_out);
        }
        if (f32)
            TPROC__SIMD_PICK(m->simd, from_keys)((uint32_t *)(void *)dst, keys, n_out);
        tproc__row_flush(out, y, s + l.stage);
        if (tproc__has_alpha(in->channels))
            tproc__copy_alpha(in, ox, oy + y, out, y);
    }
}
