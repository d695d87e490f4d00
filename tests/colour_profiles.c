/* SPDX-License-Identifier: MIT */
/* colour_profiles.c: see colour_profiles.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lcms2.h>

#include "colour_profiles.h"

static cmsToneCurve *srgb_curve(void)
{
    static const cmsFloat64Number p[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
    return cmsBuildParametricToneCurve(NULL, 4, p);
}

static cmsHPROFILE make_p3(void)
{
    cmsCIExyY d65;
    cmsWhitePointFromTemp(&d65, 6504);
    cmsCIExyYTRIPLE p3 = {{0.680, 0.320, 1.0}, {0.265, 0.690, 1.0}, {0.150, 0.060, 1.0}};
    cmsToneCurve *c = srgb_curve();
    cmsToneCurve *curves[3] = {c, c, c};
    cmsHPROFILE h = cmsCreateRGBProfile(&d65, &p3, curves);
    cmsFreeToneCurve(c);
    if (h) {
        cmsMLU *mlu = cmsMLUalloc(NULL, 1);
        cmsMLUsetASCII(mlu, "en", "US", "Display P3 (tileproc test)");
        cmsWriteTag(h, cmsSigProfileDescriptionTag, mlu);
        cmsMLUfree(mlu);
    }
    return h;
}

static cmsHPROFILE make_gray(cmsToneCurve *c)
{
    cmsHPROFILE h = cmsCreateGrayProfile(cmsD50_xyY(), c);
    cmsFreeToneCurve(c);
    return h;
}

/* The made-up ink model: CMYK in [0, 1] to Lab (D50), through sRGB. */
typedef struct ink_model {
    cmsHTRANSFORM to_lab; /* sRGB (double) to Lab D50 (double) */
} ink_model;

static double dot_gain(double t)
{
    return 1.0 - pow(1.0 - t, 1.35);
}

static void cmyk_to_lab(const ink_model *m, const double cmyk[4], cmsCIELab *lab)
{
    double k = dot_gain(cmyk[3]);
    double rgb[3];
    for (int c = 0; c < 3; c++) {
        double ink = dot_gain(cmyk[c]);
        /* Inks are not ideal filters: each absorbs a little of its neighbours' light. */
        double leak = 0.08 * dot_gain(cmyk[(c + 1) % 3]);
        rgb[c] = (1.0 - 0.92 * ink) * (1.0 - leak) * (1.0 - 0.9 * k);
    }
    rgb[2] *= 1.0 - 0.05 * k; /* black ink is slightly warm */
    cmsDoTransform(m->to_lab, rgb, lab, 1);
}

/* What a sampler is given: the ink model and how to encode Lab (v2 or v4 16-bit encoding). */
typedef struct sampler {
    ink_model model;
    int v2;
} sampler;

static void encode_lab(const sampler *s, const cmsCIELab *lab, cmsUInt16Number out[])
{
    if (s->v2)
        cmsFloat2LabEncodedV2(out, lab);
    else
        cmsFloat2LabEncoded(out, lab);
}

static int sample_cmyk(const cmsUInt16Number in[], cmsUInt16Number out[], void *cargo)
{
    const sampler *s = cargo;
    double cmyk[4];
    for (int c = 0; c < 4; c++)
        cmyk[c] = in[c] / 65535.0;
    cmsCIELab lab;
    cmyk_to_lab(&s->model, cmyk, &lab);
    encode_lab(s, &lab, out);
    return 1;
}

/* A wide-gamut RGB with a gamma 1.8 curve, through a CLUT: an RGB profile lcms2 cannot treat
 * as a matrix-shaper. */
static int sample_rgb(const cmsUInt16Number in[], cmsUInt16Number out[], void *cargo)
{
    const sampler *s = cargo;
    double rgb[3];
    for (int c = 0; c < 3; c++)
        rgb[c] = pow(in[c] / 65535.0, 1.8 / 2.2);
    cmsCIELab lab;
    cmsDoTransform(s->model.to_lab, rgb, &lab, 1);
    lab.a *= 1.15;
    lab.b *= 1.15;
    encode_lab(s, &lab, out);
    return 1;
}

/* A LUT-based profile: identity curves, a 16-bit CLUT to Lab, identity curves (the shape both
 * lut16 (v2) and lutAtoBType (v4) can hold). */
