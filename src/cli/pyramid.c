/* SPDX-License-Identifier: MIT */
/*
 * pyramid.c: `tileproc pyramid [OPTIONS] INPUT OUTPUT [FILTER]...`: the FILTERs run first,
 * then the library builds the tile pyramid in one streamed pass (tproc_pipeline_pyramid).
 * Its options are checked here, before any file is read; existing targets are refused by the
 * library unless --force, and a failed or interrupted run leaves nothing behind.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Where --viewer loads OpenSeadragon from unless --viewer-script says otherwise. */
#define DEFAULT_VIEWER_SCRIPT                                                                      \
    "https://cdn.jsdelivr.net/npm/openseadragon@4/build/openseadragon/openseadragon.min.js"

static int parse_long(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno == ERANGE || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* "255" or "255,0,0": one value for every channel or one per channel. */
static int parse_background(const char *text, double *bg)
{
    int n = 0;
    const char *s = text;
    for (;;) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || !isfinite(v) || v < 0 || v > 255 || (*end && *end != ',') || n == 4)
            return -1;
        bg[n++] = v;
        if (!*end)
            break;
        s = end + 1;
    }
    for (int c = n; c < 4; c++)
        bg[c] = n == 1 ? bg[0] : 255;
    return 0;
}

int cli_pyramid_option(cli_args *args, cli_opt_id id, const char *value)
{
    tproc_pyramid_options *o = &args->pyramid;
    long n;
    switch (id) {
    case CLI_OPT_LAYOUT: {
        int layout = tproc_pyramid_layout_parse(value);
        if (layout < 0)
            return cli_usage("--layout must be dz, iiif, iiif3, zoomify or google, got '%s'",
                             value);
        o->layout = (tproc_pyramid_layout)layout;
        break;
    }
    case CLI_OPT_TILE_SIZE:
        if (parse_long(value, 1, 8192, &n))
            return cli_usage("--tile-size must be a whole number in 1-8192, got '%s'", value);
        o->tile_size = (int)n;
        break;
    case CLI_OPT_OVERLAP:
        if (parse_long(value, 0, 8191, &n))
            return cli_usage("--overlap must be a whole number in 0-8191, got '%s'", value);
        o->overlap = (int)n;
        break;
    case CLI_OPT_SUFFIX:
        o->suffix = tproc_file_format_parse(value[0] == '.' ? value + 1 : value);
        if (o->suffix == TPROC_FILE_UNKNOWN)
            return cli_usage("--suffix must be %s, got '%s'", cli_formats(CLI_FORMATS_OR), value);
        break;
    case CLI_OPT_DEPTH:
        if (strcmp(value, "onepixel") == 0)
            o->depth = TPROC_PYRAMID_DEPTH_ONEPIXEL;
        else if (strcmp(value, "onetile") == 0)
            o->depth = TPROC_PYRAMID_DEPTH_ONETILE;
        else if (strcmp(value, "one") == 0)
            o->depth = TPROC_PYRAMID_DEPTH_ONE;
        else
            return cli_usage("--depth must be onepixel, onetile or one, got '%s'", value);
        break;
    case CLI_OPT_BACKGROUND:
        if (parse_background(value, o->background))
            return cli_usage("--background must be 0-255, one value or up to 4 separated by "
                             "commas, got '%s'",
                             value);
        break;
    case CLI_OPT_SKIP_BLANKS:
        if (parse_long(value, -1, 255, &n))
            return cli_usage("--skip-blanks must be a whole number in -1-255, got '%s'", value);
        o->skip_blanks = (int)n;
        break;
    case CLI_OPT_ID:
        o->id = value;
        break;
    case CLI_OPT_CONTAINER:
        if (strcmp(value, "fs") == 0)
            o->container = TPROC_PYRAMID_FS;
        else if (strcmp(value, "zip") == 0)
            o->container = TPROC_PYRAMID_ZIP;
        else
            return cli_usage("--container must be fs or zip, got '%s'", value);
        break;
    case CLI_OPT_VIEWER_SCRIPT:
        if (!*value)
            return cli_usage("--viewer-script needs a URL");
        o->viewer_script = value;
        break;
    default:
        break;
    }
    return CLI_EXIT_OK;
}

static int failed(tproc_ctx *ctx, int status, const char *input)
{
    if (status == TPROC_ERR_CANCELLED) {
        cli_error("%s: interrupted", input);
        return CLI_EXIT_INTERRUPT;
    }
    cli_report(ctx, status, input);
    return CLI_EXIT_FAILED;
}

