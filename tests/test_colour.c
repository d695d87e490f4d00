/* SPDX-License-Identifier: MIT */
/*
 * test_colour.c: the colour engine (src/colour*.c, issue 12), in process.
 *
 * The reference is lcms2's float transform without optimisations, made here directly from the
 * same profile bytes and rounded (the bound the issue sets: 1 level at u8, 1 level at u16);
 * tests/colour/colour_tificc.py checks the same conversions against lcms2's own tificc tool.
 * Profiles: Debian's colord and icc-profiles-free ones copied into tests/data/icc, and the
 * lcms2-built ones of colour_profiles.c (Display P3, gray, LUT-based RGB and CMYK v2/v4).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <lcms2.h>

#include "colour.h"
#include "colour_internal.h"
#include "colour_profiles.h"
#include "testutil.h"

/* --- profiles and pixels ------------------------------------------------------------------ */

typedef struct icc {
    unsigned char *data;
    size_t size;
} icc;

/* A profile from tests/data/icc ("AdobeRGB1998.icc") or made by colour_profiles.c ("@p3"). */
static icc load_icc(const char *name)
{
    icc p = {NULL, 0};
    if (name[0] == '@') {
        p.data = tcp_make(name + 1, &p.size);
    } else {
        char rel[256];
        snprintf(rel, sizeof rel, "icc/%s", name);
        p.data = tu_read_file(tu_data(rel), &p.size);
    }
    ck_assert_msg(p.data != NULL, "cannot get the profile %s", name);
    return p;
}

static size_t sample_bytes(tproc_sample s)
{
    return tproc_sample_size(s);
}

/* Random samples, plus gradients on the first rows: every level of each channel alone and of
 * all together (gray ramps), so the darks where curves are steep are all visited. */
static void *make_pixels(size_t n, int channels, tproc_sample s, uint64_t seed)
{
    tu_rng rng;
    tu_rng_seed(&rng, seed);
    void *buf = malloc(n * (size_t)channels * sample_bytes(s));
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < channels; c++) {
            size_t k = i * (size_t)channels + (size_t)c;
            double v;
            size_t ramp = i / 1024, pos = i % 1024;
            if (ramp < (size_t)channels + 1) /* ramp r: channel r alone, or all (r == channels) */
                v = (ramp == (size_t)channels || ramp == (size_t)c) ? (double)pos / 1023.0 : 0.0;
            else
                v = (double)(tu_rng_next(&rng) >> 11) / 9007199254740992.0;
            if (s == TPROC_U8)
                ((unsigned char *)buf)[k] = (unsigned char)(v * 255.0 + 0.5);
            else if (s == TPROC_U16)
                ((uint16_t *)buf)[k] = (uint16_t)(v * 65535.0 + 0.5);
            else
                ((float *)buf)[k] = (float)v;
        }
    }
    return buf;
}

static double get(const void *buf, tproc_sample s, size_t i)
{
    if (s == TPROC_U8)
        return ((const unsigned char *)buf)[i];
    if (s == TPROC_U16)
        return ((const uint16_t *)buf)[i];
    return ((const float *)buf)[i];
}

/* --- the reference: lcms2 float, no optimisation, rounded -------------------------------- */

static cmsUInt32Number flt_format(tproc__colour_space space)
{
    return space == TPROC__SPACE_GRAY  ? TYPE_GRAY_FLT
           : space == TPROC__SPACE_RGB ? TYPE_RGB_FLT
                                       : TYPE_CMYK_FLT;
}

static tproc__colour_space layout_space(tproc__layout l)
{
    return l <= TPROC__LAYOUT_GRAYA ? TPROC__SPACE_GRAY
           : l <= TPROC__LAYOUT_RGBA ? TPROC__SPACE_RGB
                                     : TPROC__SPACE_CMYK;
}

/*
 * The reference output (out_channels per pixel, the same sample type) for n pixels:
 * in_icc NULL means sRGB (gray: gray sRGB), out_icc NULL means sRGB (gray in: gray sRGB).
 */
static void *reference(const icc *in_icc, const icc *out_icc, tproc__layout layout,
                       tproc_sample s, const void *px, size_t n, int intent, int bpc,
                       int inverted, int *out_channels)
{
    tproc__colour_space in_space = layout_space(layout);
    int alpha = layout == TPROC__LAYOUT_GRAYA || layout == TPROC__LAYOUT_RGBA;
    int in_ch = tproc__layout_channels(layout), in_col = in_ch - alpha;
    /* sRGB and gray sRGB as made in memory, as the library makes them (unrounded). */
    cmsHPROFILE hin = in_icc ? cmsOpenProfileFromMem(in_icc->data, (cmsUInt32Number)in_icc->size)
                      : in_space == TPROC__SPACE_GRAY ? tcp_profile("srgb-gray")
                                                      : cmsCreate_sRGBProfile();
    cmsHPROFILE hout = out_icc ? cmsOpenProfileFromMem(out_icc->data, (cmsUInt32Number)out_icc->size)
                       : in_space == TPROC__SPACE_GRAY ? tcp_profile("srgb-gray")
                                                       : cmsCreate_sRGBProfile();
    ck_assert(hin && hout);
    tproc__colour_space out_space = cmsGetColorSpace(hout) == cmsSigGrayData ? TPROC__SPACE_GRAY
                                                                             : TPROC__SPACE_RGB;
    int out_col = out_space == TPROC__SPACE_GRAY ? 1 : 3;
    cmsHTRANSFORM xf = cmsCreateTransform(
        hin, flt_format(in_space), hout, flt_format(out_space), (cmsUInt32Number)intent,
        cmsFLAGS_NOOPTIMIZE | cmsFLAGS_NOCACHE | (bpc ? cmsFLAGS_BLACKPOINTCOMPENSATION : 0));
    ck_assert_msg(xf != NULL, "reference transform");
    float *fin = malloc(n * 4 * sizeof(float)), *fout = malloc(n * 3 * sizeof(float));
    double max = tproc__sample_max(s);
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < in_col; c++) {
            double v = get(px, s, i * (size_t)in_ch + (size_t)c) / max;
            if (in_space == TPROC__SPACE_CMYK)
                v = (inverted ? 1.0 - v : v) * 100.0;
            fin[i * (size_t)in_col + (size_t)c] = (float)v;
        }
    cmsDoTransform(xf, fin, fout, (cmsUInt32Number)n);
    *out_channels = out_col + alpha;
    void *out = malloc(n * (size_t)(*out_channels) * sample_bytes(s));
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < *out_channels; c++) {
            size_t k = i * (size_t)(*out_channels) + (size_t)c;
            double v = c < out_col ? fout[i * (size_t)out_col + (size_t)c]
                                   : get(px, s, i * (size_t)in_ch + (size_t)in_col) / max;
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            if (s == TPROC_U8)
                ((unsigned char *)out)[k] = (unsigned char)(v * 255.0 + 0.5);
            else if (s == TPROC_U16)
                ((uint16_t *)out)[k] = (uint16_t)(v * 65535.0 + 0.5);
            else
                ((float *)out)[k] = (float)v;
        }
    }
    free(fin);
    free(fout);
    cmsDeleteTransform(xf);
    cmsCloseProfile(hin);
    cmsCloseProfile(hout);
    return out;
}

