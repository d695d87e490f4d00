/* SPDX-License-Identifier: MIT */
/*
 * pipeline.c: the Pipeline type (a chain of filters run on buffers, the GIL released while
 * pixels are processed), the parsing of filter specs and of the run keywords, and what a chain
 * says about itself without pixels: its stages, their halos and its output format.
 */
#include <string.h>

#include "tileproc_py.h"

PyTypeObject *tp_PipelineType;

typedef struct {
    PyObject_HEAD tproc_pipeline *pipeline;
    const tproc_filter **filters; /* the stages as parsed, for stages() and halo() */
    tproc_params *params;
    size_t count, capacity;
    int running; /* runs in flight with the GIL released; add() must wait for none */
} tp_Pipeline;

tproc_pipeline *tp_pipeline_get(PyObject *pipeline)
{
    return ((tp_Pipeline *)pipeline)->pipeline;
}

/* --- filter specs --------------------------------------------------------------------------- */

/* A matrix given as a sequence of rows becomes "a b c;d e f;g h i". */
static PyObject *matrix_text(PyObject *rows)
{
    PyObject *space = PyUnicode_FromString(" "), *semi = PyUnicode_FromString(";");
    PyObject *lines = PyList_New(0), *out = NULL, *row = NULL, *it = NULL;
    if (!space || !semi || !lines || !(it = PyObject_GetIter(rows)))
        goto done;
    while ((row = PyIter_Next(it))) {
        PyObject *vals = PyList_New(0), *vi = PyObject_GetIter(row), *v, *line = NULL;
        Py_CLEAR(row);
        if (!vals || !vi) {
            Py_XDECREF(vals);
            Py_XDECREF(vi);
            goto done;
        }
        while ((v = PyIter_Next(vi))) {
            PyObject *t = PyLong_Check(v) || PyFloat_Check(v) ? PyObject_Str(v) : NULL;
            Py_DECREF(v);
            if (!t || PyList_Append(vals, t) < 0) {
                Py_XDECREF(t);
                break;
            }
            Py_DECREF(t);
        }
        Py_DECREF(vi);
        if (!PyErr_Occurred())
            line = PyUnicode_Join(space, vals);
        Py_DECREF(vals);
        if (!line || PyList_Append(lines, line) < 0) {
            Py_XDECREF(line);
            goto done;
        }
        Py_DECREF(line);
    }
    if (!PyErr_Occurred())
        out = PyUnicode_Join(semi, lines);
done:
    if (!out && !PyErr_Occurred())
        PyErr_SetString(PyExc_TypeError, "not a matrix");
    Py_XDECREF(it);
    Py_XDECREF(lines);
    Py_XDECREF(space);
    Py_XDECREF(semi);
    return out;
}

