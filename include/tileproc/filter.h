/* SPDX-License-Identifier: MIT */
/*
 * filter.h: filter kernels. A filter is one const descriptor: a name, a parameter table, and
 * functions that say what comes out for a given input format, what input rectangle an output
 * rectangle needs (its halo, or a geometric mapping), how much scratch a tile needs, and that
 * fill one output tile from an input view that already includes the halo.
 *
 * The engine (pipeline.h) does everything else: cutting tiles, reading past image edges through
 * the border rule, threads, chaining, and for point filters that give only a map of one sample
 * value, the lookup tables. A filter never sees a border and never allocates while it
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

/* Bumped whenever tproc_filter, tproc_params, tproc_stage or tproc_call changes layout or
 * meaning. 2: callbacks take the stage (or the call) instead of positional arguments; map,
 * as_view and shrink_input; COLOUR and TEXT parameters, matrices of any size
 * (TPROC_PARAM_ANY_SIZE), up to 16 parameters a filter. 3: analyse_rows and analyse_done (a
 * look at the whole input before the output geometry is known: trim, smart crops). */
#define TPROC_FILTER_ABI 3

/* The format of an image at one point of a chain. */
typedef struct tproc_format {
    ptrdiff_t width, height;
    int channels;
    tproc_sample sample;
} tproc_format;

/*
 * Parameter types. A filter has at most one MATRIX, one COLOUR and one TEXT parameter (their
 * values live in tproc_params' matrix, colour and text fields; value[i] holds 0 for MATRIX and
 * TEXT and the count of numbers for COLOUR).
 *
 * COLOUR: 1-4 numbers in [0, 255] (8-bit units, fractions allowed) separated by spaces, or
 * hexadecimal "#rgb", "#rrggbb", "#rrggbbaa": one number is a gray level, two gray and alpha,
 * three red, green, blue, four RGB and alpha; alpha is 255 (opaque) unless given. The default
 * (def) is an opaque gray level. tproc_params_colour() gives the RGBA; filters scale it to the
 * image's sample type and take luma (Rec. 709) for gray images.
 *
 * TEXT: up to TPROC_TEXT_MAX - 1 bytes, not empty (a file path). In a spec a ',' inside a value
 * is written "\," and a backslash "\\"; tproc_params_format escapes them so its text parses back.
 */
typedef enum tproc_param_type {
    TPROC_PARAM_INT = 1,    /* an integer in [min, max] */
    TPROC_PARAM_FLOAT = 2,  /* a finite number in the range */
    TPROC_PARAM_ENUM = 3,   /* one of choices[]; the value is its index */
    TPROC_PARAM_MATRIX = 4, /* rows separated by ';', values by spaces; odd width and height */
    TPROC_PARAM_COLOUR = 5, /* "r g b a" (1-4 numbers in [0, 255]) or "#rrggbb[aa]"; see above */
    TPROC_PARAM_TEXT = 6    /* a string (a path); see above */
} tproc_param_type;

/* Parameter flags. */
#define TPROC_PARAM_REQUIRED 1u /* no default: must be given */
#define TPROC_PARAM_MIN_OPEN 2u /* the range excludes min: (min, max] */
#define TPROC_PARAM_MAX_OPEN 4u /* the range excludes max */
#define TPROC_PARAM_OPTIONAL 8u /* no default: only in effect (and only printed) when given */
/* MATRIX: any width and height in [min, max] (both 0: 1-25), not only odd ones. */
#define TPROC_PARAM_ANY_SIZE 16u

typedef struct tproc_param_desc {
    const char *name; /* the key in "filter:key=value" */
    tproc_param_type type;
    double def;                 /* default (an index for ENUM) */
    double min, max;            /* allowed range for INT and FLOAT */
    unsigned flags;             /* TPROC_PARAM_* */
    const char *const *choices; /* ENUM: NULL-terminated names */
    const char *help;           /* one line for `tileproc filters NAME` */
} tproc_param_desc;

#define TPROC_PARAMS_MAX 16
#define TPROC_MATRIX_MAX 625 /* 25 x 25 */
#define TPROC_TEXT_MAX 1024  /* bytes of a TEXT value, with its terminating NUL */

/* Parameter values, in the order of the filter's table. */
typedef struct tproc_params {
    double value[TPROC_PARAMS_MAX];
    unsigned given;                  /* bit i: value[i] was set explicitly */
    int matrix_width, matrix_height; /* the MATRIX parameter, if the filter has one */
    double matrix[TPROC_MATRIX_MAX]; /* row-major */
    int colour_count;                /* the COLOUR parameter: 1-4 numbers as given */
    double colour[4];
    char text[TPROC_TEXT_MAX]; /* the TEXT parameter, NUL-terminated ("" when not given) */
} tproc_params;

typedef struct tproc_filter tproc_filter;

