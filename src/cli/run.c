/* SPDX-License-Identifier: MIT */
/*
 * run.c: `tileproc run`: one INPUT to one OUTPUT, or (with -o DIR) every INPUT into DIR. The
 * filter chain is parsed once, before any file is read, so a bad FILTER is a usage error. Each
 * file is planned from its header first: a large one streams from a source through the chain
 * into a sink strip by strip, a small one (or one under --no-stream) is loaded whole, run and
 * saved. Both write a temporary file beside the target and rename it only on success: a
 * failure leaves no partial file and an existing target untouched. SIGINT/SIGTERM cancel the
 * running pipeline cleanly.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Set by the signal handler; the library reads it between tiles. */
static int cancel_flag;

static void on_signal(int sig)
{
    (void)sig;
    cancel_flag = 1;
}

/* The first SIGINT/SIGTERM cancels cleanly; a second one (SA_RESETHAND) kills as usual. */
static void catch_signals(void)
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

static tproc_file_format peek_format(FILE *fp)
{
    int c = getc(fp);
    if (c == EOF)
        return TPROC_FILE_UNKNOWN;
    ungetc(c, fp);
    return c == 0x89 ? TPROC_FILE_PNG : c == 0xff ? TPROC_FILE_JPEG : TPROC_FILE_UNKNOWN;
}

/* Opens INPUT and refuses an OUTPUT that is INPUT itself (same device and inode) or a
 * directory. *fp is stdin for "-". */
static int open_input(const runner *r, const char *input, const char *output, FILE **fp)
{
    struct stat in_st, out_st;
    int have_in = 0;
    *fp = stdin;
    if (strcmp(input, "-") != 0) {
        *fp = fopen(input, "rb");
        if (!*fp) {
            cli_error("%s: %s", input, strerror(errno));
            return CLI_EXIT_FAILED;
        }
        if (fstat(fileno(*fp), &in_st) == 0) {
            have_in = 1;
            if (S_ISDIR(in_st.st_mode)) {
                cli_error("%s: is a directory", input);
                fclose(*fp);
                return CLI_EXIT_FAILED;
            }
        }
    }
    if (strcmp(output, "-") != 0 && stat(output, &out_st) == 0) {
        const char *why = NULL;
        if (S_ISDIR(out_st.st_mode))
            why = "is a directory";
        else if (have_in && in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino &&
                 !r->args->force)
            why = "is the input file; use --force to overwrite it";
        if (why) {
            cli_error("%s: %s", output, why);
            if (*fp != stdin)
                fclose(*fp);
            return CLI_EXIT_FAILED;
        }
    }
    return CLI_EXIT_OK;
}

/* One file's run: names for messages, and the formats that decide what metadata is kept. */
typedef struct job {
    const char *input, *output;
    const char *in_name, *out_name; /* "<stdin>" and "<stdout>" for "-" */
    const char *label;              /* the progress label (batch mode) or NULL */
    tproc_file_format in_format, format;
} job;

/*
 * Reports the context's error about file. When the user set --memory-limit, a limit the run
 * hit is named by the option ("... but --memory-limit is 1.0 MB"), so the fix is obvious.
 */
static void report(const runner *r, int status, const char *file)
{
    static const char library_words[] = "the memory limit";
    const char *msg = tproc_ctx_message(r->ctx);
    const char *at = strstr(msg, library_words);
    if (status != TPROC_ERR_LIMIT || !r->args->memory_limit || !at) {
        cli_report(r->ctx, status, file);
        return;
    }
    char text[1024];
    snprintf(text, sizeof text, "%.*s--memory-limit%s", (int)(at - msg), msg,
             at + strlen(library_words));
    cli_report_text(text, file);
}

/* A failed run: interrupted, or an error about the output (a write error names it already)
 * or about the input. */
static int run_failed(const runner *r, int status, const job *j)
{
    if (status == TPROC_ERR_CANCELLED) {
        cli_error("%s: interrupted", j->in_name);
        return CLI_EXIT_INTERRUPT;
    }
    const char *msg = tproc_ctx_message(r->ctx);
    size_t len = strlen(j->out_name);
    int about_output = strncmp(msg, j->out_name, len) == 0 && msg[len] == ':';
    report(r, status, about_output ? j->out_name : j->in_name);
    return CLI_EXIT_FAILED;
}