static int set_param(const tproc_filter *filter, tproc_params *params, PyObject *key,
                     PyObject *value)
{
    const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8AndSize(key, NULL) : NULL;
    if (!k) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "filter parameter names must be strings");
        return -1;
    }
    int status;
    int type = 0;
    for (int i = 0; i < filter->param_count; i++)
        if (strcmp(filter->params[i].name, k) == 0)
            type = filter->params[i].type;
    if (type == TPROC_PARAM_TEXT && !PyUnicode_Check(value)) { /* a pathlib.Path */
        PyObject *path = PyOS_FSPath(value);
        if (!path)
            return -1;
        const char *text = PyUnicode_Check(path) ? PyUnicode_AsUTF8AndSize(path, NULL) : NULL;
        status = text ? tproc_params_set_text(NULL, filter, params, k, text) : TPROC_ERR_ARG;
        Py_DECREF(path);
        if (!text) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "%s: parameter %s must be a str path", filter->name,
                             k);
            return -1;
        }
    } else if (type == TPROC_PARAM_COLOUR && !PyUnicode_Check(value) && !PyLong_Check(value) &&
               !PyFloat_Check(value)) { /* (r, g, b[, a]) */
        PyObject *rows = Py_BuildValue("(O)", value), *text = rows ? matrix_text(rows) : NULL;
        Py_XDECREF(rows);
        const char *t = text ? PyUnicode_AsUTF8AndSize(text, NULL) : NULL;
        if (!t) {
            Py_XDECREF(text);
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "%s: parameter %s must be 1-4 numbers or a string, got %R", filter->name,
                         k, value);
            return -1;
        }
        status = tproc_params_set_text(NULL, filter, params, k, t);
        Py_DECREF(text);
    } else if (PyUnicode_Check(value)) {
        const char *text = PyUnicode_AsUTF8AndSize(value, NULL);
        if (!text)
            return -1;
        status = tproc_params_set_text(NULL, filter, params, k, text);
    } else if (PyLong_Check(value) || PyFloat_Check(value)) {
        double d = PyFloat_AsDouble(value);
        if (d == -1.0 && PyErr_Occurred())
            return -1;
        status = tproc_params_set(NULL, filter, params, k, d);
    } else {
        PyObject *text = matrix_text(value);
        if (!text) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "%s: parameter %s must be a number, a string or a matrix (rows of "
                         "numbers), got %R",
                         filter->name, k, value);
            return -1;
        }
        const char *t = PyUnicode_AsUTF8AndSize(text, NULL);
        status = t ? tproc_params_set_text(NULL, filter, params, k, t) : TPROC_ERR_NOMEM;
        Py_DECREF(text);
        if (!t)
            return -1;
    }
    if (status != TPROC_OK) {
        tp_raise(NULL, status);
        return -1;
    }
    return 0;
}

int tp_spec_parse(PyObject *spec, const tproc_filter **filter, tproc_params *params)
{
    PyObject *name = spec, *kw = NULL;
    if (PyTuple_Check(spec) && (PyTuple_Size(spec) == 1 || PyTuple_Size(spec) == 2)) {
        name = PyTuple_GetItem(spec, 0);
        kw = PyTuple_Size(spec) == 2 ? PyTuple_GetItem(spec, 1) : NULL;
        if (kw && !PyDict_Check(kw)) {
            PyErr_SetString(PyExc_TypeError, "a filter is 'name:key=value,...' or (name, dict)");
            return -1;
        }
    }
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError,
                     "a filter is a string such as 'gaussian:sigma=2' or a tuple "
                     "('gaussian', {'sigma': 2}), got %R",
                     spec);
        return -1;
    }
    const char *text = PyUnicode_AsUTF8AndSize(name, NULL);
    if (!text)
        return -1;
    if (kw && strchr(text, ':')) {
        PyErr_Format(PyExc_ValueError,
                     "filter %R: give parameters either after ':' or in the dict, not both", name);
        return -1;
    }
    int status;
    if (kw && (*filter = tproc_filter_find(text)) != NULL) {
        /* Required keys come from the dict: start from the defaults, check at the end. */
        tproc_params_init(*filter, params);
    } else if ((status = tproc_params_parse(NULL, text, filter, params)) != TPROC_OK) {
        tp_raise(NULL, status);
        return -1;
    }
    if (kw) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kw, &pos, &key, &value))
            if (set_param(*filter, params, key, value) < 0)
                return -1;
        if ((status = tproc_params_check(NULL, *filter, params)) != TPROC_OK) {
            tp_raise(NULL, status);
            return -1;
        }
    }
    return 0;
}

/* --- run keywords --------------------------------------------------------------------------- */

