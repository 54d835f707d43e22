/* libFuzzer target: program lookup in a boot image. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t *copy = malloc(size + 8);             /* aligned, like the mapped image */
    memcpy(copy, data, size);
    const void *elf;
    uint64_t len;
    if (image_find(copy, size, "hello", &elf, &len) == 0 &&
        ((const uint8_t *)elf < (const uint8_t *)copy ||
         (const uint8_t *)elf + len > (const uint8_t *)copy + size))
        __builtin_trap();
    free(copy);
    return 0;
}
