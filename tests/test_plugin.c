/* SPDX-License-Identifier: MIT */
/*
 * test_plugin.c: user filters at run time: registration rules, the sample plugin
 * (samples/plugin/posterize.c) loaded with dlopen and run in a chain against a naive reference,
 * and broken plugins refused with a message, never a crash.
 */
#include <math.h>
#include <string.h>

#include "testutil.h"

START_TEST(sample_plugin_loads_and_runs)
{
    ck_assert_ptr_null(tproc_filter_find("posterize"));
    size_t before = tproc_filter_count();
    tu_ok(NULL, tproc_plugin_load(NULL, TPROC_TEST_PLUGIN_POSTERIZE));
    tu_ok(NULL, tproc_plugin_load(NULL, TPROC_TEST_PLUGIN_POSTERIZE)); /* again: no-op */
    ck_assert_uint_eq(tproc_filter_count(), before + 1);
    const tproc_filter *f = tproc_filter_find("posterize");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_eq(tproc_filter_at(before), f);

    tproc_image *src = tu_random_image(NULL, 37, 23, 4, TPROC_U8, 11);
    tproc_view sv = tproc_image_view(src);
    const char *chain[] = {"posterize:levels=3", "flip:axis=horizontal"};
    tproc_image *out = tu_run(NULL, &sv, chain, 2, 7, 5, 2, TPROC_BORDER_REFLECT_101);
    tproc_view ov = tproc_image_view(out);
    for (ptrdiff_t y = 0; y < 23; y++)
        for (ptrdiff_t x = 0; x < 37; x++) {
            const unsigned char *s = tproc_view_pixel(&sv, 36 - x, y);
            const unsigned char *d = tproc_view_pixel(&ov, x, y);
            for (int c = 0; c < 3; c++) {
                /* 3 levels of 0..255: 0, 128 (127.5 rounded half up), 255 */
                double q = floor(s[c] / 255.0 * 2 + 0.5);
                ck_assert_int_eq(d[c], (int)floor(q * 127.5 + 0.5));
            }
            ck_assert_int_eq(d[3], s[3]);
        }
    tproc_image_free(&out);
    tproc_image_free(&src);
}
END_TEST

static void expect_plugin_error(const char *path, const char *needle)
{
    size_t before = tproc_filter_count();
    ck_assert_int_eq(tproc_plugin_load(NULL, path), TPROC_ERR_PLUGIN);
    ck_assert_msg(strstr(tproc_ctx_message(NULL), needle) != NULL, "%s: '%s' lacks '%s'", path,
                  tproc_ctx_message(NULL), needle);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), path));
    ck_assert_uint_eq(tproc_filter_count(), before);
}

START_TEST(broken_plugins_are_refused)
{
    expect_plugin_error("/nonexistent/plugin.so", "cannot load plugin");
    expect_plugin_error(tu_data("SOURCES.md"), "cannot load plugin"); /* not a shared object */
    expect_plugin_error(TPROC_TEST_PLUGIN_NO_ENTRY, "not a tileproc plugin");
    expect_plugin_error(TPROC_TEST_PLUGIN_WRONG_ABI, "init failed");
    expect_plugin_error(TPROC_TEST_PLUGIN_BAD_FILTER, "ABI");
    ck_assert_int_eq(tproc_plugin_load(NULL, ""), TPROC_ERR_ARG);
}
END_TEST

static void noop_row(const tproc_stage *s, const void *in, void *out, ptrdiff_t w)
{
    memcpy(out, in, (size_t)w * (size_t)s->in.channels * tproc_sample_size(s->in.sample));
}

START_TEST(registration_rules)
{
    tproc_filter good = {
        .abi = TPROC_FILTER_ABI, .name = "my_copy", .summary = "copy", .process_row = noop_row};
    tu_ok(NULL, tproc_filter_register(NULL, &good));
    ck_assert_ptr_eq(tproc_filter_find("my_copy"), &good);
    ck_assert_int_eq(tproc_filter_register(NULL, &good), TPROC_ERR_ARG); /* taken */
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "already registered"));
    tproc_filter clash = good;
    clash.name = "gaussian";
    ck_assert_int_eq(tproc_filter_register(NULL, &clash), TPROC_ERR_ARG);
    tproc_filter bad = good;
    bad.name = "Bad Name";
    ck_assert_int_eq(tproc_filter_register(NULL, &bad), TPROC_ERR_ARG);
    bad.name = "nothing";
    bad.process_row = NULL;
    ck_assert_int_eq(tproc_filter_register(NULL, &bad), TPROC_ERR_ARG);
    bad.process_row = noop_row;
    bad.abi = 0;
    ck_assert_int_eq(tproc_filter_register(NULL, &bad), TPROC_ERR_PLUGIN);
    ck_assert_int_eq(tproc_filter_register(NULL, NULL), TPROC_ERR_ARG);

    /* A registered filter runs by name. */
    tproc_image *src = tu_random_image(NULL, 9, 4, 2, TPROC_F32, 12);
    tproc_view sv = tproc_image_view(src);
    const char *chain[] = {"my_copy"};
    tproc_image *out = tu_run(NULL, &sv, chain, 1, 2, 2, 2, TPROC_BORDER_REFLECT_101);
    tproc_view ov = tproc_image_view(out);
    tu_assert_same(&ov, &sv, "my_copy");
    tproc_image_free(&out);
    tproc_image_free(&src);
}
END_TEST

Suite *suite_plugin(void)
{
    Suite *s = suite_create("plugin");
    TCase *tc = tcase_create("plugin");
    tcase_add_test(tc, sample_plugin_loads_and_runs);
    tcase_add_test(tc, broken_plugins_are_refused);
    tcase_add_test(tc, registration_rules);
    suite_add_tcase(s, tc);
    return s;
}