int tp_run_options(PyObject *tile, int threads, PyObject *border, PyObject *border_value,
                   tproc_run_options *options)
{
    tproc_run_options_init(options);
    if (tile && tile != Py_None) {
        Py_ssize_t w, h;
        if (PyLong_Check(tile)) {
            w = h = PyLong_AsSsize_t(tile);
        } else if (!PyArg_ParseTuple(tile, "nn;tile must be an int or (width, height)", &w, &h)) {
            return -1;
        }
        if ((w == -1 || h == -1) && PyErr_Occurred())
            return -1;
        if (w < 1 || h < 1) {
            PyErr_Format(PyExc_ValueError, "tile must be at least 1 x 1, got %zd x %zd", w, h);
            return -1;
        }
        options->tile_width = w;
        options->tile_height = h;
    }
    if (threads < 0 || threads > 256) {
        PyErr_Format(PyExc_ValueError, "threads must be 0 (all cores) to 256, got %d", threads);
        return -1;
    }
    options->threads = threads;
    if (border && border != Py_None) {
        const char *name = PyUnicode_Check(border) ? PyUnicode_AsUTF8AndSize(border, NULL) : NULL;
        if (!name || tproc_border_parse(name, &options->border) != TPROC_OK) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError,
                         "border must be 'constant', 'replicate', 'reflect', 'reflect101' or "
                         "'wrap', got %R",
                         border);
            return -1;
        }
    }
    if (border_value && border_value != Py_None) {
        if (PyLong_Check(border_value) || PyFloat_Check(border_value)) {
            double v = PyFloat_AsDouble(border_value);
            if (v == -1.0 && PyErr_Occurred())
                return -1;
            for (int c = 0; c < 4; c++)
                options->border_value[c] = v;
        } else {
            PyObject *seq = PySequence_Tuple(border_value);
            if (!seq)
                return -1;
            Py_ssize_t n = PySequence_Size(seq);
            if (n < 1 || n > 4) {
                Py_DECREF(seq);
                PyErr_SetString(PyExc_ValueError, "border_value must have 1 to 4 numbers");
                return -1;
            }
            for (Py_ssize_t c = 0; c < n; c++) {
                PyObject *item = PySequence_GetItem(seq, c);
                double v = item ? PyFloat_AsDouble(item) : -1.0;
                Py_XDECREF(item);
                if (v == -1.0 && PyErr_Occurred()) {
                    Py_DECREF(seq);
                    return -1;
                }
                options->border_value[c] = v;
            }
            Py_DECREF(seq);
        }
    }
    return 0;
}

/* --- the Pipeline type ---------------------------------------------------------------------- */

static int pipeline_append(tp_Pipeline *self, PyObject *spec)
{
    if (self->running) {
        PyErr_SetString(PyExc_RuntimeError, "Pipeline.add: the pipeline is running in another "
                                            "thread");
        return -1;
    }
    const tproc_filter *filter;
    tproc_params params;
    if (tp_spec_parse(spec, &filter, &params) < 0)
        return -1;
    if (self->count == self->capacity) {
        size_t cap = self->capacity ? 2 * self->capacity : 4;
        const tproc_filter **f = PyMem_Realloc(self->filters, cap * sizeof *f);
        if (!f)
            return PyErr_NoMemory(), -1;
        self->filters = f;
        tproc_params *p = PyMem_Realloc(self->params, cap * sizeof *p);
        if (!p)
            return PyErr_NoMemory(), -1;
        self->params = p;
        self->capacity = cap;
    }
    int status = tproc_pipeline_add_filter(self->pipeline, filter, &params);
    if (status != TPROC_OK) {
        tp_raise(NULL, status);
        return -1;
    }
    self->filters[self->count] = filter;
    self->params[self->count] = params;
    self->count++;
    return 0;
}

static PyObject *pipeline_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    if (kwargs && PyDict_Size(kwargs)) {
        PyErr_SetString(PyExc_TypeError, "Pipeline(*filters) takes no keyword arguments");
        return NULL;
    }
    tp_Pipeline *self = (tp_Pipeline *)tp_type_alloc(type);
    if (!self)
        return NULL;
    int status = tproc_pipeline_new(NULL, &self->pipeline);
    if (status != TPROC_OK) {
        Py_DECREF(self);
        return tp_raise(NULL, status);
    }
    for (Py_ssize_t i = 0; i < PyTuple_Size(args); i++)
        if (pipeline_append(self, PyTuple_GetItem(args, i)) < 0) {
            Py_DECREF(self);
            return NULL;
        }
    return (PyObject *)self;
}

