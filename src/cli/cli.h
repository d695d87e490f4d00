/* SPDX-License-Identifier: MIT */
/*
 * cli.h: what the pieces of the tileproc command-line tool share: exit statuses, the option
 * table and the parsed arguments, error reporting, plugin loading, progress, and one entry
 * point per command. The tool uses only the public API (<tileproc/tileproc.h>).
 */
#ifndef TILEPROC_CLI_H
#define TILEPROC_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <tileproc/tileproc.h>

#if defined(__GNUC__)
#define CLI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CLI_PRINTF(fmt, args)
#endif

/* Exit statuses. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILED 1      /* a run (or one file of a batch) failed */
#define CLI_EXIT_USAGE 2       /* the command line is wrong */
#define CLI_EXIT_INTERRUPT 130 /* SIGINT/SIGTERM stopped a run */

/* The commands, as bits so an option can say where it applies. */
#define CLI_CMD_RUN 1u
#define CLI_CMD_INFO 2u
#define CLI_CMD_FILTERS 4u
#define CLI_CMD_TOP 8u /* before any command: tileproc --help / --version */
#define CLI_CMD_PYRAMID 16u
#define CLI_CMD_ALL (CLI_CMD_RUN | CLI_CMD_INFO | CLI_CMD_FILTERS | CLI_CMD_TOP | CLI_CMD_PYRAMID)

typedef enum cli_opt_id {
    CLI_OPT_HELP,
    CLI_OPT_VERSION,
    CLI_OPT_OUTDIR,
    CLI_OPT_TILE,
    CLI_OPT_THREADS,
    CLI_OPT_BORDER,
    CLI_OPT_QUALITY,
    CLI_OPT_LOSSLESS,
    CLI_OPT_EFFORT,
    CLI_OPT_FORMAT,
    CLI_OPT_MEMORY,
    CLI_OPT_PIXELS,
    CLI_OPT_STREAM,
    CLI_OPT_NO_STREAM,
    CLI_OPT_SHRINK,
    CLI_OPT_PLUGIN,
    CLI_OPT_NO_ORIENT,
    CLI_OPT_PROGRESS,
    CLI_OPT_QUIET,
    CLI_OPT_FORCE,
    CLI_OPT_JSON,
    CLI_OPT_PAGE,
    CLI_OPT_LEVEL,
    CLI_OPT_TILED,
    CLI_OPT_COMPRESSION,
    CLI_OPT_PREDICTOR,
    CLI_OPT_BIGTIFF,
    CLI_OPT_PYRAMID,
    CLI_OPT_MAN,
    /* pyramid */
    CLI_OPT_LAYOUT,
    CLI_OPT_TILE_SIZE,
    CLI_OPT_OVERLAP,
    CLI_OPT_SUFFIX,
    CLI_OPT_DEPTH,
    CLI_OPT_BACKGROUND,
    CLI_OPT_SKIP_BLANKS,
    CLI_OPT_ID,
    CLI_OPT_CONTAINER,
    CLI_OPT_VIEWER,
    CLI_OPT_VIEWER_SCRIPT,
    CLI_OPT_COLOUR,
    CLI_OPT_INPUT_PROFILE,
    CLI_OPT_OUTPUT_PROFILE,
    CLI_OPT_INTENT,
    CLI_OPT_BPC,
    CLI_OPT_EMBED_PROFILE
} cli_opt_id;

/* One option: the parser, --help and the man page all read this table. */
typedef struct cli_option {
    cli_opt_id id;
    const char *name;  /* long name without "--" */
    char short_name;   /* 0 if none */
    const char *arg;   /* the argument's placeholder, or NULL for a flag */
    unsigned commands; /* CLI_CMD_* where it is accepted */
    int hidden;        /* 1: not documented (--man) */
    const char *help;  /* one or two sentences */
} cli_option;

extern const cli_option cli_options[];
extern const size_t cli_option_count;

#define CLI_PLUGINS_MAX 64
#define CLI_BORDER_VALUES 4

/* Everything the command line says, checked and converted. */
typedef struct cli_args {
    unsigned command;
    int help, version, man;
    const char *outdir; /* -o DIR: batch mode */
    ptrdiff_t tile_width, tile_height;
    int threads;
    tproc_border border;
    double border_value[CLI_BORDER_VALUES];
    int quality; /* 0: the library's default */
    int lossless; /* --lossless (WebP) */
    int effort;   /* --effort 0-6 (WebP); -1: the library's default */
    tproc_file_format format;
    size_t memory_limit;   /* 0: the library's default */
    size_t pixel_limit;    /* 0: the library's default */
    int stream, no_stream; /* --stream (the default, kept for compatibility), --no-stream */
    int shrink_on_load;
    const char *plugins[CLI_PLUGINS_MAX];
    size_t plugin_count;
    int no_orient, progress, quiet, force, json;
    /* pyramid: the library's options, from --layout ... --viewer-script */
    tproc_pyramid_options pyramid;
    int viewer;
    int page, level;                         /* --page, --level (multi-image inputs) */
    int tiled, tiff_tile_width, tiff_tile_height; /* --tiled[=WxH] */
    int tiff_compression, tiff_predictor;    /* tproc_tiff_compression, tproc_tiff_predictor */
    int bigtiff, tiff_pyramid;
    /* Colour (issue 12): --colour, --intent (the library's enums), the profile files. */
    tproc_colour_policy colour;
    tproc_intent intent;
    int black_point_compensation, embed_profile;
    const char *input_profile, *output_profile;
    /* Positional arguments in order; those after "--" start at dashdash (or count if none). */
    char **pos;
    size_t pos_count, dashdash;
} cli_args;

