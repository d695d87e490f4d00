/* SPDX-License-Identifier: MIT */
/*
 * fuzz_webp.c: WebP decoding (header and container, lenient and strict load, the row decoder
 * in uneven chunks, which for WebP hands out a whole decode made at open); see fuzz_decode.h.
 */
#include "fuzz_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_decode(data, size, TPROC_FILE_WEBP);
}
