/* Sv39 page tables: the kernel's window in every address space, and the
 * map / unmap / protect primitives behind the pager's system calls. */
#ifndef KINE_VM_H
#define KINE_VM_H

#include <stdint.h>
#include <stdbool.h>

#define KDEV_VA_BASE 0xffffffc000000000UL   /* devices: PA [0, 1 GiB) */

static inline uint64_t kdev_va(uint64_t pa) { return KDEV_VA_BASE + pa; }

void vm_init(uint64_t ram_base, uint64_t ram_size);
uint64_t *vm_kernel_root(void);
uint64_t *vm_new_root(void);                 /* kernel window filled in */
void vm_free_root(uint64_t *root);           /* frees every table, not frames */

/* Is [va, va + npages pages) a page-aligned range of user space? */
bool vm_user_range_ok(uint64_t va, uint64_t npages);

/* Map one 4 KiB page.  Fails with -KINE_ENOMEM (table memory) or -KINE_EBUSY
 * (the slot holds a kernel-owned page, or lies under a larger page). */
int vm_map(uint64_t *root, uint64_t va, uint64_t pa, uint64_t pte_flags);
/* The 4 KiB-level table covering va, made if missing (NULL and *err set on
 * failure: -KINE_ENOMEM, or -KINE_EBUSY under a larger page). */
uint64_t *vm_leaf_table(uint64_t *root, uint64_t va, int *err);
/* Leaf PTE of va at 4 KiB level, or NULL. */
uint64_t *vm_lookup(uint64_t *root, uint64_t va);
/* Unmap / change rights of every mapped, not kernel-owned 4 KiB page in the
 * range; return how many pages changed. */
uint64_t vm_unmap_range(uint64_t *root, uint64_t va, uint64_t npages);
uint64_t vm_protect_range(uint64_t *root, uint64_t va, uint64_t npages, uint64_t pte_rights);
/* Map a 2 MiB page (the pager's pool window). */
int vm_map_mega(uint64_t *root, uint64_t va, uint64_t pa, uint64_t pte_flags);

uint64_t vm_rights_to_pte(uint64_t kine_rights);

#endif
