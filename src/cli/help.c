/* SPDX-License-Identifier: MIT */
/*
 * help.c: --help and the man page (the hidden --man flag writes roff). Both are printed from
 * the same sources: the texts below, the option table (options.c) and the filter registry with
 * its parameter tables, so nothing is written twice and plugins' filters show up too.
 */
#include <string.h>

#include "cli.h"
#include "help.h"

#define HELP_WIDTH 80
#define OPTION_COLUMN 26

static const char *const synopsis[] = {
    "run [OPTIONS] INPUT OUTPUT [FILTER]...",
    "run [OPTIONS] -o DIR INPUT... -- [FILTER]...",
    "pyramid [OPTIONS] INPUT OUTPUT [FILTER]...",
    "info [--json] FILE...",
    "filters [NAME]",
    "--help | --version",
};

static const char summary[] = "process {labels-and} images tile by tile with chains of filters";

static const char *const description[] = {
    "run reads INPUT ({labels}, recognised by its contents; - reads standard input), applies "
    "the FILTERs left to right, tile by tile on every core, and writes OUTPUT (- writes "
    "standard output, and then --format is required). OUTPUT is written to a temporary file "
    "beside it and renamed over it only on success: a failed run leaves no partial file and an "
    "existing OUTPUT untouched. Writing over INPUT itself needs --force. A JPEG is turned "
    "upright by its EXIF orientation unless --no-orient; the ICC profile and EXIF are kept when "
    "OUTPUT has INPUT's format.",
    "A FILTER is NAME or NAME:KEY=VALUE,KEY=VALUE, for example: tileproc run photo.jpg out.png "
    "gaussian:sigma=2 sharpen:amount=1.5 resize:scale=0.5. 'tileproc filters' lists the "
    "filters and 'tileproc filters NAME' the parameters of one, with their types, defaults and "
    "ranges.",
    "Runs stream: run reads, filters and writes the image in strips of rows, so its memory "
    "does not grow with the image's height, and --progress counts rows. The output is the "
    "same byte for byte as decoding it whole (unless --shrink-on-load). A chain that cannot "
    "stream (rotate, a vertical flip, an Adam7-interlaced PNG, a progressive JPEG, an EXIF "
    "orientation other than 1 or 2) needs the whole INPUT in memory (but a tiled TIFF is read in "
    "the order a turn or flip needs, and streams); when that exceeds "
    "--memory-limit, the run fails before doing any work and says why. --no-stream holds the "
    "whole INPUT anyway.",
    "With -o DIR (batch mode) every INPUT is processed in turn; a file that fails is reported, "
    "the others still run, and the exit status is 1.",
    "pyramid cuts INPUT, after its FILTERs, into a tile pyramid for zoomable viewers "
    "(OpenSeadragon, Leaflet, IIIF viewers) in one streamed pass: --layout dz writes OUTPUT.dzi "
    "and OUTPUT_files/ (OUTPUT may end in .dzi), iiif, iiif3, zoomify and google write the "
    "directory OUTPUT, with the names, metadata and levels vips dzsave writes for the same "
    "options; --container zip (or an OUTPUT ending in .zip) writes one zip instead. Each level "
    "is the 2x2 average of the one above, built as rows arrive; memory grows with the width "
    "and the tile size, not the height. The pyramid is written under temporary names and "
    "renamed into place on success; an existing one is replaced only with --force. --viewer "
    "also writes OUTPUT.html, a page that opens it in OpenSeadragon. Colours follow --colour "
    "as for run: sRGB tiles by default; with --colour keep or --output-profile every tile "
    "carries the profile.",
    "info prints what each FILE's header says (format, size, channels, bit depth, interlacing, "
    "EXIF orientation) without decoding it; --json prints one JSON object per line.",
};

static const char environment_name[] = "TILEPROC_PLUGIN_PATH";
static const char environment[] =
    "Colon-separated plugin shared objects, or directories of them (every *.so), loaded before "
    "any --plugin.";

static const char exit_status[] =
    "0 on success; 1 when a run failed (in batch mode: when any file failed); 2 for a usage "
    "error (an unknown option, a bad value, an unknown filter or parameter); 130 when "
    "interrupted.";

/* text with the library's format lists in place of its placeholders (cli_expand); valid until
 * the next call. */
static const char *expanded(const char *text)
{
    static char buf[2048];
    return cli_expand(text, buf, sizeof buf);
}

/* Writes text word-wrapped at HELP_WIDTH; the first line continues at column `at`, the
 * following ones start at column indent. */
