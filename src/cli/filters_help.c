/* SPDX-License-Identifier: MIT */
/*
 * filters_help.c: `tileproc filters [NAME]...`: every filter with its summary, or one filter's
 * parameters with their types, defaults and ranges. Everything printed comes from the filters'
 * own descriptors (tproc_filter_at() and the parameter tables), built-ins and plugins alike;
 * cli_param_text() is shared with --help and the man page.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "help.h"

static void number(double v, char *buf, size_t size)
{
    snprintf(buf, size, "%.10g", v);
}

void cli_param_text(const tproc_param_desc *p, cli_param_strings *out)
{
    static const char *const types[] = {
        [TPROC_PARAM_INT] = "int",
        [TPROC_PARAM_FLOAT] = "float",
        [TPROC_PARAM_ENUM] = "choice",
        [TPROC_PARAM_MATRIX] = "matrix",
        [TPROC_PARAM_COLOUR] = "colour",
        [TPROC_PARAM_TEXT] = "text",
    };
    char lo[32], hi[32];
    size_t t = (size_t)p->type;
    snprintf(out->type, sizeof out->type, "%s",
             t < sizeof types / sizeof types[0] && types[t] ? types[t] : "?");

    if (p->flags & TPROC_PARAM_REQUIRED) {
        snprintf(out->def, sizeof out->def, "(required)");
    } else if (p->flags & TPROC_PARAM_OPTIONAL) {
        snprintf(out->def, sizeof out->def, "(unset)");
    } else if (p->type == TPROC_PARAM_ENUM) {
        size_t n = 0;
        while (p->choices && p->choices[n])
            n++;
        size_t i = p->def >= 0 && p->def < (double)n ? (size_t)p->def : 0;
        snprintf(out->def, sizeof out->def, "%s", n ? p->choices[i] : "?");
    } else if (p->type == TPROC_PARAM_MATRIX || p->type == TPROC_PARAM_TEXT) {
        snprintf(out->def, sizeof out->def, "(none)");
    } else {
        number(p->def, out->def, sizeof out->def);
    }

    out->range[0] = '\0';
    if (p->type == TPROC_PARAM_ENUM) {
        size_t at = 0;
        for (size_t i = 0; p->choices && p->choices[i] && at < sizeof out->range; i++) {
            int w = snprintf(out->range + at, sizeof out->range - at, "%s%s", i ? "|" : "",
                             p->choices[i]);
            if (w > 0)
                at += (size_t)w;
        }
    } else if (p->type == TPROC_PARAM_MATRIX && (p->flags & TPROC_PARAM_ANY_SIZE) && p->min > 0 &&
               p->min == p->max) {
        snprintf(out->range, sizeof out->range, "%gx%g, rows split by ';': 'a b;c d'", p->min,
                 p->min);
    } else if (p->type == TPROC_PARAM_MATRIX && (p->flags & TPROC_PARAM_ANY_SIZE)) {
        snprintf(out->range, sizeof out->range, "WxH up to 25x25, 'a b;c d'");
    } else if (p->type == TPROC_PARAM_MATRIX) {
        snprintf(out->range, sizeof out->range, "odd WxH up to 25x25, 'a b c;d e f;g h i'");
    } else if (p->type == TPROC_PARAM_COLOUR) {
        snprintf(out->range, sizeof out->range,
                 "1-4 numbers in [0, 255] (gray, gray alpha, r g b, r g b a) or #rrggbb[aa]");
    } else if (p->type == TPROC_PARAM_TEXT) {
        snprintf(out->range, sizeof out->range, "a path; write ',' as '\\,'");
    } else {
        number(p->min, lo, sizeof lo);
        number(p->max, hi, sizeof hi);
        snprintf(out->range, sizeof out->range, "%c%s, %s%c",
                 (p->flags & TPROC_PARAM_MIN_OPEN) ? '(' : '[', lo, hi,
                 (p->flags & TPROC_PARAM_MAX_OPEN) ? ')' : ']');
    }
}

size_t cli_filter_name_width(void)
{
    size_t width = 0, count = tproc_filter_count();
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(tproc_filter_at(i)->name);
        if (n > width)
            width = n;
    }
    return width;
}

void cli_filters_list(FILE *fp, const char *indent)
{
    int width = (int)cli_filter_name_width();
    size_t count = tproc_filter_count();
    for (size_t i = 0; i < count; i++) {
        const tproc_filter *f = tproc_filter_at(i);
        fprintf(fp, "%s%-*s  %s\n", indent, width, f->name, f->summary ? f->summary : "");
    }
}

/* One filter: its summary, a usage line and a table of its parameters. */
static void describe(const tproc_filter *f)
{
    printf("%s: %s\n", f->name, f->summary ? f->summary : "");
    if (f->param_count == 0) {
        printf("usage: %s\nparameters: none\n", f->name);
        return;
    }
    printf("usage: %s:KEY=VALUE,...\nparameters:\n", f->name);
    int wn = 4, wt = 4, wd = 7, wr = 5;
    cli_param_strings *s = calloc((size_t)f->param_count, sizeof *s);
    if (!s)
        return;
    for (int i = 0; i < f->param_count; i++) {
        cli_param_text(&f->params[i], &s[i]);
        int n = (int)strlen(f->params[i].name);
        wn = n > wn ? n : wn;
        wt = (int)strlen(s[i].type) > wt ? (int)strlen(s[i].type) : wt;
        wd = (int)strlen(s[i].def) > wd ? (int)strlen(s[i].def) : wd;
        wr = (int)strlen(s[i].range) > wr ? (int)strlen(s[i].range) : wr;
    }
    printf("  %-*s  %-*s  %-*s  %-*s  %s\n", wn, "NAME", wt, "TYPE", wd, "DEFAULT", wr, "RANGE",
           "DESCRIPTION");
    for (int i = 0; i < f->param_count; i++) {
        const tproc_param_desc *p = &f->params[i];
        printf("  %-*s  %-*s  %-*s  %-*s  %s\n", wn, p->name, wt, s[i].type, wd, s[i].def, wr,
               s[i].range, p->help ? p->help : "");
    }
    free(s);
}

int cli_filters(cli_args *args)
{
    tproc_ctx *ctx = NULL;
    if (tproc_ctx_new(NULL, &ctx) != TPROC_OK) {
        cli_error("cannot create a context: %s", tproc_ctx_message(NULL));
        return CLI_EXIT_FAILED;
    }
    int status = cli_plugins_load(ctx, args, 1);
    if (status == CLI_EXIT_OK && args->pos_count == 0)
        cli_filters_list(stdout, "");
    for (size_t i = 0; status == CLI_EXIT_OK && i < args->pos_count; i++) {
        const tproc_filter *f = tproc_filter_find(args->pos[i]);
        if (!f) {
            /* The parser words the error and suggests a near name. */
            const tproc_filter *none;
            tproc_params params;
            if (strchr(args->pos[i], ':') ||
                tproc_params_parse(ctx, args->pos[i], &none, &params) == TPROC_OK)
                status = cli_usage("'%s' is not a filter name", args->pos[i]);
            else
                status = cli_usage("%s", tproc_ctx_message(ctx));
            break;
        }
        if (i)
            putchar('\n');
        describe(f);
    }
    tproc_ctx_free(&ctx);
    return status;
}
