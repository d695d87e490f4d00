/* SPDX-License-Identifier: MIT */
/*
 * pyramid_layout.c: what each pyramid layout looks like, as `vips dzsave` writes it for the
 * same options, so viewers and scripts made for vips' output take ours unchanged: the
 * defaults, the level sizes ((size + 1) / 2 a level down, to 1x1 or one tile), the tiles'
 * rectangles (overlap on inner edges, clipped at the image's, padded to a whole tile for
 * google), their paths and the metadata files. Two IIIF bugs that vips fixed later are
 * written fixed: scaleFactors lists every level (vips before 8.17 left out the coarsest), and
 * a tile covering the whole image has region "full" (vips 8.17.1).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pyramid_internal.h"

static const char *const layout_names[] = {"dz", "iiif", "iiif3", "zoomify", "google"};
enum { LAYOUTS = sizeof layout_names / sizeof layout_names[0] };

const char *tproc_pyramid_layout_name(tproc_pyramid_layout layout)
{
    return (unsigned)layout < LAYOUTS ? layout_names[layout] : "unknown";
}

int tproc_pyramid_layout_parse(const char *name)
{
    for (int i = 0; name && i < LAYOUTS; i++)
        if (strcmp(name, layout_names[i]) == 0)
            return i;
    return -1;
}

void tproc_pyramid_options_init(tproc_pyramid_options *o)
{
    memset(o, 0, sizeof *o);
    o->overlap = -1;
    o->effort = -1;
    o->skip_blanks = -2;
    for (int c = 0; c < 4; c++)
        o->background[c] = 255.0;
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && strncmp(s + len - n, suffix, n) == 0;
}

int tproc__pyramid_resolve(tproc_ctx *ctx, const char *output, const tproc_pyramid_options *in,
                           tproc_pyramid_options *o)
{
    if (in)
        *o = *in;
    else
        tproc_pyramid_options_init(o);
    const char *name = output ? output : "<pyramid>";
    if ((unsigned)o->layout >= LAYOUTS)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "unknown pyramid layout %d",
                                 (int)o->layout);
    int google = o->layout == TPROC_PYRAMID_GOOGLE, dz = o->layout == TPROC_PYRAMID_DZ;
    int iiif = o->layout == TPROC_PYRAMID_IIIF || o->layout == TPROC_PYRAMID_IIIF3;
    if (o->tile_size == 0)
        o->tile_size = dz ? 254 : iiif ? 512 : 256;
    if (o->overlap < 0)
        o->overlap = dz ? 1 : 0;
    if (o->suffix == TPROC_FILE_UNKNOWN)
        o->suffix = TPROC_FILE_JPEG;
    if (o->quality == 0)
        o->quality = 75;
    if (o->effort == -1) /* not vips' 4: see TPROC_PYRAMID_WEBP_EFFORT */
        o->effort = TPROC_PYRAMID_WEBP_EFFORT;
    if (o->depth == TPROC_PYRAMID_DEPTH_DEFAULT)
        o->depth = dz ? TPROC_PYRAMID_DEPTH_ONEPIXEL : TPROC_PYRAMID_DEPTH_ONETILE;
    if (o->skip_blanks == -2)
        o->skip_blanks = google ? 5 : -1;
    if (!o->id)
        o->id = "https://example.com/iiif";
    if (output && ends_with(output, strlen(output), ".zip"))
        o->container = TPROC_PYRAMID_ZIP;
    if (o->tile_size < 1 || o->tile_size > 8192)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "tile size %d is not in 1-8192",
                                 o->tile_size);
    if (o->overlap >= o->tile_size)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name,
                                 "overlap %d must be less than the tile size %d", o->overlap,
                                 o->tile_size);
    if (o->quality < 1 || o->quality > 100)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "quality %d is not in 1-100",
                                 o->quality);
    if (o->effort < 0 || o->effort > 6)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "effort %d is not in 0-6", o->effort);
    if ((unsigned)o->depth > TPROC_PYRAMID_DEPTH_ONE || o->skip_blanks < -1 ||
        (unsigned)o->container > TPROC_PYRAMID_ZIP)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "invalid pyramid options");
    if (o->viewer_script && o->container == TPROC_PYRAMID_ZIP)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name,
                                 "a viewer page needs the fs container: no viewer reads a zip");
    if (!tproc_file_format_extension(o->suffix)[0] ||
        strcmp(tproc_file_format_name(o->suffix), "unknown") == 0)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "this build cannot write that suffix");
    return TPROC_OK;
}

