/* SPDX-License-Identifier: MIT */
/*
 * fuzz_chain.c: a whole run: load -> a chain of filters -> save -> load again. The first
 * FUZZ_HEADER bytes choose the chain (up to FUZZ_MAX_STAGES filters, their parameters from
 * ranges small enough that no input runs for long), the tile size, threads, border rule and
 * output format; the rest is the image. Invariants:
 *   - streaming the chain from a view gives the same pixels as tproc_pipeline_run;
 *   - a failed save hands back no buffer; a saved file loads again with the output's size, an
 *     upright orientation, and (PNG, u8/u16) the same pixels;
 *   - every byte the context handed out comes back.
 * Images and every stage's output are capped at FUZZ_CHAIN_MAX_PIXELS.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"

#define FUZZ_MAX_STAGES 6
#define FUZZ_HEADER (2 + 3 * FUZZ_MAX_STAGES + 2)
#define FUZZ_CHAIN_MAX_PIXELS ((ptrdiff_t)256 * 256)

/* The built-in filters by name, so the harness does not depend on the registry's order. */
static const char *const filter_names[] = {
    "invert",    "grayscale", "brightness", "contrast", "gamma",  "levels",
    "threshold", "crop",      "flip",       "rotate",   "box",    "gaussian",
    "sharpen",   "sobel",     "median",     "convolve", "resize",
};
#define FILTER_COUNT (sizeof filter_names / sizeof filter_names[0])

/* A spec for filter f with parameters from bytes p and q, bounded so that runs stay short. */
static void make_spec(unsigned f, unsigned p, unsigned q, char *buf, size_t size)
{
    static const char *const kernels[] = {"nearest", "bilinear", "bicubic", "lanczos3", "area"};
    static const char *const angles[] = {"90", "180", "270"};
    const char *name = filter_names[f];
    switch (f) {
    case 1:
        snprintf(buf, size, "%s:standard=%s", name, p & 1 ? "601" : "709");
        break;
    case 2:
        snprintf(buf, size, "%s:amount=%.6g", name, p / 127.5 - 1.0);
        break;
    case 3:
        snprintf(buf, size, "%s:amount=%.6g", name, p / 25.5);
        break;
    case 4:
        snprintf(buf, size, "%s:value=%.6g", name, (p + 1) / 25.6);
        break;
    case 5:
        snprintf(buf, size, "%s:in_black=%.6g,in_white=%.6g,out_black=%.6g,out_white=%.6g", name,
                 p / 510.0, 0.5 + q / 510.0, (p ^ q) / 255.0, q / 255.0);
        break;
    case 6:
        snprintf(buf, size, "%s:level=%.6g", name, p / 255.0);
        break;
    case 7:
        snprintf(buf, size, "%s:x=%u,y=%u,width=%u,height=%u", name, p % 32, q % 32, 1 + 2 * p,
                 1 + 2 * q);
        break;
    case 8:
        snprintf(buf, size, "%s:axis=%s", name, p & 1 ? "vertical" : "horizontal");
        break;
    case 9:
        snprintf(buf, size, "%s:angle=%s", name, angles[p % 3]);
        break;
    case 10:
        snprintf(buf, size, "%s:radius=%u", name, 1 + p % 4);
        break;
    case 11:
        snprintf(buf, size, "%s:sigma=%.6g", name, 0.2 + p / 32.0);
        break;
    case 12:
        snprintf(buf, size, "%s:sigma=%.6g,amount=%.6g,threshold=%.6g", name, 0.2 + p / 64.0,
                 q / 25.5, (p ^ q) / 1020.0);
        break;
    case 14:
        snprintf(buf, size, "%s:radius=%u", name, 1 + p % 3);
        break;
    case 15: {
        /* A 1x1, 3x3 or 5x5 matrix of small integers. */
        unsigned n = 1 + 2 * (q % 3);
        size_t at = (size_t)snprintf(buf, size, "%s:matrix=", name);
        for (unsigned i = 0; i < n * n && at < size; i++) {
            int v = (int)((p + i * (q | 1)) % 7) - 3;
            at += (size_t)snprintf(buf + at, size - at, "%s%d", i == 0 ? "" : i % n ? " " : ";", v);
        }
        if (at < size)
            snprintf(buf + at, size - at, ",scale=%s,offset=%.6g", q & 8 ? "0.125" : "1",
                     ((double)(p >> 4) - 8.0) / 64.0);
        break;
    }
    case 16:
        if (q % 3 == 0)
            snprintf(buf, size, "%s:scale=%.6g,kernel=%s", name, (p / 4 + 1) / 16.0,
                     kernels[q / 3 % 5]);
        else if (q % 3 == 1)
            snprintf(buf, size, "%s:width=%u,kernel=%s", name, 1 + 3 * p, kernels[q / 3 % 5]);
        else
            snprintf(buf, size, "%s:width=%u,height=%u,kernel=%s", name, 1 + 3 * p, 1 + q,
                     kernels[q / 3 % 5]);
        break;
    default: /* invert, sobel: no parameters */
        snprintf(buf, size, "%s", name);
        break;
    }
}

