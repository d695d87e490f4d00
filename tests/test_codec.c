/* SPDX-License-Identifier: MIT */
/*
 * test_codec.c: the codec table's public face and the one way in. File formats are listed,
 * named, parsed and detected from the table (checked against files whose format is known);
 * errors carry a structured subject (file, filter, option or none) whose parts rebuild
 * tproc_ctx_message(); a caller can name the memory limit; tproc_source_load() gives what
 * tproc_load() gives; a stream holding the whole input (whole_input) gives the bytes of a
 * streamed run and decodes a truncated file as tproc_load does, where streamed rows stop; and
 * a run into an image sink counts the output image against the memory limit before any work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static tproc_ctx *new_ctx(void)
{
    tproc_ctx *ctx = NULL;
    tu_ok(NULL, tproc_ctx_new(NULL, &ctx));
    return ctx;
}

/* The error record rebuilds the message: "subject: cause", or the cause alone. */
static void assert_record(const tproc_ctx *ctx, int status, tproc_subject kind,
                          const char *subject)
{
    tproc_error e;
    ck_assert_int_eq(tproc_ctx_error(ctx, &e), status);
    ck_assert_int_eq(e.status, status);
    ck_assert_int_eq(tproc_ctx_status(ctx), status);
    ck_assert_int_eq(e.kind, kind);
    ck_assert_str_eq(e.subject, subject);
    char whole[2048];
    if (kind == TPROC_SUBJECT_NONE)
        snprintf(whole, sizeof whole, "%s", e.cause);
    else
        snprintf(whole, sizeof whole, "%s: %s", e.subject, e.cause);
    ck_assert_str_eq(tproc_ctx_message(ctx), whole);
}

/* --- the format table ------------------------------------------------------------------ */

START_TEST(formats_come_from_the_table)
{
    size_t n = tproc_file_format_count();
    ck_assert_uint_ge(n, 2);
    ck_assert_int_eq(tproc_file_format_at(n), TPROC_FILE_UNKNOWN);
    int png = 0, jpeg = 0;
    for (size_t i = 0; i < n; i++) {
        tproc_file_format f = tproc_file_format_at(i);
        ck_assert_int_ne(f, TPROC_FILE_UNKNOWN);
        const char *name = tproc_file_format_name(f), *ext = tproc_file_format_extension(f);
        ck_assert_str_ne(name, "unknown");
        ck_assert_str_ne(tproc_file_format_label(f), "unknown");
        ck_assert_ptr_nonnull(ext);
        ck_assert_int_eq(tproc_file_format_parse(name), f);
        ck_assert_int_eq(tproc_file_format_parse(ext), f);
        char path[64];
        snprintf(path, sizeof path, "dir.x/OUT.%s", ext);
        for (char *c = path + 10; *c; c++) /* any case */
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
        ck_assert_int_eq(tproc_file_format_from_name(path), f);
        png += f == TPROC_FILE_PNG;
        jpeg += f == TPROC_FILE_JPEG;
    }
    ck_assert_int_eq(png, 1);
    ck_assert_int_eq(jpeg, 1);
    /* What the CLI accepts for --format, and extensions it must recognise. */
    ck_assert_int_eq(tproc_file_format_parse("JPG"), TPROC_FILE_JPEG);
    ck_assert_int_eq(tproc_file_format_parse("Png"), TPROC_FILE_PNG);
    ck_assert_int_eq(tproc_file_format_parse("gif"), TPROC_FILE_UNKNOWN);
    ck_assert_int_eq(tproc_file_format_parse(NULL), TPROC_FILE_UNKNOWN);
    ck_assert_int_eq(tproc_file_format_from_name("a.jpeg"), TPROC_FILE_JPEG);
    ck_assert_int_eq(tproc_file_format_from_name("a.jfif"), TPROC_FILE_JPEG);
    ck_assert_int_eq(tproc_file_format_from_name("a.png/b"), TPROC_FILE_UNKNOWN);
    ck_assert_str_eq(tproc_file_format_label(TPROC_FILE_PNG), "PNG");
    ck_assert_str_eq(tproc_file_format_extension(TPROC_FILE_JPEG), "jpg");
    /* Reserved values this build may lack behave as unknown when it does. */
    for (tproc_file_format f = TPROC_FILE_TIFF; f <= TPROC_FILE_WEBP; f++) {
        int built = 0;
        for (size_t i = 0; i < n; i++)
            built |= tproc_file_format_at(i) == f;
        if (!built) {
            ck_assert_str_eq(tproc_file_format_name(f), "unknown");
            ck_assert_ptr_null(tproc_file_format_extension(f));
        }
    }
    ck_assert_str_eq(tproc_file_format_name((tproc_file_format)99), "unknown");
}
END_TEST

