/* SPDX-License-Identifier: MIT */
/*
 * jpeg_crop_floor.c: libjpeg-turbo's own floor for reading a rectangle of a baseline JPEG, the
 * peer of `tileproc run big.jpg out.png crop:...` in bench/region.sh: jpeg_crop_scanline for
 * the columns, jpeg_skip_scanlines above, the rows read, jpeg_abort_decompress below; the
 * pixels are summed (not written), so this is decoding alone.
 * usage: jpeg_crop_floor FILE X Y W H
 */
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s FILE X Y W H\n", argv[0]);
        return 2;
    }
    FILE *fp = fopen(argv[1], "rb");
    if (!fp) {
        perror(argv[1]);
        return 1;
    }
    JDIMENSION x = (JDIMENSION)atol(argv[2]), y = (JDIMENSION)atol(argv[3]);
    JDIMENSION w = (JDIMENSION)atol(argv[4]), h = (JDIMENSION)atol(argv[5]);
    struct jpeg_decompress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_decompress(&c);
    jpeg_stdio_src(&c, fp);
    jpeg_read_header(&c, TRUE);
    c.out_color_space = JCS_RGB;
    jpeg_start_decompress(&c);
    JDIMENSION cx = x, cw = w;
    jpeg_crop_scanline(&c, &cx, &cw);
    jpeg_skip_scanlines(&c, y);
    JSAMPROW row = malloc((size_t)cw * 3);
    unsigned long sum = 0;
    for (JDIMENSION i = 0; i < h; i++) {
        jpeg_read_scanlines(&c, &row, 1);
        for (JDIMENSION k = (x - cx) * 3; k < (x - cx + w) * 3; k++)
            sum += row[k];
    }
    jpeg_abort_decompress(&c);
    jpeg_destroy_decompress(&c);
    fclose(fp);
    free(row);
    printf("%lu\n", sum);
    return 0;
}
