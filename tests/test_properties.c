/* SPDX-License-Identifier: MIT */
/* test_properties.c: placeholder until the suite is written. */
#include "testutil.h"

START_TEST(placeholder)
{
    ck_assert_int_eq(1, 1);
}
END_TEST

Suite *suite_properties(void)
{
    Suite *s = suite_create("properties");
    TCase *tc = tcase_create("placeholder");
    tcase_add_test(tc, placeholder);
    suite_add_tcase(s, tc);
    return s;
}
