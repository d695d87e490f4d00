/* SPDX-License-Identifier: MIT */
/*
 * run.c: `tileproc run`: one INPUT to one OUTPUT, or (with -o DIR) every INPUT into DIR. The
 * filter chain is parsed once, before any file is read, so a bad FILTER is a usage error. Each
 * file takes one path: a source opened on INPUT, planned (a chain that cannot run, or whose
 * whole input does not fit the memory limit, fails here before any output exists), then
 * streamed through the chain into a sink on OUTPUT. The library decides whether rows stream
 * or the whole input is held (--no-stream asks for the latter); the output is the same bytes
 * either way. The sink writes a temporary file beside the target and renames it only on
 * success: a failure leaves no partial file and an existing target untouched. SIGINT/SIGTERM
 * cancel the running pipeline cleanly.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Set by the signal handler; the library reads it between tiles. */
int cli_cancel_flag;

static void on_signal(int sig)
{
    (void)sig;
    cli_cancel_flag = 1;
}

/* The first SIGINT/SIGTERM cancels cleanly; a second one (SA_RESETHAND) kills as usual. */
void cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

typedef struct runner {
    const cli_args *args;
    tproc_ctx *ctx;
    tproc_pipeline *pipeline;
    tproc_run_options options;
    cli_progress *progress;
} runner;

/* One file's run: names for messages, and the output format. */
typedef struct job {
    const char *input, *output;
    const char *in_name, *out_name; /* "<stdin>" and "<stdout>" for "-" */
    const char *label;              /* the progress label (batch mode) or NULL */
    tproc_file_format format;
} job;

/* Refuses an OUTPUT that is a directory, or INPUT itself (same device and inode) unless
 * --force. */
static int check_output(const runner *r, const job *j)
{
    struct stat in_st, out_st;
    if (strcmp(j->output, "-") == 0 || stat(j->output, &out_st) != 0)
        return CLI_EXIT_OK;
    const char *why = NULL;
    if (S_ISDIR(out_st.st_mode))
        why = "is a directory";
    else if (strcmp(j->input, "-") != 0 && stat(j->input, &in_st) == 0 &&
             in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino && !r->args->force)
        why = "is the input file; use --force to overwrite it";
    if (!why)
        return CLI_EXIT_OK;
    cli_error("%s: %s", j->output, why);
    return CLI_EXIT_FAILED;
}

/* A failed step: interrupted, or the context's error (which names its file if it is about
 * one, the input or the output; anything else is about the input). */
static int failed(const runner *r, int status, const job *j)
{
    if (status == TPROC_ERR_CANCELLED) {
        cli_error("%s: interrupted", j->in_name);
        return CLI_EXIT_INTERRUPT;
    }
    cli_report(r->ctx, status, j->in_name);
    return CLI_EXIT_FAILED;
}

/* Opens the sink on OUTPUT. The ICC profile the source carries under the colour policy goes to
 * every format (the library leaves out one that does not match the output's pixels); EXIF
 * carries over only within a format: an EXIF block suits a JPEG best, and the library resets
 * its orientation since the pixels are saved upright. */