PyObject *tp_pipeline_from_specs(PyObject *specs, Py_ssize_t first)
{
    PyObject *rest = PyTuple_GetSlice(specs, first, PyTuple_Size(specs));
    if (!rest)
        return NULL;
    PyObject *p = pipeline_new(tp_PipelineType, rest, NULL);
    Py_DECREF(rest);
    return p;
}

static void pipeline_dealloc(PyObject *obj)
{
    tp_Pipeline *self = (tp_Pipeline *)obj;
    tproc_pipeline_free(&self->pipeline);
    PyMem_Free(self->filters);
    PyMem_Free(self->params);
    tp_type_free(obj);
}

static PyObject *pipeline_add(PyObject *obj, PyObject *spec)
{
    if (pipeline_append((tp_Pipeline *)obj, spec) < 0)
        return NULL;
    return Py_NewRef(obj);
}

static Py_ssize_t pipeline_len(PyObject *obj)
{
    return (Py_ssize_t)((tp_Pipeline *)obj)->count;
}

static PyObject *spec_text(const tproc_filter *filter, const tproc_params *params)
{
    char small[256];
    int n = tproc_params_format(filter, params, small, sizeof small);
    if (n < 0)
        return PyErr_Format(PyExc_RuntimeError, "%s: cannot format parameters", filter->name);
    if ((size_t)n < sizeof small)
        return PyUnicode_FromString(small);
    char *big = PyMem_Malloc((size_t)n + 1);
    if (!big)
        return PyErr_NoMemory();
    tproc_params_format(filter, params, big, (size_t)n + 1);
    PyObject *s = PyUnicode_FromString(big);
    PyMem_Free(big);
    return s;
}

static PyObject *pipeline_specs(PyObject *obj, void *c)
{
    (void)c;
    tp_Pipeline *self = (tp_Pipeline *)obj;
    PyObject *list = PyList_New((Py_ssize_t)self->count);
    for (size_t k = 0; list && k < self->count; k++) {
        PyObject *s = spec_text(self->filters[k], &self->params[k]);
        if (!s) {
            Py_CLEAR(list);
            break;
        }
        PyList_SetItem(list, (Py_ssize_t)k, s);
    }
    return list;
}

static PyObject *pipeline_reduce(PyObject *obj, PyObject *unused)
{
    (void)unused;
    PyObject *specs = pipeline_specs(obj, NULL);
    if (!specs)
        return NULL;
    PyObject *args = PyList_AsTuple(specs);
    Py_DECREF(specs);
    if (!args)
        return NULL;
    return Py_BuildValue("(ON)", (PyObject *)tp_PipelineType, args);
}

static PyObject *pipeline_repr(PyObject *obj)
{
    PyObject *specs = pipeline_specs(obj, NULL);
    if (!specs)
        return NULL;
    PyObject *r = PyUnicode_FromFormat("tileproc.Pipeline(%S)", specs);
    Py_DECREF(specs);
    return r;
}

/* (shape, dtype) -> a format. shape is (height, width) or (height, width, channels). */
static int parse_format(PyObject *shape, PyObject *dtype, tproc_format *fmt, int *ndim)
{
    Py_ssize_t h, w, c = 1;
    if (!PyTuple_Check(shape) ||
        !PyArg_ParseTuple(shape, "nn|n;shape must be (height, width) or (height, width, channels)",
                          &h, &w, &c)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError,
                            "shape must be a tuple (height, width) or (height, width, channels)");
        return -1;
    }
    if (h < 1 || w < 1 || c < 1 || c > 4) {
        PyErr_Format(PyExc_ValueError, "shape (%zd, %zd, %zd): sizes must be >= 1, channels 1-4", h,
                     w, c);
        return -1;
    }
    fmt->width = w;
    fmt->height = h;
    fmt->channels = (int)c;
    fmt->sample = TPROC_U8;
    *ndim = (int)PyTuple_Size(shape);
    if (dtype && dtype != Py_None && tp_sample_from_object(dtype, &fmt->sample) < 0)
        return -1;
    return 0;
}

