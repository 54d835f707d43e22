/* Batched mapping: entries are written straight into the pager's IPC
 * buffer, where KSYS_MAP reads them, and sent KINE_MAP_BATCH at a time.
 * Nothing else may use the IPC buffer between batch_begin and batch_flush. */
#include "pager.h"

void batch_begin(struct map_batch *b, kine_as_t as)
{
    b->as = as;
    b->n = 0;
}

int batch_flush(struct map_batch *b)
{
    if (!b->n)
        return 0;
    int64_t r = kine_map(b->as, b->n);
    b->n = 0;
    return (int)r;
}

int batch_add(struct map_batch *b, uint64_t va, unsigned rights, uint32_t frame)
{
    struct kine_map_entry *e = (struct kine_map_entry *)kine_ipcbuf();
    e[b->n].va_rights = va | rights;
    e[b->n].frame = frame;
    if (++b->n == KINE_MAP_BATCH)
        return batch_flush(b);
    return 0;
}
