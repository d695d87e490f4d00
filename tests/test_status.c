/* SPDX-License-Identifier: MIT */
/* test_status.c: status texts and names, sample and border tables, the version. */
#include <string.h>

#include "testutil.h"

static const int all_statuses[] = {
#define TU_STATUS(name, value, text) value,
    TPROC_STATUS_LIST(TU_STATUS)
#undef TU_STATUS
};

START_TEST(every_status_has_distinct_text_and_name)
{
    size_t n = sizeof all_statuses / sizeof all_statuses[0];
    for (size_t i = 0; i < n; i++) {
        const char *text = tproc_strerror(all_statuses[i]);
        const char *name = tproc_status_name(all_statuses[i]);
        ck_assert_ptr_nonnull(text);
        ck_assert_ptr_nonnull(name);
        ck_assert_str_ne(text, "unknown status");
        for (size_t j = 0; j < i; j++) {
            ck_assert_str_ne(text, tproc_strerror(all_statuses[j]));
            ck_assert_str_ne(name, tproc_status_name(all_statuses[j]));
        }
    }
    ck_assert_str_eq(tproc_status_name(TPROC_ERR_LIMIT), "ERR_LIMIT");
    ck_assert_str_eq(tproc_strerror(TPROC_OK), "success");
    ck_assert_str_eq(tproc_strerror(12345), "unknown status");
    ck_assert_str_eq(tproc_status_name(-12345), "UNKNOWN");
}
END_TEST

START_TEST(samples_and_borders)
{
    ck_assert_uint_eq(tproc_sample_size(TPROC_U8), 1);
    ck_assert_uint_eq(tproc_sample_size(TPROC_U16), 2);
    ck_assert_uint_eq(tproc_sample_size(TPROC_F32), 4);
    ck_assert_uint_eq(tproc_sample_size((tproc_sample)9), 0);
    ck_assert_str_eq(tproc_sample_name(TPROC_U16), "u16");
    const char *names[] = {"constant", "replicate", "reflect", "reflect101", "wrap"};
    for (int b = 0; b <= TPROC_BORDER_WRAP; b++) {
        tproc_border parsed;
        ck_assert_str_eq(tproc_border_name((tproc_border)b), names[b]);
        ck_assert_int_eq(tproc_border_parse(names[b], &parsed), TPROC_OK);
        ck_assert_int_eq((int)parsed, b);
    }
    tproc_border parsed = TPROC_BORDER_WRAP;
    ck_assert_int_eq(tproc_border_parse("reflect-101", &parsed), TPROC_OK);
    ck_assert_int_eq(parsed, TPROC_BORDER_REFLECT_101);
    ck_assert_int_eq(tproc_border_parse("mirror", &parsed), TPROC_ERR_ARG);
    ck_assert_ptr_null(tproc_border_name((tproc_border)17));
}
END_TEST

START_TEST(version_matches_header)
{
    ck_assert_str_eq(tproc_version(), TPROC_VERSION_STRING);
}
END_TEST

Suite *suite_status(void)
{
    Suite *s = suite_create("status");
    TCase *tc = tcase_create("tables");
    tcase_add_test(tc, every_status_has_distinct_text_and_name);
    tcase_add_test(tc, samples_and_borders);
    tcase_add_test(tc, version_matches_header);
    suite_add_tcase(s, tc);
    return s;
}