/* The in-memory path: runs the chain on the whole image and saves the result. meta holds the
 * input's ICC profile and EXIF. */
static int run_image(runner *r, const job *j, const tproc_image *image,
                     const tproc_save_options *meta)
{
    const cli_args *args = r->args;
    tproc_image *result = NULL;
    /* Checks the chain against this image (a crop larger than it, say) before any work. */
    tproc_view in = tproc_image_view(image);
    tproc_format in_fmt = {in.width, in.height, in.channels, in.sample}, out_fmt;
    int status = tproc_pipeline_output_format(r->pipeline, &in_fmt, &out_fmt);
    if (!status) {
        cli_progress_begin(r->progress, j->label,
                           (double)out_fmt.width * (double)out_fmt.height / 1e6, 0);
        status = tproc_pipeline_run(r->pipeline, &in, &r->options, &result);
        cli_progress_end(r->progress, status == TPROC_OK);
    }
    if (status)
        return run_failed(r, status, j);
    /* Metadata carries over only within a format: an EXIF block suits a JPEG best, and the
     * library resets its orientation since the pixels are saved upright. */
    tproc_save_options save = *meta;
    if (j->in_format != j->format)
        tproc_save_options_init(&save);
    save.format = j->format;
    if (args->quality)
        save.quality = args->quality;
    tproc_view out = tproc_image_view(result);
    status = strcmp(j->output, "-") == 0 ? tproc_save_file(r->ctx, &out, stdout, j->out_name, &save)
                                         : tproc_save(r->ctx, &out, j->output, &save);
    int rc = CLI_EXIT_OK;
    if (status) {
        report(r, status, j->out_name);
        rc = CLI_EXIT_FAILED;
    }
    tproc_image_free(&result);
    return rc;
}

/* The in-memory path from an open file (or stdin): decode it whole, then run_image(). */
static int run_loaded(runner *r, const job *j, FILE *fp)
{
    tproc_load_options load = {0};
    load.ignore_orientation = r->args->no_orient;
    tproc_image *image = NULL;
    int status = tproc_load_file(r->ctx, fp, j->in_name, &load, &image);
    if (status) {
        report(r, status, j->in_name);
        return CLI_EXIT_FAILED;
    }
    tproc_save_options meta;
    tproc_save_options_from_image(&meta, image);
    int rc = run_image(r, j, image, &meta);
    tproc_image_free(&image);
    return rc;
}

/*
 * The in-memory path from a source that has taken stdin already (a pipe cannot be read
 * twice): an empty chain streams the decoded rows into an image, then run_image().
 */
static int run_whole_source(runner *r, const job *j, tproc_source *source)
{
    tproc_pipeline *identity = NULL;
    tproc_sink *sink = NULL;
    tproc_image *image = NULL;
    tproc_run_options quiet = r->options;
    quiet.progress = NULL;
    int status = tproc_pipeline_new(r->ctx, &identity);
    if (!status)
        status = tproc_sink_new_image(r->ctx, &sink);
    if (!status)
        status = tproc_pipeline_stream(identity, source, sink, &quiet, NULL);
    if (!status)
        image = tproc_sink_take_image(sink);
    tproc_sink_free(&sink);
    tproc_pipeline_free(&identity);
    if (status)
        return run_failed(r, status, j);
    tproc_save_options meta;
    tproc_save_options_init(&meta);
    meta.icc = tproc_source_icc(source, &meta.icc_size);
    meta.exif = tproc_source_exif(source, &meta.exif_size);
    int rc = run_image(r, j, image, &meta);
    tproc_image_free(&image);
    return rc;
}

/* A copy of size bytes of data (NULL when there are none); *rc is set when memory ran out. */
static void *copy_of(const void *data, size_t size, int *rc)
{
    if (!data || size == 0)
        return NULL;
    void *copy = malloc(size);
    if (!copy) {
        cli_error("out of memory");
        *rc = CLI_EXIT_FAILED;
        return NULL;
    }
    return memcpy(copy, data, size);
}