/* Detection by content, against files whose format is known, whatever their names say. */
START_TEST(detection_by_magic)
{
    static const struct {
        const char *file;
        tproc_file_format format;
    } known[] = {
        {"pngsuite/basn2c08.png", TPROC_FILE_PNG},
        {"pngsuite/basi0g01.png", TPROC_FILE_PNG},
        {"jpeg/testorig.jpg", TPROC_FILE_JPEG},
        {"jpeg/testimgint.jpg", TPROC_FILE_JPEG},
        {"exif/Landscape_6.jpg", TPROC_FILE_JPEG},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        size_t size;
        unsigned char *data = tu_read_file(tu_data(known[i].file), &size);
        ck_assert_ptr_nonnull(data);
        ck_assert_int_eq(tproc_file_format_detect(data, size), known[i].format);
        ck_assert_int_eq(tproc_file_format_detect(data, 16), known[i].format);
        ck_assert_int_eq(tproc_file_format_detect(data, 1), TPROC_FILE_UNKNOWN);
        /* A source reports the same format, and so does a header read. */
        tproc_source *s;
        tu_ok(NULL, tproc_source_open_memory(NULL, data, size, NULL, &s));
        ck_assert_int_eq(tproc_source_file_format(s), known[i].format);
        tproc_source_free(&s);
        free(data);
    }
    tproc_image *img = tu_random_image(NULL, 5, 4, 3, TPROC_U8, 1);
    tproc_view v = tproc_image_view(img);
    tproc_source *s;
    tu_ok(NULL, tproc_source_new_view(NULL, &v, &s));
    ck_assert_int_eq(tproc_source_file_format(s), TPROC_FILE_UNKNOWN);
    tproc_source_free(&s);
    tproc_image_free(&img);
    ck_assert_int_eq(tproc_file_format_detect(NULL, 8), TPROC_FILE_UNKNOWN);
    ck_assert_int_eq(tproc_file_format_detect("GIF89a\0\0", 8), TPROC_FILE_UNKNOWN);
}
END_TEST

/* --- structured errors ----------------------------------------------------------------- */

