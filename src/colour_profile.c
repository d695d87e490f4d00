/* SPDX-License-Identifier: MIT */
/*
 * colour_profile.c: ICC profiles: the checks made before lcms2 sees the bytes, what `info`
 * reports, profiles from files, and the compact sRGB profile embedded on output.
 *
 * A profile object is the bytes and the facts about them; it holds no lcms2 state. Each
 * transform parses the bytes again in its own lcms2 context (tens of microseconds), so that a
 * transform depends on nothing but itself and profiles can be freed at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "colour_internal.h"

struct tproc__profile {
    tproc_ctx *ctx;
    unsigned char *bytes;
    size_t size;
    tproc__profile_info info;
};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The header and tag table, checked against the bytes we have: lcms2 would accept a declared
 * size past the end and read tags lazily, so a truncated profile would fail late, mid-image.
 * A declared size below the data's (padding after the profile) is fine: the rest is ignored.
 */
static int check_layout(tproc_ctx *ctx, const char *name, const unsigned char *d, size_t size,
                        size_t *used)
{
    if (size < 132)
        return tproc__error(ctx, TPROC_ERR_CORRUPT,
                            "%s: ICC profile of %zu bytes is too small to hold a header", name,
                            size);
    if (memcmp(d + 36, "acsp", 4) != 0)
        return tproc__error(ctx, TPROC_ERR_CORRUPT,
                            "%s: not an ICC profile (no 'acsp' signature)", name);
    uint32_t declared = be32(d);
    if (declared < 132)
        return tproc__error(ctx, TPROC_ERR_CORRUPT,
                            "%s: ICC profile declares %u bytes, less than its header", name,
                            (unsigned)declared);
    if (declared > size)
        return tproc__error(ctx, TPROC_ERR_CORRUPT,
                            "%s: ICC profile is truncated: it declares %u bytes, %zu are there",
                            name, (unsigned)declared, size);
    uint32_t tags = be32(d + 128);
    if (tags > TPROC__PROFILE_MAX_TAGS)
        return tproc__error(ctx, TPROC_ERR_CORRUPT,
                            "%s: ICC profile declares %u tags (at most %u are accepted)", name,
                            (unsigned)tags, TPROC__PROFILE_MAX_TAGS);
    if (132 + (uint64_t)tags * 12 > declared)
        return tproc__error(ctx, TPROC_ERR_CORRUPT,
                            "%s: ICC profile's tag table runs past its end", name);
    for (uint32_t i = 0; i < tags; i++) {
        const unsigned char *t = d + 132 + (size_t)i * 12;
        uint64_t end = (uint64_t)be32(t + 4) + be32(t + 8);
        if (end > declared)
            return tproc__error(ctx, TPROC_ERR_CORRUPT,
                                "%s: ICC profile's tag %u (signature 0x%08x) runs past its end",
                                name, (unsigned)i, (unsigned)be32(t));
    }
    *used = declared;
    return TPROC_OK;
}

static const char *class_name(cmsProfileClassSignature c)
{
    switch (c) {
    case cmsSigInputClass:
        return "input";
    case cmsSigDisplayClass:
        return "display";
    case cmsSigOutputClass:
        return "output";
    case cmsSigLinkClass:
        return "link";
    case cmsSigAbstractClass:
        return "abstract";
    case cmsSigColorSpaceClass:
        return "colorspace";
    case cmsSigNamedColorClass:
        return "named";
    default:
        return "unknown";
    }
}

/* Appends code point u as UTF-8 if it fits; returns the new length. */
static size_t put_utf8(char *buf, size_t len, size_t cap, uint32_t u)
{
    unsigned char b[4];
    size_t n;
    if (u >= 0xD800 && u <= 0xDFFF)
        u = 0xFFFD;
    if (u < 0x80) {
        b[0] = (unsigned char)u;
        n = 1;
    } else if (u < 0x800) {
        b[0] = (unsigned char)(0xC0 | u >> 6);
        b[1] = (unsigned char)(0x80 | (u & 0x3F));
        n = 2;
    } else if (u < 0x10000) {
        b[0] = (unsigned char)(0xE0 | u >> 12);
        b[1] = (unsigned char)(0x80 | (u >> 6 & 0x3F));
        b[2] = (unsigned char)(0x80 | (u & 0x3F));
        n = 3;
    } else if (u < 0x110000) {
        b[0] = (unsigned char)(0xF0 | u >> 18);
        b[1] = (unsigned char)(0x80 | (u >> 12 & 0x3F));
        b[2] = (unsigned char)(0x80 | (u >> 6 & 0x3F));
        b[3] = (unsigned char)(0x80 | (u & 0x3F));
        n = 4;
    } else {
        return len;
    }
    if (len + n >= cap)
        return len;
    memcpy(buf + len, b, n);
    return len + n;
}

