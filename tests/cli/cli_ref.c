/* SPDX-License-Identifier: MIT */
/*
 * cli_ref.c: the reference the CLI tests compare against. It runs a filter chain through the
 * C API (tproc_load, tproc_pipeline, tproc_save) with none of the tool's code, so the test
 * script can `cmp` the tool's PNG with this one; and it compares two images' decoded pixels.
 *
 *   cli_ref run [--tile WxH] [--threads N] [--border RULE[:V]] [--no-orient] [--plugin SO]
 *               INPUT OUTPUT.png [FILTER]...
 *       Writes the chain's result as PNG with the default save options and no metadata.
 *   cli_ref same A B
 *       Exit 0 if A and B decode to the same size, channels, sample type and pixels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tileproc/tileproc.h>

static int fail(tproc_ctx *ctx, const char *what)
{
    fprintf(stderr, "cli_ref: %s: %s\n", what, tproc_ctx_message(ctx));
    return 1;
}

static int same(const char *a, const char *b)
{
    tproc_image *ia = NULL, *ib = NULL;
    if (tproc_load(NULL, a, NULL, &ia) || tproc_load(NULL, b, NULL, &ib)) {
        tproc_image_free(&ia);
        return fail(NULL, "load");
    }
    tproc_view va = tproc_image_view(ia), vb = tproc_image_view(ib);
    int rc = 1;
    tproc_diff d;
    if (va.width != vb.width || va.height != vb.height || va.channels != vb.channels ||
        va.sample != vb.sample)
        fprintf(stderr, "cli_ref: %s is %tdx%td/%d, %s is %tdx%td/%d\n", a, va.width, va.height,
                va.channels, b, vb.width, vb.height, vb.channels);
    else if (tproc_view_compare(&va, &vb, &d))
        fail(NULL, "compare");
    else if (d.differing)
        fprintf(stderr, "cli_ref: %zu samples differ (max %g)\n", d.differing, d.max_abs);
    else
        rc = 0;
    tproc_image_free(&ia);
    tproc_image_free(&ib);
    return rc;
}

static int run(int argc, char **argv)
{
    tproc_run_options ro;
    tproc_run_options_init(&ro);
    tproc_load_options lo = {0};
    int i = 0;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--no-orient") == 0) {
            lo.ignore_orientation = 1;
            i--;
            continue;
        }
        if (i + 1 >= argc)
            return fprintf(stderr, "cli_ref: %s needs a value\n", argv[i]), 2;
        const char *v = argv[i + 1];
        if (strcmp(argv[i], "--tile") == 0) {
            long w = 0, h = 0;
            if (sscanf(v, "%ldx%ld", &w, &h) != 2)
                h = w;
            ro.tile_width = w;
            ro.tile_height = h;
        } else if (strcmp(argv[i], "--threads") == 0) {
            ro.threads = atoi(v);
        } else if (strcmp(argv[i], "--border") == 0) {
            char name[32];
            snprintf(name, sizeof name, "%s", v);
            char *colon = strchr(name, ':');
            if (colon) {
                *colon = '\0';
                double x = atof(colon + 1);
                for (int c = 0; c < 4; c++)
                    ro.border_value[c] = x;
            }
            if (tproc_border_parse(name, &ro.border))
                return fprintf(stderr, "cli_ref: bad border %s\n", v), 2;
        } else if (strcmp(argv[i], "--plugin") == 0) {
            if (tproc_plugin_load(NULL, v))
                return fail(NULL, v);
        } else {
            return fprintf(stderr, "cli_ref: unknown option %s\n", argv[i]), 2;
        }
    }
    if (argc - i < 2)
        return fprintf(stderr, "cli_ref: run needs INPUT and OUTPUT\n"), 2;
    tproc_ctx *ctx = NULL;
    tproc_pipeline *p = NULL;
    tproc_image *in = NULL, *out = NULL;
    int rc = 1;
    if (tproc_ctx_new(NULL, &ctx) || tproc_pipeline_new(ctx, &p)) {
        rc = fail(ctx, "setup");
        goto done;
    }
    for (int k = i + 2; k < argc; k++)
        if (tproc_pipeline_add(p, argv[k])) {
            rc = fail(ctx, argv[k]);
            goto done;
        }
    if (tproc_load(ctx, argv[i], &lo, &in)) {
        rc = fail(ctx, "load");
        goto done;
    }
    tproc_view v = tproc_image_view(in);
    if (tproc_pipeline_run(p, &v, &ro, &out)) {
        rc = fail(ctx, "run");
        goto done;
    }
    tproc_save_options so;
    tproc_save_options_init(&so);
    so.format = TPROC_FILE_PNG;
    v = tproc_image_view(out);
    if (tproc_save(ctx, &v, argv[i + 1], &so)) {
        rc = fail(ctx, "save");
        goto done;
    }
    rc = 0;
done:
    tproc_image_free(&out);
    tproc_image_free(&in);
    tproc_pipeline_free(&p);
    tproc_ctx_free(&ctx);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "same") == 0)
        return same(argv[2], argv[3]);
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return run(argc - 2, argv + 2);
    fprintf(stderr,
            "usage: cli_ref run [OPTIONS] INPUT OUTPUT.png [FILTER]... | cli_ref same A B\n");
    return 2;
}
