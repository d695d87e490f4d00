/* SPDX-License-Identifier: MIT */
/*
 * basic.c: the shortest useful tileproc program: load a photo, take a view of part of it (no
 * copy), run a gaussian blur and a resize on it tile by tile, and save the result.
 *
 *     usage: basic [INPUT [OUTPUT]]      (defaults: samples/rocket.jpg, rocket-small.png)
 */
#include <stdio.h>
#include <tileproc/tileproc.h>

int main(int argc, char **argv)
{
    const char *in = argc > 1 ? argv[1] : "samples/rocket.jpg";
    const char *out = argc > 2 ? argv[2] : "rocket-small.png";
    tproc_image *photo = NULL, *result = NULL;
    tproc_pipeline *chain = NULL;
    int status = tproc_load(NULL, in, NULL, &photo);
    if (!status) {
        tproc_view all = tproc_image_view(photo), left;
        /* The left half, as a view: nothing is copied. */
        status = tproc_view_sub(&all, 0, 0, (all.width + 1) / 2, all.height, &left);
        if (!status)
            status = tproc_pipeline_new(NULL, &chain);
        if (!status)
            status = tproc_pipeline_add(chain, "gaussian:sigma=1.5");
        if (!status)
            status = tproc_pipeline_add(chain, "resize:scale=0.5,kernel=lanczos3");
        if (!status)
            status = tproc_pipeline_run(chain, &left, NULL, &result);
    }
    if (!status) {
        tproc_view small = tproc_image_view(result);
        status = tproc_save(NULL, &small, out, NULL);
        if (!status)
            printf("wrote %s: %tdx%td\n", out, small.width, small.height);
    }
    if (status) /* the message names the file and the cause; fall back to the status's text */
        fprintf(stderr, "basic: error: %s\n",
                *tproc_ctx_message(NULL) ? tproc_ctx_message(NULL) : tproc_strerror(status));
    tproc_pipeline_free(&chain);
    tproc_image_free(&result);
    tproc_image_free(&photo);
    return status ? 1 : 0;
}
