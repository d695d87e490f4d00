/* SPDX-License-Identifier: MIT */
/* fuzz_tiff.c: TIFF decoding (header, lenient and strict load, streaming rows); see
 * fuzz_decode.h. */
#include "fuzz_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_decode(data, size, TPROC_FILE_TIFF);
}
