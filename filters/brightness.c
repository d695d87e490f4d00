/* SPDX-License-Identifier: MIT */
/*
 * brightness.c: adds a constant to every colour sample, v' = v + amount * max, where max is the
 * sample type's maximum (255, 65535, or 1.0 for f32), so amount (in [-1, 1], default 0.1) means
 * the same for every type. Alpha, the last channel of gray+alpha and RGBA, is copied unchanged.
 *
 * Rounding: u8 and u16 results are the exact value rounded half up and clamped to the type's
 * range; they come from a lookup table built in prepare() from that same double formula, so the
 * hot loop is one table read per sample. f32 is computed in double, stored as float and not
 * clamped (0.95 + 0.1 stays 1.05), so a later stage still sees the values.
 */
#include "filter_internal.h"

static const tproc_param_desc params[] = {
    {"amount", TPROC_PARAM_FLOAT, 0.1, -1.0, 1.0, 0, NULL,
     "added to every colour sample, as a fraction of the maximum"},
};

/* The definition, in the natural range of a type whose maximum is max. */
static double map(double v, double amount, double max)
{
    return v + amount * max;
}

/*
 * The stage's state. u8 and u16 map through a table of the formula. For u8 the table is
 * normally clamp(v + k) for one integer k; prepare() checks that against the table itself and
 * then uses a saturating add, which the compiler vectorises (exact by construction: it only
 * runs when it equals the table everywhere).
 */
typedef struct state {
    int add_ok; /* u8: t[v] == clamp(v + add, 0, 255) for every v */
    int add;
    unsigned char u8[256];
    uint16_t u16[]; /* 65536 entries, u16 only */
} state;

static int prepare(tproc_ctx *ctx, const tproc_params *p, const tproc_format *in,
                   tproc_stage *stage)
{
    tproc__stage_defaults(stage, in);
    stage->point = 1;
    if (in->sample == TPROC_F32)
        return TPROC_OK;
    double amount = tproc__param(p, 0);
    size_t size = offsetof(state, u16) + (in->sample == TPROC_U16 ? 65536 * sizeof(uint16_t) : 0);
    state *st;
    int status = tproc__alloc_uninit(ctx, size, "brightness lookup table", (void **)&st);
    if (status)
        return status;
    if (in->sample == TPROC_U8) {
        for (int v = 0; v < 256; v++)
            st->u8[v] = tproc__to_u8(map(v, amount, 255.0));
        /* The candidate offset is where the middle value went (it is never clamped). */
        st->add = st->u8[128] - 128;
        st->add_ok = 1;
        for (int v = 0; v < 256; v++) {
            int want = v + st->add < 0 ? 0 : v + st->add > 255 ? 255 : v + st->add;
            if (st->u8[v] != want)
                st->add_ok = 0;
        }
    } else {
        st->add_ok = 0;
        for (int v = 0; v < 65536; v++)
            st->u16[v] = tproc__to_u16(map(v, amount, 65535.0));
    }
    stage->state = st;
    return TPROC_OK;
}

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc_free(ctx, stage->state);
    stage->state = NULL;
}

/*
 * u8 as a saturating add, written as min-then-add (or max-then-subtract) in bytes so that even
 * baseline SSE2 vectorises it. Alpha lanes get limit 255 (or 0) and step 0: unchanged.
 */
static void row_add_u8(int add, const unsigned char *in, unsigned char *out, size_t width,
                       int channels)
{
    unsigned char step = (unsigned char)(add < 0 ? -add : add);
    unsigned char lim = (unsigned char)(add < 0 ? step : 255 - step);
    size_t n = width * (size_t)channels;
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
            for (; i + 16 <= n; i += 16)
                for (size_t j = 0; j < 16; j++)
                    out[i + j] = (unsigned char)((in[i + j] < l[j] ? in[i + j] : l[j]) + k[j]);
            for (; i < n; i++)
                out[i] = (unsigned char)((in[i] < l[i % 16] ? in[i] : l[i % 16]) + k[i % 16]);
        } else {
            for (; i + 16 <= n; i += 16)
                for (size_t j = 0; j < 16; j++)
                    out[i + j] = (unsigned char)((in[i + j] > l[j] ? in[i + j] : l[j]) - k[j]);
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

/*
 * Table rows. Each output sample depends only on the input sample at the same offset, so
 * in == out is fine. The channel switch happens once per row; small local arrays let the
 * compiler combine the stores, which is what makes a table loop fast without SIMD shuffles.
 */
static void row_u8(const unsigned char *t, const unsigned char *in, unsigned char *out,
                   size_t width, int channels)
{
    if (channels == 2) {
        for (size_t x = 0; x < width; x++, in += 2, out += 2) {
            unsigned char px[2] = {t[in[0]], in[1]};
            memcpy(out, px, 2);
        }
    } else if (channels == 4) {
        for (size_t x = 0; x < width; x++, in += 4, out += 4) {
            unsigned char px[4] = {t[in[0]], t[in[1]], t[in[2]], in[3]};
            memcpy(out, px, 4);
        }
    } else {
        size_t n = width * (size_t)channels, i = 0;
        for (; i + 8 <= n; i += 8) {
            unsigned char v[8];
            for (int k = 0; k < 8; k++)
                v[k] = t[in[i + (size_t)k]];
            memcpy(out + i, v, 8);
        }
        for (; i < n; i++)
            out[i] = t[in[i]];
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

static void row_f32(double amount, const unsigned char *in, unsigned char *out, size_t width,
                    int channels)
{
    int colour = tproc__colour_channels(channels);
    for (size_t x = 0; x < width; x++, in += 4 * channels, out += 4 * channels) {
        for (int c = 0; c < colour; c++) {
            float v;
            memcpy(&v, in + 4 * c, 4);
            v = (float)map(v, amount, 1.0);
            memcpy(out + 4 * c, &v, 4);
        }
        if (colour != channels)
            memmove(out + 4 * colour, in + 4 * colour, 4);
    }
}

static void process_row(const tproc_params *p, const tproc_stage *stage, const unsigned char *in,
                        unsigned char *out, ptrdiff_t width, const tproc_format *in_format,
                        const tproc_format *out_format)
{
    (void)out_format;
    const state *st = stage->state;
    size_t w = (size_t)width;
    if (in_format->sample == TPROC_U8 && st->add_ok)
        row_add_u8(st->add, in, out, w, in_format->channels);
    else if (in_format->sample == TPROC_U8)
        row_u8(st->u8, in, out, w, in_format->channels);
    else if (in_format->sample == TPROC_U16)
        row_u16(st->u16, in, out, w, in_format->channels);
    else
        row_f32(tproc__param(p, 0), in, out, w, in_format->channels);
}

const tproc_filter tproc__filter_brightness = {
    .abi = TPROC_FILTER_ABI,
    .name = "brightness",
    .summary = "add amount * max to every colour sample (alpha unchanged)",
    .params = params,
    .param_count = 1,
    .prepare = prepare,
    .release = release,
    .process_row = process_row,
};
