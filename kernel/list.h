/* Intrusive circular doubly-linked lists: a struct list in the owner is the
 * head, one in each member is its link.  A link that is on no list points
 * at itself, so removing it again is harmless; O(1) add and remove. */
#ifndef KINE_LIST_H
#define KINE_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list {
    struct list *next, *prev;
};

static inline void list_init(struct list *l) { l->next = l->prev = l; }
static inline bool list_empty(const struct list *head) { return head->next == head; }

static inline void list_add_tail(struct list *head, struct list *l)
{
    l->prev = head->prev;
    l->next = head;
    head->prev->next = l;
    head->prev = l;
}

static inline void list_remove(struct list *l)
{
    l->prev->next = l->next;
    l->next->prev = l->prev;
    list_init(l);
}

/* The struct that holds link `l` as its member `field`. */
#define list_owner(l, type, field) ((type *)((char *)(l) - offsetof(type, field)))

/* Visit each member; the body may remove the current one (not others). */
#define list_each(pos, nxt, head) \
    for (struct list *pos = (head)->next, *nxt = pos->next; pos != (head); pos = nxt, nxt = pos->next)

#endif