/* The streamed path: rows go from the source through the chain into the output strip by
 * strip. The sink writes a temporary file and renames it only on success. */
static int run_streamed(runner *r, const job *j, tproc_source *source)
{
    const cli_args *args = r->args;
    int rc = CLI_EXIT_OK;
    tproc_save_options save;
    tproc_save_options_init(&save);
    void *icc = NULL, *exif = NULL;
    if (j->in_format == j->format) {
        /* Copies: --shrink-on-load reopens the decoder during the run, which frees the
         * source's own copies before the sink writes them. */
        size_t size;
        const void *data = tproc_source_icc(source, &size);
        if ((icc = copy_of(data, size, &rc)) != NULL) {
            save.icc = icc;
            save.icc_size = size;
        }
        data = tproc_source_exif(source, &size);
        if ((exif = copy_of(data, size, &rc)) != NULL) {
            save.exif = exif;
            save.exif_size = size;
        }
    }
    save.format = j->format;
    if (args->quality)
        save.quality = args->quality;
    tproc_sink *sink = NULL;
    int status = TPROC_OK;
    if (!rc && (status = tproc_sink_open(r->ctx, j->output, &save, &sink))) {
        report(r, status, j->out_name);
        rc = CLI_EXIT_FAILED;
    }
    if (!rc) {
        tproc_format in_fmt = tproc_source_format(source), out_fmt;
        tproc_stream_options so = {0};
        so.shrink_on_load = args->shrink_on_load;
        status = tproc_pipeline_output_format(r->pipeline, &in_fmt, &out_fmt);
        if (!status) {
            cli_progress_begin(r->progress, j->label,
                               (double)out_fmt.width * (double)out_fmt.height / 1e6,
                               out_fmt.height);
            status = tproc_pipeline_stream(r->pipeline, source, sink, &r->options, &so);
            cli_progress_end(r->progress, status == TPROC_OK);
        }
        if (status)
            rc = run_failed(r, status, j);
    }
    tproc_sink_free(&sink); /* removes the temporary file of a failed run */
    free(icc);
    free(exif);
    return rc;
}

/* A decoded input larger than this, or than half the memory limit, takes the streamed path
 * even when its chain cannot stream: the library then holds the input whole but writes the
 * output strip by strip, instead of holding both. */
#define CLI_LARGE_BYTES (256.0 * 1024 * 1024)

/*
 * Opens the input as a source and decides, before any work, whether it streams: with
 * --stream always, else whenever the chain can stream from it (the output is the same bytes,
 * in a fraction of the memory and, measured on a 12 MP JPEG, less time too: bench/RESULTS.md).
 * A large input whose chain cannot stream still goes through the streamed path: the library
 * then holds the whole input but writes the output strip by strip.
 * A chain that cannot stream and whose whole input does not fit the memory limit fails here,
 * saying why.
 */
static int plan_file(runner *r, const job *j, tproc_source **source, int *stream)
{
    const cli_args *args = r->args;
    tproc_load_options load = {0};
    load.ignore_orientation = args->no_orient;
    int status = tproc_source_open(r->ctx, j->input, &load, source);
    if (status) {
        report(r, status, j->in_name);
        return CLI_EXIT_FAILED;
    }
    /* Planned without shrink_on_load: planning with it reopens the decoder shrunk, and the
     * run would then shrink the shrunk source again. The plan's answers do not depend on it. */
    int streams = 0;
    size_t whole = 0;
    status = tproc_pipeline_stream_plan(r->pipeline, *source, &r->options, NULL, &streams, &whole);
    if (status) {
        report(r, status, j->in_name);
        return CLI_EXIT_FAILED;
    }
    tproc_format f = tproc_source_format(*source);
    double bytes = (double)f.width * (double)f.height * (double)f.channels *
                   (double)tproc_sample_size(f.sample);
    double limit = (double)tproc_ctx_memory_limit(r->ctx);
    int large = bytes > CLI_LARGE_BYTES || bytes > limit / 2;
    *stream = args->stream || streams || large;
    return CLI_EXIT_OK;
}

