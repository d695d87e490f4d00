/* SPDX-License-Identifier: MIT */
/*
 * filter.h: filter kernels. A filter is one const descriptor: a name, a parameter table, and
 * functions that say what comes out for a given input format, what input rectangle an output
 * rectangle needs (its halo, or a geometric mapping), how much scratch a tile needs, and that
 * fill one output tile from an input view that already includes the halo.
 *
 * The engine (pipeline.h) does everything else: cutting tiles, reading past image edges through
 * the border rule, threads, chaining. A filter never sees a border and never allocates while it
 * processes: process() is reentrant and writes only inside its output view.
 *
 * Built-in filters are listed by tproc_filter_count()/tproc_filter_at(); users add their own
 * with tproc_filter_register() or from a plugin (tproc_plugin_load()).
 */
#ifndef TILEPROC_FILTER_H
#define TILEPROC_FILTER_H

#include "base.h"
#include "context.h"
#include "view.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever tproc_filter, tproc_params or tproc_stage changes layout or meaning. */
#define TPROC_FILTER_ABI 1

/* The format of an image at one point of a chain. */
typedef struct tproc_format {
    ptrdiff_t width, height;
    int channels;
    tproc_sample sample;
} tproc_format;

typedef enum tproc_param_type {
    TPROC_PARAM_INT = 1,   /* an integer in [min, max] */
    TPROC_PARAM_FLOAT = 2, /* a finite number in the range */
    TPROC_PARAM_ENUM = 3,  /* one of choices[]; the value is its index */
    TPROC_PARAM_MATRIX = 4 /* rows separated by ';', values by spaces; odd width and height */
} tproc_param_type;

/* Parameter flags. */
#define TPROC_PARAM_REQUIRED 1u /* no default: must be given */
#define TPROC_PARAM_MIN_OPEN 2u /* the range excludes min: (min, max] */
#define TPROC_PARAM_MAX_OPEN 4u /* the range excludes max */
#define TPROC_PARAM_OPTIONAL 8u /* no default: only in effect (and only printed) when given */

typedef struct tproc_param_desc {
    const char *name; /* the key in "filter:key=value" */
    tproc_param_type type;
    double def;                 /* default (an index for ENUM) */
    double min, max;            /* allowed range for INT and FLOAT */
    unsigned flags;             /* TPROC_PARAM_* */
    const char *const *choices; /* ENUM: NULL-terminated names */
    const char *help;           /* one line for `tileproc filters NAME` */
} tproc_param_desc;

#define TPROC_PARAMS_MAX 8
#define TPROC_MATRIX_MAX 625 /* 25 x 25 */

/* Parameter values, in the order of the filter's table. */
typedef struct tproc_params {
    double value[TPROC_PARAMS_MAX];
    unsigned given;                  /* bit i: value[i] was set explicitly */
    int matrix_width, matrix_height; /* the MATRIX parameter, if the filter has one */
    double matrix[TPROC_MATRIX_MAX]; /* row-major */
} tproc_params;

/*
 * What a filter says about one use of it (one stage of a chain), filled by prepare().
 */
typedef struct tproc_stage {
    tproc_format out; /* the output format and size */
    tproc_halo halo;  /* extra input pixels each side of an output rectangle (area filters) */
    int geometry;     /* 1: map_rect() says which input an output rectangle needs */
    int whole_image;  /* 1: an output row may need input rows far away (flip, rotate) */
    int premultiply;  /* 1: with alpha, process() gets premultiplied f32 views (see below) */
    int point;        /* 1: output pixel (x, y) depends only on input pixel (x, y) */
    void *state;      /* the filter's own precomputed data (kernel weights), or NULL */
} tproc_stage;

typedef struct tproc_filter tproc_filter;

/*
 * One call of process(): the input view covers in_rect of the stage's input image (it may
 * reach outside the image: those pixels were filled by the border rule), and out covers
 * out_rect of the stage's output image.
 */
typedef struct tproc_call {
    const tproc_params *params;
    const tproc_stage *stage;
    tproc_format in_format; /* the whole input image's format */
    tproc_view in;
    tproc_rect in_rect;
    tproc_view out;
    tproc_rect out_rect;
    void *scratch; /* scratch_size() bytes, 64-byte aligned */
} tproc_call;

struct tproc_filter {
    int abi;             /* TPROC_FILTER_ABI */
    const char *name;    /* lower case, [a-z0-9_] */
    const char *summary; /* one line */
    const tproc_param_desc *params;
    int param_count;

    /*
     * Checks the parameters against the input format and fills *stage. May allocate state
     * through tproc_malloc(ctx, ...); release() frees it. Errors are recorded in ctx (name the
     * filter and the cause) and returned. NULL: same format, no halo, point filter.
     */
    int (*prepare)(tproc_ctx *ctx, const tproc_params *params, const tproc_format *in,
                   tproc_stage *stage);
    void (*release)(tproc_ctx *ctx, tproc_stage *stage);

