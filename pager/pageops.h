/* The pager's memcpy and memset (pageops.c): every page it copies (COW,
 * eager fork) or clears (a zero fill, a fresh frame) goes through them.
 * With RVV (the kernel says so in the boot information) a copy or fill of
 * PAGEOPS_RVV_MIN bytes or more runs the vector loops of pageops_rvv.S;
 * otherwise, and for short ones, lib/memops.c's word loops. */
#ifndef KINE_PAGER_PAGEOPS_H
#define KINE_PAGER_PAGEOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGEOPS_RVV_MIN 256    /* below this the vector setup does not pay */

extern bool pageops_vector;    /* copies and fills use RVV now */

/* At boot: RVV if the kernel gives threads V (vlenb bytes per register,
 * 0 if not); says which on the console. */
void pageops_init(uint64_t vlenb);
uint64_t pageops_vlenb(void);  /* 0 without V */
/* pager.vcheck: the vector loops against the scalar ones on many sizes
 * and alignments, byte for byte, guard bytes included; 0 if all agree. */
int pageops_check(void);

/* pageops_rvv.S (vector instructions: only with V) */
void *rvv_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *rvv_memset(void *dst, int c, size_t n);

#endif