/* Opens INPUT and builds the pyramid with progress by rows. */
static int build(cli_args *args, tproc_ctx *ctx, tproc_pipeline *pipeline,
                 const tproc_run_options *ro)
{
    const char *input = args->pos[0], *output = args->pos[1];
    const char *in_name = strcmp(input, "-") == 0 ? "<stdin>" : input;
    tproc_load_options load; /* colour as for run: sRGB tiles by default */
    cli_load_options(args, &load);
    tproc_stream_options so = {0};
    so.whole_input = args->no_stream;
    tproc_source *source = NULL;
    int status = tproc_source_open(ctx, input, &load, &source);
    if (status)
        return failed(ctx, status, in_name);
    tproc_pyramid_options o = args->pyramid;
    o.force = args->force;
    if (args->quality)
        o.quality = args->quality;
    if (args->effort >= 0)
        o.effort = args->effort;
    if (args->viewer && !o.viewer_script)
        o.viewer_script = DEFAULT_VIEWER_SCRIPT;
    else if (!args->viewer)
        o.viewer_script = NULL;
    cli_progress *progress = NULL;
    if (cli_progress_new(args->quiet ? 0 : args->progress ? 2 : 1, &progress)) {
        tproc_source_free(&source);
        cli_error("out of memory");
        return CLI_EXIT_FAILED;
    }
    tproc_run_options run = *ro;
    run.progress = cli_progress_update;
    run.progress_user = progress;
    tproc_format in_fmt = tproc_source_format(source), out_fmt;
    status = tproc_pipeline_output_format(pipeline, &in_fmt, &out_fmt);
    if (!status) {
        cli_progress_begin(progress, NULL, (double)out_fmt.width * (double)out_fmt.height / 1e6,
                           so.whole_input ? 0 : out_fmt.height);
        status = tproc_pipeline_pyramid(pipeline, source, output, &o, &run, &so);
        cli_progress_end(progress, status == TPROC_OK);
    }
    cli_progress_free(&progress);
    tproc_source_free(&source);
    return status ? failed(ctx, status, in_name) : CLI_EXIT_OK;
}

int cli_pyramid(cli_args *args)
{
    if (args->pos_count < 2)
        return cli_usage("pyramid needs an INPUT and an OUTPUT");
    if (strcmp(args->pos[1], "-") == 0)
        return cli_usage("a pyramid is files: OUTPUT cannot be standard output (-)");
    if (args->viewer && args->pyramid.container == TPROC_PYRAMID_ZIP)
        return cli_usage("--viewer needs --container fs: no viewer reads a zip");
    if (!args->viewer && args->pyramid.viewer_script)
        return cli_usage("--viewer-script goes with --viewer");
    tproc_ctx_options copts = {NULL, args->memory_limit, args->threads};
    tproc_ctx *ctx = NULL;
    if (tproc_ctx_new(&copts, &ctx) != TPROC_OK) {
        cli_error("cannot create a context: %s", tproc_ctx_message(NULL));
        return CLI_EXIT_FAILED;
    }
    tproc_ctx_set_pixel_limit(ctx, args->pixel_limit);
    if (args->memory_limit)
        tproc_ctx_set_limit_name(ctx, "--memory-limit");
    tproc_pipeline *pipeline = NULL;
    int rc = cli_plugins_load(ctx, args, 1);
    if (!rc && tproc_pipeline_new(ctx, &pipeline) != TPROC_OK) {
        cli_report(ctx, TPROC_ERR_NOMEM, NULL);
        rc = CLI_EXIT_FAILED;
    }
    if (!rc)
        rc = cli_build_pipeline(ctx, pipeline, args->pos + 2, args->pos_count - 2);
    if (!rc) {
        tproc_run_options ro;
        tproc_run_options_init(&ro);
        ro.tile_width = args->tile_width;
        ro.tile_height = args->tile_height;
        ro.threads = args->threads;
        ro.border = args->border;
        for (int c = 0; c < CLI_BORDER_VALUES; c++)
            ro.border_value[c] = args->border_value[c];
        ro.cancel = &cli_cancel_flag;
        cli_catch_signals();
        rc = build(args, ctx, pipeline, &ro);
    }
    tproc_pipeline_free(&pipeline);
    tproc_ctx_free(&ctx);
    return rc;
}
