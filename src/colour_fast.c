/* SPDX-License-Identifier: MIT */
/*
 * colour_fast.c: the fast path from a matrix-shaper RGB profile (Adobe RGB, Display P3,
 * ProPhoto, sRGB-like) to sRGB, for u8 and u16 rows. lcms2 converts such images at 30-55 MP/s
 * a thread, about as long as a whole tileproc run; this does it at memory-ish speed with the
 * same arithmetic lcms2 does in float, within its rounding:
 *
 *   1. linearise each channel with the profile's tone curve (rTRC, gTRC, bTRC) as lcms2
 *      evaluates it: a table of every value (256 entries for u8, 65536 for u16);
 *   2. one 3x3 matrix to sRGB linear: inverse(sRGB colorants) x (profile colorants), the two
 *      matrices lcms2's relative colorimetric pipeline applies (the colorant tags are already
 *      D50-adapted, so relative colorimetric adds nothing between them);
 *   3. clamp to [0, 1] (lcms2's integer output clamps; the float reference is clamped when it
 *      is rounded) and encode with sRGB's curve:
 *      - u8: the linear value is rounded to a multiple of 1/65535 and looked up in a table of
 *        each such value's level, exactly rounded (the number of thresholds decode((k - 0.5) /
 *        255) at or below it). Rounding the input moves it by at most 0.5/65535, which sRGB's
 *        steepest slope (12.92) turns into 0.025 of a level: the level is within 0.53 of the
 *        exact value, so within a level of lcms2's. One load a channel, no comparison: what
 *        makes the SIMD rows gather-light (colour_fast_x86.c);
 *      - u16: buckets by float exponent and the top 8 mantissa bits, linear inside each
 *        (interpolation error under 0.002 levels; checked when built), below 2^-12 sRGB's
 *        linear segment, then rounded.
 *
 * Alpha is copied. Rows are done in blocks of 64 pixels, the matrix and encoding over arrays the
 * compiler vectorises; the table reads are scalar loads.
 */
#include <math.h>
#include <string.h>

#include "colour_internal.h"

#define BLOCK 64

/* The colorant matrix: columns are the red, green and blue colorants (PCS XYZ). */
static int read_colorants(cmsHPROFILE h, double m[9])
{
    static const cmsTagSignature tags[3] = {cmsSigRedColorantTag, cmsSigGreenColorantTag,
                                            cmsSigBlueColorantTag};
    for (int c = 0; c < 3; c++) {
        const cmsCIEXYZ *xyz = cmsReadTag(h, tags[c]);
        if (!xyz)
            return TPROC_ERR_UNSUPPORTED;
        m[0 * 3 + c] = xyz->X;
        m[1 * 3 + c] = xyz->Y;
        m[2 * 3 + c] = xyz->Z;
    }
    return TPROC_OK;
}

static int invert3(const double a[9], double out[9])
{
    double c0 = a[4] * a[8] - a[5] * a[7];
    double c1 = a[5] * a[6] - a[3] * a[8];
    double c2 = a[3] * a[7] - a[4] * a[6];
    double det = a[0] * c0 + a[1] * c1 + a[2] * c2;
    if (!(fabs(det) > 1e-12))
        return TPROC_ERR_UNSUPPORTED;
    out[0] = c0 / det;
    out[1] = (a[2] * a[7] - a[1] * a[8]) / det;
    out[2] = (a[1] * a[5] - a[2] * a[4]) / det;
    out[3] = c1 / det;
    out[4] = (a[0] * a[8] - a[2] * a[6]) / det;
    out[5] = (a[2] * a[3] - a[0] * a[5]) / det;
    out[6] = c2 / det;
    out[7] = (a[1] * a[6] - a[0] * a[7]) / det;
    out[8] = (a[0] * a[4] - a[1] * a[3]) / det;
    return TPROC_OK;
}

