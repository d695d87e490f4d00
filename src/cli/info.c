/* SPDX-License-Identifier: MIT */
/*
 * info.c: `tileproc info [--json] FILE...`: what each file's header says, read without
 * decoding pixels. Plain output is one readable line per file; --json is one JSON object per
 * line (JSON Lines). A file that cannot be read is reported on stderr and the others are still
 * shown; the exit status is then 1.
 */
#include <string.h>

#include "cli.h"

/* Writes s as a JSON string: quotes, backslashes and control characters escaped, invalid UTF-8
 * bytes replaced by U+FFFD so the line is always valid JSON. */
static void json_string(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', fp);
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', fp);
            fputc(c, fp);
            p++;
        } else if (c == '\n') {
            fputs("\\n", fp);
            p++;
        } else if (c == '\t') {
            fputs("\\t", fp);
            p++;
        } else if (c == '\r') {
            fputs("\\r", fp);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(fp, "\\u%04x", c);
            p++;
        } else if (c < 0x80) {
            fputc(c, fp);
            p++;
        } else {
            /* A well-formed UTF-8 sequence (no overlongs, surrogates or values past U+10FFFF)
             * is copied; anything else becomes U+FFFD, one byte at a time. */
            size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
            int ok = n > 0 && c <= 0xf4;
            for (size_t k = 1; ok && k < n; k++)
                ok = (p[k] & 0xc0) == 0x80;
            if (ok && n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
                ok = 0;
            if (ok && n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
                ok = 0;
            if (ok) {
                fwrite(p, 1, n, fp);
                p += n;
            } else {
                fputs("\\ufffd", fp);
                p++;
            }
        }
    }
    fputc('"', fp);
}

static const char *bool_text(int v)
{
    return v ? "true" : "false";
}

/* The layout fields of a TIFF image (page or level), for JSON: after a comma. */
static void json_layout(const tproc_info *in)
{
    printf("\"tile_width\":%td,\"tile_height\":%td,\"compression\":", in->tile_width,
           in->tile_height);
    json_string(stdout, in->compression);
}

/* Every page and level of a multi-image file, as a JSON array or indented lines; stops at the
 * first that cannot be read (reported as a warning-free "?" line). */
static void print_images(tproc_ctx *ctx, const char *file, const tproc_info *first, int json)
{
    if (json)
        fputs(",\"images\":[", stdout);
    int n = 0;
    for (int page = 0; page < first->pages; page++) {
        tproc_info p;
        if (tproc_info_read_page(ctx, file, page, 0, &p) != TPROC_OK)
            break;
        for (int level = 0; level < p.levels; level++) {
            tproc_info l = p;
            if (level && tproc_info_read_page(ctx, file, page, level, &l) != TPROC_OK)
                break;
            if (json) {
                printf("%s{\"page\":%d,\"level\":%d,\"width\":%td,\"height\":%td,", n++ ? "," : "",
                       page, level, l.width, l.height);
                json_layout(&l);
                fputc('}', stdout);
            } else {
                printf("  page %d level %d: %tdx%td, %s", page, level, l.width, l.height,
                       l.compression);
                if (l.tile_width)
                    printf(", tiles %tdx%td", l.tile_width, l.tile_height);
                fputc('\n', stdout);
            }
        }
    }
    if (json)
        fputc(']', stdout);
}

/* The file's profile, described (has 0 when it has none or it cannot be read: info reports
 * the header; a load says what is wrong with the profile). Not for stdin, read once. */
typedef struct profile_text {
    int has;
    tproc_profile_facts facts;
} profile_text;

static void describe_profile(tproc_ctx *ctx, const char *file, profile_text *out)
{
    out->has = 0;
    tproc_source *s = NULL;
    tproc_load_options keep = {.colour = TPROC_COLOUR_KEEP};
    if (strcmp(file, "-") == 0 || tproc_source_open(ctx, file, &keep, &s) != TPROC_OK)
        return;
    size_t size;
    const void *icc = tproc_source_icc(s, &size);
    out->has = icc && tproc_profile_describe(ctx, icc, size, &out->facts) == TPROC_OK;
    tproc_source_free(&s);
}

/* The profile's fields, for JSON: after a comma, nothing when there is none. */
static void json_profile(const profile_text *p)
{
    if (p->has) {
        fputs(",\"icc_description\":", stdout);
        json_string(stdout, p->facts.description);
        printf(",\"icc_space\":\"%s\",\"icc_size\":%zu", p->facts.space, p->facts.size);
    }
}

