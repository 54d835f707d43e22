/* libFuzzer target: decoding a PGR_SPAWN argument vector (first byte: argc). */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "kinesys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *buf = malloc(size - 1 ? size - 1 : 1);   /* exact size: ASan sees overruns */
    memcpy(buf, data + 1, size - 1);
    char *argv[KINE_ARGV_MAX];
    int64_t n = kine_argv_unpack(buf, size - 1, data[0] % 20, argv, KINE_ARGV_MAX);
    for (int64_t i = 0; i < n; i++)
        if (strlen(argv[i]) >= size)
            __builtin_trap();
    free(buf);
    return 0;
}