static cmsHPROFILE make_lut(int channels, double version)
{
    cmsUInt32Number ch = (cmsUInt32Number)channels;
    cmsHPROFILE srgb = cmsCreate_sRGBProfile(), lab4 = cmsCreateLab4Profile(NULL);
    sampler s = {{cmsCreateTransform(srgb, TYPE_RGB_DBL, lab4, TYPE_Lab_DBL,
                                     INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOOPTIMIZE)},
                 version < 4};
    cmsCloseProfile(srgb);
    cmsCloseProfile(lab4);
    cmsHPROFILE h = cmsCreateProfilePlaceholder(NULL);
    cmsPipeline *lut = cmsPipelineAlloc(NULL, ch, 3);
    cmsStage *clut = cmsStageAllocCLut16bit(NULL, channels == 4 ? 11 : 17, ch, 3, NULL);
    cmsStage *pre = cmsStageAllocToneCurves(NULL, ch, NULL);
    cmsStage *post = cmsStageAllocToneCurves(NULL, 3, NULL);
    int ok = h && s.model.to_lab && lut && clut && pre && post &&
             cmsStageSampleCLut16bit(clut, channels == 4 ? sample_cmyk : sample_rgb, &s, 0) &&
             cmsPipelineInsertStage(lut, cmsAT_END, pre) &&
             cmsPipelineInsertStage(lut, cmsAT_END, clut) &&
             cmsPipelineInsertStage(lut, cmsAT_END, post);
    if (!ok) {
        if (clut)
            cmsStageFree(clut);
        if (pre)
            cmsStageFree(pre);
        if (post)
            cmsStageFree(post);
    }
    if (ok) {
        cmsSetProfileVersion(h, version);
        cmsSetDeviceClass(h, channels == 4 ? cmsSigOutputClass : cmsSigInputClass);
        cmsSetColorSpace(h, channels == 4 ? cmsSigCmykData : cmsSigRgbData);
        cmsSetPCS(h, cmsSigLabData);
        cmsMLU *mlu = cmsMLUalloc(NULL, 1);
        cmsMLUsetASCII(mlu, "en", "US",
                       channels == 4 ? (version < 4 ? "CMYK LUT v2 (tileproc test)"
                                                    : "CMYK LUT v4 (tileproc test)")
                                     : "RGB LUT (tileproc test)");
        ok = cmsWriteTag(h, cmsSigProfileDescriptionTag, mlu) &&
             cmsWriteTag(h, cmsSigMediaWhitePointTag, cmsD50_XYZ()) &&
             cmsWriteTag(h, cmsSigAToB0Tag, lut);
        cmsMLUfree(mlu);
    }
    if (lut)
        cmsPipelineFree(lut);
    if (s.model.to_lab)
        cmsDeleteTransform(s.model.to_lab);
    if (!ok && h) {
        cmsCloseProfile(h);
        h = NULL;
    }
    return h;
}

cmsHPROFILE tcp_profile(const char *name)
{
    cmsHPROFILE h = NULL;
    if (strcmp(name, "p3") == 0)
        h = make_p3();
    else if (strcmp(name, "gray22") == 0)
        h = make_gray(cmsBuildGamma(NULL, 2.2));
    else if (strcmp(name, "srgb-gray") == 0)
        h = make_gray(srgb_curve());
    else if (strcmp(name, "cmyk-v2") == 0)
        h = make_lut(4, 2.1);
    else if (strcmp(name, "cmyk-v4") == 0)
        h = make_lut(4, 4.3);
    else if (strcmp(name, "rgb-lut") == 0)
        h = make_lut(3, 4.3);
    return h;
}

unsigned char *tcp_make(const char *name, size_t *size)
{
    cmsHPROFILE h = tcp_profile(name);
    if (!h)
        return NULL;
    cmsUInt32Number n = 0;
    unsigned char *bytes = NULL;
    if (cmsSaveProfileToMem(h, NULL, &n) && (bytes = malloc(n)) != NULL &&
        !cmsSaveProfileToMem(h, bytes, &n)) {
        free(bytes);
        bytes = NULL;
    }
    cmsCloseProfile(h);
    *size = n;
    return bytes;
}

unsigned char *tcp_read_file(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    long n = -1;
    if (fseek(fp, 0, SEEK_END) == 0)
        n = ftell(fp);
    unsigned char *b = n >= 0 && fseek(fp, 0, SEEK_SET) == 0 ? malloc(n > 0 ? (size_t)n : 1) : NULL;
    if (b && n > 0 && fread(b, 1, (size_t)n, fp) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(fp);
    *size = b ? (size_t)n : 0;
    return b;
}
