/* SPDX-License-Identifier: MIT */
/*
 * colour_cms.c: the lcms2 context every colour object runs in (see colour_internal.h), and the
 * built-in profiles made in it.
 *
 * Memory: a memory-handler plugin sends lcms2's allocations to tproc__alloc with the context's
 * tileproc context, so a profile with huge tags fails with TPROC_ERR_LIMIT like any other
 * allocation. Those blocks are kept on a list, and whatever is on it when the context closes is
 * freed: lcms2 2.14 leaks part of a transform whose building ran out of memory (seen under the
 * limits suite's 64 KiB limit on a JPEG's sRGB profile). The one exception is the lcms2 context
 * structure itself (a few hundred bytes): lcms2 allocates it before the user data is reachable, so
 * it comes from malloc.
 *
 * Errors: lcms2 reports through a per-context handler; ours keeps the first message and never
 * prints. The handler and allocator may run on several threads at once (apply_row never
 * allocates, but lcms2 is not promised not to), hence the atomics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lcms2_plugin.h>

#include "colour_internal.h"

/* In front of every lcms2 block: where it came from and its size (for realloc). The 32 bytes
 * keep lcms2's blocks 16-byte aligned. */
typedef struct block_header {
    tproc_ctx *ctx;
    size_t size;
    tproc__cms *owner;                /* NULL for malloc'd blocks (not on a list) */
    struct block_header *prev, *next; /* the owner's list of blocks */
    int counted;                      /* from tproc__alloc (else malloc) */
    int pad;
} block_header;
_Static_assert(sizeof(block_header) % 16 == 0, "lcms2's blocks stay 16-byte aligned");

static void lock(tproc__cms *c)
{
    while (atomic_flag_test_and_set_explicit(&c->lock, memory_order_acquire))
        ;
}

static void unlock(tproc__cms *c)
{
    atomic_flag_clear_explicit(&c->lock, memory_order_release);
}

/* Links a counted block into its owner's list (the header lives in the block itself). */
static void block_link(block_header *h)
{
    tproc__cms *c = h->owner;
    lock(c);
    h->prev = NULL;
    h->next = c->blocks;
    if (h->next)
        h->next->prev = h;
    c->blocks = h;
    unlock(c);
}

static void block_unlink(block_header *h)
{
    tproc__cms *c = h->owner;
    lock(c);
    if (h->prev)
        h->prev->next = h->next;
    else
        c->blocks = h->next;
    if (h->next)
        h->next->prev = h->prev;
    unlock(c);
}

static void *cms_malloc(cmsContext id, cmsUInt32Number size)
{
    tproc__cms *c = cmsGetContextUserData(id);
    size_t total = (size_t)size + sizeof(block_header);
    block_header h = {c ? c->ctx : NULL, size, c, NULL, NULL, c != NULL, 0};
    unsigned char *raw = NULL;
    if (c) {
        void *p;
        int status = tproc__alloc_uninit(c->ctx, total, "ICC profile data (lcms2)", &p);
        if (status) {
            int expected = 0;
            /* Keep the allocator's message (it names the limit) for tproc__cms_fail. */
            if (atomic_compare_exchange_strong(&c->alloc_status, &expected, status))
                snprintf(c->alloc_message, sizeof c->alloc_message, "%s",
                         tproc_ctx_message(c->ctx));
            return NULL;
        }
        raw = p;
    } else {
        raw = malloc(total);
        if (!raw)
            return NULL;
    }
    memcpy(raw, &h, sizeof h);
    if (c)
        block_link((block_header *)(void *)raw);
    return raw + sizeof h;
}

static void cms_free(cmsContext id, void *ptr)
{
    (void)id;
    if (!ptr)
        return;
    unsigned char *raw = (unsigned char *)ptr - sizeof(block_header);
    block_header h;
    memcpy(&h, raw, sizeof h);
    if (h.counted) {
        block_unlink((block_header *)(void *)raw);
        tproc__dealloc(h.ctx, raw);
    } else
        free(raw);
}

static void *cms_realloc(cmsContext id, void *ptr, cmsUInt32Number size)
{
    void *grown = cms_malloc(id, size);
    if (!grown || !ptr)
        return grown;
    block_header h;
    memcpy(&h, (unsigned char *)ptr - sizeof h, sizeof h);
    memcpy(grown, ptr, h.size < size ? h.size : size);
    cms_free(id, ptr);
    return grown;
}

static cmsPluginMemHandler memory_plugin = {
    {cmsPluginMagicNumber, 2000, cmsPluginMemHandlerSig, NULL},
    cms_malloc,
    cms_free,
    cms_realloc,
    NULL,
    NULL,
    NULL,
};

static void cms_log(cmsContext id, cmsUInt32Number code, const char *text)
{
    (void)code;
    tproc__cms *c = cmsGetContextUserData(id);
    if (!c)
        return;
    int expected = 0;
    if (atomic_compare_exchange_strong(&c->has_message, &expected, 1))
        snprintf(c->message, sizeof c->message, "%s", text ? text : "unknown lcms2 error");
}

