/* SPDX-License-Identifier: MIT */
/*
 * test_convert.c: tproc_view_copy, tproc_view_fill, tproc_view_compare and
 * tproc_image_from_view against naive per-pixel references written here from the formulas in
 * view.h. Views are random compositions (sub, flips, transposes, rotations, steps, channel
 * selections) of padded buffers, so every stride pattern is exercised; bytes outside the
 * destination view are checked to be untouched.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

static const tproc_sample all_samples[3] = {TPROC_U8, TPROC_U16, TPROC_F32};

static ptrdiff_t ssize(tproc_sample s)
{
    return s == TPROC_U8 ? 1 : s == TPROC_U16 ? 2 : 4;
}

static double smax(tproc_sample s)
{
    return s == TPROC_U8 ? 255.0 : s == TPROC_U16 ? 65535.0 : 1.0;
}

static double get_s(const unsigned char *p, tproc_sample s, int c)
{
    if (s == TPROC_U8)
        return p[c];
    if (s == TPROC_U16) {
        uint16_t v;
        memcpy(&v, p + 2 * c, 2);
        return v;
    }
    float f;
    memcpy(&f, p + 4 * c, 4);
    return f;
}

/* Stores a value that is already valid for the type. */
static void put_s(unsigned char *p, tproc_sample s, int c, double v)
{
    if (s == TPROC_U8) {
        p[c] = (unsigned char)v;
    } else if (s == TPROC_U16) {
        uint16_t u = (uint16_t)v;
        memcpy(p + 2 * c, &u, 2);
    } else {
        float f = (float)v;
        memcpy(p + 4 * c, &f, 4);
    }
}

static double random_value(tu_rng *rng, tproc_sample s)
{
    uint64_t r = tu_rng_next(rng);
    if (r % 16 == 0)
        return (r >> 4) % 2 ? smax(s) : 0.0;
    if (s == TPROC_F32)
        return (double)(r >> 40) / (double)(1u << 24);
    return (double)((r >> 8) % (uint64_t)(smax(s) + 1));
}

/* --- Random views over padded buffers ------------------------------------------------------ */

typedef struct vbuf {
    unsigned char *buf;
    size_t size;
    tproc_view view;
    char desc[160];
} vbuf;

enum { T_FLIP_H, T_FLIP_V, T_TRANSPOSE, T_ROT90, T_ROT180, T_ROT270, T_STEP, T_KINDS };

/* A w x h view with the given format, reached through random transforms of a larger buffer
 * filled with random valid samples. */
static void make_view(vbuf *vb, tu_rng *rng, ptrdiff_t w, ptrdiff_t h, int channels,
                      tproc_sample sample, int plain)
{
    int kinds[3];
    ptrdiff_t steps[3][2];
    int nops = plain ? 0 : (int)tu_rng_range(rng, 0, 3);
    for (int k = 0; k < nops; k++) {
        kinds[k] = (int)tu_rng_range(rng, 0, T_KINDS - 1);
        steps[k][0] = tu_rng_range(rng, 1, 3);
        steps[k][1] = tu_rng_range(rng, 1, 3);
    }
    /* the size each stage needs, from the end back to the base */
    ptrdiff_t bw = w, bh = h;
    for (int k = nops - 1; k >= 0; k--) {
        if (kinds[k] == T_TRANSPOSE || kinds[k] == T_ROT90 || kinds[k] == T_ROT270) {
            ptrdiff_t t = bw;
            bw = bh;
            bh = t;
        } else if (kinds[k] == T_STEP) {
            bw = (bw - 1) * steps[k][0] + 1 + tu_rng_range(rng, 0, steps[k][0] - 1);
            bh = (bh - 1) * steps[k][1] + 1 + tu_rng_range(rng, 0, steps[k][1] - 1);
        }
    }
    int base_ch = plain ? channels : channels + (int)tu_rng_range(rng, 0, 4 - channels);
    int first = (int)tu_rng_range(rng, 0, base_ch - channels);
    ptrdiff_t mx = plain ? 0 : tu_rng_range(rng, 0, 3), my = plain ? 0 : tu_rng_range(rng, 0, 3);
    ptrdiff_t ox = tu_rng_range(rng, 0, mx), oy = tu_rng_range(rng, 0, my);
    ptrdiff_t ss = ssize(sample);
    ptrdiff_t ps = (base_ch + (plain ? 0 : tu_rng_range(rng, 0, 1))) * ss;
    ptrdiff_t rs = (bw + mx) * ps + (plain ? 0 : tu_rng_range(rng, 0, 5)) * ss;
    vb->size = (size_t)(rs * (bh + my));
    vb->buf = malloc(vb->size);
    ck_assert_ptr_nonnull(vb->buf);
    for (size_t i = 0; i < vb->size / (size_t)ss; i++)
        put_s(vb->buf, sample, (int)i, random_value(rng, sample));
    tproc_view v, t;
    ck_assert_int_eq(tproc_view_init(&v, vb->buf, bw + mx, bh + my, base_ch, sample, ps, rs),
                     TPROC_OK);
    ck_assert_int_eq(tproc_view_sub(&v, ox, oy, bw, bh, &t), TPROC_OK);
    v = t;
    int len = snprintf(vb->desc, sizeof vb->desc, "[%s %dch of %d, sub(%td,%td)",
                       tproc_sample_name(sample), channels, base_ch, ox, oy);
    for (int k = 0; k < nops; k++) {
        int st = TPROC_OK;
        switch (kinds[k]) {
        case T_FLIP_H:
            st = tproc_view_flip_h(&v, &t);
            break;
        case T_FLIP_V:
            st = tproc_view_flip_v(&v, &t);
            break;
        case T_TRANSPOSE:
            st = tproc_view_transpose(&v, &t);
            break;
        case T_ROT90:
            st = tproc_view_rotate(&v, 90, &t);
            break;
        case T_ROT180:
            st = tproc_view_rotate(&v, 180, &t);
            break;
        case T_ROT270:
            st = tproc_view_rotate(&v, 270, &t);
            break;
        default:
            st = tproc_view_step(&v, steps[k][0], steps[k][1], &t);
            break;
        }
        ck_assert_int_eq(st, TPROC_OK);
        v = t;
        static const char *names[] = {"flip_h", "flip_v", "transpose", "rot90",
                                      "rot180", "rot270", "step"};
        len += snprintf(vb->desc + len, sizeof vb->desc - (size_t)len, " %s", names[kinds[k]]);
    }
    ck_assert_int_eq(tproc_view_channels(&v, first, channels, &t), TPROC_OK);
    v = t;
    snprintf(vb->desc + len, sizeof vb->desc - (size_t)len, " ch+%d]", first);
    ck_assert_int_eq(v.width, w);
    ck_assert_int_eq(v.height, h);
    vb->view = v;
}

