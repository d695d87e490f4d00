/* SPDX-License-Identifier: MIT */
/*
 * smartcrop.c: the pre-pass of resize's position=entropy|attention (smartcrop.h).
 */
#include "smartcrop.h"

#include "filter_internal.h"
#include "kernels/lab.h"

#define GRID 32 /* attention's map: GRID x GRID cells */

struct tproc__smartcrop {
    int attention;
    ptrdiff_t in_w, in_h, scaled_w, scaled_h;
    ptrdiff_t cell;   /* input pixels a side of a cell of the small copy */
    ptrdiff_t rw, rh; /* the small copy's size in cells */
    double *sum;      /* rw * rh * 3: sums of R, G, B in [0, 1] (alpha: premultiplied) */
    double *count;    /* rw * rh: pixels summed */
};

int tproc__smartcrop_new(tproc_ctx *ctx, const tproc_format *in, ptrdiff_t scaled_w,
                         ptrdiff_t scaled_h, int attention, tproc__smartcrop **out)
{
    *out = NULL;
    tproc__smartcrop *sc;
    int status = tproc__alloc(ctx, sizeof *sc, "smart crop", (void **)&sc);
    if (status)
        return status;
    ptrdiff_t longest = in->width > in->height ? in->width : in->height;
    ptrdiff_t target = scaled_w > scaled_h ? scaled_w : scaled_h;
    if (target > TPROC__SMART_SIDE)
        target = TPROC__SMART_SIDE;
    sc->attention = attention;
    sc->in_w = in->width;
    sc->in_h = in->height;
    sc->scaled_w = scaled_w;
    sc->scaled_h = scaled_h;
    sc->cell = (longest + target - 1) / target;
    sc->cell = sc->cell < 1 ? 1 : sc->cell;
    sc->rw = (in->width + sc->cell - 1) / sc->cell;
    sc->rh = (in->height + sc->cell - 1) / sc->cell;
    size_t cells = (size_t)sc->rw * (size_t)sc->rh; /* at most TPROC__SMART_SIDE squared */
    status = tproc__alloc(ctx, cells * 3 * sizeof(double), "smart crop copy", (void **)&sc->sum);
    if (!status)
        status = tproc__alloc(ctx, cells * sizeof(double), "smart crop copy", (void **)&sc->count);
    if (status) {
        tproc__smartcrop_free(ctx, sc);
        return status;
    }
    *out = sc;
    return TPROC_OK;
}

void tproc__smartcrop_free(tproc_ctx *ctx, tproc__smartcrop *sc)
{
    if (!sc)
        return;
    tproc__dealloc(ctx, sc->sum);
    tproc__dealloc(ctx, sc->count);
    tproc__dealloc(ctx, sc);
}

static double sample_at(const unsigned char *row, tproc_sample s, size_t i)
{
    if (s == TPROC_U8)
        return row[i] / 255.0;
    if (s == TPROC_U16)
        return ((const uint16_t *)(const void *)row)[i] / 65535.0;
    return ((const float *)(const void *)row)[i];
}

void tproc__smartcrop_rows(tproc__smartcrop *sc, const tproc_view *rows, ptrdiff_t y)
{
    int ch = rows->channels, colour = tproc__colour_channels(ch);
    for (ptrdiff_t r = 0; r < rows->height; r++) {
        const unsigned char *row = rows->data + r * rows->row_stride;
        ptrdiff_t cy = (y + r) / sc->cell;
        for (ptrdiff_t x = 0; x < rows->width; x++) {
            size_t i = (size_t)x * (size_t)ch, cell = (size_t)(cy * sc->rw + x / sc->cell);
            double a = colour < ch ? sample_at(row, rows->sample, i + (size_t)colour) : 1.0;
            for (int c = 0; c < 3; c++)
                sc->sum[cell * 3 + (size_t)c] +=
                    a * sample_at(row, rows->sample, i + (size_t)(colour == 1 ? 0 : c));
            sc->count[cell] += 1.0;
        }
    }
}

