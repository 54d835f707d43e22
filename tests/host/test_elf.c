/* ELF checks: a good two-segment program loads; every class of bad header
 * or segment is refused; random corruption never reads out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include <kinelib/elf.h>
#include <kine/error.h>
#include <kine/ipc.h>

struct ehdr { uint8_t ident[16]; uint16_t type, machine; uint32_t version;
              uint64_t entry, phoff, shoff; uint32_t flags;
              uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx; };
struct phdr { uint32_t type, flags; uint64_t offset, vaddr, paddr, filesz, memsz, align; };

#define VA_MIN 0x10000u
#define VA_MAX 0x7f000000u

static uint8_t img[0x3000];

static struct ehdr *eh(void) { return (struct ehdr *)img; }
static struct phdr *ph(int i) { return (struct phdr *)(img + sizeof(struct ehdr)) + i; }

static void build(void)
{
    memset(img, 0, sizeof(img));
    struct ehdr *e = eh();
    memcpy(e->ident, "\177ELF", 4);
    e->ident[4] = 2; e->ident[5] = 1; e->ident[6] = 1;
    e->type = 2; e->machine = 243; e->version = 1;
    e->entry = 0x10010; e->phoff = sizeof(struct ehdr);
    e->ehsize = sizeof(struct ehdr); e->phentsize = sizeof(struct phdr); e->phnum = 3;
    *ph(0) = (struct phdr){ 1, 5, 0x1000, 0x10000, 0x10000, 0x800, 0x800, 0x1000 };   /* R X */
    *ph(1) = (struct phdr){ 1, 6, 0x2000, 0x11000, 0x11000, 0x100, 0x5000, 0x1000 };  /* R W + bss */
    *ph(2) = (struct phdr){ 7, 4, 0x2000, 0x11000, 0x11000, 0x10, 0x20, 8 };          /* TLS: ignored */
}

static int check_img(struct elf_program *p)
{
    const char *why;
    return elf_check(img, sizeof(img), VA_MIN, VA_MAX, p, &why);
}

int main(void)
{
    struct elf_program p;
    build();
    CHECK(check_img(&p) == 0);
    CHECK(p.nseg == 2 && p.entry == 0x10010);
    CHECK(p.seg[0].rights == (KINE_RIGHT_R | KINE_RIGHT_X));
    CHECK(p.seg[1].rights == (KINE_RIGHT_R | KINE_RIGHT_W) && p.seg[1].memsz == 0x5000);

    /* segments given out of order come back sorted */
    build();
    struct phdr t = *ph(0); *ph(0) = *ph(1); *ph(1) = t;
    CHECK(check_img(&p) == 0 && p.seg[0].vaddr == 0x10000 && p.seg[1].vaddr == 0x11000);

#define BAD(stmt) do { build(); stmt; CHECK(check_img(&p) == -KINE_ENOEXEC); } while (0)
    BAD(img[0] = 0);                                   /* magic */
    BAD(eh()->ident[4] = 1);                           /* 32-bit */
    BAD(eh()->ident[5] = 2);                           /* big-endian */
    BAD(eh()->machine = 62);                           /* x86-64 */
    BAD(eh()->type = 3);                               /* shared object */
    BAD(eh()->phentsize = 40);
    BAD(eh()->phnum = 0);
    BAD(eh()->phoff = sizeof(img) - 8);                /* table past the end */
    BAD(eh()->phoff = UINT64_MAX - 8);                 /* overflow */
    BAD(ph(0)->filesz = 0x900; ph(0)->memsz = 0x800);  /* filesz > memsz */
    BAD(ph(0)->offset = sizeof(img) - 0x10);           /* bytes past the end */
    BAD(ph(0)->offset = UINT64_MAX);
    BAD(ph(0)->vaddr = 0x1000);                        /* below the user range */
    BAD(ph(1)->memsz = VA_MAX);                        /* beyond it */
    BAD(ph(1)->vaddr = UINT64_MAX - 0x10);             /* wraps around */
    BAD(ph(1)->vaddr = 0x10800);                       /* shares a page with text */
    BAD(ph(0)->flags = 1);                             /* not readable */
    BAD(eh()->entry = 0x11000);                        /* entry in data */
    BAD(eh()->entry = 0x900000);                       /* entry nowhere */
    BAD(ph(0)->type = 4; ph(1)->type = 4);             /* nothing loadable */
    {
        build();
        const char *why = NULL;
        CHECK(elf_check(img, 10, VA_MIN, VA_MAX, &p, &why) == -KINE_ENOEXEC && why != NULL);
        CHECK(elf_check(NULL, 0, VA_MIN, VA_MAX, &p, &why) == -KINE_ENOEXEC);
    }

    /* random corruption of header and program headers */
    unsigned seed = 99;
    int accepted = 0;
    for (int i = 0; i < 20000; i++) {
        build();
        int flips = 1 + (int)(check_rand(&seed) % 3);
        for (int k = 0; k < flips; k++)
            img[check_rand(&seed) % (sizeof(struct ehdr) + 3 * sizeof(struct phdr))] = (uint8_t)check_rand(&seed);
        if (check_img(&p) == 0) {
            accepted++;
            for (unsigned s = 0; s < p.nseg; s++)
                CHECK(p.seg[s].offset + p.seg[s].filesz <= sizeof(img) &&
                      p.seg[s].vaddr >= VA_MIN && p.seg[s].vaddr + p.seg[s].memsz <= VA_MAX);
        }
    }
    CHECK(accepted > 0);
    return check_done("elf");
}
