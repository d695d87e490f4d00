/* SPDX-License-Identifier: MIT */
/*
 * lab.c: linear RGB <-> XYZ (D65) <-> CIELAB (lab.h). The inverse matrix is computed from the
 * forward one, so a round trip returns its input to within double rounding.
 */
#include "lab.h"

#include <math.h>
#include <pthread.h>

static const double to_xyz[3][3] = {{0.4124564, 0.3575761, 0.1804375},
                                    {0.2126729, 0.7151522, 0.0721750},
                                    {0.0193339, 0.1191920, 0.9503041}};
static double from_xyz[3][3];
static double white[3]; /* XYZ of RGB (1, 1, 1) */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
    const double(*m)[3] = to_xyz;
    double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                 m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                 m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) { /* the adjugate's (i, j): the cofactor of m[j][i] */
            int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
            from_xyz[i][j] = (m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]) / det;
        }
    for (int i = 0; i < 3; i++)
        white[i] = m[i][0] + m[i][1] + m[i][2];
}

double tproc__srgb_to_linear(double v)
{
    double a = fabs(v), l = a <= 0.04045 ? a / 12.92 : pow((a + 0.055) / 1.055, 2.4);
    return v < 0 ? -l : l;
}

double tproc__linear_to_srgb(double v)
{
    double a = fabs(v), s = a <= 0.0031308 ? a * 12.92 : 1.055 * pow(a, 1 / 2.4) - 0.055;
    return v < 0 ? -s : s;
}

#define DELTA (6.0 / 29.0)

static double lab_f(double t)
{
    return t > DELTA * DELTA * DELTA ? cbrt(t) : t / (3 * DELTA * DELTA) + 4.0 / 29.0;
}

static double lab_finv(double t)
{
    return t > DELTA ? t * t * t : 3 * DELTA * DELTA * (t - 4.0 / 29.0);
}

void tproc__linear_to_lab(const double rgb[3], double lab[3])
{
    pthread_once(&once, init);
    double f[3];
    for (int i = 0; i < 3; i++)
        f[i] = lab_f((to_xyz[i][0] * rgb[0] + to_xyz[i][1] * rgb[1] + to_xyz[i][2] * rgb[2]) /
                     white[i]);
    lab[0] = 116 * f[1] - 16;
    lab[1] = 500 * (f[0] - f[1]);
    lab[2] = 200 * (f[1] - f[2]);
}

void tproc__lab_to_linear(const double lab[3], double rgb[3])
{
    pthread_once(&once, init);
    double fy = (lab[0] + 16) / 116, f[3] = {fy + lab[1] / 500, fy, fy - lab[2] / 200}, xyz[3];
    for (int i = 0; i < 3; i++)
        xyz[i] = lab_finv(f[i]) * white[i];
    for (int i = 0; i < 3; i++)
        rgb[i] = from_xyz[i][0] * xyz[0] + from_xyz[i][1] * xyz[1] + from_xyz[i][2] * xyz[2];
}
