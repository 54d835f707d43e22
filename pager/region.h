/* A process's regions: page-aligned, non-overlapping address ranges with
 * rights and a kind.  Pure; host-tested. */
#ifndef PAGER_REGION_H
#define PAGER_REGION_H

#include <stdint.h>

#define MAX_REGIONS 16

enum region_kind { REGION_TEXT, REGION_DATA, REGION_HEAP, REGION_STACK,
                   REGION_DMA };     /* a driver's frames a device reaches by address */

struct region {
    uint64_t start, end;     /* [start, end), page aligned; may be empty */
    unsigned rights;         /* KINE_RIGHT_* */
    enum region_kind kind;
    /* Backing: the program file's bytes for [file_va, file_va + file_len)
     * (text, data); every other byte of the region starts as zero. */
    const uint8_t *file;
    uint64_t file_va, file_len;
};

/* What the fault path keeps of the region of a process's last fault
 * (region_hint_make): its bounds, rights and the pages the program file
 * has bytes in. */
struct region_hint {
    uint64_t start, end;     /* empty (start == end) until region_hint_make fills it */
    uint64_t file_start, file_end;   /* pages [file_start, file_end): empty if none */
    unsigned rights;
};

struct region_map {
    unsigned n;
    struct region_hint hint;
    struct region r[MAX_REGIONS];   /* sorted by start */
};

/* 0 and *out (if given), -KINE_EINVAL (unaligned, inverted, overlapping),
 * -KINE_ENOMEM (full).  A new region has no file backing. */
int region_add(struct region_map *m, uint64_t start, uint64_t end, unsigned rights,
               enum region_kind kind, struct region **out);
/* The region containing va, or NULL. */
const struct region *region_find(const struct region_map *m, uint64_t va);
/* The hint, if va lies in its region, else NULL: a process's faults come
 * mostly in one region, so the fault path tests that region's bounds,
 * rights and file pages without a search or an index.  region_hint_make
 * makes it the hint of the region containing va (NULL if none does).  The
 * hint follows the map: region_add and region_set_end empty it, a copy of
 * the map copies it with its regions, a zeroed map has it empty.  So
 * nothing else may change a region's bounds, rights or file bytes once a
 * fault may have hinted it. */
static inline const struct region_hint *region_hint_of(const struct region_map *m, uint64_t va)
{
    return va >= m->hint.start && va < m->hint.end ? &m->hint : NULL;
}
const struct region_hint *region_hint_make(struct region_map *m, uint64_t va);
/* The (first) region of a kind, or NULL. */
struct region *region_of_kind(struct region_map *m, enum region_kind kind);
/* Move the end of r; fails with -KINE_ENOMEM if it would reach the next
 * region or limit, -KINE_EINVAL if unaligned or before the start. */
int region_set_end(struct region_map *m, struct region *r, uint64_t end, uint64_t limit);

#endif