static void vbuf_free(vbuf *vb)
{
    free(vb->buf);
    vb->buf = NULL;
}

/* 1 for every byte of buf that a sample of view covers. */
static unsigned char *view_mask(const tproc_view *v, const unsigned char *buf, size_t size)
{
    unsigned char *mask = calloc(size, 1);
    ck_assert_ptr_nonnull(mask);
    ptrdiff_t ss = ssize(v->sample);
    for (ptrdiff_t y = 0; y < v->height; y++)
        for (ptrdiff_t x = 0; x < v->width; x++) {
            ptrdiff_t off = tproc_view_pixel(v, x, y) - buf;
            ck_assert(off >= 0 && (size_t)(off + v->channels * ss) <= size);
            memset(mask + off, 1, (size_t)(v->channels * ss));
        }
    return mask;
}

/* Bytes outside the view are as in the snapshot. */
static void check_untouched(const tproc_view *v, const unsigned char *buf,
                            const unsigned char *before, size_t size, const char *what)
{
    unsigned char *mask = view_mask(v, buf, size);
    for (size_t i = 0; i < size; i++)
        CHECK(mask[i] || buf[i] == before[i], "%s: byte %zu outside the view was written", what, i);
    free(mask);
}

/* --- The naive conversion ------------------------------------------------------------------ */

typedef struct range {
    double lo, hi;
} range;

static range exact(double v)
{
    range r = {v, v};
    return r;
}

static range around(double v, double tol)
{
    range r = {v - tol, v + tol};
    return r;
}

/* One sample from type s to type d, by view.h's formulas. */
static range conv_sample(double v, tproc_sample s, tproc_sample d)
{
    if (s == d)
        return exact(v);
    if (d == TPROC_F32)
        return around(v / smax(s), 1e-6);
    if (s == TPROC_F32) {
        double c = v < 0 ? 0 : v > 1 ? 1 : v;
        return exact(floor(c * smax(d) + 0.5));
    }
    if (s == TPROC_U8)
        return exact(v * 257.0);
    return exact(floor(v / 257.0 + 0.5));
}

/* Rec. 601 luma of an RGB pixel, in type d. */
static range luma(const double rgb[3], tproc_sample s, tproc_sample d)
{
    double l = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
    if (s == d) {
        if (d == TPROC_F32)
            return around(l, 1e-6);
        double f = floor(l);
        if (fabs(l - f - 0.5) < 1e-6) {
            range r = {f, f + 1}; /* an exact tie: either rounding is fair */
            return r;
        }
        return exact(floor(l + 0.5));
    }
    /* Across types the header does not fix whether luma is rounded before or after the type
     * conversion: allow half a unit of either type. */
    double e = l / smax(s) * smax(d);
    double tol = s == TPROC_F32 ? 1e-6 * smax(d) : 0.5 * smax(d) / smax(s);
    range r;
    if (d == TPROC_F32) {
        r = around(e, tol + 1e-6);
    } else {
        r.lo = ceil(e - 0.5 - tol - 1e-9);
        r.hi = floor(e + 0.5 + tol + 1e-9);
        if (r.lo < 0)
            r.lo = 0;
        if (r.hi > smax(d))
            r.hi = smax(d);
    }
    return r;
}