static void print_json(const char *file, const tproc_info *in, const profile_text *p)
{
    fputs("{\"file\":", stdout);
    json_string(stdout, file);
    printf(",\"format\":\"%s\",\"width\":%td,\"height\":%td,\"channels\":%d,\"depth\":%d,"
           "\"sample\":\"%s\",\"interlaced\":%s,\"progressive\":%s,\"orientation\":%d,"
           "\"icc\":%s,\"exif\":%s",
           tproc_file_format_name(in->format), in->width, in->height, in->channels, in->bit_depth,
           tproc_sample_name(in->sample), bool_text(in->interlaced), bool_text(in->progressive),
           in->orientation, bool_text(in->has_icc), bool_text(in->has_exif));
    json_profile(p);
    fputs("}\n", stdout);
}

/* The TIFF fields: pages, levels, layout, and with a path every page and level. */
static void print_json_tiff(tproc_ctx *ctx, const char *file, const tproc_info *in,
                            const profile_text *p)
{
    fputs("{\"file\":", stdout);
    json_string(stdout, file);
    printf(",\"format\":\"%s\",\"width\":%td,\"height\":%td,\"channels\":%d,\"depth\":%d,"
           "\"sample\":\"%s\",\"orientation\":%d,\"icc\":%s,\"exif\":%s,\"bigtiff\":%s,"
           "\"pages\":%d,\"levels\":%d,",
           tproc_file_format_name(in->format), in->width, in->height, in->channels, in->bit_depth,
           tproc_sample_name(in->sample), in->orientation, bool_text(in->has_icc),
           bool_text(in->has_exif), bool_text(in->bigtiff), in->pages, in->levels);
    json_layout(in);
    json_profile(p);
    if (strcmp(file, "-") != 0)
        print_images(ctx, file, in, 1);
    fputs("}\n", stdout);
}

static const char *channel_names(int channels)
{
    static const char *const names[] = {"?", "gray", "gray+alpha", "RGB", "RGBA"};
    return channels >= 1 && channels <= 4 ? names[channels] : names[0];
}

/* "photo.jpg: JPEG 4000x3000, RGB, 8-bit, progressive, orientation 6 (upright 3000x4000),
 * ICC profile "sRGB IEC61966-2.1" (rgb, 3144 bytes), EXIF" */
static void print_plain(const char *file, const tproc_info *in, const profile_text *p)
{
    printf("%s: %s %tdx%td, %s, %d-bit", file, tproc_file_format_label(in->format), in->width,
           in->height, channel_names(in->channels), in->bit_depth);
    if (in->interlaced)
        fputs(", interlaced", stdout);
    if (in->progressive)
        fputs(", progressive", stdout);
    if (in->orientation != 1) {
        int turned = in->orientation >= 5;
        printf(", orientation %d (upright %tdx%td)", in->orientation,
               turned ? in->height : in->width, turned ? in->width : in->height);
    }
    if (p->has)
        printf(", ICC profile \"%s\" (%s, %zu bytes)", p->facts.description, p->facts.space,
               p->facts.size);
    else if (in->has_icc)
        fputs(", ICC profile", stdout);
    if (in->has_exif)
        fputs(", EXIF", stdout);
    if (in->compression) {
        printf(", %s", in->compression);
        if (in->tile_width)
            printf(", tiles %tdx%td", in->tile_width, in->tile_height);
        if (in->bigtiff)
            fputs(", BigTIFF", stdout);
    }
    if (in->pages > 1)
        printf(", %d pages", in->pages);
    if (in->levels > 1)
        printf(", %d levels", in->levels);
    fputc('\n', stdout);
}

int cli_info(cli_args *args)
{
    if (args->pos_count == 0)
        return cli_usage("info needs at least one FILE");
    tproc_ctx *ctx = NULL;
    if (tproc_ctx_new(NULL, &ctx) != TPROC_OK) {
        cli_error("cannot create a context: %s", tproc_ctx_message(NULL));
        return CLI_EXIT_FAILED;
    }
    int failed = 0;
    for (size_t i = 0; i < args->pos_count; i++) {
        const char *file = args->pos[i];
        tproc_info info;
        int status = strcmp(file, "-") == 0 ? tproc_info_read_file(ctx, stdin, "<stdin>", &info)
                                            : tproc_info_read(ctx, file, &info);
        if (status != TPROC_OK) {
            cli_report(ctx, status, strcmp(file, "-") == 0 ? "<stdin>" : file);
            failed = 1;
            continue;
        }
        profile_text profile = {0};
        if (info.has_icc)
            describe_profile(ctx, file, &profile);
        if (args->json && info.compression)
            print_json_tiff(ctx, file, &info, &profile);
        else if (args->json)
            print_json(file, &info, &profile);
        else
            print_plain(file, &info, &profile);
        /* A multi-image file: every page and level on its own line. */
        if (!args->json && (info.pages > 1 || info.levels > 1) && strcmp(file, "-") != 0)
            print_images(ctx, file, &info, 0);
    }
    tproc_ctx_free(&ctx);
    return failed ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}
