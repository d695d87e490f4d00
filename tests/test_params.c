/* SPDX-License-Identifier: MIT */
/*
 * test_params.c: the "name:key=value" parser and the C setters: defaults, ranges, open bounds,
 * enums, matrices, required keys, and the documented error texts (they are a contract: the CLI
 * prints them as they are).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static void assert_parse_error(const char *spec, int status, const char *needle)
{
    const tproc_filter *f = (const tproc_filter *)1;
    tproc_params p;
    ck_assert_int_eq(tproc_params_parse(NULL, spec, &f, &p), status);
    ck_assert_ptr_null(f);
    ck_assert_msg(strstr(tproc_ctx_message(NULL), needle) != NULL, "'%s': message '%s' lacks '%s'",
                  spec, tproc_ctx_message(NULL), needle);
}

START_TEST(documented_error_texts)
{
    assert_parse_error("gausian", TPROC_ERR_NOT_FOUND,
                       "unknown filter 'gausian' (did you mean 'gaussian'?)");
    assert_parse_error("gaussian:sigma=-1", TPROC_ERR_PARAM,
                       "gaussian: sigma must be in (0, 1000], got -1");
    assert_parse_error("gaussian:sigma=0", TPROC_ERR_PARAM, "(0, 1000]");
    assert_parse_error("gaussian:sigma=nan", TPROC_ERR_PARAM, "sigma must be in");
    assert_parse_error("gaussian:sigma=inf", TPROC_ERR_PARAM, "sigma must be in");
    assert_parse_error("gaussian:sigma=1e9", TPROC_ERR_PARAM, "got 1e9");
    assert_parse_error("gaussian:sigma=abc", TPROC_ERR_PARAM, "sigma must be a number");
    assert_parse_error("gaussian:sigm=2", TPROC_ERR_PARAM,
                       "gaussian: unknown key 'sigm' (did you mean 'sigma'?)");
    assert_parse_error("gaussian:sigma", TPROC_ERR_PARAM, "expected key=value");
    assert_parse_error("gaussian:sigma=", TPROC_ERR_PARAM, "sigma has no value");
    assert_parse_error("gaussian:sigma=1,sigma=2", TPROC_ERR_PARAM, "given twice");
    assert_parse_error("box:radius=-3", TPROC_ERR_PARAM, "box: radius must be in");
    assert_parse_error("box:radius=1.5", TPROC_ERR_PARAM, "whole number");
    assert_parse_error("flip:axis=diagonal", TPROC_ERR_PARAM,
                       "flip: axis must be one of horizontal|vertical, got 'diagonal'");
    assert_parse_error("flip:axis=vertica", TPROC_ERR_PARAM, "did you mean 'vertical'");
    assert_parse_error("invert:amount=1", TPROC_ERR_PARAM, "invert: takes no parameters");
    assert_parse_error("", TPROC_ERR_PARAM, "empty filter name");
    assert_parse_error("qqqqqqqq", TPROC_ERR_NOT_FOUND, "unknown filter 'qqqqqqqq'");
    ck_assert_ptr_null(strstr(tproc_ctx_message(NULL), "did you mean"));
}
END_TEST

START_TEST(defaults_and_given)
{
    const tproc_filter *f;
    tproc_params p;
    tu_ok(NULL, tproc_params_parse(NULL, "flip", &f, &p));
    ck_assert_str_eq(f->name, "flip");
    ck_assert_uint_eq(p.given, 0);
    ck_assert(tproc_params_get(f, &p, "axis") == 0.0);
    tu_ok(NULL, tproc_params_parse(NULL, "flip:axis=vertical", &f, &p));
    ck_assert(tproc_params_get(f, &p, "axis") == 1.0);
    ck_assert_uint_eq(p.given, 1);
    ck_assert(isnan(tproc_params_get(f, &p, "nope")));
    tu_ok(NULL, tproc_params_parse(NULL, "crop:x=1,y=2,width=3,height=4", &f, &p));
    ck_assert(tproc_params_get(f, &p, "height") == 4.0);
    char text[256];
    tproc_params_format(f, &p, text, sizeof text);
    ck_assert_str_eq(text, "crop:x=1,y=2,width=3,height=4");
    tu_ok(NULL, tproc_params_parse(NULL, "rotate:", &f, &p)); /* empty list is fine */
}
END_TEST

