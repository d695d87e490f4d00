/* SPDX-License-Identifier: MIT */
/*
 * check_main.c: the one Check runner. It runs every suite, or only the one named by
 * CK_RUN_SUITE (how CTest runs each suite as its own test). Suites run forked (CK_FORK), so a
 * crash in one test is a failure of that test, not the end of the run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_suite {
    const char *name;
    Suite *(*make)(void);
};

#include "suites.inc"

int main(void)
{
    SRunner *runner = NULL;
    for (size_t i = 0; i < sizeof test_suites / sizeof test_suites[0]; i++) {
        Suite *s = test_suites[i].make();
        if (!runner)
            runner = srunner_create(s);
        else
            srunner_add_suite(runner, s);
    }
    if (!runner)
        return EXIT_FAILURE;
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    int run = srunner_ntests_run(runner);
    srunner_free(runner);
    if (run == 0) {
        fprintf(stderr, "no test ran (CK_RUN_SUITE=%s)\n",
                getenv("CK_RUN_SUITE") ? getenv("CK_RUN_SUITE") : "");
        return EXIT_FAILURE;
    }
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
