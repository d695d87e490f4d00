/* SPDX-License-Identifier: MIT */
/*
 * fuzz_icc.c: ICC profile bytes through the colour engine (src/colour*.c): the checks before
 * lcms2, lcms2's parser, the facts `info` shows, and transforms built from the profile as an
 * input profile (u8, u16, f32; the fast path, its probe check and the gray tables included)
 * and as an output profile, each applied to a row.
 * Invariants: a failure records TPROC_ERR_CORRUPT, _UNSUPPORTED, _LIMIT or _NOMEM with the
 * image's name in the message; the facts are sane (size, a printable description); the output
 * of every transform has the promised channels and u8/u16 alpha passes through unchanged;
 * memory in use returns to 0.
 */
#include <string.h>

#include "colour.h"
#include "fuzz_common.h"

static void check_failure(tproc_ctx *ctx, int status)
{
    FUZZ_CHECK(status == TPROC_ERR_CORRUPT || status == TPROC_ERR_UNSUPPORTED ||
               status == TPROC_ERR_LIMIT || status == TPROC_ERR_NOMEM);
    FUZZ_CHECK(strstr(tproc_ctx_message(ctx), "fuzz.icc") != NULL);
}

static void convert(tproc_ctx *ctx, const tproc__profile *in, tproc__layout layout,
                    const tproc__profile *out, tproc_sample sample)
{
    tproc__transform *t = NULL;
    int status = tproc__transform_new(ctx, "fuzz.icc", in, layout, out, sample, NULL, &t);
    if (status) {
        check_failure(ctx, status);
        FUZZ_CHECK(t == NULL);
        return;
    }
    int in_ch = tproc__layout_channels(layout), out_ch = tproc__transform_out_channels(t);
    FUZZ_CHECK(out_ch >= 1 && out_ch <= 4);
    enum { W = 67 };
    float src[W * 4], dst[W * 4];
    unsigned char *s = (unsigned char *)src;
    for (size_t i = 0; i < sizeof src; i++)
        s[i] = (unsigned char)(i * 131 + 7);
    if (sample == TPROC_F32)
        for (size_t i = 0; i < W * 4; i++)
            src[i] = (float)(i % 257) / 256.0f;
    tproc__transform_apply_row(t, src, dst, W);
    int alpha = layout == TPROC__LAYOUT_GRAYA || layout == TPROC__LAYOUT_RGBA;
    if (alpha && sample == TPROC_U8)
        for (size_t x = 0; x < W; x++)
            FUZZ_CHECK(((unsigned char *)dst)[x * (size_t)out_ch + (size_t)out_ch - 1] ==
                       s[x * (size_t)in_ch + (size_t)in_ch - 1]);
    tproc__transform_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tproc_ctx *ctx = fuzz_ctx();
    tproc__profile *p = NULL;
    int status = tproc__profile_open(ctx, "fuzz.icc", data, size, &p);
    if (status) {
        check_failure(ctx, status);
        FUZZ_CHECK(p == NULL);
    } else {
        const tproc__profile_info *info = tproc__profile_info_of(p);
        FUZZ_CHECK(info->size >= 132 && info->size <= size);
        FUZZ_CHECK(info->class_name != NULL);
        for (const char *c = info->description; *c; c++)
            FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7F);
        tproc__layout layout = info->space == TPROC__SPACE_GRAY   ? TPROC__LAYOUT_GRAYA
                               : info->space == TPROC__SPACE_CMYK ? TPROC__LAYOUT_CMYK
                                                                  : TPROC__LAYOUT_RGBA;
        convert(ctx, p, layout, NULL, TPROC_U8);
        convert(ctx, p, layout, NULL, TPROC_U16);
        convert(ctx, p, layout, NULL, TPROC_F32);
        /* As an output profile for sRGB input (RGB and gray outputs only). */
        convert(ctx, NULL, TPROC__LAYOUT_RGBA, p, TPROC_U8);
        tproc__profile_free(&p);
    }
    FUZZ_CHECK(tproc_ctx_memory_in_use(ctx) == 0);
    tproc_ctx_free(&ctx);
    return 0;
}
