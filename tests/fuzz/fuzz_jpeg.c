/* SPDX-License-Identifier: MIT */
/*
 * fuzz_jpeg.c: JPEG decoding (header, lenient and strict load, streaming rows at full size and
 * DCT-scaled to 1/2, 1/4 or 1/8); see fuzz_decode.h.
 */
#include "fuzz_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_decode(data, size, TPROC_FILE_JPEG);
}
