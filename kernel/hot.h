/* The globals the trap paths read on every trap, kept together at the
 * kernel's gp (kernel.ld puts `hot` there; a trap sets gp from its hart's
 * kernel_gp, hart.h), so that entry.S and fastpath.S load each with one
 * instruction, HOT_*(gp), wherever they are: the linker turns a
 * pc-relative reference into a gp-relative one only for data within 2 KiB
 * of gp, and an ordinary global costs an auipc more.  C reads them as
 * hot.field.  The pool facts are copies of boot's (kernel.h), made once by
 * hot_init before any thread runs; the map table is vm_map_pte_bits's
 * (vm.h) answer for every flags value, so that fast_map_reply checks and
 * turns a MAP entry's flags into PTE bits with one load. */
#ifndef KINE_HOT_H
#define KINE_HOT_H

#define HOT_SMP_ON           0       /* 8 bits */
#define HOT_FASTPATH_ON      1       /* 8 bits */
#define HOT_POOL_PPN         8
#define HOT_POOL_FRAMES      16
#define HOT_MAP_PTE          24      /* 8 bits each */
#define HOT_MAP_FLAGS_SHIFT  6       /* MAP flags below 1 << this are in the table */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

struct hot {
    bool smp_on;                 /* several harts run: the lock is taken (smp.c) */
    bool fastpath_on;            /* kernel.fastpath=off clears it (fastpath.S) */
    uint64_t pool_ppn;           /* boot.pool_pa's page number */
    uint64_t pool_frames;        /* boot.pool_frames */
    uint8_t map_pte[1 << HOT_MAP_FLAGS_SHIFT];   /* vm_map_pte_bits(flags) */
};
extern struct hot hot;

/* The copies of boot's facts and the map table; boot.c, once the pool is
 * known. */
void hot_init(void);
#endif

#endif