static int open_sink(const runner *r, const job *j, const tproc_source *source, tproc_sink **sink)
{
    tproc_save_options save;
    tproc_save_options_init(&save);
    save.icc = tproc_source_icc(source, &save.icc_size);
    save.embed_profile = r->args->embed_profile;
    if (tproc_source_file_format(source) == j->format) {
        save.exif = tproc_source_exif(source, &save.exif_size);
    }
    save.format = j->format;
    if (r->args->quality)
        save.quality = r->args->quality;
    if (r->args->tiled) {
        save.tile_width = r->args->tiff_tile_width;
        save.tile_height = r->args->tiff_tile_height;
    }
    save.tiff_compression = (tproc_tiff_compression)r->args->tiff_compression;
    save.tiff_predictor = (tproc_tiff_predictor)r->args->tiff_predictor;
    save.bigtiff = r->args->bigtiff;
    save.pyramid = r->args->tiff_pyramid;
    save.lossless = r->args->lossless;
    if (r->args->effort >= 0)
        save.effort = r->args->effort;
    int status = tproc_sink_open(r->ctx, j->output, &save, sink);
    if (status)
        cli_report(r->ctx, status, j->out_name);
    return status ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

/* Runs the chain from source to sink, with progress: rows unless the input is held whole
 * on request (--no-stream), a percentage then. */
static int stream(runner *r, const job *j, tproc_source *source, tproc_sink *sink,
                  const tproc_stream_options *so)
{
    tproc_format in_fmt = tproc_source_format(source), out_fmt;
    int status = tproc_pipeline_output_format(r->pipeline, &in_fmt, &out_fmt);
    if (!status) {
        cli_progress_begin(r->progress, j->label,
                           (double)out_fmt.width * (double)out_fmt.height / 1e6,
                           so->whole_input ? 0 : out_fmt.height);
        status = tproc_pipeline_stream(r->pipeline, source, sink, &r->options, so);
        cli_progress_end(r->progress, status == TPROC_OK);
    }
    return status ? failed(r, status, j) : CLI_EXIT_OK;
}

/* WebP's sides stop at 16383 pixels: known from the plan, so said before the output exists
 * (the encoder would refuse it too, before any decoding). */
static int check_output_size(const runner *r, const job *j, const tproc_source *source)
{
    tproc_format in_fmt = tproc_source_format(source), out_fmt;
    if (j->format != TPROC_FILE_WEBP ||
        tproc_pipeline_output_format(r->pipeline, &in_fmt, &out_fmt) != TPROC_OK)
        return CLI_EXIT_OK;
    if (out_fmt.width <= 16383 && out_fmt.height <= 16383)
        return CLI_EXIT_OK;
    cli_error("%s: WebP images are at most 16383x16383 pixels (the format's limit); this one "
              "would be %tdx%td",
              j->out_name, out_fmt.width, out_fmt.height);
    return CLI_EXIT_FAILED;
}

/* Runs one file. Errors are reported here. */
static int run_file(runner *r, const char *input, const char *output, tproc_file_format format,
                    const char *label)
{
    const cli_args *args = r->args;
    job j = {input,
             output,
             strcmp(input, "-") == 0 ? "<stdin>" : input,
             strcmp(output, "-") == 0 ? "<stdout>" : output,
             label,
             format};
    tproc_load_options load;
    cli_load_options(args, &load);
    tproc_stream_options so = {0};
    so.shrink_on_load = args->shrink_on_load;
    so.whole_input = args->no_stream;
    /* For benchmarks and comparisons only: decode the whole input even when the chain starts
     * with a crop (the output is the same bytes). */
    so.no_region = getenv("TILEPROC_NO_REGION") != NULL;
    tproc_source *source = NULL;
    tproc_sink *sink = NULL;
    int rc = CLI_EXIT_OK, streams = 0;
    size_t bytes = 0;
    int status = tproc_source_open(r->ctx, input, &load, &source);
    if (status)
        rc = failed(r, status, &j);
    if (!rc)
        rc = check_output(r, &j);
    /* Before the output exists: a chain that cannot run on this input, or a whole input over
     * the memory limit, fails here (the plan leaves the source as it was). */
    if (!rc && (status = tproc_pipeline_stream_plan(r->pipeline, source, &r->options, &so, &streams,
                                                    &bytes)))
        rc = failed(r, status, &j);
    if (!rc)
        rc = check_output_size(r, &j, source);
    if (!rc)
        rc = open_sink(r, &j, source, &sink);
    if (!rc)
        rc = stream(r, &j, source, sink, &so);
    tproc_sink_free(&sink); /* removes the temporary file of a failed run */
    tproc_source_free(&source);
    return rc;
}

int cli_build_pipeline(tproc_ctx *ctx, tproc_pipeline *pipeline, char *const *filters,
                       size_t count)
{
    for (size_t i = 0; i < count; i++) {
        int status = tproc_pipeline_add(pipeline, filters[i]);
        if (status == TPROC_ERR_PARAM || status == TPROC_ERR_NOT_FOUND)
            return cli_usage("%s", tproc_ctx_message(ctx));
        if (status) {
            cli_report(ctx, status, filters[i]);
            return CLI_EXIT_FAILED;
        }
    }
    return CLI_EXIT_OK;
}

/* "dir/photo.jpg" -> stem "photo", ext ".jpg"; a leading dot is part of the stem. */
static void split_name(const char *path, const char **base, size_t *stem_len, const char **ext)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    const char *dot = strrchr(*base, '.');
    if (!dot || dot == *base)
        dot = *base + strlen(*base);
    *stem_len = (size_t)(dot - *base);
    *ext = dot;
}