static PyObject *format_shape(const tproc_format *f, int ndim)
{
    if (ndim == 2 && f->channels == 1)
        return Py_BuildValue("(nn)", (Py_ssize_t)f->height, (Py_ssize_t)f->width);
    return Py_BuildValue("(nni)", (Py_ssize_t)f->height, (Py_ssize_t)f->width, f->channels);
}

static char *shape_kwlist[] = {"shape", "dtype", NULL};

/* The stages of the chain for an input of the given shape and dtype: what each filter's
 * prepare() says (halo, geometry, output format). */
static PyObject *pipeline_stages(PyObject *obj, PyObject *args, PyObject *kwargs)
{
    tp_Pipeline *self = (tp_Pipeline *)obj;
    PyObject *shape, *dtype = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:stages", shape_kwlist, &shape, &dtype))
        return NULL;
    tproc_format fmt;
    int ndim;
    if (parse_format(shape, dtype, &fmt, &ndim) < 0)
        return NULL;
    PyObject *list = PyList_New(0);
    for (size_t k = 0; list && k < self->count; k++) {
        const tproc_filter *f = self->filters[k];
        tproc_stage st;
        int status = tproc_stage_prepare(NULL, f, &self->params[k], &fmt, &st);
        if (status != TPROC_OK) {
            Py_DECREF(list);
            return tp_raise(NULL, status);
        }
        tproc_stage_release(NULL, &st);
        /* A point stage: each output pixel from the input pixel at the same place. */
        int point = !st.geometry && !st.halo.left && !st.halo.top && !st.halo.right &&
                    !st.halo.bottom && st.out.width == fmt.width && st.out.height == fmt.height;
        PyObject *spec = spec_text(f, &self->params[k]);
        PyObject *d =
            spec ? Py_BuildValue(
                       "{s:s,s:N,s:(nnnn),s:O,s:O,s:O,s:N,s:N,s:s}", "filter", f->name, "spec",
                       spec, "halo", (Py_ssize_t)st.halo.left, (Py_ssize_t)st.halo.top,
                       (Py_ssize_t)st.halo.right, (Py_ssize_t)st.halo.bottom, "geometry",
                       st.geometry ? Py_True : Py_False, "whole_image",
                       st.whole_image ? Py_True : Py_False, "point", point ? Py_True : Py_False,
                       "shape_in", format_shape(&fmt, ndim), "shape_out",
                       format_shape(&st.out, ndim), "dtype_out", tp_sample_dtype(st.out.sample))
                 : NULL;
        if (!d || PyList_Append(list, d) < 0) {
            Py_XDECREF(d);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(d);
        fmt = st.out;
    }
    return list;
}

/* The whole chain's halo: the input pixels each side that one output pixel may read. */
static PyObject *pipeline_halo(PyObject *obj, PyObject *args, PyObject *kwargs)
{
    PyObject *stages = pipeline_stages(obj, args, kwargs);
    if (!stages)
        return NULL;
    Py_ssize_t total[4] = {0, 0, 0, 0};
    for (Py_ssize_t k = 0; k < PyList_Size(stages); k++) {
        PyObject *d = PyList_GetItem(stages, k);
        if (PyObject_IsTrue(PyDict_GetItemString(d, "geometry")) ||
            PyObject_IsTrue(PyDict_GetItemString(d, "whole_image"))) {
            PyErr_Format(PyExc_ValueError,
                         "%S changes the image's geometry: an output pixel does not read a "
                         "fixed neighbourhood, so the chain has no halo",
                         PyDict_GetItemString(d, "spec"));
            Py_DECREF(stages);
            return NULL;
        }
        PyObject *h = PyDict_GetItemString(d, "halo");
        for (Py_ssize_t i = 0; i < 4; i++)
            total[i] += PyLong_AsSsize_t(PyTuple_GetItem(h, i));
    }
    Py_DECREF(stages);
    return Py_BuildValue("(nnnn)", total[0], total[1], total[2], total[3]);
}

static PyObject *pipeline_output(PyObject *obj, PyObject *args, PyObject *kwargs)
{
    tp_Pipeline *self = (tp_Pipeline *)obj;
    PyObject *shape, *dtype = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:output", shape_kwlist, &shape, &dtype))
        return NULL;
    tproc_format in, out;
    int ndim;
    if (parse_format(shape, dtype, &in, &ndim) < 0)
        return NULL;
    int status = tproc_pipeline_output_format(self->pipeline, &in, &out);
    if (status != TPROC_OK)
        return tp_raise(NULL, status);
    return Py_BuildValue("(Ns)", format_shape(&out, ndim), tp_sample_dtype(out.sample));
}

/* The lowest and highest byte a view touches, for the overlap check. */
static void view_extent(const tproc_view *v, const unsigned char **lo, const unsigned char **hi)
{
    ptrdiff_t a = 0, b = 0;
    ptrdiff_t dx = (v->width - 1) * v->pixel_stride, dy = (v->height - 1) * v->row_stride;
    a += dx < 0 ? dx : 0;
    b += dx > 0 ? dx : 0;
    a += dy < 0 ? dy : 0;
    b += dy > 0 ? dy : 0;
    *lo = v->data + a;
    *hi = v->data + b + (ptrdiff_t)tproc_view_pixel_size(v);
}

static int views_overlap(const tproc_view *x, const tproc_view *y)
{
    const unsigned char *xl, *xh, *yl, *yh;
    view_extent(x, &xl, &xh);
    view_extent(y, &yl, &yh);
    return xl < yh && yl < xh;
}

PyObject *tp_pipeline_run(PyObject *obj, PyObject *input, PyObject *out,
                          const tproc_run_options *options)
{
    tp_Pipeline *self = (tp_Pipeline *)obj;
    tp_buffer in, dst;
    memset(&dst, 0, sizeof dst);
    if (tp_buffer_get(input, 0, "input", &in) < 0)
        return NULL;
    PyObject *result = NULL;
    tproc_format fin = {in.view.width, in.view.height, in.view.channels, in.view.sample}, fout;
    int status = tproc_pipeline_output_format(self->pipeline, &fin, &fout);
    if (status != TPROC_OK) {
        tp_raise(NULL, status);
        goto done;
    }
    int ndim = in.ndim == 2 && fout.channels == 1 ? 2 : 3;
    if (out && out != Py_None) {
        if (tp_buffer_get(out, 1, "out", &dst) < 0)
            goto done;
        const tproc_view *d = &dst.view;
        if (d->width != fout.width || d->height != fout.height || d->channels != fout.channels ||
            d->sample != fout.sample) {
            PyObject *want = format_shape(&fout, ndim),
                     *got = format_shape(
                         &(tproc_format){d->width, d->height, d->channels, d->sample}, dst.ndim);
            PyErr_Format(PyExc_ValueError, "out: expected shape %S of %s, got shape %S of %s", want,
                         tp_sample_dtype(fout.sample), got, tp_sample_dtype(d->sample));
            Py_XDECREF(want);
            Py_XDECREF(got);
            goto done;
        }
        if (views_overlap(&in.view, d)) {
            PyErr_SetString(PyExc_ValueError, "out must not share memory with the input");
            goto done;
        }
        self->running++;
        Py_BEGIN_ALLOW_THREADS status =
            tproc_pipeline_run_into(self->pipeline, &in.view, d, options);
        Py_END_ALLOW_THREADS self->running--;
        if (status != TPROC_OK)
            tp_raise(NULL, status);
        else
            result = Py_NewRef(out);
    } else {
        tproc_image *image = NULL;
        self->running++;
        Py_BEGIN_ALLOW_THREADS status =
            tproc_pipeline_run(self->pipeline, &in.view, options, &image);
        Py_END_ALLOW_THREADS self->running--;
        if (status != TPROC_OK)
            tp_raise(NULL, status);
        else
            result = tp_image_from_image(&image, ndim);
    }
done:
    tp_buffer_release(&dst);
    tp_buffer_release(&in);
    return result;
}

static PyObject *pipeline_run(PyObject *obj, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"array", "out", "tile", "threads", "border", "border_value", NULL};
    PyObject *array, *out = NULL, *tile = NULL, *border = NULL, *border_value = NULL;
    int threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O$OiOO:run", kwlist, &array, &out, &tile,
                                     &threads, &border, &border_value))
        return NULL;
    tproc_run_options options;
    if (tp_run_options(tile, threads, border, border_value, &options) < 0)
        return NULL;
    return tp_pipeline_run(obj, array, out, &options);
}

