/* ELF64 (RISC-V, executable) validation.  Every field comes from a file we
 * do not trust: each offset and size is checked before it is used, with
 * overflow-safe arithmetic. */
#include <string.h>
#include <kinelib/elf.h>
#include <kine/error.h>
#include <kine/ipc.h>

#define EI_NIDENT    16
#define ELFCLASS64   2
#define ELFDATA2LSB  1
#define EV_CURRENT   1
#define ET_EXEC      2
#define EM_RISCV     243
#define PT_LOAD      1
#define PF_X         1
#define PF_W         2
#define PF_R         4
#define ELF_PAGE     4096ULL

struct ehdr {
    uint8_t  ident[EI_NIDENT];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static int fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -KINE_ENOEXEC;
}

int elf_check(const void *img, size_t size, uint64_t va_min, uint64_t va_max,
              struct elf_program *out, const char **why)
{
    struct ehdr eh;
    memset(out, 0, sizeof(*out));
    if (!img || size < sizeof(eh))
        return fail(why, "too small for an ELF header");
    memcpy(&eh, img, sizeof(eh));
    if (memcmp(eh.ident, "\177ELF", 4) != 0)
        return fail(why, "bad magic");
    if (eh.ident[4] != ELFCLASS64 || eh.ident[5] != ELFDATA2LSB || eh.ident[6] != EV_CURRENT)
        return fail(why, "not ELF64 little-endian");
    if (eh.type != ET_EXEC || eh.machine != EM_RISCV)
        return fail(why, "not a RISC-V executable");
    if (eh.phentsize != sizeof(struct phdr) || eh.phnum == 0)
        return fail(why, "bad program header table");
    if (eh.phoff > size || (uint64_t)eh.phnum * sizeof(struct phdr) > size - eh.phoff)
        return fail(why, "program headers outside the file");

    for (unsigned i = 0; i < eh.phnum; i++) {
        struct phdr ph;
        memcpy(&ph, (const uint8_t *)img + eh.phoff + i * sizeof(ph), sizeof(ph));
        if (ph.type != PT_LOAD || ph.memsz == 0)
            continue;
        if (out->nseg == ELF_MAX_SEGMENTS)
            return fail(why, "too many segments");
        if (ph.filesz > ph.memsz)
            return fail(why, "segment file size exceeds memory size");
        if (ph.offset > size || ph.filesz > size - ph.offset)
            return fail(why, "segment outside the file");
        if (ph.vaddr < va_min || ph.vaddr > va_max || ph.memsz > va_max - ph.vaddr)
            return fail(why, "segment outside the user range");
        if (!(ph.flags & PF_R))
            return fail(why, "segment not readable");
        struct elf_segment *sg = &out->seg[out->nseg];
        sg->vaddr = ph.vaddr;
        sg->memsz = ph.memsz;
        sg->offset = ph.offset;
        sg->filesz = ph.filesz;
        sg->rights = KINE_RIGHT_R | ((ph.flags & PF_W) ? KINE_RIGHT_W : 0) |
                     ((ph.flags & PF_X) ? KINE_RIGHT_X : 0);
        /* keep sorted by address (insertion) */
        for (unsigned j = out->nseg; j > 0 && out->seg[j - 1].vaddr > out->seg[j].vaddr; j--) {
            struct elf_segment t = out->seg[j];
            out->seg[j] = out->seg[j - 1];
            out->seg[j - 1] = t;
        }
        out->nseg++;
    }
    if (out->nseg == 0)
        return fail(why, "no loadable segment");
    for (unsigned i = 1; i < out->nseg; i++) {
        uint64_t prev_end = (out->seg[i - 1].vaddr + out->seg[i - 1].memsz + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
        if (out->seg[i].vaddr < prev_end)
            return fail(why, "segments share a page");
    }
    for (unsigned i = 0; i < out->nseg; i++) {
        const struct elf_segment *sg = &out->seg[i];
        if (eh.entry >= sg->vaddr && eh.entry < sg->vaddr + sg->memsz) {
            if (!(sg->rights & KINE_RIGHT_X))
                return fail(why, "entry point not executable");
            out->entry = eh.entry;
            return 0;
        }
    }
    return fail(why, "entry point outside every segment");
}
