/* The trap paths' globals (hot.h): where they live and how the copies
 * among them are made. */
#include "kernel.h"
#include "riscv.h"
#include "vm.h"
#include "hot.h"

struct hot hot __attribute__((section(".hot"))) = { .fastpath_on = true };

_Static_assert(__builtin_offsetof(struct hot, smp_on) == HOT_SMP_ON &&
               __builtin_offsetof(struct hot, fastpath_on) == HOT_FASTPATH_ON &&
               __builtin_offsetof(struct hot, pool_ppn) == HOT_POOL_PPN &&
               __builtin_offsetof(struct hot, pool_frames) == HOT_POOL_FRAMES &&
               __builtin_offsetof(struct hot, map_pte) == HOT_MAP_PTE, "hot.h: offsets");
_Static_assert(sizeof(bool) == 1, "entry.S and fastpath.S read the flags as bytes");
_Static_assert(PTE_D < 1 << 8, "a map entry's PTE bits fit a byte");
_Static_assert(KINE_RIGHTS_ALL < 1 << HOT_MAP_FLAGS_SHIFT &&
               KINE_MAP_NOAD < 1 << HOT_MAP_FLAGS_SHIFT, "every valid flags value is in the table");

void hot_init(void)
{
    hot.pool_ppn = boot.pool_pa >> PAGE_SHIFT;
    hot.pool_frames = boot.pool_frames;
    for (uint64_t r = 0; r < 1 << HOT_MAP_FLAGS_SHIFT; r++)
        hot.map_pte[r] = (uint8_t)vm_map_pte_bits(r);
}
