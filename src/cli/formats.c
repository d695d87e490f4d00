/* SPDX-License-Identifier: MIT */
/*
 * formats.c: the file formats the library was built with, as the tool's messages and help
 * name them. Nothing here knows a format: every list comes from tproc_file_format_at(), so a
 * build with more codecs names them all.
 */
#include <string.h>

#include "cli.h"

/* Writes one list of the formats into buf. */
static void list(char *buf, size_t size, int style)
{
    size_t n = tproc_file_format_count(), used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        tproc_file_format f = tproc_file_format_at(i);
        /* ".png, .jpg" goes on with more words ("or --format ..."), so it has no "or". */
        const char *sep = i == 0                                         ? ""
                          : style == CLI_FORMATS_BAR                     ? "|"
                          : i + 1 < n || style == CLI_FORMATS_EXTENSIONS ? ", "
                          : style == CLI_FORMATS_LABELS_AND              ? " and "
                                                                         : " or ";
        int w;
        if (style == CLI_FORMATS_EXTENSIONS)
            w = snprintf(buf + used, size - used, "%s.%s", sep, tproc_file_format_extension(f));
        else if (style == CLI_FORMATS_LABELS || style == CLI_FORMATS_LABELS_AND)
            w = snprintf(buf + used, size - used, "%s%s", sep, tproc_file_format_label(f));
        else
            w = snprintf(buf + used, size - used, "%s%s", sep, tproc_file_format_name(f));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

const char *cli_formats(int style)
{
    static char lists[CLI_FORMATS_STYLES][160];
    if (style < 0 || style >= CLI_FORMATS_STYLES)
        return "";
    if (!lists[style][0])
        list(lists[style], sizeof lists[style], style);
    return lists[style];
}

/* The placeholder help texts may hold for each list ("" for lists not used so). */
static const char *const placeholder[CLI_FORMATS_STYLES] = {
    [CLI_FORMATS_OR] = "{formats}",
    [CLI_FORMATS_LABELS] = "{labels}",
    [CLI_FORMATS_LABELS_AND] = "{labels-and}",
};

/* The list whose placeholder text starts with, or -1. */
static int placeholder_at(const char *text)
{
    for (int style = 0; style < CLI_FORMATS_STYLES; style++) {
        const char *key = placeholder[style];
        if (key && strncmp(text, key, strlen(key)) == 0)
            return style;
    }
    return -1;
}

const char *cli_expand(const char *text, char *buf, size_t size)
{
    size_t used = 0;
    while (*text && used + 1 < size) {
        int style = placeholder_at(text);
        const char *piece = style < 0 ? text : cli_formats(style);
        size_t len = style < 0 ? 1 : strlen(piece);
        if (len > size - 1 - used)
            len = size - 1 - used;
        memcpy(buf + used, piece, len);
        used += len;
        text += style < 0 ? 1 : strlen(placeholder[style]);
    }
    buf[used] = '\0';
    return buf;
}