/* The English description as UTF-8 (lcms2 2.14 gives wide characters), control characters
 * dropped so that it prints safely. */
static void read_description(cmsHPROFILE h, char *out, size_t cap)
{
    wchar_t wide[128];
    out[0] = '\0';
    cmsUInt32Number n = cmsGetProfileInfo(h, cmsInfoDescription, "en", "US", wide, sizeof wide);
    if (n == 0)
        return;
    wide[sizeof wide / sizeof wide[0] - 1] = L'\0';
    size_t len = 0;
    for (size_t i = 0; i < sizeof wide / sizeof wide[0] && wide[i]; i++) {
        uint32_t u = (uint32_t)wide[i];
        if (u < 0x20 || u == 0x7F)
            continue;
        len = put_utf8(out, len, cap, u);
    }
    out[len] = '\0';
}

/* What lcms2 reads of the header, and whether this profile can be an image's profile. */
static int read_info(tproc_ctx *ctx, const char *name, const unsigned char *data, size_t size,
                     tproc__profile_info *info)
{
    tproc__cms *c;
    int status = tproc__cms_open(ctx, name, &c);
    if (status)
        return status;
    cmsHPROFILE h = tproc__cms_open_bytes(c, data, size);
    if (!h) {
        status = tproc__cms_fail(c, TPROC_ERR_CORRUPT, name, "ICC profile rejected by lcms2");
        tproc__cms_close(&c);
        return status;
    }
    cmsProfileClassSignature cls = cmsGetDeviceClass(h);
    info->space = tproc__cms_space(h);
    info->class_name = class_name(cls);
    cmsUInt32Number v = cmsGetEncodedICCversion(h);
    info->version_major = (unsigned)(v >> 24);
    info->version_minor = (unsigned)(v >> 20 & 0xF);
    info->size = size;
    info->matrix_shaper = (info->space == TPROC__SPACE_RGB || info->space == TPROC__SPACE_GRAY) &&
                          cmsIsMatrixShaper(h);
    read_description(h, info->description, sizeof info->description);
    cmsCloseProfile(h);
    if (atomic_load(&c->alloc_status))
        status = tproc__cms_fail(c, TPROC_ERR_NOMEM, name, "reading the ICC profile");
    else if (cls == cmsSigLinkClass || cls == cmsSigNamedColorClass || cls == cmsSigAbstractClass)
        status = tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                              "%s: a %s ICC profile cannot be an image's colour space", name,
                              info->class_name);
    tproc__cms_close(&c);
    return status;
}

int tproc__profile_open(tproc_ctx *ctx, const char *name, const void *data, size_t size,
                        tproc__profile **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "profile_open: out is NULL");
    *out = NULL;
    name = name ? name : "ICC profile";
    if (!data && size)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: ICC profile data is NULL", name);
    if (size > TPROC__PROFILE_MAX_SIZE) {
        char have[32], max[32];
        tproc__format_bytes(size, have, sizeof have);
        tproc__format_bytes(TPROC__PROFILE_MAX_SIZE, max, sizeof max);
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "%s: ICC profile of %s is larger than the %s tileproc accepts", name,
                            have, max);
    }
    size_t used = 0;
    int status = check_layout(ctx, name, data, size, &used);
    if (status)
        return status;
    void *p;
    char what[160];
    snprintf(what, sizeof what, "%s: ICC profile", name);
    status = tproc__alloc(ctx, sizeof(tproc__profile), what, &p);
    if (status)
        return status;
    tproc__profile *prof = p;
    prof->ctx = ctx;
    prof->size = used;
    status = tproc__alloc_uninit(ctx, used, what, &p);
    if (status) {
        tproc__dealloc(ctx, prof);
        return status;
    }
    prof->bytes = p;
    memcpy(prof->bytes, data, used);
    status = read_info(ctx, name, prof->bytes, used, &prof->info);
    if (status) {
        tproc__profile_free(&prof);
        return status;
    }
    *out = prof;
    return TPROC_OK;
}

