/* The word-at-a-time copy and fill of lib/memops.c under names of their
 * own (memcpy and memset are weak names of them, which an image may
 * replace: the pager's dispatch to RVV does, pager/pageops.c). */
#ifndef KINE_MEMOPS_H
#define KINE_MEMOPS_H

#include <stddef.h>

void *memops_copy(void *restrict dst, const void *restrict src, size_t n);
void *memops_set(void *dst, int c, size_t n);

#endif