START_TEST(errors_carry_their_subject)
{
    tproc_ctx *ctx = new_ctx();
    tproc_error e;
    ck_assert_int_eq(tproc_ctx_error(ctx, &e), TPROC_OK);
    ck_assert_int_eq(e.kind, TPROC_SUBJECT_NONE);
    ck_assert_str_eq(e.subject, "");
    ck_assert_str_eq(e.cause, "");

    /* About a file: the path, and the cause without it. */
    const char *missing = "/nonexistent/dir/photo.png";
    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_load(ctx, missing, NULL, &img), TPROC_ERR_IO);
    assert_record(ctx, TPROC_ERR_IO, TPROC_SUBJECT_FILE, missing);
    tproc_ctx_error(ctx, &e);
    ck_assert_str_eq(e.cause, strerror(ENOENT));
    ck_assert_int_eq(tproc_load_memory(ctx, "hello", 5, NULL, &img), TPROC_ERR_FORMAT);
    assert_record(ctx, TPROC_ERR_FORMAT, TPROC_SUBJECT_FILE, "<memory>");
    tproc_ctx_error(ctx, &e);
    ck_assert_ptr_nonnull(strstr(e.cause, "not a PNG, JPEG")); /* and the other formats */
    ck_assert_int_eq(tproc_source_open(ctx, tu_data("jpeg"), NULL, &(tproc_source *){NULL}),
                     TPROC_ERR_IO);
    assert_record(ctx, TPROC_ERR_IO, TPROC_SUBJECT_FILE, tu_data("jpeg"));
    tproc_ctx_error(ctx, &e);
    ck_assert_str_eq(e.cause, "is a directory");
    /* A codec's own message, and a limit message about the image a file decodes to. */
    size_t size;
    unsigned char *data = tu_read_file(tu_data("pngsuite/basn2c08.png"), &size);
    ck_assert_int_eq(tproc_load_memory(ctx, data, size - 30, NULL, &img), TPROC_ERR_CORRUPT);
    assert_record(ctx, TPROC_ERR_CORRUPT, TPROC_SUBJECT_FILE, "<memory>");
    tproc_ctx_set_memory_limit(ctx, 2000);
    ck_assert_int_eq(tproc_load_memory(ctx, data, size, NULL, &img), TPROC_ERR_LIMIT);
    assert_record(ctx, TPROC_ERR_LIMIT, TPROC_SUBJECT_FILE, "<memory>");
    tproc_ctx_error(ctx, &e);
    ck_assert_ptr_nonnull(strstr(e.cause, "32x32 3-channel u8 image needs"));
    ck_assert_ptr_nonnull(strstr(e.cause, "over the memory limit of"));
    tproc_ctx_set_memory_limit(ctx, 0);
    free(data);

    /* About a filter. */
    const tproc_filter *gaussian = tproc_filter_find("gaussian");
    ck_assert_ptr_nonnull(gaussian);
    tproc_params params;
    memset(&params, 0, sizeof params);
    ck_assert_int_eq(tproc_params_set(ctx, gaussian, &params, "sigmaa", 1.0), TPROC_ERR_PARAM);
    assert_record(ctx, TPROC_ERR_PARAM, TPROC_SUBJECT_FILTER, "gaussian");
    tproc_ctx_error(ctx, &e);
    ck_assert_str_eq(e.cause, "unknown key 'sigmaa'");

    /* About an option (the default context keeps its error per thread). */
    tproc_ctx_options bad = {NULL, 0, -1};
    tproc_ctx *none = NULL;
    ck_assert_int_eq(tproc_ctx_new(&bad, &none), TPROC_ERR_ARG);
    assert_record(NULL, TPROC_ERR_ARG, TPROC_SUBJECT_OPTION, "threads");

    /* About nothing in particular. */
    ck_assert_int_eq(tproc_image_new(ctx, 0, 5, 3, TPROC_U8, &img), TPROC_ERR_ARG);
    assert_record(ctx, TPROC_ERR_ARG, TPROC_SUBJECT_NONE, "");

    tproc_ctx_clear_error(ctx);
    ck_assert_int_eq(tproc_ctx_error(ctx, NULL), TPROC_OK);
    assert_record(ctx, TPROC_OK, TPROC_SUBJECT_NONE, "");
    tproc_ctx_free(&ctx);
}
END_TEST

