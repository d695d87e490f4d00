/* SPDX-License-Identifier: MIT */
/*
 * chunked.c: processing an image larger than you would want in memory, in chunks, through the
 * public source/sink API. The input is a tall image that never exists whole: a callback source
 * computes each band of rows when the pipeline asks for it. A gaussian blur and a halving resize
 * run on it with tproc_pipeline_stream(), which keeps only the rows the next strip of output
 * needs (the blur's halo included), and a file sink encodes each finished strip into a JPEG.
 * At the end the program prints the context's peak memory next to what the whole image would
 * have taken: the peak depends on the width, not on the height.
 *
 *     usage: chunked OUTPUT.jpg [WIDTH HEIGHT]      (default 4096 x 16384)
 */
#include <stdio.h>
#include <stdlib.h>
#include <tileproc/tileproc.h>

/* The made-up input: a colour gradient under a checkerboard of 256-pixel squares. */
typedef struct pattern {
    ptrdiff_t width, height;
} pattern;

/* Fills rows [y, y + count) of the pattern: called top to bottom, each row once. */
static int read_rows(void *user, ptrdiff_t y, ptrdiff_t count, const tproc_view *rows)
{
    const pattern *p = user;
    for (ptrdiff_t r = 0; r < count; r++) {
        unsigned char *px = (unsigned char *)rows->data + r * rows->row_stride;
        ptrdiff_t row = y + r;
        for (ptrdiff_t x = 0; x < p->width; x++, px += 3) {
            int dark = ((x >> 8) ^ (row >> 8)) & 1;
            px[0] = (unsigned char)(x * 255 / p->width);
            px[1] = (unsigned char)(row * 255 / p->height);
            px[2] = (unsigned char)(dark ? 40 : 215);
        }
    }
    return TPROC_OK;
}

static int parse_size(const char *text, ptrdiff_t *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || *end || v < 2 || v > 1000000)
        return -1;
    *out = (ptrdiff_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    pattern p = {4096, 16384};
    if ((argc != 2 && argc != 4) ||
        (argc == 4 && (parse_size(argv[2], &p.width) || parse_size(argv[3], &p.height)))) {
        fprintf(stderr, "usage: chunked OUTPUT.jpg [WIDTH HEIGHT]   (each 2-1000000)\n");
        return 2;
    }
    const char *output = argv[1];
    tproc_ctx *ctx = NULL;
    tproc_source *source = NULL;
    tproc_sink *sink = NULL;
    tproc_pipeline *chain = NULL;
    tproc_format format = {p.width, p.height, 3, TPROC_U8};
    tproc_save_options save;
    tproc_save_options_init(&save);
    save.quality = 85;

    int status = tproc_ctx_new(NULL, &ctx);
    if (!status)
        status = tproc_source_new_callback(ctx, &format, read_rows, &p, &source);
    if (!status) /* the format comes from the name; the file appears only when the run succeeds */
        status = tproc_sink_open(ctx, output, &save, &sink);
    if (!status)
        status = tproc_pipeline_new(ctx, &chain);
    if (!status)
        status = tproc_pipeline_add(chain, "gaussian:sigma=2");
    if (!status)
        status = tproc_pipeline_add(chain, "resize:scale=0.5");
    tproc_format out = format;
    if (!status)
        status = tproc_pipeline_output_format(chain, &format, &out);
    if (!status)
        status = tproc_pipeline_stream(chain, source, sink, NULL, NULL);

    if (!status) {
        double whole = (double)p.width * (double)p.height * 3;
        printf("wrote %s: %tdx%td from a %tdx%td input\n", output, out.width, out.height, p.width,
               p.height);
        printf("peak memory %.1f MiB; the whole input would take %.1f MiB\n",
               (double)tproc_ctx_memory_peak(ctx) / (1024.0 * 1024.0), whole / (1024.0 * 1024.0));
    } else {
        const char *msg = tproc_ctx_message(ctx);
        fprintf(stderr, "chunked: error: %s\n", *msg ? msg : tproc_strerror(status));
    }
    tproc_pipeline_free(&chain);
    tproc_sink_free(&sink); /* after a failure this removes the unfinished file */
    tproc_source_free(&source);
    tproc_ctx_free(&ctx);
    return status ? 1 : 0;
}
