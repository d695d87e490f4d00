/* SPDX-License-Identifier: MIT */
/*
 * image.c: the bridge between Python's buffer protocol and tproc_view, both ways. Any exporter
 * with strides (NumPy arrays, memoryviews, bytes) becomes a view of the same memory; the Image
 * type exports a view as a buffer, so memoryview() and numpy.asarray() share its pixels.
 */
#include <stdint.h>
#include <string.h>

#include "tileproc_py.h"

PyTypeObject *tp_ImageType;

/* --- sample types --------------------------------------------------------------------------- */

const char *tp_sample_dtype(tproc_sample sample)
{
    switch (sample) {
    case TPROC_U8:
        return "uint8";
    case TPROC_U16:
        return "uint16";
    case TPROC_F32:
        return "float32";
    }
    return "?";
}

static const char *sample_format(tproc_sample sample)
{
    return sample == TPROC_U8 ? "B" : sample == TPROC_U16 ? "H" : "f";
}

int tp_sample_from_object(PyObject *obj, tproc_sample *out)
{
    /* numpy.dtype and numpy scalar types print as their names; str() covers both. */
    PyObject *text = PyUnicode_Check(obj) ? Py_NewRef(obj) : PyObject_Str(obj);
    if (!text)
        return -1;
    const char *s = PyUnicode_AsUTF8AndSize(text, NULL);
    int found = 0;
    if (s) {
        static const struct {
            const char *name;
            tproc_sample sample;
        } names[] = {
            {"u8", TPROC_U8},
            {"uint8", TPROC_U8},
            {"B", TPROC_U8},
            {"u16", TPROC_U16},
            {"uint16", TPROC_U16},
            {"H", TPROC_U16},
            {"f32", TPROC_F32},
            {"float32", TPROC_F32},
            {"f", TPROC_F32},
            {"<class 'numpy.uint8'>", TPROC_U8},
            {"<class 'numpy.uint16'>", TPROC_U16},
            {"<class 'numpy.float32'>", TPROC_F32},
        };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strcmp(s, names[i].name) == 0) {
                *out = names[i].sample;
                found = 1;
                break;
            }
        if (!found)
            PyErr_Format(PyExc_ValueError,
                         "unsupported sample type %R: expected uint8, uint16 or float32", text);
    }
    Py_DECREF(text);
    return found ? 0 : -1;
}

/* The sample type a struct-module format names ("B", "<H", "=f", ...); 0 if unsupported. */
static tproc_sample sample_from_format(const char *format, Py_ssize_t itemsize)
{
    const char *f = format ? format : "B";
    char order = 0;
    if (*f == '@' || *f == '=' || *f == '<' || *f == '>' || *f == '!')
        order = *f++;
    if (f[0] == '\0' || f[1] != '\0')
        return 0;
    tproc_sample s = f[0] == 'B' ? TPROC_U8 : f[0] == 'H' ? TPROC_U16 : f[0] == 'f' ? TPROC_F32 : 0;
    if (!s || (Py_ssize_t)tproc_sample_size(s) != itemsize)
        return 0;
    /* Byte order matters for multi-byte samples: only the machine's own. */
    const uint16_t probe = 1;
    int little = *(const unsigned char *)&probe == 1;
    if (s != TPROC_U8 && (order == '>' || order == '!') && little)
        return 0;
    if (s != TPROC_U8 && order == '<' && !little)
        return 0;
    return s;
}

static PyObject *type_name(PyObject *obj)
{
    return PyType_GetName(Py_TYPE(obj));
}

/* --- buffer -> view ------------------------------------------------------------------------- */

static int check_alignment(const tproc_view *v, const char *what)
{
    ptrdiff_t size = (ptrdiff_t)tproc_sample_size(v->sample);
    if ((uintptr_t)v->data % (uintptr_t)size || v->pixel_stride % size || v->row_stride % size) {
        PyErr_Format(PyExc_ValueError,
                     "%s: %s samples must be aligned to %zd bytes (data and strides)", what,
                     tp_sample_dtype(v->sample), (Py_ssize_t)size);
        return -1;
    }
    return 0;
}

static int validate(tproc_view *v, const char *what)
{
    if (check_alignment(v, what) < 0)
        return -1;
    if (tproc_view_validate(v) != TPROC_OK) {
        PyErr_Format(PyExc_ValueError,
                     "%s: strides (%zd, %zd) make pixels overlap (a broadcast or "
                     "zero-stride array?)",
                     what, (Py_ssize_t)v->row_stride, (Py_ssize_t)v->pixel_stride);
        return -1;
    }
    return 0;
}