START_TEST(setters_from_c)
{
    const tproc_filter *f = tproc_filter_find("crop");
    ck_assert_ptr_nonnull(f);
    tproc_params p;
    tproc_params_init(f, &p);
    ck_assert_int_eq(tproc_params_check(NULL, f, &p), TPROC_ERR_PARAM);
    tu_ok(NULL, tproc_params_set(NULL, f, &p, "x", 5));
    ck_assert_int_eq(tproc_params_set(NULL, f, &p, "x", -1), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_set(NULL, f, &p, "x", NAN), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_set(NULL, f, &p, "width", 0.5), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_set(NULL, f, &p, "depth", 1), TPROC_ERR_PARAM);
    tu_ok(NULL, tproc_params_set_text(NULL, f, &p, "y", "7"));
    tu_ok(NULL, tproc_params_set(NULL, f, &p, "width", 2));
    tu_ok(NULL, tproc_params_set(NULL, f, &p, "height", 3));
    tu_ok(NULL, tproc_params_check(NULL, f, &p));
    /* A pipeline refuses missing required keys at add time. */
    tproc_pipeline *pl;
    tu_ok(NULL, tproc_pipeline_new(NULL, &pl));
    tproc_params empty;
    tproc_params_init(f, &empty);
    ck_assert_int_eq(tproc_pipeline_add_filter(pl, f, &empty), TPROC_ERR_PARAM);
    tu_ok(NULL, tproc_pipeline_add_filter(pl, f, &p));
    ck_assert_uint_eq(tproc_pipeline_length(pl), 1);
    /* Values written straight into the struct are checked as the setters would. */
    tproc_params raw = p;
    raw.value[0] = -5;
    ck_assert_int_eq(tproc_pipeline_add_filter(pl, f, &raw), TPROC_ERR_PARAM);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "crop: x must be in"));
    const tproc_filter *flip = tproc_filter_find("flip");
    tproc_params_init(flip, &raw);
    raw.value[0] = 7; /* no such axis */
    ck_assert_int_eq(tproc_pipeline_add_filter(pl, flip, &raw), TPROC_ERR_PARAM);
    ck_assert_uint_eq(tproc_pipeline_length(pl), 1);
    tproc_pipeline_free(&pl);
}
END_TEST

START_TEST(matrix_text)
{
    const tproc_filter *f;
    tproc_params p;
    tu_ok(NULL,
          tproc_params_parse(
              NULL, "convolve:matrix=-1 -1 -1;-1 16 -1;-1 -1 -1,scale=0.125,offset=0", &f, &p));
    ck_assert_int_eq(p.matrix_width, 3);
    ck_assert_int_eq(p.matrix_height, 3);
    ck_assert(p.matrix[4] == 16.0 && p.matrix[0] == -1.0 && p.matrix[8] == -1.0);
    tu_ok(NULL, tproc_params_parse(NULL, "convolve:matrix=1 2 3 4 5", &f, &p));
    ck_assert_int_eq(p.matrix_width, 5);
    ck_assert_int_eq(p.matrix_height, 1);
    assert_parse_error("convolve:matrix=1 2;3 4", TPROC_ERR_PARAM, "odd size");
    assert_parse_error("convolve:matrix=1 2 3;4 5", TPROC_ERR_PARAM, "row 2 has 2 values");
    assert_parse_error("convolve:matrix=1 x 3", TPROC_ERR_PARAM, "not a number");
    assert_parse_error("convolve:matrix=1;;3", TPROC_ERR_PARAM, "empty row");
    assert_parse_error("convolve:scale=2", TPROC_ERR_PARAM, "matrix is required");
    char big[4096] = "convolve:matrix=";
    for (int r = 0; r < 27; r++)
        for (int c = 0; c < 27; c++)
            strcat(big, c ? " 1" : (r ? ";1" : "1"));
    assert_parse_error(big, TPROC_ERR_PARAM, "convolve: matrix");
}
END_TEST

START_TEST(every_builtin_parses_with_defaults_or_requires_keys)
{
    size_t n = tproc_filter_count();
    ck_assert_uint_ge(n, 17);
    static const char *expected[] = {"invert",   "grayscale", "brightness", "contrast", "gamma",
                                     "levels",   "threshold", "crop",       "flip",     "rotate",
                                     "box",      "gaussian",  "sharpen",    "sobel",    "median",
                                     "convolve", "resize"};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const tproc_filter *f = tproc_filter_find(expected[i]);
        ck_assert_msg(f != NULL, "no filter %s", expected[i]);
        ck_assert_int_eq(f->abi, TPROC_FILTER_ABI);
        ck_assert_ptr_nonnull(f->summary);
        for (int k = 0; k < f->param_count; k++)
            ck_assert_msg(f->params[k].help != NULL, "%s.%s has no help", f->name,
                          f->params[k].name);
    }
}
END_TEST

Suite *suite_params(void)
{
    Suite *s = suite_create("params");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, documented_error_texts);
    tcase_add_test(tc, defaults_and_given);
    tcase_add_test(tc, setters_from_c);
    tcase_add_test(tc, matrix_text);
    tcase_add_test(tc, every_builtin_parses_with_defaults_or_requires_keys);
    suite_add_tcase(s, tc);
    return s;
}