/* An error about the input as a whole (a chain needing all of it) is about the file. */
START_TEST(stream_errors_name_the_input_file)
{
    tproc_ctx *ctx = new_ctx();
    const char *path = tu_data("exif/Landscape_1.jpg");
    const char *specs[] = {"rotate:angle=90"};
    tproc_pipeline *p = tu_chain(ctx, specs, 1);
    tproc_source *s;
    tu_ok(ctx, tproc_source_open(ctx, path, NULL, &s));
    tproc_ctx_set_memory_limit(ctx, tproc_ctx_memory_in_use(ctx) + 100000);
    int streams;
    size_t bytes;
    ck_assert_int_eq(tproc_pipeline_stream_plan(p, s, NULL, NULL, &streams, &bytes),
                     TPROC_ERR_LIMIT);
    assert_record(ctx, TPROC_ERR_LIMIT, TPROC_SUBJECT_FILE, path);
    tproc_error e;
    tproc_ctx_error(ctx, &e);
    /* The stage is named by its formatted spec, every parameter written out. */
    ck_assert_msg(strncmp(e.cause, "rotate:angle=90,", 16) == 0, "%s", e.cause);
    ck_assert_ptr_nonnull(strstr(e.cause, " needs the whole image ("));
    ck_assert_ptr_nonnull(strstr(e.cause, "but the memory limit is"));
    tproc_source_free(&s);
    tproc_pipeline_free(&p);
    tproc_ctx_free(&ctx);
}
END_TEST

/* A caller that takes the limit from an option can make messages name the option. */
START_TEST(limit_messages_use_the_callers_name)
{
    tproc_ctx *ctx = new_ctx();
    size_t size;
    unsigned char *data = tu_read_file(tu_data("pngsuite/basn2c08.png"), &size);
    ck_assert_ptr_nonnull(data);
    const char *specs[] = {"flip:axis=vertical"};
    tproc_pipeline *p = tu_chain(ctx, specs, 1);
    tproc_image *img = NULL;
    tproc_ctx_set_memory_limit(ctx, tproc_ctx_memory_in_use(ctx) + 2000);
    tproc_ctx_set_limit_name(ctx, "--memory-limit");
    ck_assert_int_eq(tproc_load_memory(ctx, data, size, NULL, &img), TPROC_ERR_LIMIT);
    const char *msg = tproc_ctx_message(ctx);
    ck_assert_msg(strstr(msg, "over --memory-limit of") && !strstr(msg, "the memory limit"),
                  "%s", msg);
    /* The stream planner's message too (the 227x149 photo takes 102.4 KiB whole). */
    tproc_ctx_set_memory_limit(ctx, 0);
    tproc_source *s;
    tu_ok(ctx, tproc_source_open(ctx, tu_data("jpeg/testorig.jpg"), NULL, &s));
    tproc_ctx_set_memory_limit(ctx, tproc_ctx_memory_in_use(ctx) + 60000);
    int streams;
    size_t bytes;
    ck_assert_int_eq(tproc_pipeline_stream_plan(p, s, NULL, NULL, &streams, &bytes),
                     TPROC_ERR_LIMIT);
    msg = tproc_ctx_message(ctx);
    ck_assert_msg(strstr(msg, "needs the whole image") && strstr(msg, "but --memory-limit is"),
                  "%s", msg);
    /* NULL restores the library's words. */
    tproc_ctx_set_limit_name(ctx, NULL);
    ck_assert_int_eq(tproc_pipeline_stream_plan(p, s, NULL, NULL, &streams, &bytes),
                     TPROC_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), "but the memory limit is"));
    tproc_ctx_set_memory_limit(ctx, 0);
    tproc_source_free(&s);
    tproc_pipeline_free(&p);
    free(data);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- sources ----------------------------------------------------------------------------- */

static int same_blob(const void *a, size_t na, const void *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na) == 0);
}