static int get_buffer(PyObject *obj, int flags, int writable, const char *what, Py_buffer *buf)
{
    if (PyObject_GetBuffer(obj, buf, flags | (writable ? PyBUF_WRITABLE : 0)) == 0)
        return 0;
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Clear();
        PyObject *name = type_name(obj);
        PyErr_Format(PyExc_TypeError,
                     "%s: expected an object with the buffer protocol (a NumPy array, "
                     "bytes, bytearray, memoryview or tileproc.Image), got %S",
                     what, name ? name : Py_None);
        Py_XDECREF(name);
    } else if (writable) {
        /* Exporters say "read-only" in their own ways (NumPy raises ValueError): if a
         * read-only request succeeds, that was the reason. */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        if (PyObject_GetBuffer(obj, buf, flags) == 0) {
            PyBuffer_Release(buf);
            Py_XDECREF(type);
            Py_XDECREF(value);
            Py_XDECREF(tb);
            PyErr_Format(PyExc_TypeError, "%s must be a writable buffer; this one is read-only",
                         what);
        } else {
            PyErr_Clear();
            PyErr_Restore(type, value, tb);
        }
    }
    return -1;
}

int tp_buffer_get(PyObject *obj, int writable, const char *what, tp_buffer *out)
{
    memset(out, 0, sizeof *out);
    Py_buffer *b = &out->buf;
    if (get_buffer(obj, PyBUF_STRIDES | PyBUF_FORMAT, writable, what, b) < 0)
        return -1;
    out->has_buf = 1;
    tproc_sample sample = sample_from_format(b->format, b->itemsize);
    if (!sample) {
        PyErr_Format(PyExc_TypeError,
                     "%s: expected uint8, uint16 or float32 samples (buffer format 'B', 'H' or "
                     "'f' in native byte order), got format '%s'",
                     what, b->format ? b->format : "B");
        goto fail;
    }
    if (b->ndim != 2 && b->ndim != 3) {
        PyErr_Format(PyExc_ValueError,
                     "%s: expected an array of shape (height, width) or (height, width, "
                     "channels), got %d dimension%s (wrap a flat buffer with "
                     "tileproc.Image(obj, width=..., height=..., channels=...))",
                     what, b->ndim, b->ndim == 1 ? "" : "s");
        goto fail;
    }
    int channels = b->ndim == 3 ? (int)(b->shape[2] > 0 && b->shape[2] <= 4 ? b->shape[2] : 0) : 1;
    if (!channels) {
        PyErr_Format(PyExc_ValueError, "%s: expected 1 to 4 channels (the last axis), got %zd",
                     what, b->shape[2]);
        goto fail;
    }
    if (b->ndim == 3 && b->shape[2] > 1 && b->strides[2] != b->itemsize) {
        PyErr_Format(PyExc_ValueError,
                     "%s: the channels of a pixel must be adjacent (channel stride %zd bytes, "
                     "expected %zd); copy it with numpy.ascontiguousarray()",
                     what, b->strides[2], b->itemsize);
        goto fail;
    }
    if (b->shape[0] < 1 || b->shape[1] < 1) {
        PyErr_Format(PyExc_ValueError, "%s: the image is empty (shape %zd x %zd)", what,
                     b->shape[0], b->shape[1]);
        goto fail;
    }
    tproc_view *v = &out->view;
    v->data = b->buf;
    v->height = b->shape[0];
    v->width = b->shape[1];
    v->channels = channels;
    v->sample = sample;
    v->row_stride = b->strides[0];
    v->pixel_stride = b->strides[1];
    v->flags = b->readonly ? TPROC_VIEW_READONLY : 0;
    /* A single pixel row or column has a stride that never matters: make it plausible. */
    ptrdiff_t px = (ptrdiff_t)channels * (ptrdiff_t)b->itemsize;
    if (v->width == 1 && v->pixel_stride == 0)
        v->pixel_stride = px;
    if (v->height == 1 && v->row_stride == 0)
        v->row_stride = px * v->width;
    if (validate(v, what) < 0)
        goto fail;
    out->ndim = b->ndim;
    return 0;
fail:
    tp_buffer_release(out);
    return -1;
}