/* The largest difference in levels (f32: in units of 1/65535) and where. */
static double max_diff(const void *a, const void *b, size_t samples, tproc_sample s, size_t *at)
{
    double worst = 0, scale = s == TPROC_F32 ? 65535.0 : 1.0;
    *at = 0;
    for (size_t i = 0; i < samples; i++) {
        double d = fabs(get(a, s, i) - get(b, s, i)) * scale;
        if (d > worst) {
            worst = d;
            *at = i;
        }
    }
    return worst;
}

/* --- conversions against the reference ---------------------------------------------------- */

typedef struct conv_case {
    const char *profile; /* NULL: untagged (sRGB, or the CMYK formula) */
    tproc__layout layout;
    const char *path_u8; /* the path AUTO must take at u8 (NULL: don't check) */
} conv_case;

static const conv_case conv_cases[] = {
    {"AdobeRGB1998.icc", TPROC__LAYOUT_RGB, "matrix-shaper"},
    {"AdobeRGB1998.icc", TPROC__LAYOUT_RGBA, "matrix-shaper"},
    {"ProPhotoRGB.icc", TPROC__LAYOUT_RGB, "matrix-shaper"},
    {"compatibleWithAdobeRGB1998.icc", TPROC__LAYOUT_RGB, "matrix-shaper"},
    {"LStar-RGB.icc", TPROC__LAYOUT_RGBA, "matrix-shaper"},
    {"CineonLog_M.icc", TPROC__LAYOUT_RGB, NULL},
    {"colord-sRGB.icc", TPROC__LAYOUT_RGB, NULL},
    {"free-sRGB.icc", TPROC__LAYOUT_RGB, NULL},
    {"@p3", TPROC__LAYOUT_RGB, "matrix-shaper"},
    {"@p3", TPROC__LAYOUT_RGBA, "matrix-shaper"},
    {"@rgb-lut", TPROC__LAYOUT_RGB, "lcms-precise"},
    {"Gray.icc", TPROC__LAYOUT_GRAY, "gray-table"},
    {"Gray-CIE_L.icc", TPROC__LAYOUT_GRAYA, "gray-table"},
    {"@gray22", TPROC__LAYOUT_GRAY, "gray-table"},
    {"@cmyk-v2", TPROC__LAYOUT_CMYK, "lcms-precise"},
    {"@cmyk-v4", TPROC__LAYOUT_CMYK, "lcms-precise"},
};
#define N_CONV (sizeof conv_cases / sizeof conv_cases[0])
#define N_PIXELS 8192

static void check_conversion(const conv_case *cc, tproc_sample s, tproc__colour_engine engine,
                             int intent, int bpc, int inverted)
{
    tproc_ctx *ctx;
    ck_assert_int_eq(tproc_ctx_new(NULL, &ctx), TPROC_OK);
    icc p = load_icc(cc->profile);
    tproc__profile *prof;
    tu_ok(ctx, tproc__profile_open(ctx, cc->profile, p.data, p.size, &prof));
    tproc__transform_options o = {(tproc__intent)0, bpc, inverted, engine};
    static const tproc__intent ours[4] = {TPROC__INTENT_PERCEPTUAL, TPROC__INTENT_RELATIVE,
                                          TPROC__INTENT_SATURATION, TPROC__INTENT_ABSOLUTE};
    o.intent = ours[intent];
    tproc__transform *t;
    tu_ok(ctx, tproc__transform_new(ctx, cc->profile, prof, cc->layout, NULL, s, &o, &t));
    tproc__profile_free(&prof);
    if (cc->path_u8 && s == TPROC_U8 && engine == TPROC__ENGINE_AUTO && intent == 1 && !bpc)
        ck_assert_msg(strcmp(tproc__transform_path(t), cc->path_u8) == 0, "%s: path %s, not %s",
                      cc->profile, tproc__transform_path(t), cc->path_u8);
    int in_ch = tproc__layout_channels(cc->layout);
    void *px = make_pixels(N_PIXELS, in_ch, s, 12);
    int ref_ch;
    void *ref = reference(&p, NULL, cc->layout, s, px, N_PIXELS, intent, bpc, inverted, &ref_ch);
    ck_assert_int_eq(tproc__transform_out_channels(t), ref_ch);
    void *out = malloc(N_PIXELS * (size_t)ref_ch * sample_bytes(s));
    /* Rows of odd widths, to cover the fast path's block tails. */
    size_t done = 0, widths[] = {1, 7, 64, 65, 1000, 3};
    for (int i = 0; done < N_PIXELS; i = (i + 1) % 6) {
        size_t w = widths[i] < N_PIXELS - done ? widths[i] : N_PIXELS - done;
        tproc__transform_apply_row(t, (unsigned char *)px + done * (size_t)in_ch * sample_bytes(s),
                                   (unsigned char *)out + done * (size_t)ref_ch * sample_bytes(s),
                                   w);
        done += w;
    }
    size_t at;
    double d = max_diff(out, ref, N_PIXELS * (size_t)ref_ch, s, &at);
    double bound = s == TPROC_F32 ? 0.05 : 1.0;
    ck_assert_msg(d <= bound,
                  "%s %s %s intent %d bpc %d (%s): %.3f levels off the reference at pixel %zu "
                  "channel %zu (ours %g, reference %g)",
                  cc->profile, tproc_sample_name(s), tproc__layout_channels(cc->layout) == 4 ? "4ch" : "",
                  intent, bpc, tproc__transform_path(t), d, at / (size_t)ref_ch,
                  at % (size_t)ref_ch, get(out, s, at), get(ref, s, at));
    free(px);
    free(ref);
    free(out);
    free(p.data);
    tproc__transform_free(&t);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}

