/* The pager's own heap (picolibc malloc calls sbrk).  Heap pages are frames
 * of the user pool mapped into the pager's space above KINE_PAGER_HEAP_VA and
 * counted in the ledger as the pager's.  Before the heap exists, the frame
 * table, the list of heap frames and the ledger's tally live in the first
 * frames of the pool, reached through the pool window.  The heap holds only
 * small records (processes, pipes); page maps, which grow with what a
 * process does, take frames of their own that come back when freed. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "pager.h"


static uint32_t *heap_list;       /* every frame the pager holds for itself */
static uint64_t heap_cap;
static uint64_t boot_frames;      /* heap_list's first entries: the tables above */
static uint64_t brk_va = KINE_PAGER_HEAP_VA, mapped_end = KINE_PAGER_HEAP_VA;

uint32_t heap_frame(uint64_t i) { return heap_list[i]; }

/* The heap's pages are mapped in the order heap_list has them, after the
 * boot frames: page j of the heap is heap_list[boot_frames + j]. */
int64_t heap_frame_at(const void *p)
{
    uint64_t va = (uint64_t)p;
    if (va < KINE_PAGER_HEAP_VA || va >= mapped_end)
        return -KINE_EINVAL;
    return heap_list[boot_frames + (va - KINE_PAGER_HEAP_VA) / KINE_PAGE_SIZE];
}

void heap_init(uint32_t nframes)
{
    heap_cap = nframes / 8 + 64;
    uint64_t tally = (uint64_t)nframes * sizeof(uint16_t);
    uint64_t bytes = frames_storage_size(nframes) + heap_cap * sizeof(uint32_t) + tally;
    uint64_t k = (bytes + KINE_PAGE_SIZE - 1) / KINE_PAGE_SIZE;
    uint8_t *base = frame_ptr(0);
    frames_init(&pg.frames, nframes, base);
    heap_list = (uint32_t *)(base + frames_storage_size(nframes));
    ledger_init(heap_list + heap_cap);
    for (uint64_t i = 0; i < k; i++)
        heap_list[pg.heap_frames++] = (uint32_t)frame_alloc(&pg.frames);   /* 0..k-1 */
    boot_frames = k;
}

/* Map one frame at va in the pager's own space.  The IPC buffer may hold a
 * request or a half-built map batch, so the one entry used is put back. */
static int map_self(uint64_t va, uint32_t f)
{
    struct kine_map_entry *e = (struct kine_map_entry *)kine_ipcbuf(), saved = e[0];
    e[0].va_rights = va | KINE_RIGHT_R | KINE_RIGHT_W;
    e[0].frame = f;
    int64_t r = kine_map(pg.bi->self_as, 1);
    e[0] = saved;
    return (int)r;
}

void *sbrk(ptrdiff_t incr)
{
    uint64_t old = brk_va;
    if (incr < 0 || (uint64_t)incr > KINE_PAGER_HEAP_LIMIT - brk_va) {
        errno = ENOMEM;
        return (void *)-1;
    }
    while (mapped_end < brk_va + (uint64_t)incr) {
        int64_t f = pg.heap_frames < heap_cap ? frame_alloc(&pg.frames) : -KINE_ENOMEM;
        if (f < 0 || map_self(mapped_end, (uint32_t)f) < 0) {
            if (f >= 0)
                frame_unref(&pg.frames, (uint32_t)f);
            errno = ENOMEM;
            return (void *)-1;
        }
        memset(frame_ptr((uint32_t)f), 0, KINE_PAGE_SIZE);
        heap_list[pg.heap_frames++] = (uint32_t)f;
        mapped_end += KINE_PAGE_SIZE;
    }
    brk_va += (uint64_t)incr;
    return (void *)old;
}