int tp_buffer_get_raw(PyObject *obj, int writable, ptrdiff_t width, ptrdiff_t height, int channels,
                      tproc_sample sample, ptrdiff_t row_stride, tp_buffer *out)
{
    memset(out, 0, sizeof *out);
    const char *what = "Image";
    if (width < 1 || height < 1 || channels < 1 || channels > 4) {
        PyErr_Format(PyExc_ValueError,
                     "Image: width and height must be >= 1 and channels 1-4, got %zd x %zd x %d",
                     (Py_ssize_t)width, (Py_ssize_t)height, channels);
        return -1;
    }
    if (get_buffer(obj, PyBUF_SIMPLE, writable, what, &out->buf) < 0)
        return -1;
    out->has_buf = 1;
    tproc_view *v = &out->view;
    ptrdiff_t px = channels * (ptrdiff_t)tproc_sample_size(sample);
    if (width > PTRDIFF_MAX / px) {
        PyErr_SetString(PyExc_OverflowError, "Image: width too large");
        goto fail;
    }
    if (row_stride == 0)
        row_stride = width * px;
    if (row_stride < width * px) {
        PyErr_Format(PyExc_ValueError, "Image: row_stride %zd is less than a row (%zd bytes)",
                     (Py_ssize_t)row_stride, (Py_ssize_t)(width * px));
        goto fail;
    }
    if ((height - 1) > (PTRDIFF_MAX - width * px) / row_stride ||
        (height - 1) * row_stride + width * px > out->buf.len) {
        PyErr_Format(PyExc_ValueError,
                     "Image: %zd x %zd pixels of %d x %s need %zd bytes or more (row_stride "
                     "%zd); the buffer has %zd",
                     (Py_ssize_t)width, (Py_ssize_t)height, channels, tp_sample_dtype(sample),
                     (Py_ssize_t)(width * px * height), (Py_ssize_t)row_stride, out->buf.len);
        goto fail;
    }
    v->data = out->buf.buf;
    v->width = width;
    v->height = height;
    v->channels = channels;
    v->sample = sample;
    v->pixel_stride = px;
    v->row_stride = row_stride;
    v->flags = out->buf.readonly ? TPROC_VIEW_READONLY : 0;
    if (validate(v, what) < 0)
        goto fail;
    out->ndim = channels == 1 ? 2 : 3;
    return 0;
fail:
    tp_buffer_release(out);
    return -1;
}

void tp_buffer_release(tp_buffer *b)
{
    if (b->has_buf)
        PyBuffer_Release(&b->buf);
    b->has_buf = 0;
}

/* --- the Image type ------------------------------------------------------------------------ */

static void set_export_meta(tp_Image *self)
{
    const tproc_view *v = &self->view;
    self->shape[0] = v->height;
    self->shape[1] = v->width;
    self->shape[2] = v->channels;
    self->strides[0] = v->row_stride;
    self->strides[1] = v->pixel_stride;
    self->strides[2] = (Py_ssize_t)tproc_sample_size(v->sample);
    if (v->channels != 1)
        self->ndim = 3;
}

static tp_Image *image_alloc(void)
{
    tp_Image *self = PyObject_New(tp_Image, tp_ImageType);
    if (!self)
        return NULL;
    memset(&self->view, 0, sizeof *self - offsetof(tp_Image, view));
    return self;
}

PyObject *tp_image_from_image(tproc_image **image, int ndim)
{
    tp_Image *self = image_alloc();
    if (!self) {
        tproc_image_free(image);
        return NULL;
    }
    self->image = *image;
    *image = NULL;
    self->view = tproc_image_view(self->image);
    self->ndim = ndim;
    set_export_meta(self);
    return (PyObject *)self;
}

PyObject *tp_image_from_view(const tproc_view *view, int ndim, PyObject *base)
{
    tp_Image *self = image_alloc();
    if (!self)
        return NULL;
    self->view = *view;
    self->ndim = ndim;
    self->base = Py_XNewRef(base);
    set_export_meta(self);
    return (PyObject *)self;
}

PyObject *tp_image_from_buffer(tp_buffer *b)
{
    tp_Image *self = image_alloc();
    if (!self)
        return NULL;
    self->held = b->buf;
    self->has_held = 1;
    b->has_buf = 0;
    self->view = b->view;
    self->ndim = b->ndim;
    set_export_meta(self);
    return (PyObject *)self;
}

