/* SPDX-License-Identifier: MIT */
/*
 * module.c: the tileproc._tileproc extension module: exceptions, the module functions (load,
 * save, info, filters, apply, tiles, stream, plugins, the default context's memory limit) and
 * module setup. The GIL is released around every call that touches pixels or files.
 */
#include <string.h>

#include "tileproc_py.h"

PyObject *tp_Error;
static PyObject *tp_ParamError, *tp_FileError, *tp_LimitError;

/* --- errors --------------------------------------------------------------------------------- */

static PyObject *error_class(int status)
{
    switch (status) {
    case TPROC_ERR_ARG:
    case TPROC_ERR_PARAM:
    case TPROC_ERR_RANGE:
    case TPROC_ERR_NOT_FOUND:
        return tp_ParamError;
    case TPROC_ERR_IO:
    case TPROC_ERR_FORMAT:
    case TPROC_ERR_CORRUPT:
    case TPROC_ERR_UNSUPPORTED:
        return tp_FileError;
    case TPROC_ERR_NOMEM:
    case TPROC_ERR_LIMIT:
    case TPROC_ERR_OVERFLOW:
        return tp_LimitError;
    default:
        return tp_Error;
    }
}

PyObject *tp_raise(tproc_ctx *ctx, int status)
{
    const char *msg = tproc_ctx_message(ctx);
    if (!msg || !*msg)
        msg = tproc_strerror(status);
    PyObject *cls = error_class(status);
    PyObject *exc = PyObject_CallFunction(cls, "s", msg);
    if (!exc)
        return NULL;
    PyObject *code = PyLong_FromLong(status),
             *name = PyUnicode_FromString(tproc_status_name(status));
    if (code && name && PyObject_SetAttrString(exc, "status", code) == 0 &&
        PyObject_SetAttrString(exc, "name", name) == 0)
        PyErr_SetObject(cls, exc);
    Py_XDECREF(code);
    Py_XDECREF(name);
    Py_DECREF(exc);
    return NULL;
}

static int ndim_for(int channels)
{
    return channels == 1 ? 2 : 3;
}

/* --- load, save, info ----------------------------------------------------------------------- */

static PyObject *py_load(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *kwlist[] = {"source", LOAD_KWLIST, NULL};
    PyObject *source;
    tp_load_keywords k = {0};
    int ignore = 0, strict = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$" LOAD_FORMAT ":load", kwlist, &source,
                                     LOAD_ARGS(k, ignore, strict)))
        return NULL;
    tproc_load_options opts = {.ignore_orientation = ignore, .strict = strict};
    tp_load_refs refs;
    if (tp_load_options(&k, &opts, &refs) < 0)
        return NULL;
    tproc_image *image = NULL;
    int status;
    if (tp_is_path(source)) {
        PyObject *path = tp_fs_path(source);
        if (!path) {
            tp_load_refs_release(&refs);
            return NULL;
        }
        const char *p = PyBytes_AsString(path);
        Py_BEGIN_ALLOW_THREADS status = tproc_load(NULL, p, &opts, &image);
        Py_END_ALLOW_THREADS Py_DECREF(path);
    } else {
        Py_buffer b;
        if (PyObject_GetBuffer(source, &b, PyBUF_SIMPLE) < 0) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError,
                            "load: expected a path (str or os.PathLike) or the file's bytes");
            tp_load_refs_release(&refs);
            return NULL;
        }
        Py_BEGIN_ALLOW_THREADS status =
            tproc_load_memory(NULL, b.buf, (size_t)b.len, &opts, &image);
        Py_END_ALLOW_THREADS PyBuffer_Release(&b);
    }
    tp_load_refs_release(&refs);
    if (status != TPROC_OK)
        return tp_raise(NULL, status);
    return tp_image_from_image(&image, ndim_for(tproc_image_channels(image)));
}