/* dir/NAME[.dzi|.zip][/]: the directory part and NAME. */
static int split_output(tproc_ctx *ctx, const char *output, const tproc_pyramid_options *o,
                        tproc__pyramid_geom *g)
{
    size_t len = strlen(output);
    while (len > 1 && output[len - 1] == '/')
        len--;
    if (ends_with(output, len, ".zip"))
        len -= 4;
    else if (o->layout == TPROC_PYRAMID_DZ && ends_with(output, len, ".dzi"))
        len -= 4;
    size_t base = len;
    while (base > 0 && output[base - 1] != '/')
        base--;
    size_t name_len = len - base;
    if (name_len == 0 || name_len >= sizeof g->name || base >= sizeof g->dir ||
        (name_len == 1 && output[base] == '.') ||
        (name_len == 2 && strncmp(output + base, "..", 2) == 0))
        return tproc__error_file(ctx, TPROC_ERR_ARG, output, "no usable pyramid name in this path");
    memcpy(g->dir, output, base);
    g->dir[base] = '\0';
    memcpy(g->name, output + base, name_len);
    g->name[name_len] = '\0';
    return TPROC_OK;
}

int tproc__pyramid_geom_init(tproc_ctx *ctx, const char *output, const tproc_pyramid_options *o,
                        ptrdiff_t width, ptrdiff_t height, int channels, tproc__pyramid_geom *g)
{
    memset(g, 0, sizeof *g);
    g->o = *o;
    g->width = width;
    g->height = height;
    g->channels = channels;
    int status = split_output(ctx, output, o, g);
    if (status)
        return status;
    if (o->suffix == TPROC_FILE_JPEG)
        g->ext = o->layout == TPROC_PYRAMID_DZ ? "jpeg" : "jpg";
    else
        g->ext = tproc_file_format_extension(o->suffix);
    ptrdiff_t w = width, h = height, ts = o->tile_size;
    int n = 1;
    g->level_width[0] = w;
    g->level_height[0] = h;
    for (;;) {
        int more = o->depth == TPROC_PYRAMID_DEPTH_ONEPIXEL  ? (w > 1 || h > 1)
                   : o->depth == TPROC_PYRAMID_DEPTH_ONETILE ? (w > ts || h > ts)
                                                             : 0;
        if (!more)
            break;
        if (n == TPROC__PYRAMID_MAX_LEVELS)
            return tproc__error_file(ctx, TPROC_ERR_LIMIT, output, "too many pyramid levels");
        w = (w + 1) / 2;
        h = (h + 1) / 2;
        g->level_width[n] = w;
        g->level_height[n] = h;
        n++;
    }
    g->levels = n;
    size_t count = 0;
    for (int level = n - 1; level >= 0; level--) {
        g->first_tile[level] = count;
        count += (size_t)tproc__pyramid_tiles_across(g, level) *
                 (size_t)tproc__pyramid_tiles_down(g, level);
    }
    g->tile_count = count;
    return TPROC_OK;
}

ptrdiff_t tproc__pyramid_tiles_across(const tproc__pyramid_geom *g, int level)
{
    return (g->level_width[level] + g->o.tile_size - 1) / g->o.tile_size;
}

