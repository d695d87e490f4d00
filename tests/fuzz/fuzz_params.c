/* SPDX-License-Identifier: MIT */
/*
 * fuzz_params.c: the filter-spec parser ("name:key=value,...", params.c) and pipeline building.
 * The input is text, one spec a line. Every spec that parses must format back to text that
 * parses to the same filter and values, matrices, colours and text included; the lines are then
 * added to a pipeline (at most 70, so the 64-stage limit is reached) whose output format is asked
 * for a small input, which runs every stage's prepare() on its parameters.
 */
#include <math.h>
#include <string.h>

#include "fuzz_common.h"

#define FUZZ_MAX_LINES 70

static void round_trip(tproc_ctx *ctx, const char *spec)
{
    const tproc_filter *f = NULL, *g = NULL;
    tproc_params p, q;
    if (tproc_params_parse(ctx, spec, &f, &p) != TPROC_OK) {
        FUZZ_CHECK(f == NULL);
        FUZZ_CHECK(tproc_ctx_message(ctx)[0] != '\0');
        return;
    }
    FUZZ_CHECK(f != NULL && tproc_params_check(ctx, f, &p) == TPROC_OK);
    char text[16384];
    int n = tproc_params_format(f, &p, text, sizeof text);
    FUZZ_CHECK(n > 0);
    if ((size_t)n >= sizeof text)
        return;
    FUZZ_CHECK(tproc_params_parse(ctx, text, &g, &q) == TPROC_OK && g == f);
    for (int i = 0; i < f->param_count; i++) {
        double a = p.value[i], b = q.value[i];
        FUZZ_CHECK(fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b)) + 1e-300);
        FUZZ_CHECK(tproc_params_get(f, &p, f->params[i].name) == a);
    }
    /* Every matrix value survives (a full 25x25 one used to be cut short by the formatter). */
    FUZZ_CHECK(q.matrix_width == p.matrix_width && q.matrix_height == p.matrix_height);
    for (int i = 0; i < p.matrix_width * p.matrix_height; i++) {
        double a = p.matrix[i], b = q.matrix[i];
        FUZZ_CHECK(fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b)) + 1e-300);
    }
    /* Colours keep their count and numbers; text (escaped on the way out) comes back as it was. */
    FUZZ_CHECK(q.colour_count == p.colour_count);
    for (int i = 0; i < p.colour_count; i++)
        FUZZ_CHECK(fabs(p.colour[i] - q.colour[i]) <= 1e-9 * fabs(p.colour[i]) + 1e-300);
    FUZZ_CHECK(strcmp(p.text, q.text) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    tproc_ctx *ctx = fuzz_ctx();
    tproc_pipeline *pipeline = NULL;
    FUZZ_CHECK(tproc_pipeline_new(ctx, &pipeline) == TPROC_OK);
    char *line = text;
    for (int k = 0; line && k < FUZZ_MAX_LINES; k++) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        round_trip(ctx, line);
        size_t before = tproc_pipeline_length(pipeline);
        if (tproc_pipeline_add(pipeline, line) == TPROC_OK)
            FUZZ_CHECK(tproc_pipeline_length(pipeline) == before + 1);
        else
            FUZZ_CHECK(tproc_pipeline_length(pipeline) == before);
        line = next;
    }
    FUZZ_CHECK(tproc_pipeline_length(pipeline) <= 64);
    /* A small input of a type and channel count picked by the input's length. */
    static const tproc_sample samples[3] = {TPROC_U8, TPROC_U16, TPROC_F32};
    tproc_format in = {17, 13, 1 + (int)(size % 4), samples[size / 4 % 3]}, out;
    if (tproc_pipeline_output_format(pipeline, &in, &out) == TPROC_OK)
        FUZZ_CHECK(out.width >= 1 && out.height >= 1 && out.channels >= 1 && out.channels <= 4);
    tproc_pipeline_free(&pipeline);
    FUZZ_CHECK(tproc_ctx_memory_in_use(ctx) == 0);
    tproc_ctx_free(&ctx);
    {
        tproc_border border;
        (void)tproc_border_parse(text, &border);
        (void)tproc_file_format_from_name(text);
    }
    free(text);
    return 0;
}
