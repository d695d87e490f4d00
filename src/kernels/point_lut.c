/* SPDX-License-Identifier: MIT */
/*
 * point_lut.c: lookup tables of a point filter's map and the rows that apply them (see
 * point_lut.h). Every u8 implementation returns exactly the table's bytes; they differ only in
 * speed, and prepare() picks one per stage:
 * - add: the table is clamp(v + k) (brightness, identities): a saturating add in bytes that
 *   every compiler vectorises, at memory speed on any CPU;
 * - avx512vbmi: two 128-entry permutes (vpermi2b) and a blend on bit 7 cover 64 bytes;
 * - avx2: vpshufb looks up 16 entries at a time; 16 sub-tables of 16, selected by the high
 *   nibble, cover the 256 (the trick is described above nibble_tables()). About 1.4 times the
 *   speed of scalar on a Zen 4; the same code on 16-byte SSSE3 vectors was slower than scalar
 *   there, so there is no SSSE3 version;
 * - scalar: one table read per sample, the portable fallback.
 * The SIMD code is compiled for its target with function attributes and chosen at run time,
 * so the library still runs on any x86-64 and builds anywhere else without it.
 */
#include "point_lut.h"

#include <stdio.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define POINT_LUT_X86 1
#include <immintrin.h>
#else
#define POINT_LUT_X86 0
#endif

typedef struct lut lut;
/* Applies the u8 table to n bytes of packed pixels of the given channel count. */
typedef void (*row_u8_fn)(const lut *t, const unsigned char *in, unsigned char *out, size_t n,
                          int channels);

/* The stage's state. For u16 only u16[] is used. */
struct lut {
    row_u8_fn row_u8;
    int add_ok; /* u8: u8[v] == clamp(v + add, 0, 255) for every v */
    int add;
    unsigned char u8[256];
    unsigned char nibble[256]; /* u8: the pshufb sub-tables, see nibble_tables() */
    uint16_t u16[];            /* 65536 entries, u16 only */
};

/* --- portable rows ------------------------------------------------------------------------ */

/*
 * The channel switch happens once per row; small local arrays let the compiler combine the
 * stores. Each output sample depends only on the input sample at the same offset, so in == out
 * is fine (for every implementation below too).
 */
static void row_u8_scalar(const lut *lt, const unsigned char *in, unsigned char *out, size_t n,
                          int channels)
{
    const unsigned char *t = lt->u8;
    size_t i = 0;
    if (channels == 2) {
        for (; i < n; i += 2) {
            unsigned char px[2] = {t[in[i]], in[i + 1]};
            memcpy(out + i, px, 2);
        }
    } else if (channels == 4) {
        for (; i < n; i += 4) {
            unsigned char px[4] = {t[in[i]], t[in[i + 1]], t[in[i + 2]], in[i + 3]};
            memcpy(out + i, px, 4);
        }
    } else {
        for (; i + 8 <= n; i += 8) {
            unsigned char v[8];
            for (size_t k = 0; k < 8; k++)
                v[k] = t[in[i + k]];
            memcpy(out + i, v, 8);
        }
        for (; i < n; i++)
            out[i] = t[in[i]];
    }
}

/*
 * A saturating add written as min-then-add (or max-then-subtract) in bytes so that even
 * baseline SSE2 vectorises it. Alpha lanes get limit 255 (or 0) and step 0: unchanged. With
 * alpha it works on 16-byte local blocks, which the compiler keeps to one vector each.
 */
static void row_u8_add(const lut *lt, const unsigned char *in, unsigned char *out, size_t n,
                       int channels)
{
    int add = lt->add;
    unsigned char step = (unsigned char)(add < 0 ? -add : add);
    unsigned char lim = (unsigned char)(add < 0 ? step : 255 - step);
    if (tproc__has_alpha(channels)) {
        /* 2 and 4 divide 16: one 16-byte pattern of limits and steps covers every lane. */
        unsigned char k[16], l[16];
        for (int i = 0; i < 16; i++) {
            int is_alpha = (i + 1) % channels == 0;
            k[i] = is_alpha ? 0 : step;
            l[i] = is_alpha ? (unsigned char)(add < 0 ? 0 : 255) : lim;
        }
        size_t i = 0;
        if (add >= 0) {
            for (; i + 16 <= n; i += 16) {
                unsigned char v[16];
                memcpy(v, in + i, 16);
                for (size_t j = 0; j < 16; j++)
                    v[j] = (unsigned char)((v[j] < l[j] ? v[j] : l[j]) + k[j]);
                memcpy(out + i, v, 16);
            }
            for (; i < n; i++)
                out[i] = (unsigned char)((in[i] < l[i % 16] ? in[i] : l[i % 16]) + k[i % 16]);
        } else {
            for (; i + 16 <= n; i += 16) {
                unsigned char v[16];
                memcpy(v, in + i, 16);
                for (size_t j = 0; j < 16; j++)
                    v[j] = (unsigned char)((v[j] > l[j] ? v[j] : l[j]) - k[j]);
                memcpy(out + i, v, 16);
            }
            for (; i < n; i++)
                out[i] = (unsigned char)((in[i] > l[i % 16] ? in[i] : l[i % 16]) - k[i % 16]);
        }
    } else if (add >= 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = (unsigned char)((in[i] < lim ? in[i] : lim) + step);
    } else {
        for (size_t i = 0; i < n; i++)
            out[i] = (unsigned char)((in[i] > lim ? in[i] : lim) - step);
    }
}

