/* libFuzzer target: the ELF checks shared by the kernel and the pager. */
#include <stdint.h>
#include <stddef.h>
#include <kinelib/elf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_program p;
    const char *why;
    if (elf_check(data, size, 0x10000, 0x7f000000, &p, &why) == 0) {
        for (unsigned i = 0; i < p.nseg; i++)     /* accepted means in bounds */
            if (p.seg[i].offset + p.seg[i].filesz > size || p.seg[i].vaddr < 0x10000 ||
                p.seg[i].vaddr + p.seg[i].memsz > 0x7f000000)
                __builtin_trap();
    }
    return 0;
}