/* What each channel of a dst pixel should hold. */
static void expect_pixel(const unsigned char *sp, tproc_sample s, int sc, tproc_sample d, int dc,
                         range out[4])
{
    double v[4];
    for (int c = 0; c < sc; c++)
        v[c] = get_s(sp, s, c);
    int s_color = sc >= 3 ? 3 : 1, d_color = dc >= 3 ? 3 : 1;
    int s_alpha = sc == 2 || sc == 4, d_alpha = dc == 2 || dc == 4;
    if (s_color == d_color) {
        for (int c = 0; c < d_color; c++)
            out[c] = conv_sample(v[c], s, d);
    } else if (s_color == 1) {
        for (int c = 0; c < 3; c++)
            out[c] = conv_sample(v[0], s, d);
    } else {
        out[0] = luma(v, s, d);
    }
    if (d_alpha)
        out[dc - 1] = s_alpha ? conv_sample(v[sc - 1], s, d) : exact(smax(d));
}

/* Every dst pixel lies in the range the naive conversion of src allows. */
static void check_converted(const tproc_view *src, const tproc_view *dst, const char *what)
{
    range r[4];
    for (ptrdiff_t y = 0; y < dst->height; y++)
        for (ptrdiff_t x = 0; x < dst->width; x++) {
            expect_pixel(tproc_view_pixel(src, x, y), src->sample, src->channels, dst->sample,
                         dst->channels, r);
            for (int c = 0; c < dst->channels; c++) {
                double got = get_s(tproc_view_pixel(dst, x, y), dst->sample, c);
                CHECK(got >= r[c].lo && got <= r[c].hi,
                      "%s: pixel (%td, %td) channel %d is %.9g, expected [%.9g, %.9g]; src %s %d "
                      "ch: %.9g %.9g %.9g %.9g",
                      what, x, y, c, got, r[c].lo, r[c].hi, tproc_sample_name(src->sample),
                      src->channels, get_s(tproc_view_pixel(src, x, y), src->sample, 0),
                      src->channels > 1 ? get_s(tproc_view_pixel(src, x, y), src->sample, 1) : 0,
                      src->channels > 2 ? get_s(tproc_view_pixel(src, x, y), src->sample, 2) : 0,
                      src->channels > 3 ? get_s(tproc_view_pixel(src, x, y), src->sample, 3) : 0);
            }
        }
}

/* --- Copy ---------------------------------------------------------------------------------- */

/* Runs one copy between two fresh random views and checks it. */
static void copy_trial(uint64_t seed, tproc_sample s, int sc, tproc_sample d, int dc, int plain)
{
    tu_rng rng;
    tu_rng_seed(&rng, seed);
    ptrdiff_t w = tu_rng_range(&rng, 1, 19), h = tu_rng_range(&rng, 1, 19);
    vbuf a, b;
    make_view(&a, &rng, w, h, sc, s, plain);
    make_view(&b, &rng, w, h, dc, d, plain);
    unsigned char *before = malloc(b.size);
    unsigned char *src_before = malloc(a.size);
    memcpy(before, b.buf, b.size);
    memcpy(src_before, a.buf, a.size);
    char what[400];
    snprintf(what, sizeof what, "seed %llu %tdx%td %s -> %s", (unsigned long long)seed, w, h,
             a.desc, b.desc);
    int st = tproc_view_copy(NULL, &a.view, &b.view);
    ck_assert_msg(st == TPROC_OK, "%s: %s (%s)", what, tproc_status_name(st),
                  tproc_ctx_message(NULL));
    check_converted(&a.view, &b.view, what);
    check_untouched(&b.view, b.buf, before, b.size, what);
    ck_assert_msg(memcmp(a.buf, src_before, a.size) == 0, "%s: the source changed", what);
    free(before);
    free(src_before);
    vbuf_free(&a);
    vbuf_free(&b);
}

/* Same format: a plain copy of every pixel, through every stride pattern. */
START_TEST(copy_same_format)
{
    tproc_sample s = all_samples[_i % 3];
    int ch = 1 + _i / 3;
    for (int k = 0; k < 60; k++)
        copy_trial((uint64_t)(_i * 1000 + k), s, ch, s, ch, 0);
}
END_TEST

/* Every sample type pair, same channels. */
START_TEST(copy_sample_types)
{
    tproc_sample s = all_samples[_i / 3], d = all_samples[_i % 3];
    for (int k = 0; k < 40; k++) {
        int ch = 1 + k % 4;
        copy_trial((uint64_t)(50000 + _i * 1000 + k), s, ch, d, ch, k % 5 == 0);
    }
}
END_TEST

/* Every channel pair, same sample type. */
START_TEST(copy_channels)
{
    int sc = 1 + _i / 4, dc = 1 + _i % 4;
    for (int k = 0; k < 30; k++) {
        tproc_sample s = all_samples[k % 3];
        copy_trial((uint64_t)(90000 + _i * 1000 + k), s, sc, s, dc, k % 7 == 0);
    }
}
END_TEST

