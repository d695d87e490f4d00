/* SPDX-License-Identifier: MIT */
/* test_filters_blur.c: placeholder until the suite is written. */
#include "testutil.h"

START_TEST(placeholder)
{
    ck_assert_int_eq(1, 1);
}
END_TEST

Suite *suite_filters_blur(void)
{
    Suite *s = suite_create("filters_blur");
    TCase *tc = tcase_create("placeholder");
    tcase_add_test(tc, placeholder);
    suite_add_tcase(s, tc);
    return s;
}