/* The mean colour of cell i as sRGB in [0, 1]. */
static void cell_rgb(const tproc__smartcrop *sc, size_t i, double rgb[3])
{
    for (int c = 0; c < 3; c++)
        rgb[c] = sc->count[i] > 0 ? sc->sum[i * 3 + (size_t)c] / sc->count[i] : 0.0;
}

/* --- entropy -------------------------------------------------------------------------------- */

static int luma_level(const tproc__smartcrop *sc, ptrdiff_t x, ptrdiff_t y)
{
    double rgb[3];
    cell_rgb(sc, (size_t)(y * sc->rw + x), rgb);
    double l = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return (int)tproc__to_u8(l * 255.0);
}

/* Shannon entropy (bits) of the luminance histogram of cells [x, x + w) x [y, y + h). */
static double entropy(const tproc__smartcrop *sc, ptrdiff_t x, ptrdiff_t y, ptrdiff_t w,
                      ptrdiff_t h)
{
    double hist[256] = {0};
    for (ptrdiff_t j = y; j < y + h; j++)
        for (ptrdiff_t i = x; i < x + w; i++)
            hist[luma_level(sc, i, j)] += 1.0;
    double n = (double)(w * h), e = 0.0;
    for (int k = 0; k < 256; k++)
        if (hist[k] > 0)
            e -= hist[k] / n * log2(hist[k] / n);
    return e;
}

static void place_entropy(const tproc__smartcrop *sc, ptrdiff_t tw, ptrdiff_t th, ptrdiff_t *left,
                          ptrdiff_t *top)
{
    ptrdiff_t w = sc->rw, h = sc->rh, x = 0, y = 0;
    ptrdiff_t step = (w - tw + 7) / 8 > (h - th + 7) / 8 ? (w - tw + 7) / 8 : (h - th + 7) / 8;
    while (w > tw || h > th) {
        ptrdiff_t sw = w - tw < step ? w - tw : step, sh = h - th < step ? h - th : step;
        if (sw > 0) {
            int keep_right = entropy(sc, x, y, sw, h) < entropy(sc, x + w - sw, y, sw, h);
            x += keep_right ? sw : 0;
            w -= sw;
        }
        if (sh > 0) {
            int keep_bottom = entropy(sc, x, y, w, sh) < entropy(sc, x, y + h - sh, w, sh);
            y += keep_bottom ? sh : 0;
            h -= sh;
        }
    }
    *left = x;
    *top = y;
}

/* --- attention ------------------------------------------------------------------------------ */

static void cell_lab(const tproc__smartcrop *sc, ptrdiff_t x, ptrdiff_t y, double lab[3])
{
    x = x < 0 ? 0 : x >= sc->rw ? sc->rw - 1 : x;
    y = y < 0 ? 0 : y >= sc->rh ? sc->rh - 1 : y;
    double rgb[3], lin[3];
    cell_rgb(sc, (size_t)(y * sc->rw + x), rgb);
    for (int c = 0; c < 3; c++)
        lin[c] = tproc__srgb_to_linear(rgb[c]);
    tproc__linear_to_lab(lin, lab);
}

/* What draws the eye at cell (x, y): edges of L, skin, strong colour. */
static double interest(const tproc__smartcrop *sc, ptrdiff_t x, ptrdiff_t y)
{
    double n[3][3], lab[3];
    for (int j = -1; j <= 1; j++)
        for (int i = -1; i <= 1; i++) {
            cell_lab(sc, x + i, y + j, lab);
            n[j + 1][i + 1] = lab[0];
        }
    double gx = n[0][2] + 2 * n[1][2] + n[2][2] - n[0][0] - 2 * n[1][0] - n[2][0];
    double gy = n[2][0] + 2 * n[2][1] + n[2][2] - n[0][0] - 2 * n[0][1] - n[0][2];
    cell_lab(sc, x, y, lab);
    int skin = lab[1] >= 3 && lab[1] <= 22 && lab[2] >= 4 && lab[2] <= 31 && lab[0] >= 15;
    int vivid = sqrt(lab[1] * lab[1] + lab[2] * lab[2]) > 60;
    return fabs(gx) + fabs(gy) + 255.0 * skin + 255.0 * vivid;
}