static PyObject *py_load_region(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *kwlist[] = {"path", "x", "y", "width", "height", LOAD_KWLIST, NULL};
    PyObject *source;
    Py_ssize_t x, y, w, h;
    tp_load_keywords k = {0};
    int ignore = 0, strict = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Onnnn|$" LOAD_FORMAT ":load_region", kwlist,
                                     &source, &x, &y, &w, &h, LOAD_ARGS(k, ignore, strict)))
        return NULL;
    tproc_load_options opts = {.ignore_orientation = ignore, .strict = strict};
    tp_load_refs refs;
    if (tp_load_options(&k, &opts, &refs) < 0)
        return NULL;
    PyObject *path = tp_fs_path(source);
    if (!path) {
        tp_load_refs_release(&refs);
        return NULL;
    }
    const char *p = PyBytes_AsString(path);
    tproc_image *image = NULL;
    int status;
    Py_BEGIN_ALLOW_THREADS status = tproc_load_region(NULL, p, x, y, w, h, &opts, &image);
    Py_END_ALLOW_THREADS Py_DECREF(path);
    tp_load_refs_release(&refs);
    if (status != TPROC_OK)
        return tp_raise(NULL, status);
    return tp_image_from_image(&image, ndim_for(tproc_image_channels(image)));
}

/* The keywords every save takes (save, stream's output), in this order (see SAVE_ARGS). */
#define SAVE_KWLIST                                                                                \
    "format", "quality", "compression", "chroma_444", "progressive", "lossless", "effort",         \
        "embed_profile", "tiled", "predictor", "bigtiff", "pyramid"
#define SAVE_FORMAT "OiOpppipOOpp"
#define SAVE_ARGS(k)                                                                               \
    &(k).format, &(k).quality, &(k).compression, &(k).chroma_444, &(k).progressive,               \
        &(k).lossless, &(k).effort, &(k).embed_profile, &(k).tiled, &(k).predictor, &(k).bigtiff, \
        &(k).pyramid

static PyObject *py_save(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *kwlist[] = {"array", "path", SAVE_KWLIST, NULL};
    PyObject *array, *path_obj = Py_None;
    tp_save_keywords k = {.effort = -1};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O$" SAVE_FORMAT ":save", kwlist, &array,
                                     &path_obj, SAVE_ARGS(k)))
        return NULL;
    tproc_save_options opts;
    tproc_save_options_init(&opts);
    if (tp_save_options(&k, &opts) < 0)
        return NULL;
    if (path_obj == Py_None && opts.format == TPROC_FILE_UNKNOWN) {
        PyErr_SetString(PyExc_ValueError, "save: without a path, give format='png', 'jpeg', ...");
        return NULL;
    }
    PyObject *path = NULL;
    if (path_obj != Py_None && !(path = tp_fs_path(path_obj)))
        return NULL;
    tproc_file_format target =
        opts.format != TPROC_FILE_UNKNOWN ? opts.format
                                          : tproc_file_format_from_name(PyBytes_AsString(path));
    tp_buffer in;
    if (tp_save_check_tiff(&k, &opts, target) < 0 || tp_buffer_get(array, 0, "save", &in) < 0) {
        Py_XDECREF(path);
        return NULL;
    }
    int status;
    PyObject *result = NULL;
    if (!path) {
        void *data = NULL;
        size_t size = 0;
        Py_BEGIN_ALLOW_THREADS status = tproc_save_memory(NULL, &in.view, &opts, &data, &size);
        Py_END_ALLOW_THREADS if (status == TPROC_OK)
        {
            result = PyBytes_FromStringAndSize(data, (Py_ssize_t)size);
            tproc_free(NULL, data);
        }
    } else {
        const char *p = PyBytes_AsString(path);
        Py_BEGIN_ALLOW_THREADS status = tproc_save(NULL, &in.view, p, &opts);
        Py_END_ALLOW_THREADS Py_DECREF(path);
        if (status == TPROC_OK)
            result = Py_NewRef(Py_None);
    }
    tp_buffer_release(&in);
    if (status != TPROC_OK)
        return tp_raise(NULL, status);
    return result;
}

