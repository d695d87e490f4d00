/* SPDX-License-Identifier: MIT */
/*
 * colour_tool.c: the colour engine for scripts (colour_tificc.py), which compare it with lcms2's
 * tificc tool. Internal API, so linked with the static library.
 *
 *   colour_tool profile NAME OUT.icc
 *       writes a profile of tests/colour_profiles.c ("p3", "cmyk-v4", ...)
 *   colour_tool convert IN.icc|- OUT.icc|- LAYOUT SAMPLE INTENT BPC ENGINE PIXELS IN.raw OUT.raw
 *       converts PIXELS packed pixels (native byte order); "-" is sRGB (untagged input, or the
 *       default output); LAYOUT gray|graya|rgb|rgba|cmyk, SAMPLE u8|u16|f32, INTENT
 *       relative|perceptual|saturation|absolute, BPC 0|1, ENGINE auto|precise|float.
 *       Prints the path taken and the output's channel count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colour.h"
#include "colour_profiles.h"

static int fail(const char *what)
{
    fprintf(stderr, "colour_tool: %s: %s\n", what, tproc_ctx_message(NULL));
    return 1;
}

static int write_all(const char *path, const void *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return 1;
    int bad = fwrite(data, 1, size, fp) != size;
    return fclose(fp) != 0 || bad;
}

static int parse(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "profile") == 0) {
        size_t size;
        unsigned char *p = tcp_make(argv[2], &size);
        if (!p || write_all(argv[3], p, size)) {
            fprintf(stderr, "colour_tool: cannot make %s\n", argv[2]);
            return 1;
        }
        free(p);
        return 0;
    }
    if (argc != 12 || strcmp(argv[1], "convert") != 0) {
        fprintf(stderr, "usage: colour_tool profile NAME OUT.icc\n"
                        "       colour_tool convert IN.icc|- OUT.icc|- LAYOUT SAMPLE INTENT BPC "
                        "ENGINE PIXELS IN.raw OUT.raw\n");
        return 2;
    }
    static const char *const layouts[] = {"gray", "graya", "rgb", "rgba", "cmyk"};
    static const char *const samples[] = {"u8", "u16", "f32"};
    static const char *const engines[] = {"auto", "precise", "float"};
    int layout = parse(argv[4], layouts, 5), sample = parse(argv[5], samples, 3);
    int engine = parse(argv[8], engines, 3);
    tproc__transform_options o = {0};
    if (layout < 0 || sample < 0 || engine < 0 || tproc__intent_parse(argv[6], &o.intent)) {
        fprintf(stderr, "colour_tool: bad layout, sample, intent or engine\n");
        return 2;
    }
    o.black_point_compensation = atoi(argv[7]);
    o.engine = (tproc__colour_engine)engine;
    tproc__profile *in = NULL, *out = NULL;
    if (strcmp(argv[2], "-") != 0 && tproc__profile_open_file(NULL, argv[2], &in))
        return fail("input profile");
    if (strcmp(argv[3], "-") != 0 && tproc__profile_open_file(NULL, argv[3], &out))
        return fail("output profile");
    tproc__transform *t;
    if (tproc__transform_new(NULL, argv[10], in, (tproc__layout)(layout + 1), out,
                             (tproc_sample)(sample + 1), &o, &t))
        return fail("transform");
    size_t pixels = (size_t)strtoull(argv[9], NULL, 10), size;
    size_t bytes = tproc_sample_size((tproc_sample)(sample + 1));
    unsigned char *src = tcp_read_file(argv[10], &size);
    if (!src || size != pixels * (size_t)tproc__layout_channels((tproc__layout)(layout + 1)) * bytes) {
        fprintf(stderr, "colour_tool: %s: not %zu pixels\n", argv[10], pixels);
        return 1;
    }
    size_t out_size = pixels * (size_t)tproc__transform_out_channels(t) * bytes;
    unsigned char *dst = malloc(out_size ? out_size : 1);
    tproc__transform_apply_row(t, src, dst, pixels);
    if (write_all(argv[11], dst, out_size)) {
        fprintf(stderr, "colour_tool: cannot write %s\n", argv[11]);
        return 1;
    }
    printf("%s %d\n", tproc__transform_path(t), tproc__transform_out_channels(t));
    free(src);
    free(dst);
    tproc__transform_free(&t);
    tproc__profile_free(&in);
    tproc__profile_free(&out);
    return 0;
}