/* tproc_source_load() is tproc_load() from a source: pixels, orientation, metadata. */
START_TEST(source_load_is_load)
{
    static const char *const files[] = {
        "pngsuite/basi6a16.png", /* Adam7, 16-bit RGBA */
        "pngsuite/exif2c08.png", /* eXIf */
        "jpeg/testimgint.jpg",   /* progressive */
        "exif/Landscape_6.jpg",  /* orientation 6 */
        "exif/Landscape_2.jpg",  /* orientation 2: a mirror */
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        for (int ignore = 0; ignore < 2; ignore++) {
            tproc_load_options o = {.ignore_orientation = ignore, .strict = 0};
            tproc_image *want, *got;
            tu_ok(NULL, tproc_load(NULL, tu_data(files[i]), &o, &want));
            tproc_source *s;
            tu_ok(NULL, tproc_source_open(NULL, tu_data(files[i]), &o, &s));
            tproc_format f = tproc_source_format(s);
            tu_ok(NULL, tproc_source_load(s, &got));
            tproc_view gv = tproc_image_view(got), wv = tproc_image_view(want);
            ck_assert_int_eq(gv.width, f.width);
            ck_assert_int_eq(gv.height, f.height);
            tu_assert_same(&gv, &wv, files[i]);
            ck_assert_int_eq(tproc_image_orientation(got), tproc_image_orientation(want));
            size_t a, b;
            const void *pa = tproc_image_exif(got, &a), *pb = tproc_image_exif(want, &b);
            ck_assert(same_blob(pa, a, pb, b));
            pa = tproc_image_icc(got, &a);
            pb = tproc_image_icc(want, &b);
            ck_assert(same_blob(pa, a, pb, b));
            /* Spent: it cannot be loaded again. */
            tproc_image *again = NULL;
            ck_assert_int_eq(tproc_source_load(s, &again), TPROC_ERR_STATE);
            ck_assert_ptr_null(again);
            tproc_image_free(&got);
            tproc_image_free(&want);
            tproc_source_free(&s);
        }
    }
    ck_assert_int_eq(tproc_source_load(NULL, &(tproc_image *){NULL}), TPROC_ERR_ARG);
}
END_TEST

/* Metadata a source reports stays valid through a run that reopens its decoder. */
START_TEST(source_metadata_outlives_reopening)
{
    const char *photo = TPROC_TEST_SAMPLES "/rocket.jpg";
    tproc_source *s;
    tu_ok(NULL, tproc_source_open(NULL, photo, NULL, &s));
    size_t icc_size;
    const void *icc = tproc_source_icc(s, &icc_size);
    ck_assert_ptr_nonnull(icc);
    unsigned char *copy = malloc(icc_size);
    memcpy(copy, icc, icc_size);
    const char *specs[] = {"resize:scale=0.25"};
    tproc_pipeline *p = tu_chain(NULL, specs, 1);
    tproc_sink *sink;
    tu_ok(NULL, tproc_sink_new_image(NULL, &sink));
    tproc_stream_options so = {0};
    so.shrink_on_load = 1;
    tu_ok(NULL, tproc_pipeline_stream(p, s, sink, NULL, &so));
    size_t after_size;
    const void *after = tproc_source_icc(s, &after_size);
    ck_assert(same_blob(after, after_size, copy, icc_size));
    free(copy);
    tproc_sink_free(&sink);
    tproc_pipeline_free(&p);
    tproc_source_free(&s);
}
END_TEST

/* --- holding the whole input ------------------------------------------------------------- */

/* Runs specs from a file source into an image; whole_input as given. */
static int run_file(const char *path, const void *data, size_t size, const char *const *specs,
                    size_t n, int whole_input, int *streams, tproc_image **out)
{
    tproc_pipeline *p = tu_chain(NULL, specs, n);
    tproc_source *s;
    if (path)
        tu_ok(NULL, tproc_source_open(NULL, path, NULL, &s));
    else
        tu_ok(NULL, tproc_source_open_memory(NULL, data, size, NULL, &s));
    tproc_stream_options so = {0};
    so.whole_input = whole_input;
    size_t bytes;
    tu_ok(NULL, tproc_pipeline_stream_plan(p, s, NULL, &so, streams, &bytes));
    tproc_sink *sink;
    tu_ok(NULL, tproc_sink_new_image(NULL, &sink));
    int status = tproc_pipeline_stream(p, s, sink, NULL, &so);
    *out = tproc_sink_take_image(sink);
    tproc_sink_free(&sink);
    tproc_source_free(&s);
    tproc_pipeline_free(&p);
    return status;
}