ptrdiff_t tproc__pyramid_tiles_down(const tproc__pyramid_geom *g, int level)
{
    return (g->level_height[level] + g->o.tile_size - 1) / g->o.tile_size;
}

/* One axis: a tile starts `overlap` before its cell (but the first) and ends `overlap` after
 * it, clipped to the level; *padded is the unclipped length. */
static void span(ptrdiff_t index, ptrdiff_t size, int ts, int overlap, ptrdiff_t *start,
                 ptrdiff_t *length, ptrdiff_t *padded)
{
    ptrdiff_t a = index * ts - (index > 0 ? overlap : 0), b = (index + 1) * ts + overlap;
    *padded = b - a;
    *start = a;
    *length = (b < size ? b : size) - a;
}

void tproc__pyramid_tile_rows(const tproc__pyramid_geom *g, int level, ptrdiff_t row,
                              ptrdiff_t *y0, ptrdiff_t *y1)
{
    ptrdiff_t len, padded;
    span(row, g->level_height[level], g->o.tile_size, g->o.overlap, y0, &len, &padded);
    *y1 = *y0 + len;
}

void tproc__pyramid_tile_at(const tproc__pyramid_geom *g, int level, ptrdiff_t col, ptrdiff_t row,
                            tproc__pyramid_tile *t)
{
    t->level = level;
    t->col = col;
    t->row = row;
    span(col, g->level_width[level], g->o.tile_size, g->o.overlap, &t->x, &t->width,
         &t->out_width);
    span(row, g->level_height[level], g->o.tile_size, g->o.overlap, &t->y, &t->height,
         &t->out_height);
    if (g->o.layout != TPROC_PYRAMID_GOOGLE) {
        t->out_width = t->width;
        t->out_height = t->height;
    }
}

/* The IIIF path: the tile's region in full-size pixels, then its size. */
static int iiif_path(const tproc__pyramid_geom *g, const tproc__pyramid_tile *t, char *buf,
                     size_t size)
{
    ptrdiff_t scale = (ptrdiff_t)1 << t->level;
    ptrdiff_t x = t->x * scale, y = t->y * scale;
    ptrdiff_t w = t->width * scale, h = t->height * scale;
    if (x + w > g->width)
        w = g->width - x;
    if (y + h > g->height)
        h = g->height - y;
    char region[96], sz[64];
    if (x == 0 && y == 0 && w == g->width && h == g->height)
        snprintf(region, sizeof region, "full");
    else
        snprintf(region, sizeof region, "%td,%td,%td,%td", x, y, w, h);
    if (g->o.layout == TPROC_PYRAMID_IIIF3)
        snprintf(sz, sizeof sz, "%td,%td", t->width, t->height);
    else
        snprintf(sz, sizeof sz, "%td,", t->width);
    int n = snprintf(buf, size, "%s/%s/%s/0/default.%s", g->name, region, sz, g->ext);
    return n < 0 || (size_t)n >= size;
}

int tproc__pyramid_tile_path(const tproc__pyramid_geom *g, const tproc__pyramid_tile *t, char *buf,
                             size_t size)
{
    int z = g->levels - 1 - t->level, n;
    switch (g->o.layout) {
    case TPROC_PYRAMID_DZ:
        n = snprintf(buf, size, "%s_files/%d/%td_%td.%s", g->name, z, t->col, t->row, g->ext);
        break;
    case TPROC_PYRAMID_ZOOMIFY: {
        size_t index = g->first_tile[t->level] +
                       (size_t)(t->row * tproc__pyramid_tiles_across(g, t->level) + t->col);
        n = snprintf(buf, size, "%s/TileGroup%zu/%d-%td-%td.%s", g->name, index / 256, z, t->col,
                     t->row, g->ext);
        break;
    }
    case TPROC_PYRAMID_GOOGLE:
        n = snprintf(buf, size, "%s/%d/%td/%td.%s", g->name, z, t->row, t->col, g->ext);
        break;
    default:
        return iiif_path(g, t, buf, size);
    }
    return n < 0 || (size_t)n >= size;
}