/* Every profile, at u8, u16 and f32, AUTO and PRECISE, relative colorimetric. */
START_TEST(conversions_match_lcms2_float)
{
    static const tproc_sample samples[3] = {TPROC_U8, TPROC_U16, TPROC_F32};
    for (int s = 0; s < 3; s++) {
        check_conversion(&conv_cases[_i], samples[s], TPROC__ENGINE_AUTO, 1, 0, 0);
        check_conversion(&conv_cases[_i], samples[s], TPROC__ENGINE_PRECISE, 1, 0, 0);
    }
}
END_TEST

/* The other intents, black-point compensation, Adobe-inverted CMYK. */
START_TEST(intents_and_bpc_match_lcms2_float)
{
    for (int intent = 0; intent < 4; intent++)
        for (int bpc = 0; bpc < 2; bpc++)
            for (int s = 0; s < 2; s++)
                check_conversion(&conv_cases[_i], s ? TPROC_U16 : TPROC_U8, TPROC__ENGINE_AUTO,
                                 intent, bpc, 0);
    if (conv_cases[_i].layout == TPROC__LAYOUT_CMYK)
        check_conversion(&conv_cases[_i], TPROC_U8, TPROC__ENGINE_AUTO, 1, 0, 1);
}
END_TEST

/* The fast path and lcms2 without optimisation agree within a level on the same pixels. */
START_TEST(fast_path_matches_precise_path)
{
    static const char *names[] = {"AdobeRGB1998.icc", "ProPhotoRGB.icc", "@p3", "LStar-RGB.icc"};
    for (int s = 0; s < 2; s++) {
        tproc_sample sample = s ? TPROC_U16 : TPROC_U8;
        icc p = load_icc(names[_i]);
        tproc__profile *prof;
        tu_ok(NULL, tproc__profile_open(NULL, names[_i], p.data, p.size, &prof));
        tproc__transform *fast, *precise;
        tproc__transform_options o = {0};
        tu_ok(NULL, tproc__transform_new(NULL, "t", prof, TPROC__LAYOUT_RGB, NULL, sample, &o, &fast));
        o.engine = TPROC__ENGINE_PRECISE;
        tu_ok(NULL, tproc__transform_new(NULL, "t", prof, TPROC__LAYOUT_RGB, NULL, sample, &o,
                                         &precise));
        ck_assert_str_eq(tproc__transform_path(fast), "matrix-shaper");
        ck_assert_str_eq(tproc__transform_path(precise), "lcms-precise");
        void *px = make_pixels(N_PIXELS, 3, sample, 99);
        size_t bytes = N_PIXELS * 3 * sample_bytes(sample);
        void *a = malloc(bytes), *b = malloc(bytes);
        tproc__transform_apply_row(fast, px, a, N_PIXELS);
        tproc__transform_apply_row(precise, px, b, N_PIXELS);
        size_t at;
        ck_assert_double_le(max_diff(a, b, N_PIXELS * 3, sample, &at), 1.0);
        /* in == out gives the same bytes. */
        tproc__transform_apply_row(fast, px, px, N_PIXELS);
        ck_assert_int_eq(memcmp(px, a, bytes), 0);
        free(px);
        free(a);
        free(b);
        free(p.data);
        tproc__transform_free(&fast);
        tproc__transform_free(&precise);
        tproc__profile_free(&prof);
    }
}
END_TEST

/* The AVX2 rows give the portable rows' bytes: every value of each channel with random others,
 * RGB and RGBA, widths that leave tails, and in place. */