static float bits_to_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The u8 encoder's table from sRGB's forward curve (code -> linear). */
static void init_enc8(tproc__fast_rgb *f, const cmsToneCurve *srgb)
{
    float threshold[257]; /* the linear value from which the level is >= k */
    threshold[0] = -INFINITY;
    for (int k = 1; k < 256; k++)
        threshold[k] = cmsEvalToneCurveFloat(srgb, ((float)k - 0.5f) / 255.0f);
    threshold[256] = INFINITY;
    int level = 0;
    for (int i = 0; i < TPROC__ENC8_STEPS; i++) {
        float v = (float)i / (float)(TPROC__ENC8_STEPS - 1);
        while (threshold[level + 1] <= v)
            level++;
        f->enc8[i] = (unsigned char)level;
    }
    memset(f->enc8 + TPROC__ENC8_STEPS, 0, sizeof f->enc8 - TPROC__ENC8_STEPS);
}

/* The u16 encoder from sRGB's reversed curve (linear -> code). */
static int init_enc16(tproc__fast_rgb *f, const cmsToneCurve *encode)
{
    const float first = ldexpf(1.0f, -TPROC__ENC16_EXPONENTS);
    f->enc16_linear_slope = cmsEvalToneCurveFloat(encode, first) / first;
    uint32_t first_bits;
    memcpy(&first_bits, &first, sizeof first);
    double worst = 0;
    for (uint32_t i = 0; i < TPROC__ENC16_BUCKETS; i++) {
        float x0 = bits_to_float(first_bits + (i << 15));
        float x1 = bits_to_float(first_bits + ((i + 1) << 15));
        float y0 = cmsEvalToneCurveFloat(encode, x0), y1 = cmsEvalToneCurveFloat(encode, x1);
        f->enc16_base[i] = y0;
        f->enc16_slope[i] = (y1 - y0) / (x1 - x0);
        float mid = x0 + (x1 - x0) * 0.5f;
        double err = fabs((double)cmsEvalToneCurveFloat(encode, mid) -
                          ((double)y0 + (double)f->enc16_slope[i] * (double)(mid - x0)));
        if (err > worst)
            worst = err;
    }
    f->enc16_base[TPROC__ENC16_BUCKETS] = cmsEvalToneCurveFloat(encode, 1.0f);
    /* Linear below 2^-12 (sRGB's segment reaches 0.0031308), and fine buckets above. */
    float below = first * 0.5f;
    if (fabs((double)cmsEvalToneCurveFloat(encode, below) - (double)(below * f->enc16_linear_slope)) >
            1e-7 ||
        worst > 0.05 / 65535.0)
        return TPROC_ERR_UNSUPPORTED;
    return TPROC_OK;
}

/*
 * How far converting could move a pixel from its own value, in levels of the sample type. Each
 * output channel is enc(m[r][r] lin_r(v_r) + the other channels' terms), and the pixel's own
 * value is v_r; the other terms add between the sum of the negative and the sum of the positive
 * m[r][c] (their linear values lie in [0, 1]).
 * - u8: for every value v_r, the worst of the two extremes, encoded exactly: a tight bound.
 * - u16: a cheaper one: the largest linear difference times sRGB's steepest slope (12.92).
 *   (No third-party sRGB profile comes near 1.5 u16 levels; our own is recognised by its bytes.)
 */
static void init_identity_bound(tproc__fast_rgb *f, const cmsToneCurve *decode,
                                const cmsToneCurve *encode, tproc_sample sample)
{
    double worst = 0;
    for (int r = 0; r < 3; r++) {
        double neg = 0, pos = 0;
        for (int c = 0; c < 3; c++) {
            double m = c == r ? 0.0 : (double)f->m[r * 3 + c];
            neg += m < 0 ? m : 0;
            pos += m > 0 ? m : 0;
        }
        double diag = (double)f->m[r * 3 + r];
        if (sample == TPROC_U8) {
            for (int v = 0; v < 256; v++) {
                double own = diag * (double)f->lin8[r][v];
                for (int side = 0; side < 2; side++) {
                    double lin = own + (side ? pos : neg);
                    lin = lin < 0 ? 0 : lin > 1 ? 1 : lin;
                    double d = fabs((double)cmsEvalToneCurveFloat(encode, (float)lin) * 255.0 - v);
                    worst = d > worst ? d : worst;
                }
            }
        } else {
            double curve = 0;
            for (int v = 0; v < 65536; v++) {
                float x = (float)v / 65535.0f;
                double d = fabs(diag * (double)f->lin16[r][v] -
                                (double)cmsEvalToneCurveFloat(decode, x));
                curve = d > curve ? d : curve;
            }
            float small = 1e-4f;
            double slope = (double)small / (double)cmsEvalToneCurveFloat(decode, small);
            double e = (curve + (pos > -neg ? pos : -neg)) * slope * 65535.0;
            worst = e > worst ? e : worst;
        }
    }
    f->identity_bound = worst;
}