/* One axis of a separable Gaussian blur of a GRID x GRID map (edges repeated). */
static void blur_axis(const double *in, double *out, double sigma, int horizontal)
{
    int r = (int)ceil(3 * sigma);
    r = r > GRID ? GRID : r;
    for (int y = 0; y < GRID; y++)
        for (int x = 0; x < GRID; x++) {
            double acc = 0, norm = 0;
            for (int k = -r; k <= r; k++) {
                int xx = horizontal ? x + k : x, yy = horizontal ? y : y + k;
                xx = xx < 0 ? 0 : xx >= GRID ? GRID - 1 : xx;
                yy = yy < 0 ? 0 : yy >= GRID ? GRID - 1 : yy;
                double w = sigma > 0 ? exp(-(double)(k * k) / (2 * sigma * sigma)) : k == 0;
                acc += w * in[yy * GRID + xx];
                norm += w;
            }
            out[y * GRID + x] = acc / norm;
        }
}

/* The peak of the blurred map as a point of the small copy (the centre of its grid cell). */
static void place_attention(const tproc__smartcrop *sc, ptrdiff_t tw, ptrdiff_t th, double *px,
                            double *py)
{
    double map[GRID * GRID] = {0}, weight[GRID * GRID] = {0}, tmp[GRID * GRID];
    for (ptrdiff_t y = 0; y < sc->rh; y++)
        for (ptrdiff_t x = 0; x < sc->rw; x++) {
            size_t g = (size_t)(y * GRID / sc->rh * GRID + x * GRID / sc->rw);
            map[g] += interest(sc, x, y);
            weight[g] += 1.0;
        }
    for (int i = 0; i < GRID * GRID; i++)
        map[i] = weight[i] > 0 ? map[i] / weight[i] : 0.0;
    double gw = (double)tw * GRID / (double)sc->rw, gh = (double)th * GRID / (double)sc->rh;
    double sigma = sqrt(gw * gw + gh * gh) / 6.0;
    blur_axis(map, tmp, sigma, 1);
    blur_axis(tmp, map, sigma, 0);
    int best = 0;
    for (int i = 1; i < GRID * GRID; i++)
        if (map[i] > map[best])
            best = i;
    *px = ((best % GRID) + 0.5) * (double)sc->rw / GRID;
    *py = ((best / GRID) + 0.5) * (double)sc->rh / GRID;
}

static ptrdiff_t clamp_start(double v, ptrdiff_t scaled, ptrdiff_t out)
{
    double s = floor(v + 0.5), hi = (double)(scaled - out);
    return (ptrdiff_t)(s < 0 ? 0 : s > hi ? hi : s);
}

void tproc__smartcrop_place(const tproc__smartcrop *sc, ptrdiff_t out_w, ptrdiff_t out_h,
                            ptrdiff_t *x, ptrdiff_t *y)
{
    /* Small copy cells per scaled pixel, each axis. */
    double fx = (double)sc->rw / (double)sc->scaled_w, fy = (double)sc->rh / (double)sc->scaled_h;
    ptrdiff_t tw = (ptrdiff_t)floor((double)out_w * fx + 0.5);
    ptrdiff_t th = (ptrdiff_t)floor((double)out_h * fy + 0.5);
    tw = tw < 1 ? 1 : tw > sc->rw ? sc->rw : tw;
    th = th < 1 ? 1 : th > sc->rh ? sc->rh : th;
    if (sc->attention) {
        double px, py;
        place_attention(sc, tw, th, &px, &py);
        *x = clamp_start(px / fx - (double)out_w / 2.0, sc->scaled_w, out_w);
        *y = clamp_start(py / fy - (double)out_h / 2.0, sc->scaled_h, out_h);
    } else {
        ptrdiff_t left, top;
        place_entropy(sc, tw, th, &left, &top);
        *x = clamp_start((double)left / fx, sc->scaled_w, out_w);
        *y = clamp_start((double)top / fy, sc->scaled_h, out_h);
    }
}