static PyObject *py_info(PyObject *module, PyObject *source)
{
    (void)module;
    tproc_info info;
    int status;
    if (tp_is_path(source)) {
        PyObject *path = tp_fs_path(source);
        if (!path)
            return NULL;
        const char *p = PyBytes_AsString(path);
        Py_BEGIN_ALLOW_THREADS status = tproc_info_read(NULL, p, &info);
        Py_END_ALLOW_THREADS Py_DECREF(path);
    } else {
        Py_buffer b;
        if (PyObject_GetBuffer(source, &b, PyBUF_SIMPLE) < 0) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError,
                            "info: expected a path (str or os.PathLike) or the file's bytes");
            return NULL;
        }
        status = tproc_info_read_memory(NULL, b.buf, (size_t)b.len, &info);
        PyBuffer_Release(&b);
    }
    if (status != TPROC_OK)
        return tp_raise(NULL, status);
    return Py_BuildValue("{s:s,s:n,s:n,s:i,s:s,s:i,s:O,s:O,s:i,s:O,s:O,s:i,s:i}", "format",
                         tproc_file_format_name(info.format), "width", (Py_ssize_t)info.width,
                         "height", (Py_ssize_t)info.height, "channels", info.channels, "dtype",
                         tp_sample_dtype(info.sample), "bit_depth", info.bit_depth, "interlaced",
                         info.interlaced ? Py_True : Py_False, "progressive",
                         info.progressive ? Py_True : Py_False, "orientation", info.orientation,
                         "has_icc", info.has_icc ? Py_True : Py_False, "has_exif",
                         info.has_exif ? Py_True : Py_False, "pages", info.pages, "levels",
                         info.levels);
}

/* --- filters -------------------------------------------------------------------------------- */

static PyObject *param_dict(const tproc_param_desc *p)
{
    static const char *types[] = {"?", "int", "float", "enum", "matrix", "colour", "text"};
    PyObject *choices = Py_NewRef(Py_None), *def;
    if (p->type == TPROC_PARAM_ENUM && p->choices) {
        Py_DECREF(choices);
        if (!(choices = PyList_New(0)))
            return NULL;
        for (size_t i = 0; p->choices[i]; i++) {
            PyObject *s = PyUnicode_FromString(p->choices[i]);
            if (!s || PyList_Append(choices, s) < 0) {
                Py_XDECREF(s);
                Py_DECREF(choices);
                return NULL;
            }
            Py_DECREF(s);
        }
    }
    if (p->flags & (TPROC_PARAM_REQUIRED | TPROC_PARAM_OPTIONAL) || p->type == TPROC_PARAM_MATRIX ||
        p->type == TPROC_PARAM_TEXT)
        def = Py_NewRef(Py_None);
    else if (p->type == TPROC_PARAM_ENUM)
        def = PyUnicode_FromString(p->choices[(size_t)p->def]);
    else if (p->type == TPROC_PARAM_INT)
        def = PyLong_FromDouble(p->def);
    else
        def = PyFloat_FromDouble(p->def);
    int t = p->type >= 1 && p->type <= 6 ? (int)p->type : 0;
    return Py_BuildValue("{s:s,s:s,s:N,s:d,s:d,s:O,s:O,s:O,s:N,s:s}", "name", p->name, "type",
                         types[t], "default", def, "min", p->min, "max", p->max, "min_open",
                         (p->flags & TPROC_PARAM_MIN_OPEN) ? Py_True : Py_False, "max_open",
                         (p->flags & TPROC_PARAM_MAX_OPEN) ? Py_True : Py_False, "required",
                         (p->flags & TPROC_PARAM_REQUIRED) ? Py_True : Py_False, "choices", choices,
                         "help", p->help ? p->help : "");
}

static PyObject *py_filters(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    PyObject *all = PyDict_New();
    for (size_t i = 0; all && i < tproc_filter_count(); i++) {
        const tproc_filter *f = tproc_filter_at(i);
        PyObject *params = PyList_New(0), *d = NULL;
        for (int k = 0; params && k < f->param_count; k++) {
            PyObject *p = param_dict(&f->params[k]);
            if (!p || PyList_Append(params, p) < 0)
                Py_CLEAR(params);
            Py_XDECREF(p);
        }
        if (params)
            d = Py_BuildValue("{s:s,s:N}", "summary", f->summary ? f->summary : "", "params",
                              params);
        if (!d || PyDict_SetItemString(all, f->name, d) < 0)
            Py_CLEAR(all);
        Py_XDECREF(d);
    }
    return all;
}

static PyObject *py_load_plugin(PyObject *module, PyObject *path_obj)
{
    (void)module;
    PyObject *path = tp_fs_path(path_obj);
    if (!path)
        return NULL;
    int status = tproc_plugin_load(NULL, PyBytes_AsString(path));
    Py_DECREF(path);
    if (status != TPROC_OK)
        return tp_raise(NULL, status);
    Py_RETURN_NONE;
}

