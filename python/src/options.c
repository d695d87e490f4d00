/* SPDX-License-Identifier: MIT */
/*
 * options.c: the keywords load, load_region, save and stream share, turned into the library's
 * option structs: paths, file formats, the colour keywords (issue 12), page=/level= and the
 * TIFF save keywords (issue 13), named as the CLI names them (--page, --level, --tiled[=WxH],
 * --compression, --predictor, --bigtiff, --pyramid).
 */
#include <string.h>

#include "tileproc_py.h"

/* --- paths and formats ---------------------------------------------------------------------- */

PyObject *tp_fs_path(PyObject *obj)
{
    PyObject *bytes = NULL;
    if (!PyUnicode_FSConverter(obj, &bytes))
        return NULL;
    return bytes;
}

int tp_is_path(PyObject *obj)
{
    return PyUnicode_Check(obj) || PyObject_HasAttrString(obj, "__fspath__");
}

int tp_file_format(PyObject *obj, tproc_file_format *out)
{
    *out = TPROC_FILE_UNKNOWN;
    if (!obj || obj == Py_None)
        return 0;
    const char *s = PyUnicode_Check(obj) ? PyUnicode_AsUTF8AndSize(obj, NULL) : NULL;
    /* A format's name or extension, as the library's table has them. */
    *out = s ? tproc_file_format_parse(s) : TPROC_FILE_UNKNOWN;
    if (*out == TPROC_FILE_UNKNOWN) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "format must be 'png', 'jpeg', 'webp' or 'tiff', got %R",
                     obj);
        return -1;
    }
    return 0;
}

/* A str keyword's text, or NULL with TypeError. */
static const char *text_arg(PyObject *obj, const char *what)
{
    const char *s = PyUnicode_Check(obj) ? PyUnicode_AsUTF8AndSize(obj, NULL) : NULL;
    if (!s) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s must be a str, got %R", what, obj);
    }
    return s;
}

/* --- load: colour, page and level ------------------------------------------------------------ */

void tp_load_refs_release(tp_load_refs *r)
{
    for (int i = 0; i < 2; i++) {
        Py_XDECREF(r->paths[i]);
        if (r->has_buf[i])
            PyBuffer_Release(&r->bufs[i]);
    }
    memset(r, 0, sizeof *r);
}

/* A profile keyword: None, a path (str or os.PathLike) or the profile's bytes. */
static int profile_arg(PyObject *obj, const char *what, tp_load_refs *r, int i,
                       const void **bytes, size_t *size, const char **path)
{
    if (!obj || obj == Py_None)
        return 0;
    if (tp_is_path(obj)) {
        if (!(r->paths[i] = tp_fs_path(obj)))
            return -1;
        *path = PyBytes_AsString(r->paths[i]);
        return 0;
    }
    if (PyObject_GetBuffer(obj, &r->bufs[i], PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: expected a path or the profile's bytes", what);
        return -1;
    }
    r->has_buf[i] = 1;
    *bytes = r->bufs[i].buf;
    *size = (size_t)r->bufs[i].len;
    return 0;
}

int tp_load_options(const tp_load_keywords *k, tproc_load_options *o, tp_load_refs *r)
{
    memset(r, 0, sizeof *r);
    if (k->page < 0 || k->level < 0) {
        PyErr_Format(PyExc_ValueError, "%s must be 0 or more, got %d",
                     k->page < 0 ? "page" : "level", k->page < 0 ? k->page : k->level);
        return -1;
    }
    o->page = k->page;
    o->level = k->level;
    if (k->colour && k->colour != Py_None) {
        const char *s = text_arg(k->colour, "colour");
        int v = s ? tproc_colour_policy_parse(s) : -2;
        if (v == -2)
            return -1;
        if (v < 0) {
            PyErr_Format(PyExc_ValueError, "colour must be 'srgb', 'keep' or 'ignore', got %R",
                         k->colour);
            return -1;
        }
        o->colour = (tproc_colour_policy)v;
    }
    if (k->intent && k->intent != Py_None) {
        const char *s = text_arg(k->intent, "intent");
        int v = s ? tproc_intent_parse(s) : -2;
        if (v == -2)
            return -1;
        if (v < 0) {
            PyErr_Format(PyExc_ValueError,
                         "intent must be 'relative', 'perceptual', 'saturation' or 'absolute', "
                         "got %R",
                         k->intent);
            return -1;
        }
        o->intent = (tproc_intent)v;
    }
    o->black_point_compensation = k->black_point_compensation;
    if (profile_arg(k->input_profile, "input_profile", r, 0, &o->input_profile,
                    &o->input_profile_size, &o->input_profile_path) < 0 ||
        profile_arg(k->output_profile, "output_profile", r, 1, &o->output_profile,
                    &o->output_profile_size, &o->output_profile_path) < 0) {
        tp_load_refs_release(r);
        return -1;
    }
    return 0;
}

/* --- save: TIFF ------------------------------------------------------------------------------ */

/* A name from a NULL-terminated list: its index + 1 (the library's enum), or 0. */
static int name_index(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return i + 1;
    return 0;
}

/* compression=: an int is PNG's zlib level; a name TIFF's codec (tproc_tiff_compression). */
static int compression_arg(PyObject *obj, tproc_save_options *o)
{
    static const char *const names[] = {"none", "deflate", "lzw", "jpeg", "zstd", "webp", NULL};
    if (!obj || obj == Py_None)
        return 0;
    if (PyLong_Check(obj)) {
        long v = PyLong_AsLong(obj);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v < 0 || v > 9) {
            PyErr_Format(PyExc_ValueError, "compression: PNG's zlib level is 0-9, got %ld", v);
            return -1;
        }
        o->compression = (int)v;
        return 0;
    }
    const char *s = PyUnicode_Check(obj) ? PyUnicode_AsUTF8AndSize(obj, NULL) : NULL;
    int v = s ? name_index(s, names) : 0;
    if (!v) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError,
                     "compression must be a PNG zlib level 0-9 or a TIFF compression: 'none', "
                     "'deflate', 'lzw', 'jpeg', 'zstd' or 'webp'; got %R",
                     obj);
        return -1;
    }
    o->tiff_compression = (tproc_tiff_compression)v;
    return 0;
}

