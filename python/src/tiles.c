/* SPDX-License-Identifier: MIT */
/*
 * tiles.c: tileproc.tiles(array, size, halo): an iterator over the tiles of a buffer. Each Tile
 * exports its input (the tile grown by the halo) through the buffer protocol: a zero-copy view
 * into the original memory for interior tiles, a private copy for tiles whose halo crosses the
 * image's edge (assembled through the border rule; the library reuses that scratch for the next
 * tile, so Python gets its own copy). tile.core is always a view of the tile's own rectangle in
 * the original memory, writable when the original is.
 */
#include <string.h>

#include "tileproc_py.h"

PyTypeObject *tp_TilesType;
PyTypeObject *tp_TileType;

typedef struct {
    PyObject_HEAD PyObject *source; /* the Image holding the original buffer */
    tproc_tiles *tiles;
    tproc_halo halo;
} tp_Tiles;

typedef struct {
    PyObject_HEAD PyObject *input; /* Image: the tile with its halo (read-only) */
    PyObject *core;                /* Image: the tile's rectangle in the original memory */
    tproc_rect rect;
    tproc_halo halo;
    Py_ssize_t index;
    int assembled;
} tp_Tile;

static int parse_halo(PyObject *obj, tproc_halo *halo)
{
    Py_ssize_t v[4] = {0, 0, 0, 0};
    if (!obj || obj == Py_None) {
    } else if (PyLong_Check(obj)) {
        v[0] = v[1] = v[2] = v[3] = PyLong_AsSsize_t(obj);
    } else if (PyTuple_Check(obj) && PyTuple_Size(obj) == 2) {
        if (!PyArg_ParseTuple(obj, "nn", &v[0], &v[1]))
            return -1;
        v[2] = v[0];
        v[3] = v[1];
    } else if (!PyTuple_Check(obj) || !PyArg_ParseTuple(obj, "nnnn", &v[0], &v[1], &v[2], &v[3])) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "halo must be an int, (x, y) or (left, top, right, "
                                         "bottom)");
        return -1;
    }
    if (PyErr_Occurred())
        return -1;
    for (int i = 0; i < 4; i++)
        if (v[i] < 0) {
            PyErr_SetString(PyExc_ValueError, "halo must not be negative");
            return -1;
        }
    halo->left = v[0];
    halo->top = v[1];
    halo->right = v[2];
    halo->bottom = v[3];
    return 0;
}

PyObject *tp_tiles_new(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *kwlist[] = {"array", "size", "halo", "border", "border_value", NULL};
    PyObject *array, *size = NULL, *halo_obj = NULL, *border = NULL, *border_value = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OO$OO:tiles", kwlist, &array, &size,
                                     &halo_obj, &border, &border_value))
        return NULL;
    tproc_run_options run;
    PyObject *tile = size ? size : NULL;
    if (!tile) {
        tile = PyLong_FromLong(256);
        if (!tile)
            return NULL;
    } else {
        Py_INCREF(tile);
    }
    int r = tp_run_options(tile, 0, border, border_value, &run);
    Py_DECREF(tile);
    if (r < 0)
        return NULL;
    tproc_tiles_options opts;
    memset(&opts, 0, sizeof opts);
    opts.tile_width = run.tile_width;
    opts.tile_height = run.tile_height;
    opts.border = run.border;
    memcpy(opts.border_value, run.border_value, sizeof opts.border_value);
    if (parse_halo(halo_obj, &opts.halo) < 0)
        return NULL;

    tp_buffer b;
    if (tp_buffer_get(array, 1, "tiles", &b) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_TypeError))
            return NULL;
        PyErr_Clear();
        if (tp_buffer_get(array, 0, "tiles", &b) < 0)
            return NULL;
    }
    PyObject *source = tp_image_from_buffer(&b);
    if (!source) {
        tp_buffer_release(&b);
        return NULL;
    }
    tp_Tiles *self = (tp_Tiles *)tp_type_alloc(tp_TilesType);
    if (!self) {
        Py_DECREF(source);
        return NULL;
    }
    self->source = source;
    self->halo = opts.halo;
    int status = tproc_tiles_new(NULL, &((tp_Image *)source)->view, &opts, &self->tiles);
    if (status != TPROC_OK) {
        Py_DECREF(self);
        return tp_raise(NULL, status);
    }
    return (PyObject *)self;
}