int tproc__cms_open(tproc_ctx *ctx, const char *name, tproc__cms **out)
{
    *out = NULL;
    void *p;
    char what[160];
    snprintf(what, sizeof what, "%s: colour context", name);
    int status = tproc__alloc(ctx, sizeof(tproc__cms), what, &p);
    if (status)
        return status;
    tproc__cms *c = p;
    c->ctx = ctx;
    atomic_init(&c->has_message, 0);
    atomic_init(&c->alloc_status, 0);
    atomic_flag_clear(&c->lock);
    c->blocks = NULL;
    c->cms = cmsCreateContext(&memory_plugin, c);
    if (!c->cms) {
        int s = atomic_load(&c->alloc_status);
        char message[256];
        snprintf(message, sizeof message, "%s", c->alloc_message);
        tproc__dealloc(ctx, c);
        if (s)
            return tproc__error(ctx, s, "%s: %s", name, message);
        return tproc__error(ctx, TPROC_ERR_NOMEM, "%s: cannot create an lcms2 context", name);
    }
    cmsSetLogErrorHandlerTHR(c->cms, cms_log);
    *out = c;
    return TPROC_OK;
}

void tproc__cms_close(tproc__cms **pc)
{
    if (!pc || !*pc)
        return;
    tproc__cms *c = *pc;
    *pc = NULL;
    cmsDeleteContext(c->cms);
    for (block_header *h = c->blocks, *next; h; h = next) { /* what lcms2 leaked */
        next = h->next;
        tproc__dealloc(c->ctx, h);
    }
    tproc__dealloc(c->ctx, c);
}

void tproc__cms_reset(tproc__cms *c)
{
    atomic_store(&c->has_message, 0);
    atomic_store(&c->alloc_status, 0);
}

int tproc__cms_fail(tproc__cms *c, int status, const char *name, const char *what)
{
    int alloc = atomic_load(&c->alloc_status);
    if (alloc)
        return tproc__error(c->ctx, alloc, "%s: %s: %s", name, what, c->alloc_message);
    if (atomic_load(&c->has_message))
        return tproc__error(c->ctx, status, "%s: %s: %s", name, what, c->message);
    return tproc__error(c->ctx, status, "%s: %s", name, what);
}

cmsHPROFILE tproc__cms_open_bytes(tproc__cms *c, const unsigned char *data, size_t size)
{
    if (size > UINT32_MAX)
        return NULL;
    return cmsOpenProfileFromMemTHR(c->cms, data, (cmsUInt32Number)size);
}

tproc__colour_space tproc__cms_space(cmsHPROFILE profile)
{
    switch (cmsGetColorSpace(profile)) {
    case cmsSigGrayData:
        return TPROC__SPACE_GRAY;
    case cmsSigRgbData:
        return TPROC__SPACE_RGB;
    case cmsSigCmykData:
        return TPROC__SPACE_CMYK;
    case cmsSigLabData:
        return TPROC__SPACE_LAB;
    default:
        return TPROC__SPACE_OTHER;
    }
}

cmsUInt32Number tproc__cms_intent(tproc__intent intent)
{
    switch (intent) {
    case TPROC__INTENT_PERCEPTUAL:
        return INTENT_PERCEPTUAL;
    case TPROC__INTENT_SATURATION:
        return INTENT_SATURATION;
    case TPROC__INTENT_ABSOLUTE:
        return INTENT_ABSOLUTE_COLORIMETRIC;
    case TPROC__INTENT_RELATIVE:
    default:
        return INTENT_RELATIVE_COLORIMETRIC;
    }
}

cmsHPROFILE tproc__cms_srgb(tproc__cms *c)
{
    return cmsCreate_sRGBProfileTHR(c->cms);
}

/* sRGB's tone curve as lcms2 builds it for cmsCreate_sRGBProfile: IEC 61966-2-1, parametric
 * type 4, Y = ((a X + b)^g for X >= d, else c X). The white is D50, the media white lcms2's
 * (v4) sRGB declares, so that the absolute intent treats gray as it treats RGB. */
cmsHPROFILE tproc__cms_srgb_gray(tproc__cms *c)
{
    static const cmsFloat64Number srgb[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
    cmsToneCurve *curve = cmsBuildParametricToneCurve(c->cms, 4, srgb);
    if (!curve)
        return NULL;
    cmsHPROFILE p = cmsCreateGrayProfileTHR(c->cms, cmsD50_xyY(), curve);
    cmsFreeToneCurve(curve);
    return p;
}

const char *tproc__colour_space_name(tproc__colour_space space)
{
    switch (space) {
    case TPROC__SPACE_GRAY:
        return "gray";
    case TPROC__SPACE_RGB:
        return "rgb";
    case TPROC__SPACE_CMYK:
        return "cmyk";
    case TPROC__SPACE_LAB:
        return "lab";
    case TPROC__SPACE_OTHER:
    default:
        return "other";
    }
}

static const char *const intent_names[] = {"relative", "perceptual", "saturation", "absolute"};

const char *tproc__intent_name(tproc__intent intent)
{
    if ((unsigned)intent >= sizeof intent_names / sizeof intent_names[0])
        return NULL;
    return intent_names[intent];
}

int tproc__intent_parse(const char *name, tproc__intent *out)
{
    for (unsigned i = 0; name && i < sizeof intent_names / sizeof intent_names[0]; i++) {
        if (strcmp(name, intent_names[i]) == 0) {
            *out = (tproc__intent)i;
            return TPROC_OK;
        }
    }
    return TPROC_ERR_ARG;
}

int tproc__layout_channels(tproc__layout layout)
{
    switch (layout) {
    case TPROC__LAYOUT_GRAY:
        return 1;
    case TPROC__LAYOUT_GRAYA:
        return 2;
    case TPROC__LAYOUT_RGB:
        return 3;
    case TPROC__LAYOUT_RGBA:
    case TPROC__LAYOUT_CMYK:
        return 4;
    }
    return 0;
}
