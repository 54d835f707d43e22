/* The pager's memory-policy interface (v2).  A policy decides what happens
 * to a process's memory when it forks, faults, and when a region grows or
 * shrinks; it acts only through the core's services (struct pager_ops) and
 * the building blocks of mm.c, so every policy also runs on the host
 * against fakes.  One policy = one pager/policies/NAME.c defining
 * `const struct policy policy_NAME`, plus its name in pager/policies/meson.build.
 *
 * Hooks queue page mappings with mm_install and return: 0, or a negative
 * -KINE_E* with whatever they queued left for the core to undo.  The core
 * alone sends the queue to the kernel (for a fault, in the same trap as the
 * answer to the faulting thread) or rolls it back; a policy never writes
 * rollback code.  See docs/policies.md. */
#ifndef PAGER_POLICY_H
#define PAGER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kine/ipc.h>
#include <kine/layout.h>
#include <kine/pager.h>
#include "region.h"
#include "pagemap.h"
#include "frame.h"

/* One process's memory as a policy sees it.  stats are its own counters,
 * counted by the building blocks below (the core's figures of them are
 * every process's added up: mm_counters_report), so a policy never counts
 * anything itself. */
struct mm {
    /* first what every fault reads or counts, within a load's reach of
     * the start (the page map's nodes take 5 KiB) */
    kine_as_t as;
    bool pinned;            /* never paged out (a driver's memory) */
    struct kine_proc_counters stats;
    struct region_map regions;  /* with the hint of its last fault's region */
    struct pagemap pm;
};

/* The pager core's services.  Frames are pool frame numbers. */
struct pager_ops {
    int64_t (*alloc)(void);                         /* refcount 1, or -KINE_ENOMEM */
    uint64_t (*nfree)(void);                        /* frames free now */
    int (*ref)(uint32_t f);                         /* 0 or -KINE_E* */
    int (*unref)(uint32_t f);                       /* 1 freed, 0 still used */
    /* The table ref and unref keep, for the flat loops of fork and exit
     * (mm_fork_share, mm_release), which count in it directly, and what
     * they call for a frame they free (NULL: nothing). */
    struct frame_table *frames;
    void (*freed)(uint32_t f);
    uint32_t (*refcount)(uint32_t f);
    void *(*frame)(uint32_t f);                     /* where the pager reaches it */
    /* The kernel: map n entries (all or nothing), protect, unmap. */
    int (*map)(kine_as_t as, const struct kine_map_entry *e, uint64_t n);
    int64_t (*protect)(kine_as_t as, uint64_t va, uint64_t npages, unsigned rights);
    int64_t (*unmap)(kine_as_t as, uint64_t va, uint64_t npages);
    /* Every present PTE of src in the range into dst; cow: without W in both. */
    int64_t (*copy_range)(kine_as_t src, kine_as_t dst, uint64_t va, uint64_t npages, int cow);
    /* Swap slots, for entries of paged-out pages (PM_FLAG_SWAP): a page-map
     * entry holds one reference to its slot as it does to a frame. */
    int (*slot_ref)(uint32_t s);                    /* 0 or -KINE_E* */
    void (*slot_unref)(uint32_t s);
    /* f now backs va of mm (a page-map entry was made for it): the core
     * notes it for paging out.  NULL: nothing to note. */
    void (*placed)(uint32_t f, uint64_t va, const struct mm *mm);
};

/* What a policy's hooks are given. */
struct policy_env {
    const struct pager_ops *o;
    struct kine_memstats *stats;    /* the core's counters (kine/pager.h) that
                                       no process keeps: forks */
    uint64_t *counters;             /* this policy's own, named in counter_names */
    uint64_t *absent_count;         /* the one absent_counter names, or NULL */
    void *state;                    /* this policy's private state_size bytes */
};

struct policy {
    const char *name;
    const char *const *counter_names;   /* NULL-terminated, or NULL for none */
    size_t state_size;                  /* zeroed at boot */
    /* Give child (empty, its space made) the parent's memory. */
    int (*fork)(struct policy_env *e, struct mm *parent, struct mm *child);
    /* A fault at va (page aligned) inside r, whose rights allow the access. */
    int (*fault)(struct policy_env *e, struct mm *mm, const struct region *r,
                 uint64_t va, uint64_t access);
    /* r is new (old_end == r->start) or grew from old_end to r->end. */
    int (*grow)(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t old_end);
    /* r shrank from old_end to r->end: nothing may stay above r->end.
     * NULL: mm_shrink. */
    void (*shrink)(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t old_end);
    /* The process is gone (its space destroyed): give back every page.
     * NULL: mm_release. */
    void (*release)(struct policy_env *e, struct mm *mm);
    /* fault treats a resident page as mm_fault does (a copy if it is COW
     * and shared, else the same frame with the region's rights): the core
     * may then answer a write to such a page itself, without calling fault
     * (pager/fastfault.h). */
    bool mm_fault_resident;
    /* fault treats an absent page as mm_fault does (mm_fill), having
     * counted it in its own counter i if absent_counter is
     * POLICY_COUNTER(i): the core may then zero-fill such a page of
     * anonymous memory itself, counting it the same way. */
    bool mm_fault_absent;
    size_t absent_counter;
};