/* Builds the chain, dropping any stage that fails or whose output would exceed the cap. */
static tproc_pipeline *build(tproc_ctx *ctx, const uint8_t *h, const tproc_format *in)
{
    char specs[FUZZ_MAX_STAGES][512];
    int kept = 0;
    unsigned stages = h[0] % (FUZZ_MAX_STAGES + 1);
    for (unsigned k = 0; k < stages; k++) {
        const uint8_t *s = h + 2 + 3 * k;
        make_spec(s[0] % FILTER_COUNT, s[1], s[2], specs[kept], sizeof specs[kept]);
        tproc_pipeline *trial = NULL;
        FUZZ_CHECK(tproc_pipeline_new(ctx, &trial) == TPROC_OK);
        int ok = 1;
        for (int i = 0; i <= kept && ok; i++)
            ok = tproc_pipeline_add(trial, specs[i]) == TPROC_OK;
        tproc_format out;
        if (ok && tproc_pipeline_output_format(trial, in, &out) == TPROC_OK &&
            out.width <= FUZZ_CHAIN_MAX_PIXELS / out.height)
            kept++;
        tproc_pipeline_free(&trial);
    }
    tproc_pipeline *pipeline = NULL;
    FUZZ_CHECK(tproc_pipeline_new(ctx, &pipeline) == TPROC_OK);
    for (int i = 0; i < kept; i++)
        FUZZ_CHECK(tproc_pipeline_add(pipeline, specs[i]) == TPROC_OK);
    return pipeline;
}

/* The streamed run from a view must equal the in-memory run. */
static void check_stream(tproc_ctx *ctx, tproc_pipeline *pipeline, const tproc_view *in,
                         const tproc_run_options *opts, const tproc_image *expected)
{
    tproc_source *source = NULL;
    tproc_sink *sink = NULL;
    FUZZ_CHECK(tproc_source_new_view(ctx, in, &source) == TPROC_OK);
    FUZZ_CHECK(tproc_sink_new_image(ctx, &sink) == TPROC_OK);
    int status = tproc_pipeline_stream(pipeline, source, sink, opts, NULL);
    tproc_image *got = status == TPROC_OK ? tproc_sink_take_image(sink) : NULL;
    FUZZ_CHECK((status == TPROC_OK) == (expected != NULL) || status == TPROC_ERR_LIMIT);
    if (got && expected) {
        tproc_view a = tproc_image_view(got), b = tproc_image_view(expected);
        tproc_diff d;
        FUZZ_CHECK(tproc_view_compare(&a, &b, &d) == TPROC_OK && d.differing == 0);
    }
    tproc_image_free(&got);
    tproc_sink_free(&sink);
    tproc_source_free(&source);
}

