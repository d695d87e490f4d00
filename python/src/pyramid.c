/* SPDX-License-Identifier: MIT */
/*
 * pyramid.c: tileproc.pyramid(input_path, output, *filters, ...): the library's
 * tproc_pipeline_pyramid from a file, in a context of its own (its memory limit, its peak
 * reported back), with the GIL released while it runs.
 */
#include "tileproc_py.h"

#include <string.h>

static int layout_of(const char *s, tproc_pyramid_options *o)
{
    int layout = tproc_pyramid_layout_parse(s);
    if (layout < 0) {
        PyErr_Format(PyExc_ValueError,
                     "layout must be 'dz', 'iiif', 'iiif3', 'zoomify' or 'google', got '%s'", s);
        return -1;
    }
    o->layout = (tproc_pyramid_layout)layout;
    return 0;
}

static int depth_of(const char *s, tproc_pyramid_options *o)
{
    static const char *const names[] = {"onepixel", "onetile", "one"};
    for (int i = 0; s && i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            o->depth = (tproc_pyramid_depth)(TPROC_PYRAMID_DEPTH_ONEPIXEL + i);
            return 0;
        }
    if (!s)
        return 0;
    PyErr_Format(PyExc_ValueError, "depth must be 'onepixel', 'onetile' or 'one', got '%s'", s);
    return -1;
}

static int container_of(const char *s, tproc_pyramid_options *o)
{
    if (!s || strcmp(s, "fs") == 0)
        return 0;
    if (strcmp(s, "zip") == 0) {
        o->container = TPROC_PYRAMID_ZIP;
        return 0;
    }
    PyErr_Format(PyExc_ValueError, "container must be 'fs' or 'zip', got '%s'", s);
    return -1;
}

static int background_of(PyObject *obj, tproc_pyramid_options *o)
{
    if (!obj || obj == Py_None)
        return 0;
    int seq = PySequence_Check(obj);
    Py_ssize_t n = seq ? PySequence_Size(obj) : 1;
    if (n < 1 || n > 4) {
        PyErr_SetString(PyExc_ValueError, "background takes 1 to 4 numbers");
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = seq ? PySequence_GetItem(obj, i) : obj;
        double v = item ? PyFloat_AsDouble(item) : -1.0;
        if (seq)
            Py_XDECREF(item);
        if (v == -1.0 && PyErr_Occurred())
            return -1;
        o->background[i] = v;
    }
    for (Py_ssize_t i = n; i < 4; i++)
        o->background[i] = n == 1 ? o->background[0] : 255.0;
    return 0;
}