/* Channel and type conversions at once. */
START_TEST(copy_mixed)
{
    tu_rng rng;
    tu_rng_seed(&rng, 31337);
    for (int k = 0; k < 150; k++) {
        tproc_sample s = all_samples[tu_rng_range(&rng, 0, 2)];
        tproc_sample d = all_samples[tu_rng_range(&rng, 0, 2)];
        int sc = (int)tu_rng_range(&rng, 1, 4), dc = (int)tu_rng_range(&rng, 1, 4);
        copy_trial((uint64_t)(200000 + k), s, sc, d, dc, 0);
    }
}
END_TEST

/* f32 sources outside [0, 1] clamp; values near a rounding boundary round to nearest. */
START_TEST(copy_f32_clamp_and_round)
{
    float in[] = {-1.0f,
                  -0.001f,
                  -0.0f,
                  0.0f,
                  1.0f,
                  1.001f,
                  2.0f,
                  1e30f,
                  -1e30f,
                  INFINITY,
                  -INFINITY,
                  0.5f,
                  0.25f,
                  0.75f,
                  1.0f / 255.0f,
                  0.5f / 255.0f,
                  1.5f / 255.0f,
                  254.5f / 255.0f,
                  0.5f / 65535.0f,
                  1.5f / 65535.0f,
                  65534.5f / 65535.0f};
    enum { N = sizeof in / sizeof in[0] };
    /* nudge the half-way values up and down by a few ulps */
    float vals[3 * N];
    for (int i = 0; i < N; i++) {
        vals[3 * i] = in[i];
        vals[3 * i + 1] = nextafterf(nextafterf(in[i], INFINITY), INFINITY);
        vals[3 * i + 2] = nextafterf(nextafterf(in[i], -INFINITY), -INFINITY);
    }
    tproc_view src, dst;
    ck_assert_int_eq(tproc_view_init(&src, vals, 3 * N, 1, 1, TPROC_F32, 0, 0), TPROC_OK);
    unsigned char out8[3 * N];
    uint16_t out16[3 * N];
    ck_assert_int_eq(tproc_view_init(&dst, out8, 3 * N, 1, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_copy(NULL, &src, &dst), TPROC_OK);
    check_converted(&src, &dst, "f32 -> u8");
    ck_assert_int_eq(out8[0], 0);
    ck_assert_int_eq(out8[12], 255);
    ck_assert_int_eq(out8[27], 255); /* +inf */
    ck_assert_int_eq(out8[30], 0);   /* -inf */
    ck_assert_int_eq(out8[33], 128); /* 0.5 * 255 = 127.5 rounds half up */
    ck_assert_int_eq(tproc_view_init(&dst, out16, 3 * N, 1, 1, TPROC_U16, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_copy(NULL, &src, &dst), TPROC_OK);
    check_converted(&src, &dst, "f32 -> u16");
    ck_assert_int_eq(out16[12], 65535);
    ck_assert_int_eq(out16[33], 32768); /* 32767.5 rounds half up */
}
END_TEST

/* Every u8 and u16 value through the integer conversions and back. */
START_TEST(copy_exhaustive_integers)
{
    static uint16_t all16[65536];
    static unsigned char to8[65536];
    static uint16_t back16[65536];
    for (int i = 0; i < 65536; i++)
        all16[i] = (uint16_t)i;
    tproc_view a, b, c;
    ck_assert_int_eq(tproc_view_init(&a, all16, 256, 256, 1, TPROC_U16, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&b, to8, 256, 256, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&c, back16, 256, 256, 1, TPROC_U16, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_copy(NULL, &a, &b), TPROC_OK);
    check_converted(&a, &b, "u16 -> u8 all values");
    ck_assert_int_eq(tproc_view_copy(NULL, &b, &c), TPROC_OK);
    check_converted(&b, &c, "u8 -> u16");
    /* the u8 rounding boundaries: v / 257 crosses k + 0.5 between 257k + 128 and 257k + 129 */
    for (int k = 0; k < 255; k++) {
        ck_assert_int_eq(to8[257 * k + 128], k);
        ck_assert_int_eq(to8[257 * k + 129], k + 1);
    }
    /* u8 -> u16 -> u8 is the identity */
    unsigned char all8[256], round8[256];
    uint16_t mid[256];
    for (int i = 0; i < 256; i++)
        all8[i] = (unsigned char)i;
    ck_assert_int_eq(tproc_view_init(&a, all8, 16, 16, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&b, mid, 16, 16, 1, TPROC_U16, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&c, round8, 16, 16, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_copy(NULL, &a, &b), TPROC_OK);
    ck_assert_int_eq(tproc_view_copy(NULL, &b, &c), TPROC_OK);
    ck_assert_mem_eq(all8, round8, 256);
    /* and through f32 */
    float f[256];
    ck_assert_int_eq(tproc_view_init(&b, f, 16, 16, 1, TPROC_F32, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_copy(NULL, &a, &b), TPROC_OK);
    check_converted(&a, &b, "u8 -> f32");
    ck_assert_int_eq(tproc_view_copy(NULL, &b, &c), TPROC_OK);
    ck_assert_mem_eq(all8, round8, 256);
}
END_TEST

START_TEST(copy_refusals)
{
    unsigned char a[64], b[64];
    memset(b, 7, sizeof b);
    tproc_view va, vb;
    ck_assert_int_eq(tproc_view_init(&va, a, 4, 4, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&vb, b, 4, 3, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_ne(tproc_view_copy(NULL, &va, &vb), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&vb, b, 3, 4, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_ne(tproc_view_copy(NULL, &va, &vb), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&vb, b, 4, 4, 1, TPROC_U8, 0, 0), TPROC_OK);
    tproc_view bad = vb;
    bad.channels = 5;
    ck_assert_int_ne(tproc_view_copy(NULL, &va, &bad), TPROC_OK);
    bad = va;
    bad.sample = (tproc_sample)9;
    ck_assert_int_ne(tproc_view_copy(NULL, &bad, &vb), TPROC_OK);
    for (size_t i = 0; i < sizeof b; i++)
        ck_assert_int_eq(b[i], 7);
    /* a read-only destination is refused and not written */
    memset(a, 1, sizeof a);
    vb.flags = TPROC_VIEW_READONLY;
    ck_assert_int_eq(tproc_view_copy(NULL, &va, &vb), TPROC_ERR_READONLY);
    double one = 9;
    ck_assert_int_eq(tproc_view_fill(&vb, &one), TPROC_ERR_READONLY);
    for (size_t i = 0; i < sizeof b; i++)
        ck_assert_int_eq(b[i], 7);
    /* a read-only source is fine */
    va.flags = TPROC_VIEW_READONLY;
    vb.flags = 0;
    ck_assert_int_eq(tproc_view_copy(NULL, &va, &vb), TPROC_OK);
    for (size_t i = 0; i < 16; i++)
        ck_assert_int_eq(b[i], 1);
}
END_TEST

/* --- Overlapping copies -------------------------------------------------------------------- */

/* Copies src to dst (both into buf) and compares with a conversion from a snapshot of buf. */
static void overlap_case(unsigned char *buf, size_t size, const tproc_view *src,
                         const tproc_view *dst, const char *what)
{
    unsigned char *snap = malloc(size);
    memcpy(snap, buf, size);
    tproc_view ssrc = *src;
    ssrc.data = snap + (src->data - buf);
    int st = tproc_view_copy(NULL, src, dst);
    ck_assert_msg(st == TPROC_OK, "%s: %s", what, tproc_status_name(st));
    check_converted(&ssrc, dst, what);
    check_untouched(dst, buf, snap, size, what);
    free(snap);
}

static void fill_random(unsigned char *buf, size_t size, tproc_sample s, tu_rng *rng)
{
    for (size_t i = 0; i < size / (size_t)ssize(s); i++)
        put_s(buf, s, (int)i, random_value(rng, s));
}

START_TEST(copy_overlap_same_format)
{
    tproc_sample s = all_samples[_i % 3];
    int ch = 1 + _i / 3;
    tu_rng rng;
    tu_rng_seed(&rng, (uint64_t)_i + 7);
    const ptrdiff_t W = 11, H = 9;
    size_t size = (size_t)(W * H * ch * ssize(s));
    unsigned char *buf = malloc(size);
    tproc_view whole, a, b;
    ck_assert_int_eq(tproc_view_init(&whole, buf, W, H, ch, s, 0, 0), TPROC_OK);
    static const ptrdiff_t shifts[][2] = {{1, 0},   {-1, 0}, {0, 1},  {0, -1}, {1, 1},
                                          {-1, -1}, {2, -1}, {-3, 2}, {0, 0}};
    char what[96];
    for (size_t k = 0; k < sizeof shifts / sizeof shifts[0]; k++) {
        ptrdiff_t dx = shifts[k][0], dy = shifts[k][1];
        ptrdiff_t w = W - (dx < 0 ? -dx : dx), h = H - (dy < 0 ? -dy : dy);
        fill_random(buf, size, s, &rng);
        ck_assert_int_eq(tproc_view_sub(&whole, dx < 0 ? -dx : 0, dy < 0 ? -dy : 0, w, h, &a),
                         TPROC_OK);
        ck_assert_int_eq(tproc_view_sub(&whole, dx > 0 ? dx : 0, dy > 0 ? dy : 0, w, h, &b),
                         TPROC_OK);
        snprintf(what, sizeof what, "%s %dch shifted by (%td, %td)", tproc_sample_name(s), ch, dx,
                 dy);
        overlap_case(buf, size, &a, &b, what);
    }
    /* src is a mirror or rotation of dst */
    for (int k = 0; k < 6; k++) {
        fill_random(buf, size, s, &rng);
        tproc_view sq;
        ck_assert_int_eq(tproc_view_sub(&whole, 1, 0, H, H, &sq), TPROC_OK);
        switch (k) {
        case 0:
            ck_assert_int_eq(tproc_view_flip_h(&whole, &a), TPROC_OK);
            b = whole;
            break;
        case 1:
            ck_assert_int_eq(tproc_view_flip_v(&whole, &a), TPROC_OK);
            b = whole;
            break;
        case 2:
            ck_assert_int_eq(tproc_view_rotate(&whole, 180, &a), TPROC_OK);
            b = whole;
            break;
        case 3:
            ck_assert_int_eq(tproc_view_transpose(&sq, &a), TPROC_OK);
            b = sq;
            break;
        case 4:
            ck_assert_int_eq(tproc_view_rotate(&sq, 90, &a), TPROC_OK);
            b = sq;
            break;
        default:
            a = whole;
            b = whole;
            break;
        }
        snprintf(what, sizeof what, "%s %dch transform %d onto itself", tproc_sample_name(s), ch,
                 k);
        overlap_case(buf, size, &a, &b, what);
    }
    free(buf);
}
END_TEST

/* Overlap with a format change: the destination's samples are wider or narrower. */
START_TEST(copy_overlap_converting)
{
    tu_rng rng;
    tu_rng_seed(&rng, 99);
    const ptrdiff_t W = 9, H = 7;
    size_t size = (size_t)(W * H * 4 * 4 * 2);
    unsigned char *buf = malloc(size);
    char what[96];
    for (int si = 0; si < 3; si++)
        for (int di = 0; di < 3; di++)
            for (int sc = 1; sc <= 4; sc += 1)
                for (int dc = 1; dc <= 4; dc += 3) {
                    tproc_sample s = all_samples[si], d = all_samples[di];
                    ptrdiff_t sps = sc * ssize(s), dps = dc * ssize(d);
                    /* rows 16-byte aligned so f32 samples stay aligned */
                    ptrdiff_t rs = (W * (sps > dps ? sps : dps) + 15) / 16 * 16;
                    for (int off = 0; off < 2; off++) {
                        fill_random(buf, size, TPROC_U8, &rng);
                        /* f32 sources need valid floats: fill their samples */
                        tproc_view a, b;
                        unsigned char *sdata = buf + (off ? rs : 0);
                        ck_assert_int_eq(tproc_view_init(&a, sdata, W, H, sc, s, sps, rs),
                                         TPROC_OK);
                        for (ptrdiff_t y = 0; y < H; y++)
                            for (ptrdiff_t x = 0; x < W; x++)
                                for (int c = 0; c < sc; c++)
                                    put_s(tproc_view_pixel(&a, x, y), s, c, random_value(&rng, s));
                        unsigned char *ddata = buf + (off ? 0 : rs / 2 / 4 * 4);
                        ck_assert_int_eq(tproc_view_init(&b, ddata, W, H, dc, d, dps, rs),
                                         TPROC_OK);
                        snprintf(what, sizeof what, "%s %dch -> %s %dch overlapping (%d)",
                                 tproc_sample_name(s), sc, tproc_sample_name(d), dc, off);
                        overlap_case(buf, size, &a, &b, what);
                    }
                }
    free(buf);
}
END_TEST

/* --- Fill ---------------------------------------------------------------------------------- */

START_TEST(fill_values)
{
    tu_rng rng;
    tu_rng_seed(&rng, (uint64_t)_i + 500);
    tproc_sample s = all_samples[_i % 3];
    for (int k = 0; k < 40; k++) {
        int ch = (int)tu_rng_range(&rng, 1, 4);
        ptrdiff_t w = tu_rng_range(&rng, 1, 15), h = tu_rng_range(&rng, 1, 15);
        vbuf vb;
        make_view(&vb, &rng, w, h, ch, s, 0);
        static const double fracs[] = {0, 0.25, 0.4, 0.6, 0.75};
        double value[4];
        for (int c = 0; c < 4; c++) {
            if (s == TPROC_F32)
                value[c] = (double)tu_rng_range(&rng, -400, 1400) / 1000.0;
            else
                value[c] = (double)tu_rng_range(&rng, -20, (ptrdiff_t)smax(s) + 20) +
                           fracs[tu_rng_range(&rng, 0, 4)];
        }
        unsigned char *before = malloc(vb.size);
        memcpy(before, vb.buf, vb.size);
        char what[300];
        snprintf(what, sizeof what, "iteration %d %tdx%td %s values %g %g %g %g", k, w, h, vb.desc,
                 value[0], value[1], value[2], value[3]);
        ck_assert_msg(tproc_view_fill(&vb.view, value) == TPROC_OK, "%s", what);
        for (int c = 0; c < ch; c++) {
            double e;
            if (s == TPROC_F32)
                e = (double)(float)value[c];
            else
                e = value[c] < 0 ? 0 : value[c] > smax(s) ? smax(s) : floor(value[c] + 0.5);
            for (ptrdiff_t y = 0; y < h; y++)
                for (ptrdiff_t x = 0; x < w; x++) {
                    double got = get_s(tproc_view_pixel(&vb.view, x, y), s, c);
                    CHECK(got == e, "%s: pixel (%td, %td) channel %d is %.9g, expected %.9g", what,
                          x, y, c, got, e);
                }
        }
        check_untouched(&vb.view, vb.buf, before, vb.size, what);
        free(before);
        vbuf_free(&vb);
    }
}
END_TEST

/* --- Compare ------------------------------------------------------------------------------- */

typedef struct naive_diff {
    double max_abs, mean_abs, psnr;
    size_t differing;
} naive_diff;

static naive_diff naive_compare(const tproc_view *a, const tproc_view *b)
{
    naive_diff d = {0, 0, 0, 0};
    double sum = 0, sq = 0;
    size_t n = 0;
    for (ptrdiff_t y = 0; y < a->height; y++)
        for (ptrdiff_t x = 0; x < a->width; x++)
            for (int c = 0; c < a->channels; c++) {
                double va = get_s(tproc_view_pixel(a, x, y), a->sample, c);
                double vb = get_s(tproc_view_pixel(b, x, y), b->sample, c);
                double e = fabs(va - vb);
                if (e > d.max_abs)
                    d.max_abs = e;
                if (va != vb)
                    d.differing++;
                sum += e;
                sq += e * e;
                n++;
            }
    d.mean_abs = sum / (double)n;
    double mse = sq / (double)n;
    d.psnr = mse == 0 ? INFINITY : 10.0 * log10(smax(a->sample) * smax(a->sample) / mse);
    return d;
}

static int close_to(double got, double want)
{
    if (isinf(want))
        return isinf(got) && got > 0;
    return fabs(got - want) <= 1e-9 * fabs(want) + 1e-12;
}

START_TEST(compare_values)
{
    tu_rng rng;
    tu_rng_seed(&rng, (uint64_t)_i + 900);
    tproc_sample s = all_samples[_i % 3];
    for (int k = 0; k < 40; k++) {
        int ch = (int)tu_rng_range(&rng, 1, 4);
        ptrdiff_t w = tu_rng_range(&rng, 1, 15), h = tu_rng_range(&rng, 1, 15);
        vbuf a, b;
        make_view(&a, &rng, w, h, ch, s, 0);
        make_view(&b, &rng, w, h, ch, s, 0);
        /* b = a, then perturb some samples (none at all in some iterations) */
        for (ptrdiff_t y = 0; y < h; y++)
            for (ptrdiff_t x = 0; x < w; x++)
                for (int c = 0; c < ch; c++) {
                    double v = get_s(tproc_view_pixel(&a.view, x, y), s, c);
                    if (k % 4 != 0 && tu_rng_range(&rng, 0, 3) == 0)
                        v = random_value(&rng, s);
                    put_s(tproc_view_pixel(&b.view, x, y), s, c, v);
                }
        naive_diff want = naive_compare(&a.view, &b.view);
        tproc_diff got;
        char what[400];
        snprintf(what, sizeof what, "iteration %d %tdx%td %s vs %s", k, w, h, a.desc, b.desc);
        ck_assert_msg(tproc_view_compare(&a.view, &b.view, &got) == TPROC_OK, "%s", what);
        ck_assert_msg(close_to(got.max_abs, want.max_abs), "%s: max_abs %.17g, want %.17g", what,
                      got.max_abs, want.max_abs);
        ck_assert_msg(close_to(got.mean_abs, want.mean_abs), "%s: mean_abs %.17g, want %.17g", what,
                      got.mean_abs, want.mean_abs);
        ck_assert_msg(got.differing == want.differing, "%s: differing %zu, want %zu", what,
                      got.differing, want.differing);
        ck_assert_msg(close_to(got.psnr, want.psnr), "%s: psnr %.17g, want %.17g", what, got.psnr,
                      want.psnr);
        if (k % 4 == 0)
            ck_assert(isinf(got.psnr) && got.differing == 0 && got.max_abs == 0);
        vbuf_free(&a);
        vbuf_free(&b);
    }
}
END_TEST

START_TEST(compare_known_and_refusals)
{
    unsigned char a[4] = {0, 10, 20, 255}, b[4] = {0, 13, 20, 0};
    tproc_view va, vb;
    tproc_diff d;
    ck_assert_int_eq(tproc_view_init(&va, a, 2, 2, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&vb, b, 2, 2, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_compare(&va, &vb, &d), TPROC_OK);
    ck_assert_double_eq(d.max_abs, 255);
    ck_assert_double_eq_tol(d.mean_abs, 258.0 / 4, 1e-12);
    ck_assert_uint_eq(d.differing, 2);
    ck_assert_double_eq_tol(d.psnr, 10 * log10(255.0 * 255.0 / ((9.0 + 65025.0) / 4)), 1e-9);
    ck_assert_int_eq(tproc_view_compare(&va, &va, &d), TPROC_OK);
    ck_assert_double_infinite(d.psnr);
    ck_assert_double_eq(d.max_abs, 0);

    /* a mirrored pair compares equal through their different strides */
    unsigned char m[4] = {255, 20, 10, 0};
    tproc_view vm, vr;
    ck_assert_int_eq(tproc_view_init(&vm, m, 4, 1, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&va, a, 4, 1, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_flip_h(&vm, &vr), TPROC_OK);
    ck_assert_int_eq(tproc_view_compare(&va, &vr, &d), TPROC_OK);
    ck_assert_uint_eq(d.differing, 0);

    /* f32 psnr is against 1.0 */
    float fa[2] = {0.5f, 0.25f}, fb[2] = {0.5f, 0.75f};
    ck_assert_int_eq(tproc_view_init(&va, fa, 2, 1, 1, TPROC_F32, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&vb, fb, 2, 1, 1, TPROC_F32, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_compare(&va, &vb, &d), TPROC_OK);
    ck_assert_double_eq_tol(d.psnr, 10 * log10(1.0 / (0.25 / 2)), 1e-9);

    /* mismatches */
    uint16_t c16[16];
    unsigned char c8[16];
    ck_assert_int_eq(tproc_view_init(&va, c8, 2, 2, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&vb, c8, 2, 3, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_ne(tproc_view_compare(&va, &vb, &d), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&vb, c8, 3, 2, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_ne(tproc_view_compare(&va, &vb, &d), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&vb, c8, 2, 2, 2, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_ne(tproc_view_compare(&va, &vb, &d), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&vb, c16, 2, 2, 1, TPROC_U16, 0, 0), TPROC_OK);
    ck_assert_int_ne(tproc_view_compare(&va, &vb, &d), TPROC_OK);
}
END_TEST

/* --- tproc_image_from_view ----------------------------------------------------------------- */

START_TEST(image_from_view)
{
    tu_rng rng;
    tu_rng_seed(&rng, 2024);
    tproc_ctx *ctx = NULL;
    ck_assert_int_eq(tproc_ctx_new(NULL, &ctx), TPROC_OK);
    for (int k = 0; k < 60; k++) {
        int ch = (int)tu_rng_range(&rng, 1, 4);
        tproc_sample s = all_samples[tu_rng_range(&rng, 0, 2)];
        ptrdiff_t w = tu_rng_range(&rng, 1, 40), h = tu_rng_range(&rng, 1, 20);
        vbuf vb;
        make_view(&vb, &rng, w, h, ch, s, 0);
        tproc_image *img = NULL;
        tu_ok(ctx, tproc_image_from_view(ctx, &vb.view, &img));
        tproc_view iv = tproc_image_view(img);
        ck_assert_int_eq(iv.width, w);
        ck_assert_int_eq(iv.height, h);
        ck_assert_int_eq(iv.channels, ch);
        ck_assert_int_eq(iv.sample, s);
        ck_assert_int_eq(tproc_image_width(img), w);
        ck_assert_int_eq(tproc_image_height(img), h);
        size_t px = (size_t)(ch * ssize(s));
        for (ptrdiff_t y = 0; y < h; y++)
            for (ptrdiff_t x = 0; x < w; x++)
                CHECK(memcmp(tproc_view_pixel(&iv, x, y), tproc_view_pixel(&vb.view, x, y), px) ==
                          0,
                      "iteration %d %s: pixel (%td, %td) differs", k, vb.desc, x, y);
        /* the copy owns its pixels: it must not point into the source buffer */
        ck_assert(iv.data < vb.buf || iv.data >= vb.buf + vb.size);
        tproc_image_free(&img);
        ck_assert_ptr_null(img);
        vbuf_free(&vb);
    }
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_convert(void)
{
    Suite *s = suite_create("convert");
    TCase *tc = tcase_create("copy");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, copy_same_format, 0, 12);
    tcase_add_loop_test(tc, copy_sample_types, 0, 9);
    tcase_add_loop_test(tc, copy_channels, 0, 16);
    tcase_add_test(tc, copy_mixed);
    tcase_add_test(tc, copy_f32_clamp_and_round);
    tcase_add_test(tc, copy_exhaustive_integers);
    tcase_add_test(tc, copy_refusals);
    suite_add_tcase(s, tc);

    tc = tcase_create("overlap");
    tcase_add_loop_test(tc, copy_overlap_same_format, 0, 12);
    tcase_add_test(tc, copy_overlap_converting);
    suite_add_tcase(s, tc);

    tc = tcase_create("fill_compare");
    tcase_add_loop_test(tc, fill_values, 0, 3);
    tcase_add_loop_test(tc, compare_values, 0, 3);
    tcase_add_test(tc, compare_known_and_refusals);
    tcase_add_test(tc, image_from_view);
    suite_add_tcase(s, tc);
    return s;
}