static void image_dealloc(PyObject *obj)
{
    tp_Image *self = (tp_Image *)obj;
    if (self->has_held)
        PyBuffer_Release(&self->held);
    tproc_image_free(&self->image);
    Py_CLEAR(self->base);
    tp_type_free(obj);
}

static int is_c_contiguous(const tp_Image *self)
{
    return tproc_view_is_contiguous(&self->view);
}

static int image_getbuffer(PyObject *obj, Py_buffer *view, int flags)
{
    tp_Image *self = (tp_Image *)obj;
    const tproc_view *v = &self->view;
    if ((flags & PyBUF_WRITABLE) && (v->flags & TPROC_VIEW_READONLY)) {
        PyErr_SetString(PyExc_BufferError, "tileproc.Image: this image is read-only");
        return -1;
    }
    int contiguous = is_c_contiguous(self);
    /* Without strides, or when any contiguity is asked for, only a C-contiguous image will do. */
    if (((flags & PyBUF_STRIDES) != PyBUF_STRIDES || (flags & 0x00e0)) && !contiguous) {
        PyErr_SetString(PyExc_BufferError,
                        "tileproc.Image: the pixels are not contiguous (ask for strides)");
        return -1;
    }
    if ((flags & PyBUF_F_CONTIGUOUS) == PyBUF_F_CONTIGUOUS && v->width * v->channels > 1 &&
        v->height > 1) {
        PyErr_SetString(PyExc_BufferError, "tileproc.Image: the pixels are not Fortran-ordered");
        return -1;
    }
    Py_ssize_t itemsize = (Py_ssize_t)tproc_sample_size(v->sample);
    view->obj = Py_NewRef(obj);
    view->buf = v->data;
    view->itemsize = itemsize;
    view->len = v->width * v->height * v->channels * itemsize;
    view->readonly = (v->flags & TPROC_VIEW_READONLY) ? 1 : 0;
    view->format = (flags & PyBUF_FORMAT) ? (char *)sample_format(v->sample) : NULL;
    view->ndim = self->ndim;
    view->shape = (flags & PyBUF_ND) == PyBUF_ND ? self->shape : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? self->strides : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    return 0;
}

static PyObject *image_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    (void)type;
    static char *kwlist[] = {"obj", "width", "height", "channels", "sample", "row_stride", NULL};
    PyObject *obj, *sample_obj = NULL;
    Py_ssize_t width = -1, height = -1, row_stride = 0;
    int channels = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$nniOn:Image", kwlist, &obj, &width, &height,
                                     &channels, &sample_obj, &row_stride))
        return NULL;
    tp_buffer b;
    int raw = width >= 0 || height >= 0;
    tproc_sample sample = TPROC_U8;
    if (raw && sample_obj && tp_sample_from_object(sample_obj, &sample) < 0)
        return NULL;
    if (!raw && (sample_obj || row_stride)) {
        PyErr_SetString(PyExc_TypeError,
                        "Image: sample and row_stride apply to a flat buffer given with width "
                        "and height");
        return NULL;
    }
    /* Writable when the exporter allows it, read-only otherwise. */
    for (int writable = 1; writable >= 0; writable--) {
        int r =
            raw ? tp_buffer_get_raw(obj, writable, width, height, channels, sample, row_stride, &b)
                : tp_buffer_get(obj, writable, "Image", &b);
        if (r == 0)
            return tp_image_from_buffer(&b);
        if (!writable || !PyErr_ExceptionMatches(PyExc_TypeError))
            return NULL;
        PyErr_Clear();
    }
    return NULL;
}

static PyObject *get_width(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromSsize_t(((tp_Image *)self)->view.width);
}

static PyObject *get_height(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromSsize_t(((tp_Image *)self)->view.height);
}

static PyObject *get_channels(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLong(((tp_Image *)self)->view.channels);
}

static PyObject *get_dtype(PyObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(tp_sample_dtype(((tp_Image *)self)->view.sample));
}

static PyObject *get_shape(PyObject *obj, void *c)
{
    (void)c;
    tp_Image *self = (tp_Image *)obj;
    if (self->ndim == 2)
        return Py_BuildValue("(nn)", self->shape[0], self->shape[1]);
    return Py_BuildValue("(nnn)", self->shape[0], self->shape[1], self->shape[2]);
}