START_TEST(simd_rows_equal_portable_rows)
{
    static const char *names[] = {"AdobeRGB1998.icc", "ProPhotoRGB.icc", "@p3"};
    icc p = load_icc(names[_i]);
    tproc__profile *prof;
    tu_ok(NULL, tproc__profile_open(NULL, names[_i], p.data, p.size, &prof));
    for (int alpha = 0; alpha < 2; alpha++) {
        tproc__layout layout = alpha ? TPROC__LAYOUT_RGBA : TPROC__LAYOUT_RGB;
        size_t ch = alpha ? 4 : 3, n = 1 << 18;
        tproc__transform *t;
        tu_ok(NULL, tproc__transform_new(NULL, "t", prof, layout, NULL, TPROC_U8, NULL, &t));
        ck_assert_str_eq(tproc__transform_path(t), "matrix-shaper");
        unsigned char *in = make_pixels(n, (int)ch, TPROC_U8, 77);
        for (size_t i = 0; i < n; i++) /* pixel i: value i % 256 on channel (i / 256) % 3 */
            in[i * ch + (i / 256) % 3] = (unsigned char)i;
        unsigned char *simd = malloc(n * ch), *portable = malloc(n * ch);
        size_t widths[] = {1, 8, 9, 15, 16, 17, 4000, 3};
        for (int pass = 0; pass < 2; pass++) {
            tproc__fast_rgb_set_simd(pass == 0);
            unsigned char *out = pass == 0 ? simd : portable;
            for (size_t done = 0, k = 0; done < n; k++) {
                size_t w = widths[k % 8] < n - done ? widths[k % 8] : n - done;
                tproc__transform_apply_row(t, in + done * ch, out + done * ch, w);
                done += w;
            }
        }
        tproc__fast_rgb_set_simd(1);
        ck_assert_int_eq(memcmp(simd, portable, n * ch), 0);
        tproc__transform_apply_row(t, in, in, n); /* in place */
        ck_assert_int_eq(memcmp(in, portable, n * ch), 0);
        free(in);
        free(simd);
        free(portable);
        tproc__transform_free(&t);
    }
    tproc__profile_free(&prof);
    free(p.data);
}
END_TEST

/* Output profiles: to Display P3 (wide-gamut output), gray to RGB, RGB to gray; untagged CMYK
 * to an output profile goes through the formula, then sRGB to it. */
START_TEST(output_profiles_match_lcms2_float)
{
    icc p3 = load_icc("@p3"), adobe = load_icc("AdobeRGB1998.icc"), gray = load_icc("Gray.icc");
    struct {
        const icc *in, *out;
        tproc__layout layout;
    } cases[] = {{&adobe, &p3, TPROC__LAYOUT_RGB},  {&adobe, &p3, TPROC__LAYOUT_RGBA},
                 {NULL, &p3, TPROC__LAYOUT_RGB},    {&gray, &p3, TPROC__LAYOUT_GRAY},
                 {&adobe, &gray, TPROC__LAYOUT_RGBA}, {&p3, &adobe, TPROC__LAYOUT_RGB}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int s = 0; s < 3; s++) {
            tproc_sample sample = s == 0 ? TPROC_U8 : s == 1 ? TPROC_U16 : TPROC_F32;
            tproc__profile *in = NULL, *out;
            if (cases[k].in)
                tu_ok(NULL, tproc__profile_open(NULL, "in", cases[k].in->data, cases[k].in->size, &in));
            tu_ok(NULL, tproc__profile_open(NULL, "out", cases[k].out->data, cases[k].out->size, &out));
            tproc__transform *t;
            tu_ok(NULL, tproc__transform_new(NULL, "t", in, cases[k].layout, out, sample, NULL, &t));
            void *px = make_pixels(N_PIXELS, tproc__layout_channels(cases[k].layout), sample, k);
            int ref_ch;
            void *ref = reference(cases[k].in, cases[k].out, cases[k].layout, sample, px, N_PIXELS,
                                  1, 0, 0, &ref_ch);
            ck_assert_int_eq(tproc__transform_out_channels(t), ref_ch);
            void *o = malloc(N_PIXELS * (size_t)ref_ch * sample_bytes(sample));
            tproc__transform_apply_row(t, px, o, N_PIXELS);
            size_t at;
            double d = max_diff(o, ref, N_PIXELS * (size_t)ref_ch, sample, &at);
            ck_assert_msg(d <= (sample == TPROC_F32 ? 0.05 : 1.0), "case %zu %s: %.2f levels off",
                          k, tproc_sample_name(sample), d);
            free(px);
            free(ref);
            free(o);
            tproc__transform_free(&t);
            tproc__profile_free(&in);
            tproc__profile_free(&out);
        }
    free(p3.data);
    free(adobe.data);
    free(gray.data);
}
END_TEST

/* --- identity ----------------------------------------------------------------------------- */

/* When a transform calls itself an identity, the reference must agree: converting moves no
 * pixel by a level. sRGB profiles from elsewhere are identities at u8 at least; our own
 * embedded sRGB profile at every depth: it means "these pixels are sRGB". (Saved, its numbers
 * are rounded to the ICC's 16.16 fixed point, so lcms2 converting it to its exact sRGB moves
 * pixels by up to 0.12 u8 levels, 30 u16 levels; keeping the pixels is the faithful choice.) */
