/* SPDX-License-Identifier: MIT */
/* test_pipeline.c: placeholder until the suite is written. */
#include "testutil.h"

START_TEST(placeholder)
{
    ck_assert_int_eq(1, 1);
}
END_TEST

Suite *suite_pipeline(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("placeholder");
    tcase_add_test(tc, placeholder);
    suite_add_tcase(s, tc);
    return s;
}
