/* ELF64 program checks shared by the kernel (loading the pager) and the
 * pager (loading programs).  Pure; host-tested.  A program is accepted only
 * if every loadable segment lies inside [va_min, va_max), inside the file,
 * page-disjoint from the others, and the entry point is executable. */
#ifndef KINE_ELF_H
#define KINE_ELF_H

#include <stdint.h>
#include <stddef.h>

#define ELF_MAX_SEGMENTS 8

struct elf_segment {
    uint64_t vaddr, memsz;     /* where, and how big in memory */
    uint64_t offset, filesz;   /* what to copy from the file */
    unsigned rights;           /* KINE_RIGHT_* */
};

struct elf_program {
    uint64_t entry;
    unsigned nseg;
    struct elf_segment seg[ELF_MAX_SEGMENTS];   /* sorted by vaddr */
};

/* 0, or -KINE_ENOEXEC with *why set to a short reason. */
int elf_check(const void *img, size_t size, uint64_t va_min, uint64_t va_max,
              struct elf_program *out, const char **why);

#endif
