/* The frame list the replacement policies share: a circular, doubly linked
 * list of frame numbers kept in index arrays inside a policy's state, so
 * that adding, removing and moving a frame are O(1) and no memory is
 * allocated after boot.  The state the core hands a policy is zeroed, and
 * zeroed bytes are an empty list: a frame's links are read only while its
 * `on` byte says it is on the list.
 *
 * Layout of framelist_size(nframes) bytes: struct framelist_head, then
 * next[nframes], prev[nframes] (uint32_t), then on[nframes] (uint8_t).  A
 * policy that needs more per-frame data puts it after framelist_size(). */
#ifndef PAGER_RECLAIM_FRAMELIST_H
#define PAGER_RECLAIM_FRAMELIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a policy's state starts with. */
struct framelist_head {
    uint32_t count;     /* frames on the list */
    uint32_t first;     /* the front; meaningless while count is 0 */
};

/* A view of one list: pointers into the state, made on every hook call
 * (the state alone does not know nframes). */
struct framelist {
    struct framelist_head *h;
    uint32_t *next, *prev;
    uint8_t *on;
    uint32_t nframes;
};

/* Bytes a list over nframes frames takes, aligned so that whatever a
 * policy puts after it is aligned for any scalar. */
size_t framelist_size(uint32_t nframes);

/* The list at the start of mem, which holds framelist_size(nframes) bytes. */
struct framelist framelist_at(void *mem, uint32_t nframes);

/* Is f a frame number on the list?  False for f >= nframes. */
bool framelist_has(const struct framelist *l, uint32_t f);

/* Put f at the back (just before the front, the list being a circle).
 * 0, -KINE_EINVAL if f >= nframes, -KINE_EBUSY if f is already on it. */
int framelist_push_back(struct framelist *l, uint32_t f);

/* Take f off; if it was the front, its successor becomes the front.
 * 0, -KINE_EINVAL if f is not on the list. */
int framelist_remove(struct framelist *l, uint32_t f);

/* The front frame, or -1 if the list is empty. */
int64_t framelist_front(const struct framelist *l);

/* The frame after f (f must be on the list; the front follows the back). */
uint32_t framelist_next(const struct framelist *l, uint32_t f);

/* Make the front's successor the front: the old front becomes the back,
 * every other frame keeps its place in the order.  A clock's hand. */
void framelist_rotate(struct framelist *l);

#endif