/* --- apply ---------------------------------------------------------------------------------- */

static char *run_kwlist[] = {"out", "tile", "threads", "border", "border_value", NULL};

static PyObject *py_apply(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    if (PyTuple_Size(args) < 1) {
        PyErr_SetString(PyExc_TypeError, "apply(array, *filters, out=None, ...) needs an array");
        return NULL;
    }
    PyObject *out = NULL, *tile = NULL, *border = NULL, *border_value = NULL;
    int threads = 0;
    PyObject *empty = PyTuple_New(0);
    if (!empty)
        return NULL;
    int ok = PyArg_ParseTupleAndKeywords(empty, kwargs, "|$OOiOO:apply", run_kwlist, &out, &tile,
                                         &threads, &border, &border_value);
    Py_DECREF(empty);
    if (!ok)
        return NULL;
    tproc_run_options options;
    if (tp_run_options(tile, threads, border, border_value, &options) < 0)
        return NULL;
    PyObject *pipeline = tp_pipeline_from_specs(args, 1);
    if (!pipeline)
        return NULL;
    PyObject *r = tp_pipeline_run(pipeline, PyTuple_GetItem(args, 0), out, &options);
    Py_DECREF(pipeline);
    return r;
}

/* --- stream --------------------------------------------------------------------------------- */

static PyObject *py_stream(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *kwlist[] = {"tile",           "threads",     "border",       "border_value",
                             SAVE_KWLIST,      LOAD_KWLIST,   "shrink_on_load", "no_fallback",
                             "memory_limit",   NULL};
    if (PyTuple_Size(args) < 2) {
        PyErr_SetString(PyExc_TypeError,
                        "stream(input_path, output_path, *filters, ...) needs two paths");
        return NULL;
    }
    PyObject *tile = NULL, *border = NULL, *border_value = NULL;
    PyObject *limit_obj = Py_None;
    int threads = 0, ignore = 0, strict = 0, shrink = 0, no_fallback = 0;
    tp_save_keywords sk = {.effort = -1};
    tp_load_keywords lk = {0};
    PyObject *empty = PyTuple_New(0);
    if (!empty)
        return NULL;
    int ok = PyArg_ParseTupleAndKeywords(
        empty, kwargs, "|$OiOO" SAVE_FORMAT LOAD_FORMAT "ppO:stream", kwlist, &tile, &threads,
        &border, &border_value, SAVE_ARGS(sk), LOAD_ARGS(lk, ignore, strict), &shrink,
        &no_fallback, &limit_obj);
    Py_DECREF(empty);
    if (!ok)
        return NULL;
    tproc_run_options run;
    if (tp_run_options(tile, threads, border, border_value, &run) < 0)
        return NULL;
    tproc_save_options save;
    tproc_save_options_init(&save);
    if (tp_save_options(&sk, &save) < 0)
        return NULL;
    tproc_ctx_options copts = {NULL, 0, 0};
    if (limit_obj != Py_None) {
        copts.memory_limit = PyLong_AsSize_t(limit_obj);
        if (copts.memory_limit == (size_t)-1 && PyErr_Occurred())
            return NULL;
        if (copts.memory_limit == 0) {
            PyErr_SetString(PyExc_ValueError, "memory_limit must be positive");
            return NULL;
        }
    }
    tproc_load_options lopts = {.ignore_orientation = ignore, .strict = strict};
    tp_load_refs refs;
    if (tp_load_options(&lk, &lopts, &refs) < 0)
        return NULL;
    PyObject *in_path = tp_fs_path(PyTuple_GetItem(args, 0));
    PyObject *out_path = in_path ? tp_fs_path(PyTuple_GetItem(args, 1)) : NULL;
    PyObject *pipeline = NULL;
    if (out_path) {
        tproc_file_format target = save.format != TPROC_FILE_UNKNOWN
                                       ? save.format
                                       : tproc_file_format_from_name(PyBytes_AsString(out_path));
        if (tp_save_check_tiff(&sk, &save, target) == 0)
            pipeline = tp_pipeline_from_specs(args, 2);
    }
    PyObject *result = NULL;
    if (!pipeline)
        goto done;

    /* A context of its own: its own memory limit, and its peak reported back. The pipeline was
     * parsed with the default context; a second one is made in this context for the run. */
    tproc_ctx *ctx = NULL;
    tproc_pipeline *p = NULL;
    tproc_source *src = NULL;
    tproc_sink *sink = NULL;
    tproc_stream_options sopts = {.shrink_on_load = shrink, .no_fallback = no_fallback};
    int streams = 0;
    size_t bytes = 0;
    const char *ip = PyBytes_AsString(in_path), *op = PyBytes_AsString(out_path);
    PyObject *specs = PyObject_GetAttrString(pipeline, "specs");
    if (!specs)
        goto done;
    int status = tproc_ctx_new(&copts, &ctx);
    if (status == TPROC_OK)
        status = tproc_pipeline_new(ctx, &p);
    for (Py_ssize_t k = 0; status == TPROC_OK && k < PyList_Size(specs); k++)
        status = tproc_pipeline_add(p, PyUnicode_AsUTF8AndSize(PyList_GetItem(specs, k), NULL));
    Py_DECREF(specs);
    if (status == TPROC_OK) {
        Py_BEGIN_ALLOW_THREADS status = tproc_source_open(ctx, ip, &lopts, &src);
        if (status == TPROC_OK)
            status = tproc_pipeline_stream_plan(p, src, &run, &sopts, &streams, &bytes);
        if (status == TPROC_OK) {
            /* The profile the source carries under the colour policy (none when converted to
             * sRGB; the file's under keep; the output profile). */
            save.icc = tproc_source_icc(src, &save.icc_size);
            status = tproc_sink_open(ctx, op, &save, &sink);
        }
        if (status == TPROC_OK)
            status = tproc_pipeline_stream(p, src, sink, &run, &sopts);
        Py_END_ALLOW_THREADS
    }
    if (status != TPROC_OK) {
        tp_raise(ctx, status);
    } else {
        tproc_format f = tproc_source_format(src);
        result = Py_BuildValue("{s:O,s:n,s:n,s:n}", "streamed", streams ? Py_True : Py_False,
                               "width", (Py_ssize_t)f.width, "height", (Py_ssize_t)f.height,
                               "peak_memory", (Py_ssize_t)tproc_ctx_memory_peak(ctx));
    }
    tproc_sink_free(&sink);
    tproc_source_free(&src);
    tproc_pipeline_free(&p);
    tproc_ctx_free(&ctx);
done:
    tp_load_refs_release(&refs);
    Py_XDECREF(pipeline);
    Py_XDECREF(in_path);
    Py_XDECREF(out_path);
    return result;
}