static PyGetSetDef pipeline_getset[] = {
    {"specs", pipeline_specs, NULL,
     "the stages as 'name:key=value,...' strings, every parameter spelled out", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef pipeline_methods[] = {
    {"add", pipeline_add, METH_O, "add(filter) -> self: appends a filter."},
    {"run", TP_KWFUNC(pipeline_run), METH_VARARGS | METH_KEYWORDS,
     "run(array, out=None, *, tile=None, threads=0, border='reflect101', border_value=None)\n"
     "Runs the chain on array; writes into out (returned) or returns a new Image."},
    {"stages", TP_KWFUNC(pipeline_stages), METH_VARARGS | METH_KEYWORDS,
     "stages(shape, dtype='uint8') -> list of dicts: each stage's filter, spec, halo\n"
     "(left, top, right, bottom), geometry, whole_image, point (no geometry, no halo, same\n"
     "size: each output pixel from the input pixel at its place), shape_in, shape_out, dtype_out."},
    {"halo", TP_KWFUNC(pipeline_halo), METH_VARARGS | METH_KEYWORDS,
     "halo(shape, dtype='uint8') -> (left, top, right, bottom): the input pixels each side one\n"
     "output pixel may read, the stages' halos summed. ValueError for geometry filters."},
    {"output", TP_KWFUNC(pipeline_output), METH_VARARGS | METH_KEYWORDS,
     "output(shape, dtype='uint8') -> (shape, dtype) of the result for such an input."},
    {"__reduce__", pipeline_reduce, METH_NOARGS, "pickles as its specs"},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(pipeline_doc,
             "Pipeline(*filters)\n"
             "\n"
             "A chain of filters, each 'name:key=value,...' or (name, {key: value}). run()\n"
             "processes a buffer tile by tile on threads, with the GIL released; the result is\n"
             "byte-identical whatever the tile size or thread count. A Pipeline may be run from\n"
             "several threads at once; it pickles as its specs.");

int tp_pipeline_init_type(PyObject *module)
{
    PyType_Slot pipeline_slots[] = {
        {Py_tp_doc, (void *)pipeline_doc},        {Py_tp_new, TP_FN(pipeline_new)},
        {Py_tp_dealloc, TP_FN(pipeline_dealloc)}, {Py_tp_repr, TP_FN(pipeline_repr)},
        {Py_tp_methods, pipeline_methods},        {Py_tp_getset, pipeline_getset},
        {Py_sq_length, TP_FN(pipeline_len)},      {0, NULL},
    };

    PyType_Spec pipeline_spec = {
        .name = "tileproc.Pipeline",
        .basicsize = sizeof(tp_Pipeline),
        .flags = Py_TPFLAGS_DEFAULT,
        .slots = pipeline_slots,
    };
    tp_PipelineType = (PyTypeObject *)PyType_FromSpec(&pipeline_spec);
    if (!tp_PipelineType)
        return -1;
    return PyModule_AddObjectRef(module, "Pipeline", (PyObject *)tp_PipelineType);
}
