/* SPDX-License-Identifier: MIT */
/*
 * test_io.c: the format-independent I/O layer: recognition by magic bytes (never by name),
 * paths, memory, seekable and non-seekable FILE*s, errors that name the file, and atomic
 * saving (a failed save leaves no file behind and an existing target untouched).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tileproc-io-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    if (!d)
        return;
    struct dirent *e;
    char path[600];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
            unlink(path);
        }
    closedir(d);
    rmdir(tmpdir);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    if (d)
        closedir(d);
    return n;
}

static void write_bytes(const char *path, const void *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
    ck_assert_int_eq(fclose(fp), 0);
}

static void assert_same_pixels(const tproc_view *a, const tproc_view *b)
{
    tproc_diff d;
    ck_assert_int_eq(tproc_view_compare(a, b, &d), TPROC_OK);
    ck_assert_msg(d.differing == 0, "%zu samples differ", d.differing);
}

START_TEST(format_detected_by_magic_not_name)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char jpg[4] = {0xff, 0xd8, 0xff, 0xe0};
    ck_assert_int_eq(tproc_file_format_detect(png, 8), TPROC_FILE_PNG);
    ck_assert_int_eq(tproc_file_format_detect(png, 7), TPROC_FILE_UNKNOWN);
    ck_assert_int_eq(tproc_file_format_detect(jpg, 4), TPROC_FILE_JPEG);
    ck_assert_int_eq(tproc_file_format_detect("GIF89a", 6), TPROC_FILE_UNKNOWN);
    ck_assert_int_eq(tproc_file_format_from_name("a/b.JPG"), TPROC_FILE_JPEG);
    ck_assert_int_eq(tproc_file_format_from_name("x.png"), TPROC_FILE_PNG);
    ck_assert_int_eq(tproc_file_format_from_name("dir.png/x"), TPROC_FILE_UNKNOWN);

    /* A PNG named .jpg loads as a PNG; a JPEG named .png loads as a JPEG. */
    make_tmpdir();
    tproc_image *img = tu_random_image(NULL, 9, 7, 3, TPROC_U8, 1), *back = NULL;
    tproc_view v = tproc_image_view(img);
    char path[512];
    snprintf(path, sizeof path, "%s/really-a-png.jpg", tmpdir);
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_PNG;
    tu_ok(NULL, tproc_save(NULL, &v, path, &o));
    tproc_info info;
    tu_ok(NULL, tproc_info_read(NULL, path, &info));
    ck_assert_int_eq(info.format, TPROC_FILE_PNG);
    tu_ok(NULL, tproc_load(NULL, path, NULL, &back));
    tproc_view bv = tproc_image_view(back);
    assert_same_pixels(&v, &bv);
    tproc_image_free(&back);

    snprintf(path, sizeof path, "%s/really-a-jpeg.png", tmpdir);
    o.format = TPROC_FILE_JPEG;
    tu_ok(NULL, tproc_save(NULL, &v, path, &o));
    tu_ok(NULL, tproc_info_read(NULL, path, &info));
    ck_assert_int_eq(info.format, TPROC_FILE_JPEG);
    ck_assert_int_eq(info.width, 9);

    /* Text with an image's name is refused by content. */
    snprintf(path, sizeof path, "%s/text.png", tmpdir);
    write_bytes(path, "hello, world\n", 13);
    ck_assert_int_eq(tproc_load(NULL, path, NULL, &back), TPROC_ERR_FORMAT);
    ck_assert_ptr_null(back);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "text.png"));
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "not a PNG, JPEG or WebP file"));

    snprintf(path, sizeof path, "%s/empty.jpg", tmpdir);
    write_bytes(path, "", 0);
    ck_assert_int_ne(tproc_load(NULL, path, NULL, &back), TPROC_OK);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "empty.jpg"));
    tproc_image_free(&img);
    remove_tmpdir();
}
END_TEST

START_TEST(missing_file_and_directory_are_named)
{
    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_load(NULL, "/nonexistent/dir/photo.png", NULL, &img), TPROC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "/nonexistent/dir/photo.png"));
    ck_assert_ptr_null(img);
    ck_assert_int_eq(tproc_load(NULL, "/tmp", NULL, &img), TPROC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "directory"));
    tproc_info info;
    ck_assert_int_eq(tproc_info_read(NULL, "/nonexistent.jpg", &info), TPROC_ERR_IO);
}
END_TEST

