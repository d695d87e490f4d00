/* SPDX-License-Identifier: MIT */
/*
 * tileproc_py.h: what the files of the Python extension module share: the Image and Pipeline
 * types, turning buffer-protocol objects into views, and raising tileproc.Error.
 *
 * The module is written against the stable ABI of Python 3.11 (Py_LIMITED_API), whose buffer
 * protocol is complete; one build serves every later CPython. It keeps its types and exception
 * classes in static variables, so it does not support sub-interpreters.
 */
#ifndef TILEPROC_PY_H
#define TILEPROC_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <tileproc/tileproc.h>

/*
 * Image: a tproc_view that exports the buffer protocol (shape (H, W) or (H, W, C), strides in
 * bytes, format B/H/f, readonly as the view says). It owns a tproc_image, or holds a buffer it
 * borrowed from another exporter (a NumPy array, bytes, ...), or keeps `base` alive, which
 * owns the memory; several may apply. Buffers exported from it keep it alive in turn.
 */
typedef struct {
    PyObject_HEAD tproc_view view;
    int ndim;           /* 2 (one channel, no channel axis) or 3 */
    tproc_image *image; /* owned, or NULL */
    PyObject *base;     /* kept alive, or NULL */
    Py_buffer held;     /* a borrowed foreign buffer, when has_held */
    int has_held;
    Py_ssize_t shape[3], strides[3];
} tp_Image;

extern PyTypeObject *tp_ImageType;
extern PyTypeObject *tp_PipelineType;
extern PyTypeObject *tp_TilesType;
extern PyTypeObject *tp_TileType;
extern PyObject *tp_Error;

/* --- errors (module.c) ---------------------------------------------------------------------- */

/* Raises the exception class for status with the context's message (or the status's text);
 * returns NULL. */
PyObject *tp_raise(tproc_ctx *ctx, int status);

/* --- buffers and images (image.c) ---------------------------------------------------------- */

/*
 * A view of a buffer-protocol object, borrowed until tp_buffer_release(). writable asks for a
 * writable buffer (for out=). On failure raises TypeError/ValueError naming what was expected
 * and returns -1. Our own Image objects take the same path.
 */
typedef struct {
    Py_buffer buf;
    int has_buf;
    tproc_view view;
    int ndim;
} tp_buffer;

int tp_buffer_get(PyObject *obj, int writable, const char *what, tp_buffer *out);
void tp_buffer_release(tp_buffer *b);

/* A view of the raw buffer obj reinterpreted as width x height x channels of sample (a 1-D
 * bytes-like object with packed pixels, rows of row_stride bytes (0: packed)). */
int tp_buffer_get_raw(PyObject *obj, int writable, ptrdiff_t width, ptrdiff_t height, int channels,
                      tproc_sample sample, ptrdiff_t row_stride, tp_buffer *out);

/* New Image objects. from_image takes ownership of *image (set to NULL) even on failure. */
PyObject *tp_image_from_image(tproc_image **image, int ndim);
/* An Image over view, whose memory base keeps alive (base may be NULL when held is given). */
PyObject *tp_image_from_view(const tproc_view *view, int ndim, PyObject *base);
/* An Image that takes over b's borrowed buffer (b is left empty). */
PyObject *tp_image_from_buffer(tp_buffer *b);

/* Parses a sample-type name ("u8", "uint8", numpy dtypes, ...). -1 with ValueError if unknown. */
int tp_sample_from_object(PyObject *obj, tproc_sample *out);
/* NumPy's name for a sample type ("uint8", "uint16", "float32"). */
const char *tp_sample_dtype(tproc_sample sample);

/* --- keywords shared by load, load_region, save and stream (options.c) ------------------- */

/* str or os.PathLike -> a new bytes object holding the file system path. */
PyObject *tp_fs_path(PyObject *obj);
int tp_is_path(PyObject *obj);
/* format=: a format's name or extension, None for TPROC_FILE_UNKNOWN. -1 with ValueError. */
int tp_file_format(PyObject *obj, tproc_file_format *out);

/* A load's keywords: page=, level=, colour=, input_profile=, output_profile=, intent=,
 * black_point_compensation= (NULL objects keep the defaults). */
typedef struct {
    int page, level;
    PyObject *colour, *input_profile, *output_profile, *intent;
    int black_point_compensation;
} tp_load_keywords;

/* What the load options hold on to until the load (or stream) is over: profile paths (bytes
 * from tp_fs_path) or the buffers of profile bytes. */
typedef struct {
    PyObject *paths[2];
    Py_buffer bufs[2];
    int has_buf[2];
} tp_load_refs;