/* Parses argv[first..argc) for the command (a CLI_CMD_* bit). Fills args; args->pos is
 * allocated (free it with cli_args_free). Returns CLI_EXIT_OK or CLI_EXIT_USAGE after having
 * printed the error. */
int cli_args_parse(cli_args *args, unsigned command, int argc, char **argv, int first);
void cli_args_free(cli_args *args);
/* The input options every command that reads an image shares (run, pyramid): orientation,
 * page and level, and the colour policy with its profiles, intent and black-point
 * compensation. The profile paths point into args. */
void cli_load_options(const cli_args *args, tproc_load_options *out);

/* "tileproc: error: <text>" on stderr. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);
/* A usage error: the text plus a pointer to the help; returns CLI_EXIT_USAGE. */
int cli_usage(const char *fmt, ...) CLI_PRINTF(1, 2);
/* The context's last error as "tileproc: error: <file>: <message>": an error about a file
 * names its file already; any other (about a filter, an option, the run) is put after file
 * (which may be NULL). */
void cli_report(tproc_ctx *ctx, int status, const char *file);
/* A warning line on stderr. */
void cli_warn(const char *fmt, ...) CLI_PRINTF(1, 2);

/* The library's file formats as a list for messages and help (formats.c). */
enum {
    CLI_FORMATS_OR,         /* "png or jpeg" */
    CLI_FORMATS_BAR,        /* "png|jpeg" */
    CLI_FORMATS_EXTENSIONS, /* ".png, .jpg" */
    CLI_FORMATS_LABELS,     /* "PNG or JPEG" */
    CLI_FORMATS_LABELS_AND, /* "PNG and JPEG" */
    CLI_FORMATS_STYLES
};
const char *cli_formats(int style);
/* text with its placeholders {formats}, {labels} and {labels-and} replaced by those lists,
 * in buf; returns buf. */
const char *cli_expand(const char *text, char *buf, size_t size);

/* Loads the plugins named by TILEPROC_PLUGIN_PATH (if env) and then by args. A directory means
 * every *.so in it. Prints the error and returns CLI_EXIT_FAILED on the first failure. */
int cli_plugins_load(tproc_ctx *ctx, const cli_args *args, int env);

/* --- commands ------------------------------------------------------------------------------ */

int cli_run(cli_args *args);
int cli_info(cli_args *args);
int cli_filters(cli_args *args);
int cli_pyramid(cli_args *args);
/* run.c's pieces pyramid.c shares: the cancel flag SIGINT/SIGTERM set (cli_catch_signals
 * installs the handlers), and adding the FILTERs to a pipeline (a bad one is a usage error). */
extern int cli_cancel_flag;
void cli_catch_signals(void);
int cli_build_pipeline(tproc_ctx *ctx, tproc_pipeline *pipeline, char *const *filters,
                       size_t count);
/* Stores a pyramid option's value in args->pyramid (pyramid.c); a usage error if bad. */
int cli_pyramid_option(cli_args *args, cli_opt_id id, const char *value);
/* Writes the help text (options, filters) to fp. */
void cli_help(FILE *fp);
/* Writes the man page (roff) to fp. */
void cli_man(FILE *fp);

/* --- progress ------------------------------------------------------------------------------ */

typedef struct cli_progress cli_progress;

/* mode: 0 never, 1 when stderr is a terminal and the run takes over ~0.5 s, 2 always. */
int cli_progress_new(int mode, cli_progress **out);
void cli_progress_free(cli_progress **progress);
/* Starts one run: label (may be NULL) names the file, megapixels is the output's size. rows is
 * the output's height for a streamed run, shown as "rows DONE/ROWS", or 0 for a percentage
 * only. */
void cli_progress_begin(cli_progress *progress, const char *label, double megapixels,
                        ptrdiff_t rows);
/* The library's progress callback (tproc_progress_fn); user is the cli_progress. */
void cli_progress_update(void *user, size_t done, size_t total);
/* Ends the run: clears or completes the bar. */
void cli_progress_end(cli_progress *progress, int ok);

#endif /* TILEPROC_CLI_H */