/* The u16 table of channel c, shared with an earlier channel when the values are the same. */
static int init_lin16(tproc__fast_rgb *f, int c, const cmsToneCurve *curve, tproc_ctx *ctx,
                      const char *what)
{
    void *p;
    int status = tproc__alloc_uninit(ctx, 65536 * sizeof(float), what, &p);
    if (status)
        return status;
    float *table = p;
    for (int v = 0; v < 65536; v++)
        table[v] = cmsEvalToneCurveFloat(curve, (float)v / 65535.0f);
    for (int k = 0; k < c; k++) {
        if (memcmp(f->lin16[k], table, 65536 * sizeof(float)) == 0) {
            tproc__dealloc(ctx, table);
            f->lin16[c] = f->lin16[k];
            return TPROC_OK;
        }
    }
    f->lin16[c] = table;
    return TPROC_OK;
}

void tproc__fast_rgb_free(tproc_ctx *ctx, tproc__fast_rgb *f)
{
    if (!f)
        return;
    for (int c = 0; c < 3; c++) {
        int shared = 0;
        for (int k = 0; k < c; k++)
            shared |= f->lin16[k] == f->lin16[c];
        if (!shared)
            tproc__dealloc(ctx, f->lin16[c]);
    }
    tproc__dealloc(ctx, f);
}

int tproc__fast_rgb_init(tproc__fast_rgb *f, cmsHPROFILE in, cmsHPROFILE srgb, tproc_sample sample,
                         tproc_ctx *ctx, const char *what)
{
    static const cmsTagSignature trc[3] = {cmsSigRedTRCTag, cmsSigGreenTRCTag, cmsSigBlueTRCTag};
    double min[9], mout[9], inv[9];
    if (read_colorants(in, min) || read_colorants(srgb, mout) || invert3(mout, inv))
        return TPROC_ERR_UNSUPPORTED;
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) {
            double s = 0;
            for (int k = 0; k < 3; k++)
                s += inv[r * 3 + k] * min[k * 3 + c];
            f->m[r * 3 + c] = (float)s;
        }
    for (int c = 0; c < 3; c++) {
        const cmsToneCurve *curve = cmsReadTag(in, trc[c]);
        if (!curve)
            return TPROC_ERR_UNSUPPORTED;
        for (int v = 0; v < 256; v++)
            f->lin8[c][v] = cmsEvalToneCurveFloat(curve, (float)v / 255.0f);
        if (sample == TPROC_U16) {
            int status = init_lin16(f, c, curve, ctx, what);
            if (status)
                return status;
        }
    }
    const cmsToneCurve *decode = cmsReadTag(srgb, cmsSigRedTRCTag);
    cmsToneCurve *encode = decode ? cmsReverseToneCurve(decode) : NULL;
    if (!encode)
        return TPROC_ERR_UNSUPPORTED;
    init_identity_bound(f, decode, encode, sample);
    int status = TPROC_OK;
    if (sample == TPROC_U8)
        init_enc8(f, decode);
    else
        status = init_enc16(f, encode);
    cmsFreeToneCurve(encode);
    return status;
}

/* --- rows --------------------------------------------------------------------------------- */

static inline float clamp01(float v)
{
    return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

/* sRGB linear for n pixels of three planes, clamped to [0, 1]. */
static inline void apply_matrix(const float *m, const float *r, const float *g, const float *b,
                                float *or_, float *og, float *ob, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float x = r[i], y = g[i], z = b[i];
        or_[i] = clamp01(m[0] * x + m[1] * y + m[2] * z);
        og[i] = clamp01(m[3] * x + m[4] * y + m[5] * z);
        ob[i] = clamp01(m[6] * x + m[7] * y + m[8] * z);
    }
}

