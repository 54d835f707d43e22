/* The handle table: slot -> object and generation.  A handle is
 * generation << 16 | slot; the table grows a page at a time with use, up
 * to the 16-bit slot space, so a handle to a destroyed object is
 * recognised as stale, never reused, and how many objects exist is bounded
 * by memory, not by a table.  Lookups are inline: every IPC names its
 * partner by handle, so the fast paths look one up on each call. */
#ifndef KINE_HANDLE_H
#define KINE_HANDLE_H

#include <stdint.h>
#include <stdbool.h>
#include "riscv.h"
#include "fastpath.h"

#define HANDLE_SLOT_BITS 16
#define HANDLE_SLOT_MASK ((1UL << HANDLE_SLOT_BITS) - 1)

struct slot {                /* 16 bytes: a page holds a power of two */
    void *obj;               /* NULL: free */
    uint16_t gen;
    bool is_thread;
    uint32_t next_free;      /* free list, 0 = end */
};
#define SLOTS_PER_PAGE (PAGE_SIZE / sizeof(struct slot))
_Static_assert((SLOTS_PER_PAGE & (SLOTS_PER_PAGE - 1)) == 0, "slot lookup is a shift");
#define SLOT_PAGES     ((1UL << HANDLE_SLOT_BITS) / SLOTS_PER_PAGE)
_Static_assert(__builtin_offsetof(struct slot, obj) == SLOT_OBJ &&
               __builtin_offsetof(struct slot, is_thread) == SLOT_IS_THREAD &&
               sizeof(struct slot) == 1 << SLOT_SIZE_SHIFT &&
               SLOTS_PER_PAGE == 1 << SLOTS_PER_PAGE_SHIFT && SLOT_PAGES - 1 == SLOT_PAGES_MASK,
               "fastpath.h: handle table");

extern struct slot *handle_pages[SLOT_PAGES];    /* NULL: not made yet */

/* A free slot for obj, or 0 when memory (or the slot space) runs out. */
uint32_t handle_take(void *obj, bool is_thread, bool injectable);
void handle_give(uint32_t slot);
uint64_t handle_of(uint32_t slot);     /* the slot's current handle */

/* The object in a handle's slot, if that slot holds one of this kind; the
 * caller checks the generation against the object's own handle.  A slot
 * never used holds NULL (its page came zeroed), slot 0 among them, so
 * handle 0 is never valid. */
static inline void *handle_object(uint64_t handle, bool is_thread)
{
    uint64_t i = handle & HANDLE_SLOT_MASK;
    struct slot *page = handle_pages[i / SLOTS_PER_PAGE];
    if (!page)
        return (void *)0;
    struct slot *sl = &page[i % SLOTS_PER_PAGE];
    return sl->is_thread == is_thread ? sl->obj : (void *)0;
}

#endif