/* Saves the output with the input's metadata, then loads the file again. */
static void check_save(tproc_ctx *ctx, const tproc_image *input, const tproc_image *output,
                       const uint8_t *h)
{
    tproc_save_options o;
    tproc_save_options_from_image(&o, input);
    o.format = h[1] & 1 ? TPROC_FILE_JPEG : TPROC_FILE_PNG;
    o.quality = 1 + h[FUZZ_HEADER - 1] % 100;
    o.compression = h[FUZZ_HEADER - 1] % 10;
    o.chroma_444 = h[FUZZ_HEADER - 2] & 1;
    o.progressive = (h[FUZZ_HEADER - 2] >> 1) & 1;
    tproc_view v = tproc_image_view(output);
    void *data = (void *)&o; /* must be reset to NULL by the call */
    size_t size = 1;
    if (tproc_save_memory(ctx, &v, &o, &data, &size) != TPROC_OK) {
        FUZZ_CHECK(data == NULL && size == 0); /* no partial output */
        return;
    }
    FUZZ_CHECK(data != NULL && size > 0);
    tproc_image *back = NULL;
    FUZZ_CHECK(tproc_load_memory(ctx, data, size, NULL, &back) == TPROC_OK);
    tproc_view b = tproc_image_view(back);
    FUZZ_CHECK(b.width == v.width && b.height == v.height);
    FUZZ_CHECK(tproc_image_orientation(back) == 1);
    if (o.format == TPROC_FILE_PNG && v.sample != TPROC_F32) {
        tproc_diff d;
        FUZZ_CHECK(tproc_view_compare(&b, &v, &d) == TPROC_OK && d.differing == 0);
    }
    tproc_image_free(&back);
    tproc_free(ctx, data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size <= FUZZ_HEADER)
        return 0;
    const uint8_t *h = data, *file = data + FUZZ_HEADER;
    size_t file_size = size - FUZZ_HEADER;
    tproc_ctx *ctx = fuzz_ctx();
    tproc_info info;
    tproc_image *input = NULL;
    tproc_load_options lo = {(h[1] >> 7) & 1, 0};
    if (!fuzz_header_ok(ctx, file, file_size, FUZZ_CHAIN_MAX_PIXELS, &info) ||
        tproc_load_memory(ctx, file, file_size, &lo, &input) != TPROC_OK) {
        tproc_ctx_free(&ctx);
        return 0;
    }
    tproc_view in = tproc_image_view(input);
    tproc_format in_format = {in.width, in.height, in.channels, in.sample};
    tproc_pipeline *pipeline = build(ctx, h, &in_format);

    /* Default strips, and tiles that do not divide typical sizes. Tiny tiles are left out: with
     * a chain's halos added up they recompute most rows many times over, which is slow, not new. */
    static const ptrdiff_t tiles[4][2] = {{0, 0}, {32, 16}, {61, 23}, {128, 128}};
    tproc_run_options opts;
    tproc_run_options_init(&opts);
    opts.border = (tproc_border)((h[1] >> 1) % 5);
    opts.tile_width = tiles[(h[1] >> 4) & 3][0];
    opts.tile_height = tiles[(h[1] >> 4) & 3][1];
    opts.threads = 1 + ((h[FUZZ_HEADER - 2] >> 2) & 1);
    double max = in.sample == TPROC_U8 ? 255.0 : in.sample == TPROC_U16 ? 65535.0 : 1.0;
    for (int c = 0; c < 4; c++)
        opts.border_value[c] = (h[FUZZ_HEADER - 2] >> 3) / 31.0 * max;

    tproc_image *output = NULL;
    if (tproc_pipeline_run(pipeline, &in, &opts, &output) != TPROC_OK)
        FUZZ_CHECK(output == NULL);
    if (h[1] & 0x40)
        check_stream(ctx, pipeline, &in, &opts, output);
    if (output)
        check_save(ctx, input, output, h);
    tproc_image_free(&output);
    tproc_pipeline_free(&pipeline);
    tproc_image_free(&input);
    FUZZ_CHECK(tproc_ctx_memory_in_use(ctx) == 0);
    tproc_ctx_free(&ctx);
    return 0;
}
