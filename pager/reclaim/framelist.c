/* The replacement policies' shared frame list (framelist.h): a circle of
 * frame numbers in index arrays, O(1) to add, remove and rotate. */
#include <kine/error.h>
#include "framelist.h"

/* Whatever a policy keeps after the list is aligned for any scalar. */
#define FRAMELIST_ALIGN _Alignof(max_align_t)

size_t framelist_size(uint32_t nframes)
{
    size_t bytes = sizeof(struct framelist_head)
                 + 2 * (size_t)nframes * sizeof(uint32_t)    /* next, prev */
                 + (size_t)nframes;                          /* on */
    return (bytes + FRAMELIST_ALIGN - 1) / FRAMELIST_ALIGN * FRAMELIST_ALIGN;
}

struct framelist framelist_at(void *mem, uint32_t nframes)
{
    struct framelist l;
    l.h = mem;
    l.next = (uint32_t *)(l.h + 1);
    l.prev = l.next + nframes;
    l.on = (uint8_t *)(l.prev + nframes);
    l.nframes = nframes;
    return l;
}

bool framelist_has(const struct framelist *l, uint32_t f)
{
    return f < l->nframes && l->on[f];
}

int framelist_push_back(struct framelist *l, uint32_t f)
{
    if (f >= l->nframes)
        return -KINE_EINVAL;
    if (l->on[f])
        return -KINE_EBUSY;
    if (l->h->count == 0) {
        l->next[f] = l->prev[f] = f;
        l->h->first = f;
    } else {
        uint32_t front = l->h->first, back = l->prev[front];
        l->next[back] = f;
        l->prev[f] = back;
        l->next[f] = front;
        l->prev[front] = f;
    }
    l->on[f] = 1;
    l->h->count++;
    return 0;
}

int framelist_remove(struct framelist *l, uint32_t f)
{
    if (!framelist_has(l, f))
        return -KINE_EINVAL;
    if (--l->h->count == 0) {
        l->on[f] = 0;
        return 0;
    }
    uint32_t before = l->prev[f], after = l->next[f];
    l->next[before] = after;
    l->prev[after] = before;
    if (l->h->first == f)
        l->h->first = after;
    l->on[f] = 0;
    return 0;
}

int64_t framelist_front(const struct framelist *l)
{
    return l->h->count ? (int64_t)l->h->first : -1;
}

uint32_t framelist_next(const struct framelist *l, uint32_t f)
{
    return l->next[f];
}

void framelist_rotate(struct framelist *l)
{
    if (l->h->count)
        l->h->first = l->next[l->h->first];
}
