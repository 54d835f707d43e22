/* Swap-slot table: reference counts and a stack of free slots, the same
 * shape as the frame table (frame.c). */
#include "swap.h"

uint64_t swap_storage_size(uint32_t nslots)
{
    return (uint64_t)nslots * (2 * sizeof(uint32_t) + sizeof(uint16_t));
}

void swap_init(struct swap_table *st, uint32_t nslots, void *storage)
{
    st->nslots = nslots;
    st->free_stack = storage;    /* 4-byte arrays first, for alignment */
    st->frame = st->free_stack + nslots;
    st->ref = (uint16_t *)(st->frame + nslots);
    for (uint32_t i = 0; i < nslots; i++) {
        st->ref[i] = 0;
        st->frame[i] = SLOT_NO_FRAME;
        st->free_stack[i] = nslots - 1 - i;
    }
    st->nfree = nslots;
}

int64_t swap_alloc(struct swap_table *st)
{
    if (st->nfree == 0)
        return -KINE_ENOSPC;
    uint32_t s = st->free_stack[--st->nfree];
    st->ref[s] = 1;
    return s;
}

int swap_ref(struct swap_table *st, uint32_t s)
{
    if (s >= st->nslots || st->ref[s] == 0)
        return -KINE_EINVAL;
    if (st->ref[s] == SLOT_REF_MAX)
        return -KINE_ERANGE;
    st->ref[s]++;
    return 0;
}

int swap_unref(struct swap_table *st, uint32_t s)
{
    if (s >= st->nslots || st->ref[s] == 0)
        return -KINE_EINVAL;
    if (--st->ref[s])
        return 0;
    st->frame[s] = SLOT_NO_FRAME;
    st->free_stack[st->nfree++] = s;
    return 1;
}

uint32_t swap_refcount(const struct swap_table *st, uint32_t s)
{
    return s < st->nslots ? st->ref[s] : 0;
}