    /* Geometry filters: the input rectangle that output rectangle out needs (it may reach
     * outside the input; the engine clips and applies the border rule). */
    void (*map_rect)(const tproc_params *params, const tproc_stage *stage, const tproc_format *in,
                     tproc_rect out, tproc_rect *in_rect);

    /* Scratch bytes one call needs for an input of in_w x in_h and an output of out_w x out_h.
     * NULL: none. */
    size_t (*scratch_size)(const tproc_params *params, const tproc_stage *stage,
                           const tproc_format *in, ptrdiff_t in_w, ptrdiff_t in_h, ptrdiff_t out_w,
                           ptrdiff_t out_h);

    /* Fills call->out. Returns TPROC_OK; any error is a bug in the filter. */
    int (*process)(const tproc_call *call);

    /* Point filters may give only this instead of process: one row of width pixels, in and out
     * with the stage's formats and packed pixels. */
    void (*process_row)(const tproc_params *params, const tproc_stage *stage,
                        const unsigned char *in, unsigned char *out, ptrdiff_t width,
                        const tproc_format *in_format, const tproc_format *out_format);
};

/*
 * Premultiplied processing: when a stage sets premultiply and its input has alpha (2 or 4
 * channels), the engine hands process() f32 views whose colour is multiplied by alpha, and
 * converts the f32 output back (dividing by alpha, rounding half up, clamping). Averaging
 * filters (blur, sharpen, resize) use it so transparent pixels do not bleed into colour.
 */

/* --- the registry ------------------------------------------------------------------------- */

/* The filter called name (built-in or registered), or NULL. */
TPROC_API const tproc_filter *tproc_filter_find(const char *name);
/* All filters: built-ins first, then registered ones in order. */
TPROC_API size_t tproc_filter_count(void);
TPROC_API const tproc_filter *tproc_filter_at(size_t index);

/*
 * Adds a filter for every context in the process. The descriptor must stay valid for the life
 * of the process (or of the plugin that holds it). Fails if the ABI differs, the name is taken
 * or malformed, or the descriptor is incomplete.
 */
TPROC_API int tproc_filter_register(tproc_ctx *ctx, const tproc_filter *filter);

/*
 * A plugin is a shared object exporting
 *     int tproc_plugin_init(int abi, tproc_ctx *ctx, tproc_plugin_register_fn reg);
 * which returns TPROC_ERR_UNSUPPORTED if abi differs from the TPROC_FILTER_ABI it was built
 * with, and otherwise calls reg(ctx, &filter) for each of its filters and returns their
 * status. The library checks each filter's abi again.
 */
typedef int (*tproc_plugin_register_fn)(tproc_ctx *ctx, const tproc_filter *filter);
typedef int (*tproc_plugin_init_fn)(int abi, tproc_ctx *ctx, tproc_plugin_register_fn reg);
#define TPROC_PLUGIN_INIT_SYMBOL "tproc_plugin_init"

/* Loads a plugin (dlopen) and registers its filters; a second load of the same path is a
 * no-op. Errors name the path and the cause (dlerror, missing symbol, ABI mismatch). */
TPROC_API int tproc_plugin_load(tproc_ctx *ctx, const char *path);

/* --- parameters --------------------------------------------------------------------------- */

/* Sets every parameter to its default and clears `given`. */
TPROC_API void tproc_params_init(const tproc_filter *filter, tproc_params *params);

/* Sets one parameter from a number (an ENUM by index), checking type and range. */
TPROC_API int tproc_params_set(tproc_ctx *ctx, const tproc_filter *filter, tproc_params *params,
                               const char *key, double value);
/* Sets one parameter from its text form ("2.5", "horizontal", "-1 -1 -1;-1 8 -1;-1 -1 -1"). */
TPROC_API int tproc_params_set_text(tproc_ctx *ctx, const tproc_filter *filter,
                                    tproc_params *params, const char *key, const char *text);
/* Checks that every required parameter was given. */
TPROC_API int tproc_params_check(tproc_ctx *ctx, const tproc_filter *filter,
                                 const tproc_params *params);

/*
 * Parses "name" or "name:key=value,key=value" into a filter and its parameters. Errors
 * (TPROC_ERR_PARAM, TPROC_ERR_NOT_FOUND) name the filter, the key and the allowed range:
 *   unknown filter 'gausian' (did you mean 'gaussian'?)
 *   gaussian: sigma must be in (0, 1000], got -1
 */
TPROC_API int tproc_params_parse(tproc_ctx *ctx, const char *spec, const tproc_filter **filter,
                                 tproc_params *params);

/* The value of a parameter by name (its default when not given); NAN if no such key. */
TPROC_API double tproc_params_get(const tproc_filter *filter, const tproc_params *params,
                                  const char *key);

/* Writes "name:key=value,..." with every parameter into buf (snprintf semantics). */
TPROC_API int tproc_params_format(const tproc_filter *filter, const tproc_params *params, char *buf,
                                  size_t size);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_FILTER_H */