/*
 * One use of a filter: a stage of a chain, prepared for one input format. Every callback gets
 * it (process() through its call). The engine fills it in three steps:
 *
 * 1. Before prepare(), the engine sets filter, params and in, and PRE-FILLS everything
 *    prepare() may set: out = in, no halo, every flag 0, state NULL. prepare() therefore
 *    changes only what differs from "same format, no halo": a filter that keeps the format
 *    and needs neither a halo nor state needs no prepare() at all.
 * 2. prepare() sets out, halo, geometry, whole_image, premultiply, state and analyse as needed.
 * 3. After prepare(), the engine sets work.
 *
 * Callbacks other than prepare() and release() only read the stage; several threads call
 * them at once.
 */
typedef struct tproc_stage {
    /* Set by the engine before prepare(). */
    const tproc_filter *filter; /* this filter (for error messages) */
    const tproc_params *params; /* its parameters, already checked against its table */
    tproc_format in;            /* the whole input image */

    /* Set by prepare(); pre-filled with out = in and zeros. */
    tproc_format out; /* the whole output image */
    tproc_halo halo;  /* extra input pixels each side of an output rectangle (area filters) */
    int geometry;     /* 1: map_rect() says which input an output rectangle needs */
    int whole_image;  /* 1: an output row may need input rows far away (flip, rotate) */
    int premultiply;  /* 1: with alpha, process() gets premultiplied f32 views (see below) */
    void *state;      /* the filter's own precomputed data (kernel weights), or NULL */

    /* Set by the engine after prepare(). */
    tproc_format work; /* the format of the views process() gets: in, or in with f32 samples
                        * when premultiplying an input with alpha */

    /* Set by prepare() of a filter with analyse_rows: 1 to have the pre-pass run (resize
     * wants one only for position=entropy or attention). Pre-filled 0. */
    int analyse;
} tproc_stage;

/*
 * One call of process(): the input view covers in_rect of the stage's input image (it may
 * reach outside the image: those pixels were filled by the border rule), and out covers
 * out_rect of the stage's output image. Parameters are call->stage->params.
 */
typedef struct tproc_call {
    const tproc_stage *stage;
    tproc_view in;
    tproc_rect in_rect;
    tproc_view out;
    tproc_rect out_rect;
    void *scratch; /* scratch_size() bytes, 64-byte aligned */
} tproc_call;

/*
 * A filter. Only abi, name and one way of computing pixels are required; each other member
 * may be NULL (or 0). Pixels are computed by one of, in order of preference:
 *   - process:     any filter: fills an output tile from an input view (with the halo);
 *   - process_row: filters whose output rows have the input's size: one row at a time;
 *   - map:         point filters whose result is a function of one colour sample: the engine
 *                  builds lookup tables (u8, u16) and applies them, alpha copied.
 */
struct tproc_filter {
    int abi;             /* TPROC_FILTER_ABI */
    const char *name;    /* lower case, [a-z0-9_] */
    const char *summary; /* one line */
    const tproc_param_desc *params;
    int param_count;

    /*
     * Checks the parameters against stage->in and sets what differs from the pre-filled
     * defaults (see tproc_stage). May allocate state through tproc_malloc(ctx, ...); release()
     * frees it. Errors are recorded in ctx (name the filter and the cause) and returned; on
     * failure prepare() frees what it allocated. NULL: the defaults are right.
     */
    int (*prepare)(tproc_ctx *ctx, tproc_stage *stage);
    void (*release)(tproc_ctx *ctx, tproc_stage *stage);

    /* Geometry filters: the input rectangle that output rectangle out needs (it may reach
     * outside the input; the engine clips and applies the border rule). */
    tproc_rect (*map_rect)(const tproc_stage *stage, tproc_rect out);

    /* Scratch bytes one process() call needs for an input of in.width x in.height and an
     * output of out.width x out.height (only the sizes are meaningful). NULL: none. */
    size_t (*scratch_size)(const tproc_stage *stage, tproc_rect in, tproc_rect out);

    /* Fills call->out. Returns TPROC_OK; any error is a bug in the filter. */
    int (*process)(const tproc_call *call);

    /* Instead of process, for filters that keep the size and need no halo: one row of width
     * pixels, packed, in stage->in's format and out in stage->out's. in may equal out. */
    void (*process_row)(const tproc_stage *stage, const void *in, void *out, ptrdiff_t width);

    /*
     * Instead of process and process_row, for point filters whose result is a function of one
     * colour sample: v' = map(params->value, v, max), v in the natural range of a type whose
     * maximum is max (255, 65535, or 1.0 for f32). The engine applies it to every colour
     * channel and copies alpha (the last channel of gray+alpha and RGBA); the format stays.
     * u8 and u16 go through a table of the map, each entry the exact double result rounded
     * half up and clamped, so every tiling and CPU gives the same bytes; f32 calls map in
     * double and stores the result as float, unclamped. prepare(), if given, only checks
     * the parameters (the table is the stage's state); release must be NULL. A map filter
     * that also gives process_row has its rows called instead of the engine's (the tables are
     * still built: the built-in map filters use this to run f32 rows with their map inlined,
     * and hand u8 and u16 rows to the engine's table code).
     */
    double (*map)(const double *values, double v, double max);