START_TEST(memory_and_stream_round_trips)
{
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(NULL, &ctx));
    tproc_image *img = tu_random_image(ctx, 31, 17, 4, TPROC_U16, 2), *back = NULL;
    tproc_view v = tproc_image_view(img);
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_PNG;
    void *data;
    size_t size;
    tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &data, &size));
    ck_assert_uint_gt(size, 8);
    ck_assert_int_eq(tproc_file_format_detect(data, size), TPROC_FILE_PNG);
    tu_ok(ctx, tproc_load_memory(ctx, data, size, NULL, &back));
    tproc_view bv = tproc_image_view(back);
    assert_same_pixels(&v, &bv);
    tproc_image_free(&back);

    /* A seekable FILE*, read from its current position. */
    FILE *fp = tmpfile();
    ck_assert_ptr_nonnull(fp);
    tu_ok(ctx, tproc_save_file(ctx, &v, fp, "tmp", &o));
    rewind(fp);
    tproc_info info;
    tu_ok(ctx, tproc_info_read_file(ctx, fp, "tmp", &info));
    ck_assert_int_eq(info.width, 31);
    ck_assert_int_eq(info.height, 17);
    ck_assert_int_eq(info.channels, 4);
    ck_assert_int_eq(info.sample, TPROC_U16);
    rewind(fp);
    tu_ok(ctx, tproc_load_file(ctx, fp, "tmp", NULL, &back));
    bv = tproc_image_view(back);
    assert_same_pixels(&v, &bv);
    tproc_image_free(&back);
    fclose(fp);

    /* A pipe cannot seek: it is read whole, then decoded. */
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_uint_lt(size, 60000); /* fits the pipe buffer, so no writer thread is needed */
    ck_assert_int_eq((long)write(fds[1], data, size), (long)size);
    close(fds[1]);
    FILE *rp = fdopen(fds[0], "rb");
    ck_assert_ptr_nonnull(rp);
    tu_ok(ctx, tproc_load_file(ctx, rp, "<stdin>", NULL, &back));
    bv = tproc_image_view(back);
    assert_same_pixels(&v, &bv);
    fclose(rp);

    tproc_free(ctx, data);
    tproc_image_free(&back);
    tproc_image_free(&img);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
    ck_assert_ptr_null(ctx);
}
END_TEST

START_TEST(float_saves_as_16_bit_png_and_8_bit_jpeg)
{
    tproc_image *img = NULL, *back = NULL;
    tu_ok(NULL, tproc_image_new(NULL, 4, 3, 4, TPROC_F32, &img));
    tproc_view v = tproc_image_view(img);
    double value[4] = {0.5, 1.0, 0.0, 1.0};
    tu_ok(NULL, tproc_view_fill(&v, value));
    void *data;
    size_t size;
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_PNG;
    tu_ok(NULL, tproc_save_memory(NULL, &v, &o, &data, &size));
    tu_ok(NULL, tproc_load_memory(NULL, data, size, NULL, &back));
    tproc_free(NULL, data);
    ck_assert_int_eq(tproc_image_sample(back), TPROC_U16);
    tproc_view bv = tproc_image_view(back);
    uint16_t s[4];
    memcpy(s, tproc_view_pixel(&bv, 2, 1), sizeof s);
    ck_assert_uint_eq(s[0], 32768); /* 0.5 * 65535 rounded half up */
    ck_assert_uint_eq(s[1], 65535);
    ck_assert_uint_eq(s[2], 0);
    tproc_image_free(&back);

    o.format = TPROC_FILE_JPEG;
    o.quality = 100;
    tu_ok(NULL, tproc_save_memory(NULL, &v, &o, &data, &size));
    tu_ok(NULL, tproc_load_memory(NULL, data, size, NULL, &back));
    tproc_free(NULL, data);
    ck_assert_int_eq(tproc_image_channels(back), 3); /* alpha dropped */
    ck_assert_int_eq(tproc_image_sample(back), TPROC_U8);
    tproc_image_free(&back);
    tproc_image_free(&img);
}
END_TEST