static void row_u16(const uint16_t *t, const unsigned char *in, unsigned char *out, size_t width,
                    int channels)
{
    if (channels == 2) {
        for (size_t x = 0; x < width; x++, in += 4, out += 4) {
            uint16_t v[2];
            memcpy(v, in, 4);
            v[0] = t[v[0]];
            memcpy(out, v, 4);
        }
    } else if (channels == 4) {
        for (size_t x = 0; x < width; x++, in += 8, out += 8) {
            uint16_t v[4];
            memcpy(v, in, 8);
            v[0] = t[v[0]];
            v[1] = t[v[1]];
            v[2] = t[v[2]];
            memcpy(out, v, 8);
        }
    } else {
        size_t n = width * (size_t)channels, i = 0;
        for (; i + 4 <= n; i += 4) {
            uint16_t v[4];
            memcpy(v, in + 2 * i, 8);
            for (int k = 0; k < 4; k++)
                v[k] = t[v[k]];
            memcpy(out + 2 * i, v, 8);
        }
        for (; i < n; i++) {
            uint16_t v;
            memcpy(&v, in + 2 * i, 2);
            v = t[v];
            memcpy(out + 2 * i, &v, 2);
        }
    }
}

/* --- x86 SIMD rows ------------------------------------------------------------------------ */

/*
 * The pshufb sub-tables. pshufb returns T[x & 15], or 0 when bit 7 of x is set. For an input
 * v = 16h + l with h < 8, x_j = v + 16j (saturating) has bit 7 clear exactly when h + j < 8, so
 * the lookups j = 0..7 of the tables
 *     N_0 = T_7,  N_j = T_(7-j) ^ T_(8-j)   (T_h: the 16 entries of the table from 16h)
 * that do not return 0 are j = 0 .. 7-h, and their XOR telescopes to T_h[l]. Inputs with
 * h >= 8 have bit 7 set in every x_j: they get 0. The upper half is the same on v ^ 0x80 with
 * T_8..T_15 (and there the lower half gets 0), so no blend is needed: 16 lookups, 14 adds and
 * 15 XORs give 32 exact results.
 */
static void nibble_tables(const unsigned char *t, unsigned char *nibble)
{
    for (int half = 0; half < 2; half++)
        for (int j = 0; j < 8; j++)
            for (int l = 0; l < 16; l++) {
                const unsigned char *th = t + 128 * half;
                int v = th[(7 - j) * 16 + l] ^ (j ? th[(8 - j) * 16 + l] : 0);
                nibble[128 * half + 16 * j + l] = (unsigned char)v;
            }
}

#if POINT_LUT_X86
/* 0xff on the alpha bytes of packed pixels of the given channel count, 64 bytes of them. */
static void alpha_pattern(int channels, unsigned char keep[64])
{
    for (int i = 0; i < 64; i++)
        keep[i] = (unsigned char)(tproc__has_alpha(channels) && (i + 1) % channels == 0 ? 0xff : 0);
}

__attribute__((target("avx2"))) static void row_u8_avx2(const lut *lt, const unsigned char *in,
                                                        unsigned char *out, size_t n, int channels)
{
    unsigned char pattern[64];
    alpha_pattern(channels, pattern);
    __m256i keep = _mm256_loadu_si256((const __m256i *)pattern);
    __m256i top = _mm256_set1_epi8(-128), lo[8], hi[8];
    for (int j = 0; j < 8; j++) {
        lo[j] =
            _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(lt->nibble + 16 * j)));
        hi[j] = _mm256_broadcastsi128_si256(
            _mm_loadu_si128((const __m128i *)(lt->nibble + 128 + 16 * j)));
    }
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(in + i));
        __m256i u = _mm256_xor_si256(v, top);
        __m256i r = _mm256_xor_si256(_mm256_shuffle_epi8(lo[0], v), _mm256_shuffle_epi8(hi[0], u));
#pragma GCC unroll 8
        for (int j = 1; j < 8; j++) {
            __m256i step = _mm256_set1_epi8((char)(16 * j));
            r = _mm256_xor_si256(r, _mm256_shuffle_epi8(lo[j], _mm256_adds_epu8(v, step)));
            r = _mm256_xor_si256(r, _mm256_shuffle_epi8(hi[j], _mm256_adds_epu8(u, step)));
        }
        r = _mm256_blendv_epi8(r, v, keep);
        _mm256_storeu_si256((__m256i *)(out + i), r);
    }
    _mm256_zeroupper(); /* see row_u8_avx512vbmi() */
    row_u8_scalar(lt, in + i, out + i, n - i, channels);
}