/* Runs one file through the streamed or the in-memory path. Errors are reported here. */
static int run_file(runner *r, const char *input, const char *output, tproc_file_format format,
                    const char *label)
{
    job j = {input,
             output,
             strcmp(input, "-") == 0 ? "<stdin>" : input,
             strcmp(output, "-") == 0 ? "<stdout>" : output,
             label,
             TPROC_FILE_UNKNOWN,
             format};
    FILE *fp;
    int rc = open_input(r, input, output, &fp);
    if (rc)
        return rc;
    j.in_format = peek_format(fp);
    if (r->args->no_stream) {
        rc = run_loaded(r, &j, fp);
    } else {
        tproc_source *source = NULL;
        int stream = 0;
        rc = plan_file(r, &j, &source, &stream);
        if (!rc && stream) {
            rc = run_streamed(r, &j, source);
        } else if (!rc && fp == stdin) {
            rc = run_whole_source(r, &j, source);
        } else if (!rc) {
            /* Its decoder's memory counts against the limit: free it before loading. */
            tproc_source_free(&source);
            rc = run_loaded(r, &j, fp);
        }
        tproc_source_free(&source);
    }
    if (fp != stdin)
        fclose(fp);
    return rc;
}

/* Adds every FILTER; a bad one is a usage error worded by the library's parser. */
static int build_pipeline(runner *r, char *const *filters, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        int status = tproc_pipeline_add(r->pipeline, filters[i]);
        if (status == TPROC_ERR_PARAM || status == TPROC_ERR_NOT_FOUND)
            return cli_usage("%s", tproc_ctx_message(r->ctx));
        if (status) {
            cli_report(r->ctx, status, filters[i]);
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
    size_t failed = 0;
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < count && rc != CLI_EXIT_INTERRUPT && !cancel_flag; i++) {
        const char *input = inputs[i], *base, *ext;
        size_t stem_len;
        split_name(input, &base, &stem_len, &ext);
        tproc_file_format format = args->format;
        if (format == TPROC_FILE_UNKNOWN) {
            format = tproc_file_format_from_name(input);
        } else {
            ext = format == TPROC_FILE_PNG ? ".png" : ".jpg";
        }
        if (stem_len == 0) {
            cli_error("%s: no file name to name the output after", input);
            failed++;
            continue;
        }
        if (format == TPROC_FILE_UNKNOWN) {
            cli_error("%s: cannot tell the output format from the name; use --format png|jpeg",
                      input);
            failed++;
            continue;
        }
        size_t len = dir_len + 1 + stem_len + strlen(ext) + 1;
        char *output = malloc(len);
        if (!output) {
            cli_error("out of memory");
            failed++;
            continue;
        }
        snprintf(output, len, "%.*s/%.*s%s", (int)dir_len, args->outdir, (int)stem_len, base, ext);
        outputs[i] = output;
        size_t earlier = 0;
        while (earlier < i && !(outputs[earlier] && strcmp(outputs[earlier], output) == 0))
            earlier++;
        if (earlier < i) {
            cli_error("%s: its output %s would replace that of %s", input, output, inputs[earlier]);
            failed++;
            continue;
        }
        char label[160];
        snprintf(label, sizeof label, "[%zu/%zu] %.100s", i + 1, count, base);
        int one = run_file(r, input, output, format, label);
        if (one == CLI_EXIT_INTERRUPT)
            rc = one;
        else if (one)
            failed++;
    }
    for (size_t i = 0; i < count; i++)
        free(outputs[i]);
    free(outputs);
    if (rc == CLI_EXIT_OK && cancel_flag) {
        cli_error("interrupted");
        rc = CLI_EXIT_INTERRUPT;
    }
    if (rc == CLI_EXIT_OK && failed) {
        if (!args->quiet)
            fprintf(stderr, "tileproc: %zu of %zu files failed\n", failed, count);
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
            return cli_usage("writing to standard output (-) needs --format png|jpeg");
        *format = tproc_file_format_from_name(output);
        if (*format == TPROC_FILE_UNKNOWN)
            return cli_usage("cannot tell the output format from '%s' (use .png, .jpg or "
                             "--format png|jpeg)",
                             output);
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
        rc = build_pipeline(&r, filters, filter_count);
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
        r.options.cancel = &cancel_flag;
        catch_signals();
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