START_TEST(whole_input_gives_the_streamed_bytes)
{
    static const char *const files[] = {"jpeg/testorig.jpg", "pngsuite/basn6a16.png",
                                        "exif/Landscape_2.jpg"};
    const char *specs[] = {"gaussian:sigma=1.5", "resize:scale=0.7"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        tproc_image *streamed, *held;
        int s1, s2;
        tu_ok(NULL, run_file(tu_data(files[i]), NULL, 0, specs, 2, 0, &s1, &streamed));
        tu_ok(NULL, run_file(tu_data(files[i]), NULL, 0, specs, 2, 1, &s2, &held));
        ck_assert_int_eq(s1, 1);
        ck_assert_int_eq(s2, 0);
        tproc_view a = tproc_image_view(streamed), b = tproc_image_view(held);
        tu_assert_same(&a, &b, files[i]);
        tproc_image_free(&streamed);
        tproc_image_free(&held);
    }
    /* whole_input and no_fallback contradict each other. */
    tproc_pipeline *p = tu_chain(NULL, specs, 1);
    tproc_source *s;
    tu_ok(NULL, tproc_source_open(NULL, tu_data(files[0]), NULL, &s));
    tproc_stream_options so = {0, 1, 1, 0};
    int streams;
    size_t bytes;
    ck_assert_int_eq(tproc_pipeline_stream_plan(p, s, NULL, &so, &streams, &bytes),
                     TPROC_ERR_ARG);
    tproc_source_free(&s);
    tproc_pipeline_free(&p);
}
END_TEST

/*
 * A JPEG cut short: streamed rows stop where its data ends (nothing bounds a stream of made-up
 * rows), while a run holding the whole input decodes it as a lenient tproc_load() does, grey
 * rows and all, bounded by the memory limit.
 */
START_TEST(truncated_file_held_whole_decodes_like_load)
{
    size_t size;
    unsigned char *data = tu_read_file(tu_data("jpeg/testorig.jpg"), &size);
    ck_assert_ptr_nonnull(data);
    size_t cut = size * 2 / 3;
    const char *specs[] = {"invert"};
    tproc_image *img = NULL;
    int streams;
    ck_assert_int_eq(run_file(NULL, data, cut, specs, 1, 0, &streams, &img), TPROC_ERR_CORRUPT);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "truncated JPEG data"));
    ck_assert_ptr_null(img);
    tu_ok(NULL, run_file(NULL, data, cut, specs, 1, 1, &streams, &img));
    tproc_image *loaded;
    tu_ok(NULL, tproc_load_memory(NULL, data, cut, NULL, &loaded));
    tproc_view lv = tproc_image_view(loaded);
    tproc_image *want = tu_run(NULL, &lv, specs, 1, 0, 0, 1, TPROC_BORDER_REFLECT_101);
    tproc_view a = tproc_image_view(img), b = tproc_image_view(want);
    tu_assert_same(&a, &b, "truncated, held whole");
    /* A strict load refuses it, and so does a strict source held whole. */
    tproc_load_options strict = {.ignore_orientation = 0, .strict = 1};
    tproc_image *none = NULL;
    ck_assert_int_eq(tproc_load_memory(NULL, data, cut, &strict, &none), TPROC_ERR_CORRUPT);
    tproc_source *s;
    tu_ok(NULL, tproc_source_open_memory(NULL, data, cut, &strict, &s));
    ck_assert_int_eq(tproc_source_load(s, &none), TPROC_ERR_CORRUPT);
    ck_assert_ptr_null(none);
    tproc_source_free(&s);
    tproc_image_free(&want);
    tproc_image_free(&loaded);
    tproc_image_free(&img);
    free(data);
}
END_TEST

/* --- an image sink's memory ---------------------------------------------------------------- */

typedef struct counted_rows {
    const tproc_view *view;
    ptrdiff_t rows; /* rows handed out */
} counted_rows;