/* The keywords every load takes after its source, for a kwlist, a format string and the
 * arguments of PyArg_ParseTupleAndKeywords, in this order (load, load_region, stream,
 * pyramid). */
#define LOAD_KWLIST                                                                                \
    "ignore_orientation", "strict", "page", "level", "colour", "input_profile", "output_profile", \
        "intent", "black_point_compensation"
#define LOAD_FORMAT "ppiiOOOOp"
#define LOAD_ARGS(k, ignore, strict)                                                               \
    &ignore, &strict, &(k).page, &(k).level, &(k).colour, &(k).input_profile,                      \
        &(k).output_profile, &(k).intent, &(k).black_point_compensation

/* Fills o's page, level and colour fields from k; r is set even on failure (then released).
 * -1 with an exception set. */
int tp_load_options(const tp_load_keywords *k, tproc_load_options *o, tp_load_refs *r);
void tp_load_refs_release(tp_load_refs *r);

/* A save's keywords. compression is PNG's zlib level (an int) or TIFF's codec (a name); tiled
 * is False, True (256x256), N or (width, height). */
typedef struct {
    PyObject *format, *compression, *tiled, *predictor;
    int quality, chroma_444, progressive, lossless, effort, embed_profile, bigtiff, pyramid;
} tp_save_keywords;

/* Fills o (already initialised) from k. -1 with an exception set. */
int tp_save_options(const tp_save_keywords *k, tproc_save_options *o);
/* ValueError unless the TIFF-only options of o go with format (TPROC_FILE_UNKNOWN: the
 * library decides), and unless a TIFF's compression is a name (an int is PNG's zlib level). */
int tp_save_check_tiff(const tp_save_keywords *k, const tproc_save_options *o,
                       tproc_file_format format);

/* --- run options (pipeline.c) -------------------------------------------------------------- */

/* Fills options from the common keywords: tile (int or (w, h)), threads, border (name) and
 * border_value (number or sequence). NULL objects keep the defaults. */
int tp_run_options(PyObject *tile, int threads, PyObject *border, PyObject *border_value,
                   tproc_run_options *options);

/* Builds a Pipeline from a sequence of filter specs ("gaussian:sigma=2" or (name, {key:
 * value})). New reference or NULL. */
PyObject *tp_pipeline_from_specs(PyObject *specs, Py_ssize_t first);
/* The C pipeline inside a Pipeline object. */
tproc_pipeline *tp_pipeline_get(PyObject *pipeline);
/* Runs pipeline on obj into out (or a new Image when out is None/NULL); returns the result. */
PyObject *tp_pipeline_run(PyObject *pipeline, PyObject *obj, PyObject *out,
                          const tproc_run_options *options);

/* Parses one filter spec ('name:key=value,...' or (name, {key: value})) into a filter and
 * its checked parameters. -1 with an exception set on failure. */
int tp_spec_parse(PyObject *spec, const tproc_filter **filter, tproc_params *params);

PyObject *tp_tiles_new(PyObject *module, PyObject *args, PyObject *kwargs);
/* tileproc.pyramid (pyramid.c). */
PyObject *tp_pyramid(PyObject *module, PyObject *args, PyObject *kwargs);

/* --- module setup of the other files -------------------------------------------------------- */
int tp_image_init_type(PyObject *module);
int tp_pipeline_init_type(PyObject *module);
int tp_tiles_init_type(PyObject *module);

/* Cast a METH_VARARGS | METH_KEYWORDS function for a PyMethodDef. */
#define TP_KWFUNC(f) ((PyCFunction)(void (*)(void))(f))

/*
 * PyType_Slot and PyType_GetSlot carry functions as void *, a conversion ISO C does not define
 * (-Wpedantic says so); these go through a union instead, which every ABI Python supports
 * makes exact.
 */
typedef void (*tp_any_fn)(void);
static inline void *tp_fn(tp_any_fn f)
{
    union {
        tp_any_fn f;
        void *p;
    } u;
    u.f = f;
    return u.p;
}
#define TP_FN(f) tp_fn((tp_any_fn)(f))

static inline void tp_type_free(PyObject *obj)
{
    PyTypeObject *type = Py_TYPE(obj);
    union {
        void *p;
        freefunc f;
    } u;
    u.p = PyType_GetSlot(type, Py_tp_free);
    u.f(obj);
    Py_DECREF(type);
}

static inline PyObject *tp_type_alloc(PyTypeObject *type)
{
    union {
        void *p;
        allocfunc f;
    } u;
    u.p = PyType_GetSlot(type, Py_tp_alloc);
    return u.f(type, 0);
}

#endif /* TILEPROC_PY_H */