void tproc__pyramid_blank_path(const tproc__pyramid_geom *g, char *buf, size_t size)
{
    snprintf(buf, size, "%s/blank.%s", g->name, g->ext);
}

/* printf into a growing malloc'd string; NULL-safe to continue after a failure. */
typedef struct text {
    char *s;
    size_t len, cap;
    int failed;
} text;

TPROC__PRINTF(2, 3) static void add(text *t, const char *fmt, ...)
{
    for (int tries = 0; tries < 2 && !t->failed; tries++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
        } else if (t->s && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        } else {
            size_t cap = (t->cap + (size_t)n + 1) * 2;
            char *s = realloc(t->s, cap);
            if (!s)
                t->failed = 1;
            else
                t->s = s, t->cap = cap;
        }
    }
}

static int text_done(tproc_ctx *ctx, text *t, const tproc__pyramid_geom *g,
                     tproc__pyramid_file *f)
{
    if (t->failed || !t->s) {
        free(t->s);
        return tproc__error_file(ctx, TPROC_ERR_NOMEM, g->name, "out of memory");
    }
    f->text = t->s;
    return TPROC_OK;
}

static void iiif_info(text *t, const tproc__pyramid_geom *g)
{
    int v3 = g->o.layout == TPROC_PYRAMID_IIIF3;
    add(t, "{\n  \"@context\": \"http://iiif.io/api/image/%d/context.json\",\n", v3 ? 3 : 2);
    add(t, "  \"%s\": \"%s/%s\",\n", v3 ? "id" : "@id", g->o.id, g->name);
    if (v3)
        add(t, "  \"type\": \"ImageService3\",\n  \"profile\": \"level0\",\n");
    else
        add(t, "  \"profile\": [\n    \"http://iiif.io/api/image/2/level0.json\",\n    {\n"
               "      \"formats\": [\n        \"%s\"\n      ],\n      \"qualities\": [\n"
               "        \"default\"\n      ]\n    }\n  ],\n",
            g->ext);
    add(t, "  \"protocol\": \"http://iiif.io/api/image\",\n  \"tiles\": [\n    {\n"
           "      \"scaleFactors\": [\n");
    for (int level = 0; level < g->levels; level++)
        add(t, "        %td%s\n", (ptrdiff_t)1 << level, level + 1 < g->levels ? "," : "");
    add(t, "      ],\n      \"width\": %d\n    }\n  ],\n  \"width\": %td,\n  \"height\": %td\n}\n",
        g->o.tile_size, g->width, g->height);
}

int tproc__pyramid_metadata(tproc_ctx *ctx, const tproc__pyramid_geom *g, tproc__pyramid_file *f)
{
    text t = {0};
    f->text = NULL;
    switch (g->o.layout) {
    case TPROC_PYRAMID_DZ:
        snprintf(f->path, sizeof f->path, "%s.dzi", g->name);
        add(&t,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Image xmlns=\"http://schemas.microsoft.com/deepzoom/2008\"\n"
            "  Format=\"%s\"\n  Overlap=\"%d\"\n  TileSize=\"%d\"\n  >\n"
            "  <Size \n    Height=\"%td\"\n    Width=\"%td\"\n  />\n</Image>\n",
            g->ext, g->o.overlap, g->o.tile_size, g->height, g->width);
        break;
    case TPROC_PYRAMID_ZOOMIFY:
        snprintf(f->path, sizeof f->path, "%s/ImageProperties.xml", g->name);
        add(&t,
            "<IMAGE_PROPERTIES WIDTH=\"%td\" HEIGHT=\"%td\" NUMTILES=\"%zu\" NUMIMAGES=\"1\" "
            "VERSION=\"1.8\" TILESIZE=\"%d\" />\n",
            g->width, g->height, g->tile_count, g->o.tile_size);
        break;
    case TPROC_PYRAMID_GOOGLE:
        return TPROC_OK;
    default:
        snprintf(f->path, sizeof f->path, "%s/info.json", g->name);
        iiif_info(&t, g);
        break;
    }
    return text_done(ctx, &t, g, f);
}

