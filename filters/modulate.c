/* SPDX-License-Identifier: MIT */
/*
 * modulate.c: modulate:brightness=B,saturation=S,hue=H,lightness=L adjusts colour in CIE LCh
 * (from CIELAB, D65), the space sharp's modulate uses: a perceptual space where lightness,
 * colourfulness and hue are separate axes, so a saturation change keeps the lightness and a hue
 * turn keeps both (unlike HSV/HSL, whose "saturation" and "value" mix lightness into colour).
 *     L' = L * brightness + lightness,   C' = C * saturation,   h' = h + hue
 * The image is taken as sRGB: its curve undone, then linear RGB -> XYZ -> Lab, and back
 * (kernels/lab.c). Results outside the sRGB gamut are clamped per channel (u8, u16); f32 keeps
 * them. Gray images have no chroma: only brightness and lightness act. Alpha is copied; the
 * defaults copy every sample unchanged.
 */
#include "filter_internal.h"
#include "kernels/lab.h"

enum { P_BRIGHTNESS, P_SATURATION, P_HUE, P_LIGHTNESS, P_COUNT };

static const tproc_param_desc params_table[P_COUNT] = {
    {"brightness", TPROC_PARAM_FLOAT, 1, 0, 100, 0, NULL, "multiplies the lightness L"},
    {"saturation", TPROC_PARAM_FLOAT, 1, 0, 100, 0, NULL, "multiplies the chroma C (0: gray)"},
    {"hue", TPROC_PARAM_FLOAT, 0, -36000, 36000, 0, NULL, "turns the hue h, in degrees"},
    {"lightness", TPROC_PARAM_FLOAT, 0, -100, 100, 0, NULL, "adds to the lightness L (0-100)"},
};

/* Bins of linear values narrower than the gap between any two thresholds (the narrowest, at
 * the dark end, is 1 / (255 * 12.92) = 0.0003), so each bin holds at most one threshold. */
#define LEVEL_BINS 8192

typedef struct modulate_state {
    int identity;
    double brightness, lightness;
    double m[2][2];        /* (a, b) -> saturation * rotation by hue */
    double linear[256];    /* u8 level -> linear */
    double threshold[256]; /* linear value from which a u8 level is the rounded result */
    unsigned char start[LEVEL_BINS + 1]; /* the level at linear value i / LEVEL_BINS */
} modulate_state;

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    modulate_state *st;
    int status = tproc__alloc(ctx, sizeof *st, "modulate state", (void **)&st);
    if (status)
        return status;
    double b = tproc__param(stage, P_BRIGHTNESS), s = tproc__param(stage, P_SATURATION);
    double h = tproc__param(stage, P_HUE), l = tproc__param(stage, P_LIGHTNESS);
    st->identity = b == 1 && s == 1 && h == 0 && l == 0;
    st->brightness = b;
    st->lightness = l;
    double r = fmod(h, 360.0) * (3.14159265358979323846 / 180.0);
    st->m[0][0] = s * cos(r);
    st->m[0][1] = -s * sin(r);
    st->m[1][0] = s * sin(r);
    st->m[1][1] = s * cos(r);
    st->threshold[0] = -INFINITY;
    for (int k = 0; k < 256; k++) {
        st->linear[k] = tproc__srgb_to_linear(k / 255.0);
        if (k > 0)
            st->threshold[k] = tproc__srgb_to_linear((k - 0.5) / 255.0);
    }
    for (int i = 0, level = 0; i <= LEVEL_BINS; i++) {
        double v = (double)i / LEVEL_BINS;
        while (level < 255 && st->threshold[level + 1] <= v)
            level++;
        st->start[i] = (unsigned char)level;
    }
    stage->state = st;
    return TPROC_OK;
}

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__dealloc(ctx, stage->state);
    stage->state = NULL;
}

/* The u8 level whose sRGB value rounds to the linear value v (half up): the level where v's bin
 * starts, then at most one threshold inside the bin (no pow() per sample). */
static unsigned char u8_level(const modulate_state *st, double v)
{
    if (!(v > 0)) /* NaN too */
        return 0;
    if (v >= 1)
        return 255;
    int level = st->start[(int)(v * LEVEL_BINS)];
    while (level < 255 && st->threshold[level + 1] <= v)
        level++;
    return (unsigned char)level;
}

static void row(const tproc_stage *stage, const void *in, void *out, ptrdiff_t width)
{
    const modulate_state *st = stage->state;
    const tproc_format *f = &stage->in;
    size_t px = (size_t)f->channels * tproc_sample_size(f->sample);
    if (st->identity) {
        if (in != out)
            memmove(out, in, px * (size_t)width);
        return;
    }
    int colour = tproc__colour_channels(f->channels);
    double max = tproc__sample_max(f->sample);
    const unsigned char *s = in;
    unsigned char *d = out;
    for (ptrdiff_t x = 0; x < width; x++, s += px, d += px) {
        double lin[3], lab[3];
        for (int c = 0; c < 3; c++) {
            int k = colour == 3 ? c : 0;
            lin[c] = f->sample == TPROC_U8
                         ? st->linear[s[k]]
                         : tproc__srgb_to_linear(tproc__get_sample(s, f->sample, k) / max);
        }
        double alpha = tproc__has_alpha(f->channels) ? tproc__get_sample(s, f->sample, colour) : 0;
        tproc__linear_to_lab(lin, lab);
        double a = lab[1], b = lab[2];
        lab[0] = lab[0] * st->brightness + st->lightness;
        lab[1] = st->m[0][0] * a + st->m[0][1] * b;
        lab[2] = st->m[1][0] * a + st->m[1][1] * b;
        tproc__lab_to_linear(lab, lin);
        for (int c = 0; c < colour; c++) {
            double v = lin[colour == 3 ? c : 1]; /* gray: G, the luminance's largest term */
            if (f->sample == TPROC_U8)
                d[c] = u8_level(st, v);
            else
                tproc__put_sample(d, f->sample, c, tproc__linear_to_srgb(v) * max);
        }
        if (tproc__has_alpha(f->channels))
            tproc__put_sample(d, f->sample, colour, alpha);
    }
}

const tproc_filter tproc__filter_modulate = {
    .abi = TPROC_FILTER_ABI,
    .name = "modulate",
    .summary = "brightness, saturation, hue and lightness in CIE LCh (as sharp's modulate)",
    .params = params_table,
    .param_count = P_COUNT,
    .prepare = prepare,
    .release = release,
    .process_row = row,
};
