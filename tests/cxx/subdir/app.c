/* SPDX-License-Identifier: MIT */
/* app.c: the parent project's program; links tileproc::tileproc from add_subdirectory. */
#include <stdio.h>
#include <string.h>

#include <tileproc/tileproc.h>

int main(void)
{
    tproc_image *img = NULL;
    if (tproc_image_new(NULL, 4, 4, 1, TPROC_U8, &img) != TPROC_OK)
        return 1;
    tproc_image_free(&img);
    if (strcmp(tproc_version(), TPROC_VERSION_STRING) != 0)
        return 1;
    printf("add_subdirectory(tileproc) %s: ok\n", tproc_version());
    return 0;
}