static void tiles_dealloc(PyObject *obj)
{
    tp_Tiles *self = (tp_Tiles *)obj;
    tproc_tiles_free(&self->tiles);
    Py_CLEAR(self->source);
    tp_type_free(obj);
}

static PyObject *tiles_iter(PyObject *self)
{
    return Py_NewRef(self);
}

static PyObject *tiles_next(PyObject *obj)
{
    tp_Tiles *self = (tp_Tiles *)obj;
    tproc_tile t;
    int r = tproc_tiles_next(self->tiles, &t);
    if (r == 0)
        return NULL; /* StopIteration */
    if (r < 0)
        return tp_raise(NULL, r);
    tp_Image *src = (tp_Image *)self->source;
    int ndim = src->ndim;
    tp_Tile *tile = (tp_Tile *)tp_type_alloc(tp_TileType);
    if (!tile)
        return NULL;
    tile->rect = t.out;
    tile->halo = self->halo;
    tile->index = (Py_ssize_t)t.index;
    tile->assembled = t.assembled;
    tproc_view in = t.in;
    if (t.assembled) {
        /* The iterator's scratch is reused by the next tile: take a copy. */
        tproc_image *copy = NULL;
        int status = tproc_image_from_view(NULL, &in, &copy);
        if (status != TPROC_OK) {
            Py_DECREF(tile);
            return tp_raise(NULL, status);
        }
        tile->input = tp_image_from_image(&copy, ndim);
    } else {
        tile->input = tp_image_from_view(&in, ndim, self->source);
    }
    if (!tile->input) {
        Py_DECREF(tile);
        return NULL;
    }
    ((tp_Image *)tile->input)->view.flags |= TPROC_VIEW_READONLY;
    tproc_view core;
    int status = tproc_view_sub(&src->view, t.out.x, t.out.y, t.out.width, t.out.height, &core);
    if (status != TPROC_OK) {
        Py_DECREF(tile);
        return tp_raise(NULL, status);
    }
    tile->core = tp_image_from_view(&core, ndim, self->source);
    if (!tile->core) {
        Py_DECREF(tile);
        return NULL;
    }
    return (PyObject *)tile;
}

static Py_ssize_t tiles_len(PyObject *obj)
{
    return (Py_ssize_t)tproc_tiles_count(((tp_Tiles *)obj)->tiles);
}

static PyObject *tiles_grid(PyObject *obj, void *c)
{
    (void)c;
    tp_Tiles *self = (tp_Tiles *)obj;
    return Py_BuildValue("(nn)", (Py_ssize_t)tproc_tiles_across(self->tiles),
                         (Py_ssize_t)tproc_tiles_down(self->tiles));
}