static int give_rows(void *user, ptrdiff_t y, ptrdiff_t count, const tproc_view *rows)
{
    counted_rows *c = user;
    c->rows += count;
    tproc_view part;
    tproc_view_sub(c->view, 0, y, c->view->width, count, &part);
    return tproc_view_copy(NULL, &part, rows);
}

/*
 * The output image of an image sink counts against the limit with the whole input: a run that
 * could hold its input but not the two together is refused before it reads a row, naming the
 * limit (before, it read every row and failed only when the sink allocated its image).
 */
START_TEST(image_sink_counts_in_the_plan)
{
    tproc_ctx *ctx = new_ctx();
    tproc_image *src = tu_random_image(ctx, 200, 300, 3, TPROC_U8, 5);
    tproc_view sv = tproc_image_view(src);
    tproc_format f = {200, 300, 3, TPROC_U8};
    /* 200x300 RGB with 640-byte rows, and its 300x200 turn with 960-byte rows: 187.5 KiB each. */
    const size_t image_bytes = 192000;
    static const char *const chains[] = {"rotate:angle=90", "invert"};
    for (size_t k = 0; k < 2; k++) {
        int holds = k == 0;
        tproc_pipeline *p = tu_chain(ctx, &chains[k], 1);
        counted_rows c = {&sv, 0};
        tproc_source *s;
        tproc_sink *sink;
        tu_ok(ctx, tproc_source_new_callback(ctx, &f, give_rows, &c, &s));
        tu_ok(ctx, tproc_sink_new_image(ctx, &sink));
        /* Room for the input held whole (or a band), not for the output image as well. */
        tproc_ctx_set_memory_limit(ctx, tproc_ctx_memory_in_use(ctx) +
                                            (holds ? image_bytes + 60000 : 60000));
        ck_assert_int_eq(tproc_pipeline_stream(p, s, sink, NULL, NULL), TPROC_ERR_LIMIT);
        const char *msg = tproc_ctx_message(ctx);
        ck_assert_msg(strstr(msg, "output image (187.5 KiB)") && strstr(msg, "memory limit"),
                      "%s", msg);
        ck_assert_int_eq(c.rows, 0);
        ck_assert_ptr_null(tproc_sink_take_image(sink));
        tproc_sink_free(&sink);
        tproc_source_free(&s);

        /* With room for both it runs, and gives what the in-memory run gives. */
        tproc_ctx_set_memory_limit(ctx, 0);
        c.rows = 0;
        tu_ok(ctx, tproc_source_new_callback(ctx, &f, give_rows, &c, &s));
        tu_ok(ctx, tproc_sink_new_image(ctx, &sink));
        tu_ok(ctx, tproc_pipeline_stream(p, s, sink, NULL, NULL));
        tproc_image *got = tproc_sink_take_image(sink);
        tproc_image *want = tu_run(ctx, &sv, &chains[k], 1, 0, 0, 1, TPROC_BORDER_REFLECT_101);
        tproc_view gv = tproc_image_view(got), wv = tproc_image_view(want);
        tu_assert_same(&gv, &wv, chains[k]);
        tproc_image_free(&got);
        tproc_image_free(&want);
        tproc_sink_free(&sink);
        tproc_source_free(&s);
        tproc_pipeline_free(&p);
    }
    tproc_image_free(&src);
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_codec(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("codec");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, formats_come_from_the_table);
    tcase_add_test(tc, detection_by_magic);
    tcase_add_test(tc, errors_carry_their_subject);
    tcase_add_test(tc, stream_errors_name_the_input_file);
    tcase_add_test(tc, limit_messages_use_the_callers_name);
    tcase_add_test(tc, source_load_is_load);
    tcase_add_test(tc, source_metadata_outlives_reopening);
    tcase_add_test(tc, whole_input_gives_the_streamed_bytes);
    tcase_add_test(tc, truncated_file_held_whole_decodes_like_load);
    tcase_add_test(tc, image_sink_counts_in_the_plan);
    suite_add_tcase(s, tc);
    return s;
}