START_TEST(identity_is_decided_soundly)
{
    const unsigned char *srgb;
    size_t srgb_size;
    tu_ok(NULL, tproc__srgb_profile_bytes(NULL, 0, &srgb, &srgb_size));
    icc own = {malloc(srgb_size), srgb_size};
    memcpy(own.data, srgb, srgb_size);
    own.data[25] ^= 1; /* written by another run, another year */
    tu_ok(NULL, tproc__srgb_profile_bytes(NULL, 1, &srgb, &srgb_size));
    icc own_gray = {malloc(srgb_size), srgb_size};
    memcpy(own_gray.data, srgb, srgb_size);
    icc colord = load_icc("colord-sRGB.icc"), free_srgb = load_icc("free-sRGB.icc"),
        gray = load_icc("@srgb-gray"), adobe = load_icc("AdobeRGB1998.icc");
    struct {
        const icc *p;
        tproc__layout layout;
        int identity_u8, identity_u16; /* -1: either */
    } cases[] = {{&own, TPROC__LAYOUT_RGB, 1, 1},        {&colord, TPROC__LAYOUT_RGB, 1, -1},
                 {&free_srgb, TPROC__LAYOUT_RGBA, 1, -1}, {&gray, TPROC__LAYOUT_GRAY, 1, 1},
                 {&adobe, TPROC__LAYOUT_RGB, 0, 0},       {&own_gray, TPROC__LAYOUT_GRAY, 1, 1}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int s = 0; s < 2; s++) {
            tproc_sample sample = s ? TPROC_U16 : TPROC_U8;
            tproc__profile *prof;
            tu_ok(NULL, tproc__profile_open(NULL, "p", cases[k].p->data, cases[k].p->size, &prof));
            tproc__transform *t;
            tu_ok(NULL, tproc__transform_new(NULL, "p", prof, cases[k].layout, NULL, sample, NULL, &t));
            int want = s ? cases[k].identity_u16 : cases[k].identity_u8;
            int is = tproc__transform_is_identity(t);
            if (want >= 0)
                ck_assert_msg(is == want, "case %zu %s: identity %d", k, tproc_sample_name(sample), is);
            int ch = tproc__layout_channels(cases[k].layout);
            void *px = make_pixels(N_PIXELS, ch, sample, 5);
            int ref_ch;
            void *ref = reference(cases[k].p, NULL, cases[k].layout, sample, px, N_PIXELS, 1, 0,
                                  0, &ref_ch);
            size_t at;
            double d = max_diff(px, ref, N_PIXELS * (size_t)ch, sample, &at);
            double bound = (cases[k].p == &own || cases[k].p == &own_gray) && s ? 0.5 * 257 : 1.0;
            if (is)
                ck_assert_msg(d <= bound, "case %zu %s: called identity, but converting moves %.2f",
                              k, tproc_sample_name(sample), d);
            free(px);
            free(ref);
            tproc__transform_free(&t);
            tproc__profile_free(&prof);
        }
    free(own.data);
    free(own_gray.data);
    free(colord.data);
    free(free_srgb.data);
    free(gray.data);
    free(adobe.data);
}
END_TEST

/* --- threads ------------------------------------------------------------------------------ */

typedef struct thread_job {
    const tproc__transform *t;
    const unsigned char *in;
    unsigned char *out;
    size_t width, rows, in_px, out_px;
} thread_job;

static void *thread_rows(void *arg)
{
    thread_job *j = arg;
    for (int rep = 0; rep < 3; rep++)
        for (size_t y = 0; y < j->rows; y++)
            tproc__transform_apply_row(j->t, j->in + y * j->width * j->in_px,
                                       j->out + y * j->width * j->out_px, j->width);
    return NULL;
}

/* One transform used by four threads at once gives the bytes one thread gives, on every
 * path (fast, gray table, lcms2 precise integer, lcms2 float). */