static PyGetSetDef tiles_getset[] = {
    {"grid", tiles_grid, NULL, "(across, down): the number of tiles in a row and a column", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* --- Tile ----------------------------------------------------------------------------------- */

static void tile_dealloc(PyObject *obj)
{
    tp_Tile *self = (tp_Tile *)obj;
    Py_CLEAR(self->input);
    Py_CLEAR(self->core);
    tp_type_free(obj);
}

/* The tile's buffer is its input's: memoryview(tile).obj is tile.input. */
static int tile_getbuffer(PyObject *obj, Py_buffer *view, int flags)
{
    return PyObject_GetBuffer(((tp_Tile *)obj)->input, view, flags);
}

static PyObject *tile_get(PyObject *obj, void *which)
{
    tp_Tile *self = (tp_Tile *)obj;
    switch ((int)(Py_ssize_t)which) {
    case 0:
        return PyLong_FromSsize_t(self->rect.x);
    case 1:
        return PyLong_FromSsize_t(self->rect.y);
    case 2:
        return PyLong_FromSsize_t(self->rect.width);
    case 3:
        return PyLong_FromSsize_t(self->rect.height);
    case 4:
        return Py_BuildValue("(nnnn)", (Py_ssize_t)self->rect.x, (Py_ssize_t)self->rect.y,
                             (Py_ssize_t)self->rect.width, (Py_ssize_t)self->rect.height);
    case 5:
        return Py_BuildValue("(nnnn)", (Py_ssize_t)self->halo.left, (Py_ssize_t)self->halo.top,
                             (Py_ssize_t)self->halo.right, (Py_ssize_t)self->halo.bottom);
    case 6:
        return PyLong_FromSsize_t(self->index);
    case 7:
        return PyBool_FromLong(self->assembled);
    case 8:
        return Py_NewRef(self->input);
    default:
        return Py_NewRef(self->core);
    }
}

static PyObject *tile_repr(PyObject *obj)
{
    tp_Tile *self = (tp_Tile *)obj;
    return PyUnicode_FromFormat("<tileproc.Tile %zd at (%zd, %zd), %zd x %zd%s>", self->index,
                                (Py_ssize_t)self->rect.x, (Py_ssize_t)self->rect.y,
                                (Py_ssize_t)self->rect.width, (Py_ssize_t)self->rect.height,
                                self->assembled ? ", assembled" : "");
}

#define TILE_GET(name, n, doc)                                                                     \
    {                                                                                              \
        name, tile_get, NULL, doc, (void *)(Py_ssize_t)(n)                                         \
    }
static PyGetSetDef tile_getset[] = {
    TILE_GET("x", 0, "left edge of the tile in the source"),
    TILE_GET("y", 1, "top edge of the tile in the source"),
    TILE_GET("width", 2, "width of the tile (edge tiles are smaller)"),
    TILE_GET("height", 3, "height of the tile"),
    TILE_GET("rect", 4, "(x, y, width, height)"),
    TILE_GET("halo", 5, "(left, top, right, bottom) around the tile in input"),
    TILE_GET("index", 6, "0, 1, ... in row-major order"),
    TILE_GET("assembled", 7, "True when input is a copy (its halo crossed the image's edge)"),
    TILE_GET("input", 8, "Image: the tile grown by the halo, read-only (the tile's own buffer)"),
    TILE_GET("core", 9, "Image: the tile's rectangle in the original memory (never a copy)"),
    {NULL, NULL, NULL, NULL, NULL},
};

int tp_tiles_init_type(PyObject *module)
{
    PyType_Slot tiles_slots[] = {
        {Py_tp_doc, (void *)"An iterator over the tiles of a buffer; see tileproc.tiles()."},
        {Py_tp_dealloc, TP_FN(tiles_dealloc)},
        {Py_tp_iter, TP_FN(tiles_iter)},
        {Py_tp_iternext, TP_FN(tiles_next)},
        {Py_tp_getset, tiles_getset},
        {Py_sq_length, TP_FN(tiles_len)},
        {0, NULL},
    };

    PyType_Spec tiles_spec = {
        .name = "tileproc.Tiles",
        .basicsize = sizeof(tp_Tiles),
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
        .slots = tiles_slots,
    };
    tp_TilesType = (PyTypeObject *)PyType_FromSpec(&tiles_spec);
    if (!tp_TilesType || PyModule_AddObjectRef(module, "Tiles", (PyObject *)tp_TilesType) < 0)
        return -1;
    PyType_Slot tile_slots[] = {
        {Py_tp_doc, (void *)"One tile from tileproc.tiles(); exports its input (with halo) as a "
                            "buffer."},
        {Py_tp_dealloc, TP_FN(tile_dealloc)},
        {Py_tp_repr, TP_FN(tile_repr)},
        {Py_tp_getset, tile_getset},
        {Py_bf_getbuffer, TP_FN(tile_getbuffer)},
        {0, NULL},
    };

    PyType_Spec tile_spec = {
        .name = "tileproc.Tile",
        .basicsize = sizeof(tp_Tile),
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
        .slots = tile_slots,
    };
    tp_TileType = (PyTypeObject *)PyType_FromSpec(&tile_spec);
    if (!tp_TileType)
        return -1;
    return PyModule_AddObjectRef(module, "Tile", (PyObject *)tp_TileType);
}