/* The u8 encoder's table index of a clamped linear value (the SIMD rows do the same). */
static inline int32_t enc8_index(float v)
{
    return (int32_t)(v * (float)(TPROC__ENC8_STEPS - 1) + 0.5f);
}

void tproc__fast_rgb_row_u8(const tproc__fast_rgb *f, const unsigned char *in, unsigned char *out,
                            size_t width, int alpha)
{
    const size_t ch = alpha ? 4 : 3;
    float r[BLOCK], g[BLOCK], b[BLOCK], lr[BLOCK], lg[BLOCK], lb[BLOCK];
    int32_t ir[BLOCK], ig[BLOCK], ib[BLOCK];
    unsigned char a[BLOCK];
    size_t done = tproc__fast_rgb_row_u8_simd(f, in, out, width, alpha);
    in += done * ch;
    out += done * ch;
    width -= done;
    for (size_t x0 = 0; x0 < width; x0 += BLOCK) {
        size_t n = width - x0 < BLOCK ? width - x0 : BLOCK;
        const unsigned char *p = in + x0 * ch;
        for (size_t i = 0; i < n; i++) {
            r[i] = f->lin8[0][p[i * ch]];
            g[i] = f->lin8[1][p[i * ch + 1]];
            b[i] = f->lin8[2][p[i * ch + 2]];
            if (alpha)
                a[i] = p[i * ch + 3];
        }
        apply_matrix(f->m, r, g, b, lr, lg, lb, n);
        for (size_t i = 0; i < n; i++) {
            ir[i] = enc8_index(lr[i]);
            ig[i] = enc8_index(lg[i]);
            ib[i] = enc8_index(lb[i]);
        }
        unsigned char *q = out + x0 * ch;
        for (size_t i = 0; i < n; i++) {
            q[i * ch] = f->enc8[ir[i]];
            q[i * ch + 1] = f->enc8[ig[i]];
            q[i * ch + 2] = f->enc8[ib[i]];
            if (alpha)
                q[i * ch + 3] = a[i];
        }
    }
}

static inline uint16_t encode16(const tproc__fast_rgb *f, float v)
{
    const float first = 1.0f / (float)(1 << TPROC__ENC16_EXPONENTS);
    float y;
    if (v < first) {
        y = v * f->enc16_linear_slope;
    } else {
        uint32_t bits, first_bits;
        memcpy(&bits, &v, sizeof bits);
        memcpy(&first_bits, &first, sizeof first_bits);
        uint32_t i = (bits - first_bits) >> 15;
        i = i > TPROC__ENC16_BUCKETS - 1 ? TPROC__ENC16_BUCKETS - 1 : i;
        float x0 = bits_to_float(first_bits + (i << 15));
        y = f->enc16_base[i] + f->enc16_slope[i] * (v - x0);
    }
    return (uint16_t)(clamp01(y) * 65535.0f + 0.5f);
}

void tproc__fast_rgb_row_u16(const tproc__fast_rgb *f, const uint16_t *in, uint16_t *out,
                             size_t width, int alpha)
{
    const size_t ch = alpha ? 4 : 3;
    float r[BLOCK], g[BLOCK], b[BLOCK], lr[BLOCK], lg[BLOCK], lb[BLOCK];
    uint16_t a[BLOCK];
    for (size_t x0 = 0; x0 < width; x0 += BLOCK) {
        size_t n = width - x0 < BLOCK ? width - x0 : BLOCK;
        const uint16_t *p = in + x0 * ch;
        for (size_t i = 0; i < n; i++) {
            r[i] = f->lin16[0][p[i * ch]];
            g[i] = f->lin16[1][p[i * ch + 1]];
            b[i] = f->lin16[2][p[i * ch + 2]];
            if (alpha)
                a[i] = p[i * ch + 3];
        }
        apply_matrix(f->m, r, g, b, lr, lg, lb, n);
        uint16_t *q = out + x0 * ch;
        for (size_t i = 0; i < n; i++) {
            q[i * ch] = encode16(f, lr[i]);
            q[i * ch + 1] = encode16(f, lg[i]);
            q[i * ch + 2] = encode16(f, lb[i]);
            if (alpha)
                q[i * ch + 3] = a[i];
        }
    }
}