static void wrap(FILE *fp, const char *text, int at, int indent)
{
    int col = at;
    const char *s = text;
    while (*s) {
        size_t word = strcspn(s, " ");
        if (col > indent && col + 1 + (int)word > HELP_WIDTH) {
            fprintf(fp, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', fp);
            col++;
        }
        fwrite(s, 1, word, fp);
        col += (int)word;
        s += word;
        while (*s == ' ')
            s++;
    }
    fputc('\n', fp);
}

void cli_help(FILE *fp)
{
    for (size_t i = 0; i < sizeof synopsis / sizeof synopsis[0]; i++)
        fprintf(fp, "%s tileproc %s\n", i ? "      " : "Usage:", synopsis[i]);
    fprintf(fp, "\ntileproc %s: %s.\n", TPROC_VERSION_STRING, expanded(summary));
    for (size_t i = 0; i < sizeof description / sizeof description[0]; i++) {
        fputc('\n', fp);
        wrap(fp, expanded(description[i]), 0, 0);
    }
    fputs("\nOptions:\n", fp);
    for (size_t i = 0; i < cli_option_count; i++) {
        const cli_option *o = &cli_options[i];
        if (o->hidden)
            continue;
        char head[64];
        snprintf(head, sizeof head, "  %c%c%s--%s%s%s", o->short_name ? '-' : ' ',
                 o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name,
                 o->arg ? " " : "", o->arg ? o->arg : "");
        int len = (int)strlen(head);
        if (len + 2 > OPTION_COLUMN) {
            fprintf(fp, "%s\n%*s", head, OPTION_COLUMN, "");
        } else {
            fprintf(fp, "%-*s", OPTION_COLUMN, head);
        }
        wrap(fp, expanded(o->help), OPTION_COLUMN, OPTION_COLUMN);
    }
    fputs("\nFilters ('tileproc filters NAME' lists the parameters):\n", fp);
    cli_filters_list(fp, "  ");
    fprintf(fp, "\nEnvironment:\n  %s\n%*s", environment_name, 6, "");
    wrap(fp, environment, 6, 6);
    fputs("\nExit status:\n  ", fp);
    wrap(fp, exit_status, 2, 2);
}

/* --- the man page --------------------------------------------------------------------------- */

/* Text for roff: backslashes and hyphens escaped, a leading '.' or '\'' neutralised. */
static void roff(FILE *fp, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", fp);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", fp);
        else if (*s == '-')
            fputs("\\-", fp);
        else
            fputc(*s, fp);
    }
}

static void man_filter(FILE *fp, const tproc_filter *f)
{
    fputs(".TP\n.B ", fp);
    roff(fp, f->name);
    fputc('\n', fp);
    roff(fp, f->summary ? f->summary : "");
    fputc('\n', fp);
    if (f->param_count == 0) {
        fputs("No parameters.\n", fp);
        return;
    }
    fputs(".RS\n", fp);
    for (int i = 0; i < f->param_count; i++) {
        const tproc_param_desc *p = &f->params[i];
        cli_param_strings s;
        cli_param_text(p, &s);
        fputs(".TP\n\\fB", fp);
        roff(fp, p->name);
        fputs("\\fR=\\fI", fp);
        roff(fp, s.type);
        fputs("\\fR\n", fp);
        roff(fp, p->help ? p->help : "");
        fputs(". Default ", fp);
        roff(fp, s.def);
        fputs(p->type == TPROC_PARAM_ENUM ? "; one of " : "; range ", fp);
        roff(fp, s.range);
        fputs(".\n", fp);
    }
    fputs(".RE\n", fp);
}

void cli_man(FILE *fp)
{
    fprintf(fp, ".TH TILEPROC 1 \"\" \"tileproc %s\" \"User Commands\"\n", TPROC_VERSION_STRING);
    fputs(".SH NAME\ntileproc \\- ", fp);
    roff(fp, expanded(summary));
    fputs("\n.SH SYNOPSIS\n", fp);
    for (size_t i = 0; i < sizeof synopsis / sizeof synopsis[0]; i++) {
        fputs(i ? ".br\n.B tileproc\n" : ".B tileproc\n", fp);
        roff(fp, synopsis[i]);
        fputc('\n', fp);
    }
    fputs(".SH DESCRIPTION\n", fp);
    for (size_t i = 0; i < sizeof description / sizeof description[0]; i++) {
        fputs(i ? ".PP\n" : "", fp);
        roff(fp, expanded(description[i]));
        fputc('\n', fp);
    }
    fputs(".SH OPTIONS\n", fp);
    for (size_t i = 0; i < cli_option_count; i++) {
        const cli_option *o = &cli_options[i];
        if (o->hidden)
            continue;
        fputs(".TP\n", fp);
        if (o->short_name)
            fprintf(fp, "\\fB\\-%c\\fR, ", o->short_name);
        fputs("\\fB\\-\\-", fp);
        roff(fp, o->name);
        fputs("\\fR", fp);
        if (o->arg) {
            fputs(" \\fI", fp);
            roff(fp, o->arg);
            fputs("\\fR", fp);
        }
        fputc('\n', fp);
        roff(fp, expanded(o->help));
        fputc('\n', fp);
    }
    fputs(".SH FILTERS\n", fp);
    size_t count = tproc_filter_count();
    for (size_t i = 0; i < count; i++)
        man_filter(fp, tproc_filter_at(i));
    fputs(".SH ENVIRONMENT\n.TP\n.B ", fp);
    roff(fp, environment_name);
    fputc('\n', fp);
    roff(fp, environment);
    fputs("\n.SH EXIT STATUS\n", fp);
    roff(fp, exit_status);
    fputc('\n', fp);
}