START_TEST(failed_save_leaves_nothing_and_keeps_the_old_file)
{
    make_tmpdir();
    char target[512];
    snprintf(target, sizeof target, "%s/out.jpg", tmpdir);
    write_bytes(target, "old contents", 12);

    /* Converting a big f32 RGBA view for JPEG needs memory the context may not use. */
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(NULL, &ctx));
    tproc_image *img;
    tu_ok(ctx, tproc_image_new(ctx, 300, 200, 4, TPROC_F32, &img));
    tproc_ctx_set_memory_limit(ctx, tproc_ctx_memory_in_use(ctx) + 1000);
    tproc_view v = tproc_image_view(img);
    ck_assert_int_eq(tproc_save(ctx, &v, target, NULL), TPROC_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), "memory limit"));

    size_t size;
    unsigned char *kept = tu_read_file(target, &size);
    ck_assert_ptr_nonnull(kept);
    ck_assert_uint_eq(size, 12);
    ck_assert_int_eq(memcmp(kept, "old contents", 12), 0);
    free(kept);
    ck_assert_int_eq(count_entries(tmpdir), 1); /* no temporary file left behind */

    /* A bad option fails the same way. */
    tproc_ctx_set_memory_limit(ctx, 0);
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.quality = 101;
    ck_assert_int_eq(tproc_save(ctx, &v, target, &o), TPROC_ERR_ARG);
    ck_assert_int_eq(count_entries(tmpdir), 1);

    /* Success replaces the file, with ordinary permissions rather than mkstemp's 0600. */
    tu_ok(ctx, tproc_save(ctx, &v, target, NULL));
    tproc_info info;
    tu_ok(ctx, tproc_info_read(ctx, target, &info));
    ck_assert_int_eq(info.format, TPROC_FILE_JPEG);
    struct stat st;
    ck_assert_int_eq(stat(target, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    ck_assert_uint_eq(st.st_mode & 0777, 0666 & ~mask);
    ck_assert_int_eq(count_entries(tmpdir), 1);

    /* No directory, or no format. */
    char bad[600];
    snprintf(bad, sizeof bad, "%s/missing/out.png", tmpdir);
    ck_assert_int_eq(tproc_save(ctx, &v, bad, NULL), TPROC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), bad));
    snprintf(bad, sizeof bad, "%s/out.tiff", tmpdir);
    ck_assert_int_eq(tproc_save(ctx, &v, bad, NULL), TPROC_ERR_ARG);
    ck_assert_int_eq(count_entries(tmpdir), 1);

    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
    remove_tmpdir();
}
END_TEST

START_TEST(replacing_keeps_mode_and_follows_links)
{
    make_tmpdir();
    char target[512], link[512];
    snprintf(target, sizeof target, "%s/real.png", tmpdir);
    snprintf(link, sizeof link, "%s/link.png", tmpdir);
    write_bytes(target, "old", 3);
    ck_assert_int_eq(chmod(target, 0640), 0);
    ck_assert_int_eq(symlink("real.png", link), 0);
    tproc_image *img = tu_random_image(NULL, 5, 4, 1, TPROC_U8, 3);
    tproc_view v = tproc_image_view(img);
    tu_ok(NULL, tproc_save(NULL, &v, link, NULL));
    struct stat st;
    /* The link is still a link, and the file it names now holds the image, mode kept. */
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(stat(target, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0640);
    tproc_info info;
    tu_ok(NULL, tproc_info_read(NULL, target, &info));
    ck_assert_int_eq(info.format, TPROC_FILE_PNG);
    ck_assert_int_eq(count_entries(tmpdir), 2);
    tproc_image_free(&img);
    remove_tmpdir();
}
END_TEST

START_TEST(orientation_is_a_view_transform)
{
    /* Orientation 6 (rotate 90 clockwise) on load: no copy, a transposed view of the buffer. */
    tproc_image *img = NULL;
    tu_ok(NULL, tproc_load(NULL, tu_data("exif/Landscape_6.jpg"), NULL, &img));
    ck_assert_int_eq(tproc_image_orientation(img), 6);
    ck_assert_int_eq(tproc_image_width(img), 1800);
    ck_assert_int_eq(tproc_image_height(img), 1200);
    tproc_view v = tproc_image_view(img);
    ck_assert(!tproc_view_is_contiguous(&v));
    ck_assert_int_eq(v.pixel_stride < 0 || v.row_stride < 0 ||
                         (size_t)v.pixel_stride != tproc_view_pixel_size(&v),
                     1);
    tproc_image_free(&img);

    tproc_load_options keep = {.ignore_orientation = 1};
    tu_ok(NULL, tproc_load(NULL, tu_data("exif/Landscape_6.jpg"), &keep, &img));
    ck_assert_int_eq(tproc_image_width(img), 1200);
    ck_assert_int_eq(tproc_image_height(img), 1800);
    tproc_image_free(&img);
}
END_TEST

Suite *suite_io(void)
{
    Suite *s = suite_create("io");
    TCase *tc = tcase_create("io");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, format_detected_by_magic_not_name);
    tcase_add_test(tc, missing_file_and_directory_are_named);
    tcase_add_test(tc, memory_and_stream_round_trips);
    tcase_add_test(tc, float_saves_as_16_bit_png_and_8_bit_jpeg);
    tcase_add_test(tc, failed_save_leaves_nothing_and_keeps_the_old_file);
    tcase_add_test(tc, replacing_keeps_mode_and_follows_links);
    tcase_add_test(tc, orientation_is_a_view_transform);
    suite_add_tcase(s, tc);
    return s;
}