PyObject *tp_pyramid(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *kwlist[] = {"layout",      "tile_size",     "overlap",   "suffix",
                             "quality",     "depth",         "background", "skip_blanks",
                             "id",          "container",     "viewer_script", "force",
                             "threads",     "memory_limit",  "effort",    LOAD_KWLIST, NULL};
    if (PyTuple_Size(args) < 2) {
        PyErr_SetString(PyExc_TypeError, "pyramid(input_path, output, *filters, ...) needs two paths");
        return NULL;
    }
    const char *layout = "dz", *suffix = NULL, *depth = NULL, *id = NULL, *container = NULL;
    const char *viewer = NULL;
    int tile_size = 0, overlap = -1, quality = 0, skip_blanks = -2, force = 0, threads = 0;
    int effort = -1;
    PyObject *background = NULL, *limit_obj = Py_None;
    tp_load_keywords lk = {0};
    int ignore = 0, strict = 0;
    PyObject *empty = PyTuple_New(0);
    if (!empty)
        return NULL;
    int ok = PyArg_ParseTupleAndKeywords(
        empty, kwargs, "|$siizizOizzzpiOi" LOAD_FORMAT ":pyramid", kwlist, &layout, &tile_size,
        &overlap, &suffix, &quality, &depth, &background, &skip_blanks, &id, &container, &viewer,
        &force, &threads, &limit_obj, &effort, LOAD_ARGS(lk, ignore, strict));
    Py_DECREF(empty);
    if (!ok)
        return NULL;
    tproc_pyramid_options o;
    tproc_pyramid_options_init(&o);
    if (layout_of(layout, &o) < 0 || depth_of(depth, &o) < 0 || container_of(container, &o) < 0 ||
        background_of(background, &o) < 0)
        return NULL;
    if (suffix && (o.suffix = tproc_file_format_parse(suffix[0] == '.' ? suffix + 1 : suffix)) ==
                      TPROC_FILE_UNKNOWN) {
        PyErr_Format(PyExc_ValueError, "suffix: unknown format '%s'", suffix);
        return NULL;
    }
    o.tile_size = tile_size;
    o.overlap = overlap;
    o.quality = quality;
    o.effort = effort;
    o.skip_blanks = skip_blanks;
    o.id = id;
    o.viewer_script = viewer;
    o.force = force;
    tproc_ctx_options copts = {NULL, 0, threads};
    if (limit_obj != Py_None) {
        copts.memory_limit = PyLong_AsSize_t(limit_obj);
        if (copts.memory_limit == (size_t)-1 && PyErr_Occurred())
            return NULL;
    }
    /* The input as load() reads it; every tile carries the profile the source does. */
    tproc_load_options lo = {.ignore_orientation = ignore, .strict = strict};
    tp_load_refs refs;
    if (tp_load_options(&lk, &lo, &refs) < 0)
        return NULL;
    PyObject *in_path = NULL, *out_path = NULL, *result = NULL;
    if (!PyUnicode_FSConverter(PyTuple_GetItem(args, 0), &in_path) ||
        !PyUnicode_FSConverter(PyTuple_GetItem(args, 1), &out_path))
        goto done;
    PyObject *pipeline = tp_pipeline_from_specs(args, 2);
    if (!pipeline)
        goto done;
    PyObject *specs = PyObject_GetAttrString(pipeline, "specs");
    Py_DECREF(pipeline);
    if (!specs)
        goto done;
    tproc_ctx *ctx = NULL;
    tproc_pipeline *p = NULL;
    tproc_source *src = NULL;
    int status = tproc_ctx_new(&copts, &ctx);
    if (status == TPROC_OK)
        status = tproc_pipeline_new(ctx, &p);
    for (Py_ssize_t k = 0; status == TPROC_OK && k < PyList_Size(specs); k++)
        status = tproc_pipeline_add(p, PyUnicode_AsUTF8AndSize(PyList_GetItem(specs, k), NULL));
    Py_DECREF(specs);
    const char *ip = PyBytes_AsString(in_path), *op = PyBytes_AsString(out_path);
    tproc_run_options run;
    tproc_run_options_init(&run);
    run.threads = threads;
    if (status == TPROC_OK) {
        Py_BEGIN_ALLOW_THREADS status = tproc_source_open(ctx, ip, &lo, &src);
        if (status == TPROC_OK)
            status = tproc_pipeline_pyramid(p, src, op, &o, &run, NULL);
        Py_END_ALLOW_THREADS
    }
    if (status != TPROC_OK) {
        tp_raise(ctx, status);
    } else {
        tproc_format in = tproc_source_format(src), f;
        tproc_pipeline_output_format(p, &in, &f);
        result = Py_BuildValue("{s:n,s:n,s:n}", "width", (Py_ssize_t)f.width, "height",
                               (Py_ssize_t)f.height, "peak_memory",
                               (Py_ssize_t)tproc_ctx_memory_peak(ctx));
    }
    tproc_source_free(&src);
    tproc_pipeline_free(&p);
    tproc_ctx_free(&ctx);
done:
    tp_load_refs_release(&refs);
    Py_XDECREF(in_path);
    Py_XDECREF(out_path);
    return result;
}
