/* libFuzzer target: the kernel's device-tree reader on arbitrary bytes. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <kinelib/fdt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fdt_info fi;
    if (fdt_parse(data, size, &fi) == 0) {
        /* whatever it returns must point inside the blob */
        if (fi.bootargs && (fi.bootargs < (const char *)data ||
                            fi.bootargs + fi.bootargs_len >= (const char *)data + size))
            __builtin_trap();
    }
    return 0;
}