/* --- the default context -------------------------------------------------------------------- */

static PyObject *py_set_memory_limit(PyObject *module, PyObject *arg)
{
    (void)module;
    size_t n = PyLong_AsSize_t(arg);
    if (n == (size_t)-1 && PyErr_Occurred())
        return NULL;
    tproc_ctx_set_memory_limit(NULL, n);
    Py_RETURN_NONE;
}

static PyObject *py_memory(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return Py_BuildValue("{s:n,s:n,s:n}", "limit", (Py_ssize_t)tproc_ctx_memory_limit(NULL),
                         "in_use", (Py_ssize_t)tproc_ctx_memory_in_use(NULL), "peak",
                         (Py_ssize_t)tproc_ctx_memory_peak(NULL));
}

/* --- the module ----------------------------------------------------------------------------- */

static PyMethodDef module_methods[] = {
    {"load", TP_KWFUNC(py_load), METH_VARARGS | METH_KEYWORDS,
     "load(source, *, ignore_orientation=False, strict=False, page=0, level=0, colour='srgb',\n"
     "     input_profile=None, output_profile=None, intent='relative',\n"
     "     black_point_compensation=False) -> Image\n"
     "Decodes a PNG, JPEG, WebP or TIFF from a path (str or os.PathLike) or the file's bytes.\n"
     "page, level: a multi-page TIFF's page (0: the first) and that page's reduced-resolution\n"
     "level (0: full size), as info() counts them in 'pages' and 'levels'; anything else is a\n"
     "ParamError for single-image formats and for a page or level the file does not have.\n"
     "colour: 'srgb' converts an image with an ICC profile to sRGB (or to output_profile),\n"
     "'keep' leaves its pixels and profile, 'ignore' its pixels without the profile.\n"
     "Profiles are paths or bytes; intent 'relative', 'perceptual', 'saturation' or\n"
     "'absolute'. Gray images have shape (H, W), others (H, W, C); u8, u16 or f32."},
    {"load_region", TP_KWFUNC(py_load_region), METH_VARARGS | METH_KEYWORDS,
     "load_region(path, x, y, width, height, *, ignore_orientation=False, strict=False,\n"
     "            page=0, level=0, colour='srgb', input_profile=None, output_profile=None,\n"
     "            intent='relative', black_point_compensation=False)\n"
     "--\n\n"
     "The rectangle (upright coordinates) of an image file, equal to load(path, ...)[y:y+height,\n"
     "x:x+width] with the same keywords, but decoding only what intersects it (tiles or strips\n"
     "of a TIFF, rows and columns of a JPEG)."},
    {"save", TP_KWFUNC(py_save), METH_VARARGS | METH_KEYWORDS,
     "save(array, path=None, *, format=None, quality=90, compression=None, chroma_444=False,\n"
     "     progressive=False, lossless=False, effort=4, embed_profile=False, tiled=False,\n"
     "     predictor=None, bigtiff=False, pyramid=False)\n"
     "Encodes a buffer as PNG, JPEG, WebP or TIFF (format from the name unless given). Written\n"
     "to a temporary file and renamed into place. Without a path, returns the file's bytes.\n"
     "compression: PNG's zlib level 0-9 (an int, default 6), or TIFF's codec by name: 'none',\n"
     "'deflate' (the default), 'lzw', 'jpeg' (u8 gray/RGB; quality), 'zstd' or 'webp' (u8\n"
     "RGB/RGBA; quality, 100 lossless). TIFF only, as the CLI's --tiled, --predictor, --bigtiff\n"
     "and --pyramid: tiled=True (256x256 tiles), N or (width, height) (multiples of 16);\n"
     "predictor 'none', 'horizontal' or 'float' (default: horizontal, float for f32, with\n"
     "deflate, lzw and zstd); bigtiff=True always writes BigTIFF (else only past 4 GiB);\n"
     "pyramid=True adds every 2x reduction down to one tile as reduced-resolution SubIFDs\n"
     "(tiled, 256x256 unless tiled says). WebP: lossless, effort 0-6. TIFF keywords on another\n"
     "format are a ValueError."},
    {"info", py_info, METH_O,
     "info(source) -> dict: what an image file's header says (path or bytes), without\n"
     "decoding; 'pages' and 'levels' count a TIFF's pages and the first page's levels."},
    {"filters", py_filters, METH_NOARGS,
     "filters() -> dict: every filter by name, with its summary and parameter table."},
    {"apply", TP_KWFUNC(py_apply), METH_VARARGS | METH_KEYWORDS,
     "apply(array, *filters, out=None, tile=None, threads=0, border='reflect101',\n"
     "      border_value=None)\n"
     "Runs a chain of filters on a buffer (no copy of the input) and returns a new Image, or\n"
     "writes into out (a writable buffer of the output's shape) and returns out. The GIL is\n"
     "released while pixels are processed."},
    {"tiles", TP_KWFUNC(tp_tiles_new), METH_VARARGS | METH_KEYWORDS,
     "tiles(array, size=256, halo=0, *, border='reflect101', border_value=None) -> Tiles\n"
     "Iterates the tiles of a buffer. Each Tile exports its input (the tile grown by the\n"
     "halo) as a buffer: a view of the original memory for interior tiles, a read-only copy\n"
     "assembled through the border rule where the halo crosses the image's edge\n"
     "(tile.assembled). tile.core is the tile's own rectangle in the original memory."},
    {"stream", TP_KWFUNC(py_stream), METH_VARARGS | METH_KEYWORDS,
     "stream(input_path, output_path, *filters, tile=None, threads=0, border='reflect101',\n"
     "       border_value=None, format=None, quality=90, compression=None, chroma_444=False,\n"
     "       progressive=False, lossless=False, effort=4, embed_profile=False, tiled=False,\n"
     "       predictor=None, bigtiff=False, pyramid=False, ignore_orientation=False,\n"
     "       strict=False, page=0, level=0, colour='srgb', input_profile=None,\n"
     "       output_profile=None, intent='relative', black_point_compensation=False,\n"
     "       shrink_on_load=False, no_fallback=False, memory_limit=None) -> dict\n"
     "Runs the chain from an image file to an image file holding only a band of rows, for\n"
     "images larger than memory. The output keywords are save()'s (a TIFF pyramid too is\n"
     "written in the same pass), the input keywords load()'s. Returns {'streamed', 'width',\n"
     "'height', 'peak_memory'}."},
    {"pyramid", TP_KWFUNC(tp_pyramid), METH_VARARGS | METH_KEYWORDS,
     "pyramid(input_path, output, *filters, layout='dz', tile_size=0, overlap=-1,\n"
     "        suffix=None, quality=0, depth=None, background=None, skip_blanks=-2, id=None,\n"
     "        container=None, viewer_script=None, force=False, threads=0,\n"
     "        memory_limit=None, effort=-1, ignore_orientation=False, strict=False, page=0,\n"
     "        level=0, colour='srgb', input_profile=None, output_profile=None,\n"
     "        intent='relative', black_point_compensation=False) -> dict\n"
     "Writes a tile pyramid for zoomable viewers (layouts dz, iiif, iiif3, zoomify, google,\n"
     "as vips dzsave names them; container 'zip' or an output ending in .zip for one zip)\n"
     "in one streamed pass, after the filters. 0 / -1 / -2 / None mean each layout's\n"
     "defaults (effort: libwebp's method 0-6 for WebP tiles, -1: 0; vips uses 4). The input keywords are load()'s: sRGB tiles by default; under colour='keep'\n"
     "or with output_profile every tile carries the profile. Returns {'width', 'height', 'peak_memory'}."},
    {"load_plugin", py_load_plugin, METH_O,
     "load_plugin(path): loads a filter plugin (a shared object) and registers its filters."},
    {"set_memory_limit", py_set_memory_limit, METH_O,
     "set_memory_limit(bytes): the default context's memory limit (0: the default, 2 GiB)."},
    {"memory", py_memory, METH_NOARGS,
     "memory() -> {'limit', 'in_use', 'peak'}: the default context's memory, in bytes."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "tileproc._tileproc",
    .m_doc = "tileproc's C core: buffers in, buffers out, no copies. Use the tileproc package.",
    .m_size = -1,
    .m_methods = module_methods,
};

static PyObject *new_error(PyObject *module, const char *name, PyObject *bases, const char *doc)
{
    char full[64];
    snprintf(full, sizeof full, "tileproc.%s", name);
    PyObject *cls = PyErr_NewExceptionWithDoc(full, doc, bases, NULL);
    Py_XDECREF(bases);
    if (!cls || PyModule_AddObjectRef(module, name, cls) < 0) {
        Py_XDECREF(cls);
        return NULL;
    }
    return cls;
}

PyMODINIT_FUNC PyInit__tileproc(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    if (!(tp_Error = new_error(m, "Error", NULL,
                               "A tileproc call failed; .status is the library's code, .name "
                               "its name (ERR_PARAM, ...).")) ||
        !(tp_ParamError = new_error(m, "ParamError", PyTuple_Pack(2, tp_Error, PyExc_ValueError),
                                    "A bad argument or filter parameter (ERR_ARG, ERR_PARAM, "
                                    "ERR_RANGE, ERR_NOT_FOUND).")) ||
        !(tp_FileError = new_error(m, "FileError", PyTuple_Pack(2, tp_Error, PyExc_OSError),
                                   "A file could not be read or written, or its data is bad "
                                   "(ERR_IO, ERR_FORMAT, ERR_CORRUPT, ERR_UNSUPPORTED).")) ||
        !(tp_LimitError = new_error(m, "LimitError", PyTuple_Pack(2, tp_Error, PyExc_MemoryError),
                                    "Out of memory, over the memory limit, or a size overflows "
                                    "(ERR_NOMEM, ERR_LIMIT, ERR_OVERFLOW).")))
        goto fail;
    if (tp_image_init_type(m) < 0 || tp_pipeline_init_type(m) < 0 || tp_tiles_init_type(m) < 0)
        goto fail;
    if (PyModule_AddStringConstant(m, "library_version", tproc_version()) < 0 ||
        PyModule_AddStringConstant(m, "__version__", TPROC_VERSION_STRING) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