    /*
     * A geometric filter whose output is a view of its input (a crop, a flip, a rotation):
     * sets *out to the prepared stage's output as a view of in (whose format is stage->in),
     * copying nothing. At the head of a chain the engine then moves no pixels for this stage.
     * Returns TPROC_OK, TPROC_ERR_NOT_FOUND to decline (the output is no view of the input with
     * these parameters: rotate by 30 degrees; the engine then tiles the stage), or an error
     * status. The tiled path (process) must give the same pixels.
     */
    int (*as_view)(const tproc_stage *stage, const tproc_view *in, tproc_view *out);

    /*
     * A filter that can start from a smaller decode of its input (a JPEG decoded at 1/2, 1/4
     * or 1/8 scale; a level of an image pyramid): given the stage prepared for the full input,
     * and smaller, the format of a smaller decode of that same image, returns 1 and fills
     * *params (starting from a copy of *stage->params) with parameters that make the same
     * output size from smaller, or returns 0 to decline (the output would not be smaller
     * than `smaller`, or the result would differ too much). Only the first stage of a chain
     * is asked, and only when the caller allows shrink-on-load.
     */
    int (*shrink_input)(const tproc_stage *stage, const tproc_format *smaller,
                        tproc_params *params);

    /*
     * A filter whose output depends on the whole input's pixels (trim's box, a smart crop's
     * position): a pre-pass. When prepare() (which checks the parameters, allocates the
     * accumulator as state and sets a provisional output: the largest it can be) sets
     * stage->analyse, the engine
     * runs the chain before this stage over the whole input and calls analyse_rows with its
     * output rows, in order from the top, from one thread, each row once (y is the first row's
     * index; rows is stage->in's format). Then analyse_done() finishes what prepare() began: it
     * sets out, geometry, halo and state from what it saw (it may replace the state), and the
     * engine checks them as it checks prepare()'s. Only then are the later stages prepared.
     * A streamed file is decoded twice rather than held; the rows of a source that cannot be
     * read twice (a callback) are held, within the memory limit. Without pixels
     * (tproc_pipeline_output_format, tproc_stage_prepare) the pre-pass does not run and the
     * provisional output stands. Both NULL or both given.
     */
    int (*analyse_rows)(const tproc_stage *stage, const tproc_view *rows, ptrdiff_t y);
    int (*analyse_done)(tproc_ctx *ctx, tproc_stage *stage);
};

/*
 * Premultiplied processing: when a stage sets premultiply and its input has alpha (2 or 4
 * channels), the engine hands process() f32 views whose colour is multiplied by alpha, and
 * converts the f32 output back (dividing by alpha, rounding half up, clamping). Averaging
 * filters (blur, sharpen, resize) use it so transparent pixels do not bleed into colour.
 */

/*
 * Prepares a stage of filter for an input of format *in, as the engine does for every stage
 * of a chain: fills the engine's part, calls prepare(), checks what it set (a valid output
 * format within the context's pixel limit, a map_rect for geometry, no negative halo, a
 * row filter that keeps the size), builds the table of a map filter and sets work. The stage
 * keeps the params pointer: params must outlive it. On failure the error is recorded in ctx
 * and nothing is held. For tools and tests that ask a filter what it would do (Python's
 * Pipeline.stages()); a chain does all this itself.
 */
TPROC_API int tproc_stage_prepare(tproc_ctx *ctx, const tproc_filter *filter,
                                  const tproc_params *params, const tproc_format *in,
                                  tproc_stage *stage);
/* Frees what prepare() (and the engine, for a map filter) kept; a second call is a no-op. */
TPROC_API void tproc_stage_release(tproc_ctx *ctx, tproc_stage *stage);

/* --- the registry ------------------------------------------------------------------------- */

/* The filter called name (built-in or registered), or NULL. */
TPROC_API const tproc_filter *tproc_filter_find(const char *name);
/* All filters: built-ins first, then registered ones in order. */
TPROC_API size_t tproc_filter_count(void);
TPROC_API const tproc_filter *tproc_filter_at(size_t index);

/*
 * Adds a filter for every context in the process. The descriptor must stay valid for the life
 * of the process (or of the plugin that holds it). Fails if the ABI differs, the name is taken
 * or malformed, or the descriptor is incomplete (no process, process_row or map; a map filter
 * with release).
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

/* Sets one parameter from a number (an ENUM by index; a COLOUR as one gray level), checking
 * type and range. MATRIX and TEXT parameters are set from text only. */
TPROC_API int tproc_params_set(tproc_ctx *ctx, const tproc_filter *filter, tproc_params *params,
                               const char *key, double value);
/* Sets one parameter from its text form ("2.5", "horizontal", "-1 -1 -1;-1 8 -1;-1 -1 -1",
 * "255 0 0 128", "#ff000080", "logo.png"); text is taken as it is (no escapes). */
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

/* The filter's COLOUR parameter (its default when not given) as red, green, blue and alpha in
 * [0, 255]; opaque black if the filter has none. */
TPROC_API void tproc_params_colour(const tproc_filter *filter, const tproc_params *params,
                                   double rgba[4]);

/* Writes "name:key=value,..." with every parameter into buf (snprintf semantics). */
TPROC_API int tproc_params_format(const tproc_filter *filter, const tproc_params *params, char *buf,
                                  size_t size);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_FILTER_H */