/* The OpenSeadragon tile source for the layout, as a JavaScript expression. */
static void viewer_source(text *t, const tproc__pyramid_geom *g)
{
    switch (g->o.layout) {
    case TPROC_PYRAMID_DZ:
        add(t, "\"%s.dzi\"", g->name);
        break;
    case TPROC_PYRAMID_ZOOMIFY:
        add(t,
            "{type: \"zoomifytileservice\", width: %td, height: %td, tileSize: %d, "
            "tilesUrl: \"%s/\", fileFormat: \"%s\"}",
            g->width, g->height, g->o.tile_size, g->name, g->ext);
        break;
    case TPROC_PYRAMID_GOOGLE: {
        /* OpenSeadragon's top level is the full size: ceil(log2(max side)) */
        ptrdiff_t side = g->width > g->height ? g->width : g->height;
        int top = 0;
        while (((ptrdiff_t)1 << top) < side)
            top++;
        add(t,
            "{width: %td, height: %td, tileSize: %d, tileOverlap: 0, minLevel: %d, maxLevel: "
            "%d,\n      getTileUrl: function (level, x, y) { return \"%s/\" + (level - %d) + "
            "\"/\" + y + \"/\" + x + \".%s\"; }}",
            g->width, g->height, g->o.tile_size, top - (g->levels - 1), top, g->name,
            top - (g->levels - 1), g->ext);
        break;
    }
    default: /* IIIF: opened after the page fetched info.json (below) */
        add(t, "[]");
        break;
    }
}

/* IIIF viewers fetch tiles from info.json's id, which names where the pyramid will be served
 * (--id); the page points it at where the page itself finds the pyramid, so it also works
 * from wherever it is served. */
static void viewer_iiif(text *t, const tproc__pyramid_geom *g)
{
    add(t,
        "  fetch(\"%s/info.json\").then(function (r) { return r.json(); }).then(function (info) "
        "{\n    info[info[\"@id\"] ? \"@id\" : \"id\"] = new URL(\"%s\", "
        "window.location.href).href.replace(/\\/$/, \"\");\n    window.viewer.open(info);\n"
        "  });\n",
        g->name, g->name);
}

int tproc__pyramid_viewer(tproc_ctx *ctx, const tproc__pyramid_geom *g, tproc__pyramid_file *f)
{
    text t = {0};
    snprintf(f->path, sizeof f->path, "%s.html", g->name);
    add(&t,
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n"
        "<style>html, body { margin: 0; height: 100%%; } #viewer { width: 100%%; height: "
        "100%%; }</style>\n<script src=\"%s\"></script>\n</head>\n<body>\n"
        "<div id=\"viewer\"></div>\n<script>\n"
        "  /* Written by tileproc pyramid (%s layout). window.viewer is the OpenSeadragon "
        "viewer. */\n  window.viewer = OpenSeadragon({\n    id: \"viewer\",\n"
        "    prefixUrl: \"%.*simages/\",\n    showNavigator: true,\n    tileSources: ",
        g->name, g->o.viewer_script, tproc_pyramid_layout_name(g->o.layout),
        (int)(strrchr(g->o.viewer_script, '/') ? strrchr(g->o.viewer_script, '/') -
                                                      g->o.viewer_script + 1
                                                : 0),
        g->o.viewer_script);
    viewer_source(&t, g);
    add(&t, "\n  });\n");
    if (g->o.layout == TPROC_PYRAMID_IIIF || g->o.layout == TPROC_PYRAMID_IIIF3)
        viewer_iiif(&t, g);
    add(&t, "</script>\n</body>\n</html>\n");
    return text_done(ctx, &t, g, f);
}
