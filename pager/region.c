/* Region maps.  A handful of regions per process, so a sorted array and a
 * linear search are the clearest choice. */
#include <string.h>
#include "region.h"
#include <kine/error.h>
#include <kine/layout.h>

#define PAGE_MASK (KINE_PAGE_SIZE - 1)

int region_add(struct region_map *m, uint64_t start, uint64_t end, unsigned rights,
               enum region_kind kind, struct region **out)
{
    if ((start & PAGE_MASK) || (end & PAGE_MASK) || end < start)
        return -KINE_EINVAL;
    unsigned i = 0;
    while (i < m->n && m->r[i].start < start)
        i++;
    if (i > 0 && m->r[i - 1].end > start)
        return -KINE_EINVAL;
    if (i < m->n && m->r[i].start < end)
        return -KINE_EINVAL;
    if (m->n == MAX_REGIONS)
        return -KINE_ENOMEM;
    memmove(&m->r[i + 1], &m->r[i], (m->n - i) * sizeof(m->r[0]));
    m->r[i] = (struct region){ start, end, rights, kind, NULL, 0, 0 };
    m->n++;
    m->hint = (struct region_hint){ 0 };     /* no hint outlives a change of the map */
    if (out)
        *out = &m->r[i];
    return 0;
}

const struct region *region_find(const struct region_map *m, uint64_t va)
{
    for (unsigned i = 0; i < m->n; i++)
        if (va >= m->r[i].start && va < m->r[i].end)
            return &m->r[i];
    return NULL;
}

struct region *region_of_kind(struct region_map *m, enum region_kind kind)
{
    for (unsigned i = 0; i < m->n; i++)
        if (m->r[i].kind == kind)
            return &m->r[i];
    return NULL;
}

int region_set_end(struct region_map *m, struct region *r, uint64_t end, uint64_t limit)
{
    if ((end & PAGE_MASK) || end < r->start)
        return -KINE_EINVAL;
    unsigned i = (unsigned)(r - m->r);
    if (end > limit || (i + 1 < m->n && end > m->r[i + 1].start))
        return -KINE_ENOMEM;
    r->end = end;
    m->hint = (struct region_hint){ 0 };     /* it may have been r's */
    return 0;
}

const struct region_hint *region_hint_make(struct region_map *m, uint64_t va)
{
    const struct region *r = region_find(m, va);
    if (!r)
        return NULL;
    m->hint = (struct region_hint){ .start = r->start, .end = r->end, .rights = r->rights };
    if (r->file_len) {
        m->hint.file_start = r->file_va & ~(uint64_t)PAGE_MASK;
        m->hint.file_end = (r->file_va + r->file_len + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
    }
    return &m->hint;
}