static int looks_like_filter(const char *arg)
{
    char name[72];
    size_t len = strcspn(arg, ":");
    struct stat st;
    if (len == 0 || len >= sizeof name || stat(arg, &st) == 0)
        return 0;
    memcpy(name, arg, len);
    name[len] = '\0';
    return tproc_filter_find(name) != NULL;
}

static int run_batch(runner *r, char *const *inputs, size_t count)
{
    const cli_args *args = r->args;
    struct stat st;
    if (stat(args->outdir, &st) != 0) {
        cli_error("%s: %s", args->outdir, strerror(errno));
        return CLI_EXIT_FAILED;
    }
    if (!S_ISDIR(st.st_mode)) {
        cli_error("%s: not a directory", args->outdir);
        return CLI_EXIT_FAILED;
    }
    size_t dir_len = strlen(args->outdir);
    while (dir_len > 1 && args->outdir[dir_len - 1] == '/')
        dir_len--;
    char **outputs = calloc(count, sizeof *outputs);
    if (!outputs) {
        cli_error("out of memory");
        return CLI_EXIT_FAILED;
    }
    size_t failures = 0;
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < count && rc != CLI_EXIT_INTERRUPT && !cli_cancel_flag; i++) {
        const char *input = inputs[i], *base, *ext;
        size_t stem_len;
        split_name(input, &base, &stem_len, &ext);
        tproc_file_format format = args->format;
        const char *dot = ""; /* the input's ext has its dot; a format's extension has none */
        if (format == TPROC_FILE_UNKNOWN) {
            format = tproc_file_format_from_name(input);
        } else {
            ext = tproc_file_format_extension(format);
            dot = ".";
        }
        if (stem_len == 0) {
            cli_error("%s: no file name to name the output after", input);
            failures++;
            continue;
        }
        if (format == TPROC_FILE_UNKNOWN) {
            cli_error("%s: cannot tell the output format from the name; use --format %s", input,
                      cli_formats(CLI_FORMATS_BAR));
            failures++;
            continue;
        }
        size_t len = dir_len + 1 + stem_len + strlen(dot) + strlen(ext) + 1;
        char *output = malloc(len);
        if (!output) {
            cli_error("out of memory");
            failures++;
            continue;
        }
        snprintf(output, len, "%.*s/%.*s%s%s", (int)dir_len, args->outdir, (int)stem_len, base, dot,
                 ext);
        outputs[i] = output;
        size_t earlier = 0;
        while (earlier < i && !(outputs[earlier] && strcmp(outputs[earlier], output) == 0))
            earlier++;
        if (earlier < i) {
            cli_error("%s: its output %s would replace that of %s", input, output, inputs[earlier]);
            failures++;
            continue;
        }
        char label[160];
        snprintf(label, sizeof label, "[%zu/%zu] %.100s", i + 1, count, base);
        int one = run_file(r, input, output, format, label);
        if (one == CLI_EXIT_INTERRUPT)
            rc = one;
        else if (one)
            failures++;
    }
    for (size_t i = 0; i < count; i++)
        free(outputs[i]);
    free(outputs);
    if (rc == CLI_EXIT_OK && cli_cancel_flag) {
        cli_error("interrupted");
        rc = CLI_EXIT_INTERRUPT;
    }
    if (rc == CLI_EXIT_OK && failures) {
        if (!args->quiet)
            fprintf(stderr, "tileproc: %zu of %zu files failed\n", failures, count);
        rc = CLI_EXIT_FAILED;
    }
    return rc;
}

