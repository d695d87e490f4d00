/* SPDX-License-Identifier: MIT */
/*
 * fuzz_chain.c: a whole run: load -> a chain of filters -> save -> load again. The first
 * FUZZ_HEADER bytes choose the chain (up to FUZZ_MAX_STAGES filters of the registry, their
 * parameters drawn from the filters' own tables in ranges small enough that no input runs for
 * long: tests/filter_spec.h), the tile size, threads, border rule and output format; the rest
 * is the image. Invariants:
 *   - streaming the chain from a view gives the same pixels as tproc_pipeline_run;
 *   - a failed save hands back no buffer; a saved file loads again with the output's size, an
 *     upright orientation, and (PNG, u8/u16) the same pixels;
 *   - every byte the context handed out comes back.
 * Images and every stage's output are capped at FUZZ_CHAIN_MAX_PIXELS.
 */
#include <stdio.h>
#include <string.h>

#include "filter_spec.h"
#include "fuzz_common.h"

#define FUZZ_MAX_STAGES 6
#define FUZZ_HEADER (2 + 3 * FUZZ_MAX_STAGES + 2)
#define FUZZ_CHAIN_MAX_PIXELS ((ptrdiff_t)256 * 256)

/*
 * Builds the chain: stage k takes the filter fspec_choose(s[0]) (every filter in the registry,
 * built-in or registered, is among the choices) with parameters drawn from its table by a
 * generator seeded with s[1] and s[2], the first of a few draws that the filter accepts for
 * the chain's image at that point. Stages for which no draw is accepted, or whose output would
 * exceed the cap, are dropped.
 */
static tproc_pipeline *build(tproc_ctx *ctx, const uint8_t *h, const tproc_format *in)
{
    char specs[FUZZ_MAX_STAGES][512];
    int kept = 0;
    tproc_format at = *in;
    unsigned stages = h[0] % (FUZZ_MAX_STAGES + 1);
    for (unsigned k = 0; k < stages; k++) {
        const uint8_t *s = h + 2 + 3 * k;
        const tproc_filter *f = fspec_choose(s[0]);
        fspec_rng rng = {((uint64_t)s[1] << 8 | s[2]) + 0x10000u * k};
        if (!f || !fspec_valid(ctx, f, &at, &rng, 4, specs[kept], sizeof specs[kept]))
            continue;
        tproc_pipeline *trial = NULL;
        FUZZ_CHECK(tproc_pipeline_new(ctx, &trial) == TPROC_OK);
        int ok = 1;
        for (int i = 0; i <= kept && ok; i++)
            ok = tproc_pipeline_add(trial, specs[i]) == TPROC_OK;
        tproc_format out;
        if (ok && tproc_pipeline_output_format(trial, in, &out) == TPROC_OK &&
            out.width <= FUZZ_CHAIN_MAX_PIXELS / out.height) {
            kept++;
            at = out;
        }
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
    tproc_load_options lo = {.ignore_orientation = (h[1] >> 7) & 1, .strict = 0};
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