int tproc__profile_open_file(tproc_ctx *ctx, const char *path, tproc__profile **out)
{
    if (!out || !path)
        return tproc__error(ctx, TPROC_ERR_ARG, "profile_open_file: NULL argument");
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return tproc__error(ctx, TPROC_ERR_IO, "%s: cannot open the ICC profile", path);
    /* Read at most one byte past the limit: enough to tell a file that is too large. */
    size_t cap = TPROC__PROFILE_MAX_SIZE + 1, size = 0;
    long end = -1;
    if (fseek(fp, 0, SEEK_END) == 0 && (end = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
        (size_t)end < cap)
        cap = (size_t)end + 1;
    void *buf;
    char what[160];
    snprintf(what, sizeof what, "%s: ICC profile file", path);
    int status = tproc__alloc_uninit(ctx, cap, what, &buf);
    if (status) {
        fclose(fp);
        return status;
    }
    size_t got;
    while (size < cap && (got = fread((unsigned char *)buf + size, 1, cap - size, fp)) > 0)
        size += got;
    int failed = ferror(fp);
    fclose(fp);
    if (failed)
        status = tproc__error(ctx, TPROC_ERR_IO, "%s: cannot read the ICC profile", path);
    else
        status = tproc__profile_open(ctx, path, buf, size, out);
    tproc__dealloc(ctx, buf);
    return status;
}

void tproc__profile_free(tproc__profile **pp)
{
    if (!pp || !*pp)
        return;
    tproc__profile *p = *pp;
    *pp = NULL;
    tproc__dealloc(p->ctx, p->bytes);
    tproc__dealloc(p->ctx, p);
}

const tproc__profile_info *tproc__profile_info_of(const tproc__profile *profile)
{
    return &profile->info;
}

const unsigned char *tproc__profile_bytes(const tproc__profile *profile, size_t *size)
{
    *size = profile->size;
    return profile->bytes;
}

/* --- the sRGB profiles for output ------------------------------------------------------- */

/* lcms2 2.14 writes its sRGB (v4, parametric curves) in well under 1 KiB, the gray one in less. */
typedef struct own_profile {
    unsigned char bytes[4096];
    size_t size;
} own_profile;
static own_profile own[2]; /* RGB, gray */
static pthread_mutex_t own_lock = PTHREAD_MUTEX_INITIALIZER;

static int make_own(tproc_ctx *ctx, int gray, own_profile *p)
{
    tproc__cms *c;
    int status = tproc__cms_open(ctx, "sRGB profile", &c);
    if (status)
        return status;
    cmsHPROFILE h = gray ? tproc__cms_srgb_gray(c) : tproc__cms_srgb(c);
    if (h && gray) { /* lcms2 calls it "gray built-in": say which gray */
        cmsMLU *mlu = cmsMLUalloc(c->cms, 1);
        int named = mlu && cmsMLUsetASCII(mlu, "en", "US", "Gray, sRGB tone curve") &&
                    cmsWriteTag(h, cmsSigProfileDescriptionTag, mlu);
        if (mlu)
            cmsMLUfree(mlu);
        if (!named) {
            cmsCloseProfile(h);
            h = NULL;
        }
    }
    cmsUInt32Number n = 0;
    if (h && cmsSaveProfileToMem(h, NULL, &n) && n >= 132 && n <= sizeof p->bytes &&
        cmsSaveProfileToMem(h, p->bytes, &n)) {
        /* A fixed creation date (lcms2 writes the current time), so outputs are the same
         * bytes from run to run: 2024-01-01 00:00:00, six big-endian 16-bit fields. */
        static const unsigned char date[12] = {0x07, 0xE8, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0};
        memcpy(p->bytes + 24, date, sizeof date);
        p->size = n;
    } else {
        status = tproc__cms_fail(c, TPROC_ERR_NOMEM, "colour",
                                 gray ? "cannot make the gray sRGB profile"
                                      : "cannot make the sRGB profile");
    }
    if (h)
        cmsCloseProfile(h);
    tproc__cms_close(&c);
    return status;
}

int tproc__profile_is_own_srgb(tproc_ctx *ctx, const tproc__profile *profile)
{
    const unsigned char *p = profile->bytes;
    for (int gray = 0; gray < 2; gray++) {
        const unsigned char *srgb;
        size_t size;
        if (tproc__srgb_profile_bytes(ctx, gray, &srgb, &size) != TPROC_OK ||
            profile->size != size)
            continue;
        /* The creation date (bytes 24-35) and the profile ID (84-99) may differ. */
        if (memcmp(p, srgb, 24) == 0 && memcmp(p + 36, srgb + 36, 84 - 36) == 0 &&
            memcmp(p + 100, srgb + 100, size - 100) == 0)
            return 1;
    }
    return 0;
}

int tproc__srgb_profile_bytes(tproc_ctx *ctx, int gray, const unsigned char **data, size_t *size)
{
    int status = TPROC_OK;
    own_profile *p = &own[gray != 0];
    pthread_mutex_lock(&own_lock);
    if (p->size == 0)
        status = make_own(ctx, gray, p);
    pthread_mutex_unlock(&own_lock);
    *data = status ? NULL : p->bytes;
    *size = status ? 0 : p->size;
    return status;
}