static PyObject *get_strides(PyObject *obj, void *c)
{
    (void)c;
    tp_Image *self = (tp_Image *)obj;
    if (self->ndim == 2)
        return Py_BuildValue("(nn)", self->strides[0], self->strides[1]);
    return Py_BuildValue("(nnn)", self->strides[0], self->strides[1], self->strides[2]);
}

static PyObject *get_readonly(PyObject *self, void *c)
{
    (void)c;
    return PyBool_FromLong((((tp_Image *)self)->view.flags & TPROC_VIEW_READONLY) != 0);
}

static PyObject *get_owner(PyObject *obj, void *c)
{
    (void)c;
    tp_Image *self = (tp_Image *)obj;
    if (self->has_held && self->held.obj)
        return Py_NewRef(self->held.obj);
    if (self->base)
        return Py_NewRef(self->base);
    Py_RETURN_NONE;
}

static PyObject *image_copy(PyObject *obj, PyObject *unused)
{
    (void)unused;
    tp_Image *self = (tp_Image *)obj;
    tproc_image *copy = NULL;
    int status;
    Py_BEGIN_ALLOW_THREADS status = tproc_image_from_view(NULL, &self->view, &copy);
    Py_END_ALLOW_THREADS if (status != TPROC_OK) return tp_raise(NULL, status);
    return tp_image_from_image(&copy, self->ndim);
}

static PyObject *image_repr(PyObject *obj)
{
    tp_Image *self = (tp_Image *)obj;
    const tproc_view *v = &self->view;
    return PyUnicode_FromFormat("<tileproc.Image %zd x %zd, %d channel%s, %s%s>",
                                (Py_ssize_t)v->width, (Py_ssize_t)v->height, v->channels,
                                v->channels == 1 ? "" : "s", tp_sample_dtype(v->sample),
                                (v->flags & TPROC_VIEW_READONLY) ? ", read-only" : "");
}

static PyGetSetDef image_getset[] = {
    {"width", get_width, NULL, "width in pixels", NULL},
    {"height", get_height, NULL, "height in pixels", NULL},
    {"channels", get_channels, NULL, "channels per pixel (1-4)", NULL},
    {"dtype", get_dtype, NULL, "sample type as a NumPy dtype name", NULL},
    {"shape", get_shape, NULL, "(height, width) or (height, width, channels)", NULL},
    {"strides", get_strides, NULL, "strides in bytes, as the buffer exports them", NULL},
    {"readonly", get_readonly, NULL, "whether the pixels may be written", NULL},
    {"owner", get_owner, NULL, "the object whose memory this image borrows, or None", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef image_methods[] = {
    {"copy", image_copy, METH_NOARGS, "copy() -> Image: a compact copy of the pixels."},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(image_doc,
             "Image(obj, *, width=None, height=None, channels=1, sample='uint8', row_stride=0)\n"
             "\n"
             "Pixels that export the buffer protocol (shape (H, W) or (H, W, C), strides in\n"
             "bytes, read-only when the memory is). Results of apply() and load() are Images;\n"
             "numpy.asarray(image) and memoryview(image) share its memory.\n"
             "\n"
             "Image(obj) wraps any buffer (a NumPy array, memoryview, ...) without a copy;\n"
             "with width and height it reinterprets a flat bytes-like object of packed pixels\n"
             "(rows row_stride bytes apart). The wrapped object stays alive as long as the Image\n"
             "and anything exported from it.");

int tp_image_init_type(PyObject *module)
{
    PyType_Slot image_slots[] = {
        {Py_tp_doc, (void *)image_doc},
        {Py_tp_new, TP_FN(image_new)},
        {Py_tp_dealloc, TP_FN(image_dealloc)},
        {Py_tp_repr, TP_FN(image_repr)},
        {Py_tp_getset, image_getset},
        {Py_tp_methods, image_methods},
        {Py_bf_getbuffer, TP_FN(image_getbuffer)},
        {0, NULL},
    };

    PyType_Spec image_spec = {
        .name = "tileproc.Image",
        .basicsize = sizeof(tp_Image),
        .flags = Py_TPFLAGS_DEFAULT,
        .slots = image_slots,
    };
    tp_ImageType = (PyTypeObject *)PyType_FromSpec(&image_spec);
    if (!tp_ImageType)
        return -1;
    return PyModule_AddObjectRef(module, "Image", (PyObject *)tp_ImageType);
}
