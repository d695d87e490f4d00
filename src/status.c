/* SPDX-License-Identifier: MIT */
/*
 * status.c: the small lookup tables: status texts and names (from the one X-macro list in
 * base.h), sample types, border names, the version.
 */
#include <string.h>

#include "internal.h"

const char *tproc_version(void)
{
    return TPROC_VERSION_STRING;
}

const char *tproc_strerror(int status)
{
    switch (status) {
#define TPROC__STATUS_TEXT(name, value, text)                                                      \
    case value:                                                                                    \
        return text;
        TPROC_STATUS_LIST(TPROC__STATUS_TEXT)
#undef TPROC__STATUS_TEXT
    default:
        return "unknown status";
    }
}

const char *tproc_status_name(int status)
{
    switch (status) {
#define TPROC__STATUS_NAME(name, value, text)                                                      \
    case value:                                                                                    \
        return #name;
        TPROC_STATUS_LIST(TPROC__STATUS_NAME)
#undef TPROC__STATUS_NAME
    default:
        return "UNKNOWN";
    }
}

size_t tproc_sample_size(tproc_sample sample)
{
    switch (sample) {
    case TPROC_U8:
        return 1;
    case TPROC_U16:
        return 2;
    case TPROC_F32:
        return 4;
    }
    return 0;
}

const char *tproc_sample_name(tproc_sample sample)
{
    switch (sample) {
    case TPROC_U8:
        return "u8";
    case TPROC_U16:
        return "u16";
    case TPROC_F32:
        return "f32";
    }
    return "?";
}

static const struct {
    const char *name;
    tproc_border border;
} border_names[] = {
    {"constant", TPROC_BORDER_CONSTANT},
    {"replicate", TPROC_BORDER_REPLICATE},
    {"reflect", TPROC_BORDER_REFLECT},
    {"reflect101", TPROC_BORDER_REFLECT_101},
    {"reflect_101", TPROC_BORDER_REFLECT_101},
    {"reflect-101", TPROC_BORDER_REFLECT_101},
    {"wrap", TPROC_BORDER_WRAP},
};

const char *tproc_border_name(tproc_border border)
{
    for (size_t i = 0; i < sizeof border_names / sizeof border_names[0]; i++)
        if (border_names[i].border == border)
            return border_names[i].name;
    return NULL;
}

int tproc_border_parse(const char *name, tproc_border *out)
{
    if (!name || !out)
        return TPROC_ERR_ARG;
    for (size_t i = 0; i < sizeof border_names / sizeof border_names[0]; i++) {
        if (strcmp(border_names[i].name, name) == 0) {
            *out = border_names[i].border;
            return TPROC_OK;
        }
    }
    return TPROC_ERR_ARG;
}