START_TEST(threads_share_a_transform)
{
    static const struct {
        const char *profile;
        tproc__layout layout;
        tproc_sample sample;
    } cases[] = {{"AdobeRGB1998.icc", TPROC__LAYOUT_RGB, TPROC_U8},
                 {"ProPhotoRGB.icc", TPROC__LAYOUT_RGBA, TPROC_U16},
                 {"Gray.icc", TPROC__LAYOUT_GRAYA, TPROC_U16},
                 {"@cmyk-v4", TPROC__LAYOUT_CMYK, TPROC_U8},
                 {"@rgb-lut", TPROC__LAYOUT_RGB, TPROC_F32}};
    icc p = load_icc(cases[_i].profile);
    tproc__profile *prof;
    tu_ok(NULL, tproc__profile_open(NULL, "p", p.data, p.size, &prof));
    tproc__transform *t;
    tu_ok(NULL, tproc__transform_new(NULL, "p", prof, cases[_i].layout, NULL, cases[_i].sample,
                                     NULL, &t));
    size_t width = 512, rows = 64, bytes = sample_bytes(cases[_i].sample);
    size_t in_px = (size_t)tproc__layout_channels(cases[_i].layout) * bytes;
    size_t out_px = (size_t)tproc__transform_out_channels(t) * bytes;
    unsigned char *in = make_pixels(width * rows, tproc__layout_channels(cases[_i].layout),
                                    cases[_i].sample, 3);
    unsigned char *one = malloc(width * rows * out_px), *many = malloc(width * rows * out_px);
    thread_job whole = {t, in, one, width, rows, in_px, out_px};
    thread_rows(&whole);
    pthread_t th[4];
    thread_job jobs[4];
    for (int i = 0; i < 4; i++) {
        size_t y0 = rows / 4 * (size_t)i;
        jobs[i] = (thread_job){t, in + y0 * width * in_px, many + y0 * width * out_px, width,
                               rows / 4, in_px, out_px};
        pthread_create(&th[i], NULL, thread_rows, &jobs[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    ck_assert_int_eq(memcmp(one, many, width * rows * out_px), 0);
    free(in);
    free(one);
    free(many);
    free(p.data);
    tproc__transform_free(&t);
    tproc__profile_free(&prof);
}
END_TEST

/* --- profile facts, the sRGB profile, CMYK formula ----------------------------------------- */

START_TEST(profile_info_is_read)
{
    static const struct {
        const char *name;
        tproc__colour_space space;
        const char *cls;
        unsigned major;
        int matrix_shaper;
        const char *description; /* a part of it */
    } cases[] = {
        {"AdobeRGB1998.icc", TPROC__SPACE_RGB, "display", 4, 1, "Adobe"},
        {"ProPhotoRGB.icc", TPROC__SPACE_RGB, "display", 4, 1, "ProPhoto"},
        {"Gray.icc", TPROC__SPACE_GRAY, "display", 2, 1, ""},
        {"@p3", TPROC__SPACE_RGB, "display", 4, 1, "Display P3"},
        {"@cmyk-v2", TPROC__SPACE_CMYK, "output", 2, 0, "CMYK LUT v2"},
        {"@cmyk-v4", TPROC__SPACE_CMYK, "output", 4, 0, "CMYK LUT v4"},
        {"@rgb-lut", TPROC__SPACE_RGB, "input", 4, 0, "RGB LUT"},
    };
    icc p = load_icc(cases[_i].name);
    tproc__profile *prof;
    tu_ok(NULL, tproc__profile_open(NULL, cases[_i].name, p.data, p.size, &prof));
    const tproc__profile_info *info = tproc__profile_info_of(prof);
    ck_assert_int_eq(info->space, cases[_i].space);
    ck_assert_str_eq(info->class_name, cases[_i].cls);
    ck_assert_uint_eq(info->version_major, cases[_i].major);
    ck_assert_int_eq(info->matrix_shaper, cases[_i].matrix_shaper);
    ck_assert_uint_eq(info->size, p.size);
    ck_assert_msg(strstr(info->description, cases[_i].description) != NULL, "%s: description '%s'",
                  cases[_i].name, info->description);
    size_t size;
    ck_assert_int_eq(memcmp(tproc__profile_bytes(prof, &size), p.data, p.size), 0);
    ck_assert_uint_eq(size, p.size);
    tproc__profile_free(&prof);
    tproc__profile_free(&prof); /* NULL: a no-op */
    free(p.data);
}
END_TEST

static void *get_srgb(void *arg)
{
    const unsigned char **out = arg;
    size_t size;
    if (tproc__srgb_profile_bytes(NULL, 0, out, &size) != TPROC_OK)
        *out = NULL;
    return NULL;
}

/* Made once, from any thread; a valid compact RGB profile that lcms2 reads as sRGB. */
START_TEST(srgb_profile_is_compact_and_shared)
{
    pthread_t th[4];
    const unsigned char *got[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, get_srgb, &got[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    const unsigned char *data;
    size_t size;
    tu_ok(NULL, tproc__srgb_profile_bytes(NULL, 0, &data, &size));
    for (int i = 0; i < 4; i++)
        ck_assert_ptr_eq(got[i], data);
    /* The gray one is another, compact, gray profile with sRGB's curve. */
    const unsigned char *gray_data;
    size_t gray_size;
    tu_ok(NULL, tproc__srgb_profile_bytes(NULL, 1, &gray_data, &gray_size));
    ck_assert_ptr_ne(gray_data, data);
    ck_assert_uint_lt(gray_size, 1024);
    tproc__profile *gray_prof;
    tu_ok(NULL, tproc__profile_open(NULL, "gray srgb", gray_data, gray_size, &gray_prof));
    ck_assert_int_eq(tproc__profile_info_of(gray_prof)->space, TPROC__SPACE_GRAY);
    tproc__profile_free(&gray_prof);
    ck_assert_uint_lt(size, 4096);
    tproc__profile *prof;
    tu_ok(NULL, tproc__profile_open(NULL, "srgb", data, size, &prof));
    ck_assert_int_eq(tproc__profile_info_of(prof)->space, TPROC__SPACE_RGB);
    ck_assert_int_eq(tproc__profile_info_of(prof)->matrix_shaper, 1);
    tproc__profile_free(&prof);
    /* lcms2 converts it to its built-in sRGB as (nearly) nothing: within the rounding of its
     * numbers to 16.16 fixed point (30 u16 levels, 0.12 u8 levels at most). */
    cmsHPROFILE a = cmsOpenProfileFromMem(data, (cmsUInt32Number)size), b = cmsCreate_sRGBProfile();
    cmsHTRANSFORM xf = cmsCreateTransform(a, TYPE_RGB_16, b, TYPE_RGB_16, 1, cmsFLAGS_NOOPTIMIZE);
    for (unsigned v = 0; v < 65536; v += 257) {
        uint16_t px[3] = {(uint16_t)v, (uint16_t)(65535 - v), (uint16_t)(v / 2)}, o[3];
        cmsDoTransform(xf, px, o, 1);
        for (int c = 0; c < 3; c++)
            ck_assert_int_le(abs((int)o[c] - (int)px[c]), 32);
    }
    cmsDeleteTransform(xf);
    cmsCloseProfile(a);
    cmsCloseProfile(b);
}
END_TEST

/* The formula, checked against its definition in double, both flavours, u8 and u16; and the
 * untagged-CMYK transform is exactly it. */
START_TEST(cmyk_formula)
{
    for (int s = 0; s < 2; s++)
        for (int inv = 0; inv < 2; inv++) {
            tproc_sample sample = s ? TPROC_U16 : TPROC_U8;
            double max = s ? 65535.0 : 255.0;
            void *px = make_pixels(N_PIXELS, 4, sample, 8);
            size_t out_bytes = N_PIXELS * 3 * sample_bytes(sample);
            void *out = malloc(out_bytes), *via = malloc(out_bytes);
            tproc__cmyk_to_rgb_naive(px, out, N_PIXELS, sample, inv);
            for (size_t i = 0; i < N_PIXELS; i++) {
                double k = get(px, sample, i * 4 + 3);
                k = inv ? k : max - k;
                for (int c = 0; c < 3; c++) {
                    double v = get(px, sample, i * 4 + (size_t)c);
                    v = inv ? v : max - v;
                    double want = floor(v * k / max + 0.5);
                    ck_assert_double_eq(get(out, sample, i * 3 + (size_t)c), want);
                }
            }
            tproc__transform_options o = {0};
            o.cmyk_inverted = inv;
            tproc__transform *t;
            tu_ok(NULL, tproc__transform_new(NULL, "cmyk", NULL, TPROC__LAYOUT_CMYK, NULL, sample,
                                             &o, &t));
            ck_assert_str_eq(tproc__transform_path(t), "cmyk-formula");
            ck_assert_int_eq(tproc__transform_out_channels(t), 3);
            tproc__transform_apply_row(t, px, via, N_PIXELS);
            ck_assert_int_eq(memcmp(out, via, out_bytes), 0);
            tproc__transform_free(&t);
            free(px);
            free(out);
            free(via);
        }
}
END_TEST

/* --- misuse and hostile profiles ---------------------------------------------------------- */

START_TEST(mismatched_profiles_are_refused)
{
    icc adobe = load_icc("AdobeRGB1998.icc"), cmyk = load_icc("@cmyk-v2"), gray = load_icc("Gray.icc");
    tproc__profile *a, *c, *g;
    tu_ok(NULL, tproc__profile_open(NULL, "a", adobe.data, adobe.size, &a));
    tu_ok(NULL, tproc__profile_open(NULL, "c", cmyk.data, cmyk.size, &c));
    tu_ok(NULL, tproc__profile_open(NULL, "g", gray.data, gray.size, &g));
    tproc__transform *t = (tproc__transform *)&t;
    /* An RGB profile on a gray image (libpng's "profile does not match the colour type"). */
    ck_assert_int_eq(tproc__transform_new(NULL, "x.png", a, TPROC__LAYOUT_GRAY, NULL, TPROC_U8,
                                          NULL, &t),
                     TPROC_ERR_UNSUPPORTED);
    ck_assert_ptr_null(t);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "x.png"));
    ck_assert_int_eq(tproc__transform_new(NULL, "x", g, TPROC__LAYOUT_RGB, NULL, TPROC_U8, NULL, &t),
                     TPROC_ERR_UNSUPPORTED);
    /* A CMYK output profile: outputs are RGB or gray. */
    ck_assert_int_eq(tproc__transform_new(NULL, "x", a, TPROC__LAYOUT_RGB, c, TPROC_U8, NULL, &t),
                     TPROC_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "RGB or gray"));
    tproc__transform_options bad = {(tproc__intent)9, 0, 0, TPROC__ENGINE_AUTO};
    ck_assert_int_eq(tproc__transform_new(NULL, "x", a, TPROC__LAYOUT_RGB, NULL, TPROC_U8, &bad, &t),
                     TPROC_ERR_ARG);
    tproc__profile_free(&a);
    tproc__profile_free(&c);
    tproc__profile_free(&g);
    free(adobe.data);
    free(cmyk.data);
    free(gray.data);
    tproc__intent intent;
    ck_assert_int_eq(tproc__intent_parse("perceptual", &intent), TPROC_OK);
    ck_assert_int_eq(intent, TPROC__INTENT_PERCEPTUAL);
    ck_assert_int_eq(tproc__intent_parse("relative", &intent), TPROC_OK);
    ck_assert_int_eq(intent, TPROC__INTENT_RELATIVE);
    ck_assert_int_eq(tproc__intent_parse("colorimetric", &intent), TPROC_ERR_ARG);
    ck_assert_str_eq(tproc__intent_name(TPROC__INTENT_ABSOLUTE), "absolute");
}
END_TEST

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Opens data as a profile and, if that works, builds a transform; the status must be a clean
 * error (or success), the message must name the image, and nothing may be left allocated. */
static int try_profile(tproc_ctx *ctx, const unsigned char *data, size_t size)
{
    tproc__profile *p = NULL;
    int status = tproc__profile_open(ctx, "hostile.jpg", data, size, &p);
    if (status == TPROC_OK) {
        tproc__transform *t = NULL;
        const tproc__profile_info *info = tproc__profile_info_of(p);
        tproc__layout l = info->space == TPROC__SPACE_GRAY  ? TPROC__LAYOUT_GRAY
                          : info->space == TPROC__SPACE_CMYK ? TPROC__LAYOUT_CMYK
                                                             : TPROC__LAYOUT_RGB;
        status = tproc__transform_new(ctx, "hostile.jpg", p, l, NULL, TPROC_U8, NULL, &t);
        if (status == TPROC_OK) {
            unsigned char px[64 * 4] = {0}, out[64 * 4];
            for (int i = 0; i < 256; i++)
                px[i] = (unsigned char)(i * 37);
            tproc__transform_apply_row(t, px, out, 64);
        }
        tproc__transform_free(&t);
        tproc__profile_free(&p);
    }
    if (status != TPROC_OK) {
        ck_assert_msg(status == TPROC_ERR_CORRUPT || status == TPROC_ERR_UNSUPPORTED ||
                          status == TPROC_ERR_LIMIT || status == TPROC_ERR_NOMEM,
                      "status %s: %s", tproc_status_name(status), tproc_ctx_message(ctx));
        ck_assert_msg(strstr(tproc_ctx_message(ctx), "hostile.jpg") != NULL, "message: %s",
                      tproc_ctx_message(ctx));
    }
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    return status;
}

START_TEST(hostile_profiles_fail_cleanly)
{
    tu_counter counter = {0};
    tproc_allocator alloc = tu_counting_allocator(&counter);
    tproc_ctx_options o = {&alloc, 0, 1};
    tproc_ctx *ctx;
    ck_assert_int_eq(tproc_ctx_new(&o, &ctx), TPROC_OK);
    icc good = load_icc("AdobeRGB1998.icc");
    unsigned char *buf = malloc(good.size + 64);
    /* Zero bytes, a few zeros, non-ICC bytes (a PNG signature and text). */
    static const unsigned char png[] = "\x89PNG\r\n\x1a\n this is not an ICC profile at all, but "
                                       "it is long enough to be read as a header by a careless "
                                       "parser that does not look at the signature first.....";
    ck_assert_int_eq(try_profile(ctx, NULL, 0), TPROC_ERR_CORRUPT);
    memset(buf, 0, 200);
    ck_assert_int_eq(try_profile(ctx, buf, 200), TPROC_ERR_CORRUPT);
    ck_assert_int_eq(try_profile(ctx, png, sizeof png), TPROC_ERR_CORRUPT);
    /* Every truncation of a real profile. */
    for (size_t n = 0; n < good.size; n += n < 200 ? 1 : 97)
        ck_assert_int_ne(try_profile(ctx, good.data, n), TPROC_OK);
    /* Wrong size fields: too small, larger than the data, absurd. */
    static const uint32_t sizes[] = {0, 131, 132, 1000, 0x7FFFFFFF, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memcpy(buf, good.data, good.size);
        put_be32(buf, sizes[i]);
        try_profile(ctx, buf, good.size);
    }
    /* Absurd tag counts, and tags pointing past the end. */
    static const uint32_t counts[] = {101, 1000, 0x10000, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        memcpy(buf, good.data, good.size);
        put_be32(buf + 128, counts[i]);
        ck_assert_int_eq(try_profile(ctx, buf, good.size), TPROC_ERR_CORRUPT);
    }
    memcpy(buf, good.data, good.size);
    put_be32(buf + 132 + 4, 0xFFFFFF00u);
    ck_assert_int_eq(try_profile(ctx, buf, good.size), TPROC_ERR_CORRUPT);
    /* Random byte changes: any status, never a crash or a leak. */
    tu_rng rng;
    tu_rng_seed(&rng, 2024);
    for (int iter = 0; iter < 400; iter++) {
        memcpy(buf, good.data, good.size);
        int edits = (int)tu_rng_range(&rng, 1, 8);
        for (int e = 0; e < edits; e++)
            buf[tu_rng_range(&rng, 0, (ptrdiff_t)good.size - 1)] = (unsigned char)tu_rng_next(&rng);
        try_profile(ctx, buf, good.size);
    }
    /* 64 MiB: refused on its size before anything is copied. */
    size_t big = (size_t)64 << 20;
    unsigned char *huge = calloc(1, big);
    memcpy(huge, good.data, good.size);
    put_be32(huge, (uint32_t)big);
    size_t peak = counter.peak;
    ck_assert_int_eq(try_profile(ctx, huge, big), TPROC_ERR_UNSUPPORTED);
    ck_assert_uint_eq(counter.peak, peak);
    free(huge);
    free(buf);
    free(good.data);
    tproc_ctx_free(&ctx);
    ck_assert_uint_eq(counter.live, 0);
}
END_TEST

/* Under a ladder of memory limits, through the counting allocator: success, or ERR_LIMIT with
 * a message naming the limit; the allocator's peak stays under the limit; nothing leaks. */
START_TEST(memory_limit_holds)
{
    static const char *names[] = {"AdobeRGB1998.icc", "@cmyk-v4", "@rgb-lut", "Gray.icc"};
    static const size_t limits[] = {2048, 16u << 10, 64u << 10, 256u << 10, 1u << 20, 4u << 20};
    icc p = load_icc(names[_i]);
    int succeeded = 0;
    for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        tu_counter counter = {0};
        tproc_allocator alloc = tu_counting_allocator(&counter);
        tproc_ctx_options o = {&alloc, limits[k], 1};
        tproc_ctx *ctx;
        ck_assert_int_eq(tproc_ctx_new(&o, &ctx), TPROC_OK);
        size_t own = counter.live;
        int status = try_profile(ctx, p.data, p.size);
        if (status == TPROC_OK) {
            succeeded = 1;
        } else {
            ck_assert_msg(status == TPROC_ERR_LIMIT, "%s at %zu: %s", names[_i], limits[k],
                          tproc_ctx_message(ctx));
            char text[32];
            tproc__format_bytes(limits[k], text, sizeof text);
            ck_assert_msg(strstr(tproc_ctx_message(ctx), text) != NULL, "message: %s",
                          tproc_ctx_message(ctx));
        }
        ck_assert_msg(counter.peak <= limits[k] + own, "%s: peak %zu over the limit %zu",
                      names[_i], counter.peak - own, limits[k]);
        tproc_ctx_free(&ctx);
        ck_assert_uint_eq(counter.live, 0);
    }
    ck_assert_msg(succeeded, "%s never fit, even in 4 MiB", names[_i]);
    free(p.data);
}
END_TEST

START_TEST(profile_files)
{
    tproc__profile *p;
    tu_ok(NULL, tproc__profile_open_file(NULL, tu_data("icc/ProPhotoRGB.icc"), &p));
    ck_assert_int_eq(tproc__profile_info_of(p)->space, TPROC__SPACE_RGB);
    tproc__profile_free(&p);
    ck_assert_int_eq(tproc__profile_open_file(NULL, tu_data("icc/missing.icc"), &p), TPROC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "missing.icc"));
    ck_assert_int_eq(tproc__profile_open_file(NULL, tu_data("SOURCES.md"), &p), TPROC_ERR_CORRUPT);
    ck_assert_ptr_null(p);
}
END_TEST

Suite *suite_colour(void)
{
    Suite *s = suite_create("colour");
    TCase *tc = tcase_create("conversions");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, conversions_match_lcms2_float, 0, (int)N_CONV);
    tcase_add_loop_test(tc, intents_and_bpc_match_lcms2_float, 0, (int)N_CONV);
    tcase_add_loop_test(tc, fast_path_matches_precise_path, 0, 4);
    tcase_add_loop_test(tc, simd_rows_equal_portable_rows, 0, 3);
    tcase_add_test(tc, output_profiles_match_lcms2_float);
    tcase_add_test(tc, identity_is_decided_soundly);
    tcase_add_loop_test(tc, threads_share_a_transform, 0, 5);
    suite_add_tcase(s, tc);
    tc = tcase_create("profiles");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, profile_info_is_read, 0, 7);
    tcase_add_test(tc, srgb_profile_is_compact_and_shared);
    tcase_add_test(tc, cmyk_formula);
    tcase_add_test(tc, mismatched_profiles_are_refused);
    tcase_add_test(tc, hostile_profiles_fail_cleanly);
    tcase_add_loop_test(tc, memory_limit_holds, 0, 4);
    tcase_add_test(tc, profile_files);
    suite_add_tcase(s, tc);
    return s;
}
