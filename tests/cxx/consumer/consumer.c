/* SPDX-License-Identifier: MIT */
/*
 * consumer.c: a C program built against an installed tileproc: the version of the headers
 * matches the library's, a pipeline runs, and (when the install has DLPack) a view is exported
 * and deleted. Prints "ok" on success.
 */
#include <stdio.h>
#include <string.h>

#include <tileproc/tileproc.h>
#ifdef TPROC_HAVE_DLPACK
#include <tileproc/dlpack.h>
#endif

int main(void)
{
    if (strcmp(tproc_version(), TPROC_VERSION_STRING) != 0) {
        fprintf(stderr, "headers %s, library %s\n", TPROC_VERSION_STRING, tproc_version());
        return 1;
    }
    tproc_image *in = NULL, *out = NULL;
    tproc_pipeline *p = NULL;
    int status = tproc_image_new(NULL, 32, 24, 3, TPROC_U8, &in);
    if (!status)
        status = tproc_pipeline_new(NULL, &p);
    if (!status)
        status = tproc_pipeline_add(p, "gaussian:sigma=1");
    if (!status)
        status = tproc_pipeline_add(p, "resize:width=16");
    if (!status) {
        tproc_view v = tproc_image_view(in);
        status = tproc_pipeline_run(p, &v, NULL, &out);
    }
    if (!status && (tproc_image_width(out) != 16 || tproc_image_height(out) != 12))
        status = TPROC_ERR_STATE;
#ifdef TPROC_HAVE_DLPACK
    if (!status) {
        DLManagedTensor *t = NULL;
        status = tproc_dlpack_export_image(NULL, &out, &t);
        if (!status)
            t->deleter(t);
    }
#endif
    tproc_pipeline_free(&p);
    tproc_image_free(&out);
    tproc_image_free(&in);
    if (status) {
        fprintf(stderr, "consumer: %s\n", tproc_ctx_message(NULL));
        return 1;
    }
    printf("C consumer of tileproc %s: ok\n", tproc_version());
    return 0;
}