__attribute__((target("avx512f,avx512bw,avx512vbmi"))) static void
row_u8_avx512vbmi(const lut *lt, const unsigned char *in, unsigned char *out, size_t n,
                  int channels)
{
    unsigned char pattern[64];
    alpha_pattern(channels, pattern);
    __mmask64 keep = _mm512_movepi8_mask(_mm512_loadu_si512(pattern));
    __m512i t0 = _mm512_loadu_si512(lt->u8), t1 = _mm512_loadu_si512(lt->u8 + 64);
    __m512i t2 = _mm512_loadu_si512(lt->u8 + 128), t3 = _mm512_loadu_si512(lt->u8 + 192);
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i v = _mm512_loadu_si512(in + i);
        /* Bits 0-6 index 128 entries of (t0, t1) or (t2, t3); bit 7 picks the pair. */
        __m512i a = _mm512_permutex2var_epi8(t0, v, t1);
        __m512i b = _mm512_permutex2var_epi8(t2, v, t3);
        __m512i r = _mm512_mask_blend_epi8(_mm512_movepi8_mask(v), a, b);
        _mm512_storeu_si512(out + i, _mm512_mask_blend_epi8(keep, r, v));
    }
    /* GCC 12 emits no vzeroupper before the tail call, and SSE code after it (the tail, the
     * next filter) then runs several times slower. */
    _mm256_zeroupper();
    row_u8_scalar(lt, in + i, out + i, n - i, channels);
}
#endif

/* --- choosing, preparing, running --------------------------------------------------------- */

static const struct {
    const char *name;
    row_u8_fn fn;
} impls[] = {
#if POINT_LUT_X86
    {"avx512vbmi", row_u8_avx512vbmi},
    {"avx2", row_u8_avx2},
#endif
    {"scalar", row_u8_scalar},
};

static int impl_supported(row_u8_fn fn)
{
#if POINT_LUT_X86
    if (fn == row_u8_avx512vbmi)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vbmi");
    if (fn == row_u8_avx2)
        return __builtin_cpu_supports("avx2");
#endif
    return fn == row_u8_scalar;
}

int tproc__point_lut_force_u8(tproc_stage *stage, const char *name)
{
    lut *lt = stage->state;
    if (strcmp(name, "add") == 0) {
        if (!lt->add_ok)
            return TPROC_ERR_UNSUPPORTED;
        lt->row_u8 = row_u8_add;
        return TPROC_OK;
    }
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
        if (strcmp(impls[i].name, name) == 0) {
            if (!impl_supported(impls[i].fn))
                return TPROC_ERR_UNSUPPORTED;
            lt->row_u8 = impls[i].fn;
            return TPROC_OK;
        }
    return TPROC_ERR_UNSUPPORTED;
}

/* The fastest exact u8 row for a filled table. */
static void choose_u8(lut *lt)
{
    /* The candidate offset is where the middle value went (a saturating add never clamps it). */
    lt->add = lt->u8[128] - 128;
    lt->add_ok = 1;
    for (int v = 0; v < 256; v++) {
        int want = v + lt->add < 0 ? 0 : v + lt->add > 255 ? 255 : v + lt->add;
        if (lt->u8[v] != want)
            lt->add_ok = 0;
    }
    nibble_tables(lt->u8, lt->nibble);
    lt->row_u8 = row_u8_scalar;
    if (lt->add_ok) {
        lt->row_u8 = row_u8_add;
        return;
    }
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
        if (impl_supported(impls[i].fn)) {
            lt->row_u8 = impls[i].fn;
            return;
        }
}

int tproc__point_lut_prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    const tproc_format *in = &stage->in;
    tproc__point_map map = stage->filter->map;
    const double *values = stage->params->value;
    stage->state = NULL;
    if (in->sample == TPROC_F32)
        return TPROC_OK;
    int u16 = in->sample == TPROC_U16;
    size_t size = offsetof(lut, u16) + (u16 ? 65536 * sizeof(uint16_t) : 0);
    char what[96];
    snprintf(what, sizeof what, "%s lookup table", stage->filter->name);
    lut *lt;
    int status = tproc__alloc_uninit(ctx, size, what, (void **)&lt);
    if (status)
        return status;
    if (u16) {
        lt->row_u8 = NULL;
        for (int v = 0; v < 65536; v++)
            lt->u16[v] = tproc__to_u16(map(values, v, 65535.0));
    } else {
        for (int v = 0; v < 256; v++)
            lt->u8[v] = tproc__to_u8(map(values, v, 255.0));
        choose_u8(lt);
    }
    stage->state = lt;
    return TPROC_OK;
}

void tproc__point_lut_release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc_free(ctx, stage->state);
    stage->state = NULL;
}

void tproc__point_lut_row(const tproc_stage *stage, const void *in, void *out, ptrdiff_t width)
{
    const tproc_format *f = &stage->in;
    const lut *lt = stage->state;
    if (f->sample == TPROC_U8)
        lt->row_u8(lt, in, out, (size_t)width * (size_t)f->channels, f->channels);
    else if (f->sample == TPROC_U16)
        row_u16(lt->u16, in, out, (size_t)width, f->channels);
    else
        tproc__point_row_f32(stage->filter->map, stage->params->value, in, out, (size_t)width,
                             f->channels);
}