/* tiled=: False/None (strips), True (256x256), N (NxN) or (width, height); multiples of 16. */
static int tiled_arg(PyObject *obj, tproc_save_options *o)
{
    if (!obj || obj == Py_None || obj == Py_False)
        return 0;
    Py_ssize_t w = 256, h = 256;
    if (obj == Py_True) {
        /* the default size */
    } else if (PyLong_Check(obj)) {
        w = h = PyLong_AsSsize_t(obj);
        if (w == -1 && PyErr_Occurred())
            return -1;
    } else if (!PyTuple_Check(obj) ||
               !PyArg_ParseTuple(obj, "nn;tiled must be True, an int or (width, height)", &w,
                                 &h)) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "tiled must be True, an int or (width, height), got %R",
                         obj);
        return -1;
    }
    if (w < 16 || h < 16 || w > 65536 || h > 65536 || w % 16 || h % 16) {
        PyErr_Format(PyExc_ValueError,
                     "tiled: tile sides must be multiples of 16 in 16-65536, got %zdx%zd", w, h);
        return -1;
    }
    o->tile_width = (int)w;
    o->tile_height = (int)h;
    return 0;
}

int tp_save_options(const tp_save_keywords *k, tproc_save_options *o)
{
    static const char *const predictors[] = {"none", "horizontal", "float", NULL};
    if (tp_file_format(k->format, &o->format) < 0)
        return -1;
    o->quality = k->quality;
    o->chroma_444 = k->chroma_444;
    o->progressive = k->progressive;
    o->lossless = k->lossless;
    o->effort = k->effort;
    o->embed_profile = k->embed_profile;
    o->bigtiff = k->bigtiff;
    o->pyramid = k->pyramid;
    if (compression_arg(k->compression, o) < 0 || tiled_arg(k->tiled, o) < 0)
        return -1;
    if (k->predictor && k->predictor != Py_None) {
        const char *s = text_arg(k->predictor, "predictor");
        if (!s)
            return -1;
        int v = name_index(s, predictors);
        if (!v) {
            PyErr_Format(PyExc_ValueError,
                         "predictor must be 'none', 'horizontal' or 'float', got %R",
                         k->predictor);
            return -1;
        }
        o->tiff_predictor = (tproc_tiff_predictor)v;
    }
    return 0;
}

int tp_save_check_tiff(const tp_save_keywords *k, const tproc_save_options *o,
                       tproc_file_format format)
{
    if (format == TPROC_FILE_TIFF && k->compression && PyLong_Check(k->compression)) {
        PyErr_Format(PyExc_ValueError,
                     "compression: TIFF output takes a codec name ('none', 'deflate', 'lzw', "
                     "'jpeg', 'zstd' or 'webp'), not a zlib level; got %R",
                     k->compression);
        return -1;
    }
    if (format == TPROC_FILE_TIFF || format == TPROC_FILE_UNKNOWN)
        return 0;
    const char *what = o->tiff_compression ? "compression names"
                       : o->tile_width     ? "tiled"
                       : o->tiff_predictor ? "predictor"
                       : o->bigtiff        ? "bigtiff"
                       : o->pyramid        ? "pyramid"
                                           : NULL;
    if (!what)
        return 0;
    PyErr_Format(PyExc_ValueError, "%s: only for TIFF output, not %s", what,
                 tproc_file_format_label(format));
    return -1;
}