/* absent_counter's value for the policy's own counter i (0: none). */
#define POLICY_COUNTER(i) ((i) + 1)

/* The policies built in (generated list, see pager/policies/meson.build),
 * and their environments (policy.c): made once at boot (-1 if out of
 * memory), then one per policy, shared by its processes. */
extern const struct policy *const policies[];
const struct policy *policy_find(const char *name);
int policies_init(const struct pager_ops *o, struct kine_memstats *stats);
struct policy_env *policy_env(const struct policy *pol);
/* The shrink and release hooks, or their defaults when a policy has none. */
void policy_shrink(const struct policy *pol, struct policy_env *e, struct mm *mm,
                   const struct region *r, uint64_t old_end);
void policy_release(const struct policy *pol, struct policy_env *e, struct mm *mm);
/* Text "name\ncounter value\n..." for policy i into buf: its length, or -1
 * past the last policy. */
int64_t policy_report(unsigned i, char *buf, size_t cap);

/* ---- The one rule: a page-map entry = one frame reference = one mapping
 * (mm.c); a paged-out entry (PM_FLAG_SWAP) = one swap-slot reference and
 * no mapping.  mm_install takes over one reference to f (it drops it itself if
 * it fails), records va -> f in the page map and queues the mapping; an
 * entry it replaces keeps its reference until the mapping is sent, and is
 * put back if sending fails.  mm_uninstall unmaps [start, end), clears the
 * entries and drops their references, at once. */
int mm_install(struct policy_env *e, struct mm *mm, uint64_t va, uint32_t f,
               unsigned rights, uint32_t flags);
void mm_uninstall(struct policy_env *e, struct mm *mm, uint64_t start, uint64_t end);

/* ---- Building blocks (mm.c), each made of the pair above. */
/* A fresh frame for va: the region's bytes from the program file if it has
 * any there (text, data), zeros otherwise. */
int mm_fill(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t va);
/* A write to a COW page someone else still holds: a private copy. */
int mm_copy_on_write(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t va);
/* The same frame again with the region's full rights (a COW page now held
 * once, or a page mapped with narrower rights than its region's). */
int mm_remap(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t va);
/* The usual fault: absent -> mm_fill; COW and shared -> mm_copy_on_write;
 * otherwise -> mm_remap. */
int mm_fault(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t va,
             uint64_t access);
/* Fork: share every page (writable ones become COW in both) a range at a
 * time — the kernel copies the region's PTEs, the page map shares its
 * leaves, and refcounts go up in a flat loop — or copy each page. */
int mm_fork_share(struct policy_env *e, struct mm *parent, struct mm *child);
int mm_fork_copy(struct policy_env *e, struct mm *parent, struct mm *child);
/* grow hooks: fill every absent page of [old_end, r->end) now (refused up
 * front with -KINE_ENOMEM if there are not enough free frames), or nothing
 * (pages come at the first touch). */
int mm_populate(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t old_end);
int mm_reserve(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t old_end);
/* shrink hook: uninstall what lies above the new end. */
void mm_shrink(struct policy_env *e, struct mm *mm, const struct region *r, uint64_t old_end);
/* release hook: drop every page's reference and the page map itself. */
void mm_release(struct policy_env *e, struct mm *mm);
/* Its resident pages whose frame is held more than once (by another
 * process, or twice by this one). */
uint64_t mm_shared_pages(const struct pager_ops *o, const struct mm *mm);
/* Its page-map entries of paged-out pages (no frame, a swap slot). */
uint64_t mm_swapped_pages(const struct mm *mm);
/* The counters are counted once, each in the process it is about; the
 * core's figures of them are the sum over every process there ever was.
 * Add c into sum, field by field; then set s's figures from such a sum
 * (pages_copied included: each copy is a COW copy or a page copied at
 * fork). */
void mm_counters_add(struct kine_proc_counters *sum, const struct kine_proc_counters *c);
void mm_counters_report(struct kine_memstats *s, const struct kine_proc_counters *sum);

/* ---- The core's side of the queue (mm.c; policies never call these). */
/* Send everything queued; on failure what the kernel refused is undone. */
int mm_commit(const struct pager_ops *o);
/* Undo everything queued and not yet sent. */
void mm_abort(const struct pager_ops *o);
/* Mappings queued and not yet sent (mm_nqueued is mm.c's own: read it
 * only through mm_queued, which the fault fast path checks inline). */
extern uint64_t mm_nqueued;
static inline uint64_t mm_queued(void) { return mm_nqueued; }
/* If all that is queued is for one space, copy it into buf (KINE_MAP_BATCH
 * entries) for the caller to send, and return how many (0: nothing queued);
 * -1 if it spans spaces (then use mm_commit).  mm_sent then says whether the
 * kernel took it. */
int64_t mm_stage(struct kine_map_entry *buf, kine_as_t *as);
void mm_sent(const struct pager_ops *o, int ok);

#endif