/* Checks what can be checked before touching anything: counts, the output format, stdout. */
static int check_single(const cli_args *args, tproc_file_format *format)
{
    if (args->pos_count < 2)
        return cli_usage("run needs an INPUT and an OUTPUT (or -o DIR for batch mode)");
    const char *output = args->pos[1];
    int to_stdout = strcmp(output, "-") == 0;
    *format = args->format;
    if (*format == TPROC_FILE_UNKNOWN) {
        if (to_stdout)
            return cli_usage("writing to standard output (-) needs --format %s",
                             cli_formats(CLI_FORMATS_BAR));
        *format = tproc_file_format_from_name(output);
        if (*format == TPROC_FILE_UNKNOWN)
            return cli_usage("cannot tell the output format from '%s' (use %s or --format %s)",
                             output, cli_formats(CLI_FORMATS_EXTENSIONS),
                             cli_formats(CLI_FORMATS_BAR));
    }
    if (to_stdout && isatty(STDOUT_FILENO) && !args->force)
        return cli_usage("not writing image data to a terminal (redirect standard output, or "
                         "use --force)");
    return CLI_EXIT_OK;
}

int cli_run(cli_args *args)
{
    int batch = args->outdir != NULL;
    tproc_file_format format = TPROC_FILE_UNKNOWN;
    char *const *inputs = args->pos, *const * filters;
    size_t input_count, filter_count;
    int rc;
    if (batch) {
        if (strcmp(args->outdir, "-") == 0)
            return cli_usage("batch mode writes files: -o needs a directory, not -");
        input_count = args->dashdash;
        filters = args->pos + args->dashdash;
        filter_count = args->pos_count - args->dashdash;
        if (input_count == 0)
            return cli_usage("batch mode needs at least one INPUT before --");
        for (size_t i = 0; i < input_count; i++)
            if (strcmp(inputs[i], "-") == 0)
                return cli_usage("batch mode reads files, not standard input (-)");
    } else {
        if ((rc = check_single(args, &format)))
            return rc;
        input_count = 1;
        filters = args->pos + 2;
        filter_count = args->pos_count - 2;
    }

    runner r;
    memset(&r, 0, sizeof r);
    r.args = args;
    tproc_ctx_options copts = {NULL, args->memory_limit, args->threads};
    if (tproc_ctx_new(&copts, &r.ctx) != TPROC_OK) {
        cli_error("cannot create a context: %s", tproc_ctx_message(NULL));
        return CLI_EXIT_FAILED;
    }
    tproc_ctx_set_pixel_limit(r.ctx, args->pixel_limit);
    /* A limit the user set is named by the option in messages: the fix is then obvious. */
    if (args->memory_limit)
        tproc_ctx_set_limit_name(r.ctx, "--memory-limit");
    rc = cli_plugins_load(r.ctx, args, 1);
    if (!rc && batch && args->dashdash == args->pos_count)
        for (size_t i = 0; i < input_count && !rc; i++)
            if (looks_like_filter(inputs[i]))
                rc = cli_usage("'%s' is not a file but looks like a filter: in batch mode put "
                               "the filters after --",
                               inputs[i]);
    if (!rc && tproc_pipeline_new(r.ctx, &r.pipeline) != TPROC_OK) {
        cli_report(r.ctx, TPROC_ERR_NOMEM, NULL);
        rc = CLI_EXIT_FAILED;
    }
    if (!rc)
        rc = cli_build_pipeline(r.ctx, r.pipeline, filters, filter_count);
    if (!rc && cli_progress_new(args->quiet ? 0 : args->progress ? 2 : 1, &r.progress)) {
        cli_error("out of memory");
        rc = CLI_EXIT_FAILED;
    }
    if (!rc) {
        tproc_run_options_init(&r.options);
        r.options.tile_width = args->tile_width;
        r.options.tile_height = args->tile_height;
        r.options.threads = args->threads;
        r.options.border = args->border;
        for (int c = 0; c < CLI_BORDER_VALUES; c++)
            r.options.border_value[c] = args->border_value[c];
        r.options.progress = cli_progress_update;
        r.options.progress_user = r.progress;
        r.options.cancel = &cli_cancel_flag;
        cli_catch_signals();
        if (batch)
            rc = run_batch(&r, inputs, input_count);
        else
            rc = run_file(&r, args->pos[0], args->pos[1], format, NULL);
    }
    cli_progress_free(&r.progress);
    tproc_pipeline_free(&r.pipeline);
    tproc_ctx_free(&r.ctx);
    return rc;
}
