/* SPDX-License-Identifier: MIT */
/*
 * help.h: the text of filter parameters as `tileproc filters`, --help and the man page print
 * it, so all three say the same thing from the same tables.
 */
#ifndef TILEPROC_CLI_HELP_H
#define TILEPROC_CLI_HELP_H

#include "cli.h"

typedef struct cli_param_strings {
    char type[16];   /* int, float, choice, matrix */
    char def[64];    /* the default, "(required)" or "(unset)" */
    char range[256]; /* "(0, 1000]", "a|b|c" */
} cli_param_strings;

/* Describes one parameter of a filter's table. */
void cli_param_text(const tproc_param_desc *param, cli_param_strings *out);
/* The longest filter name in the registry. */
size_t cli_filter_name_width(void);
/* "name  summary" for every filter in the registry, each line starting with indent. */
void cli_filters_list(FILE *fp, const char *indent);

#endif /* TILEPROC_CLI_HELP_H */
