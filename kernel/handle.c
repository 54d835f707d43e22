/* The handle table (handle.h): slots taken and given back, their
 * generations.  Free slots are reused oldest first, so a slot's 16-bit
 * generation comes round only after every free slot has been used as
 * often. */
#include "kernel.h"
#include "handle.h"

struct slot *handle_pages[SLOT_PAGES];
static uint32_t handle_slots_made = 1;    /* slots [1, this) have been used */
static uint32_t free_head, free_tail;

static struct slot *slot_at(uint64_t i)
{
    return &handle_pages[i / SLOTS_PER_PAGE][i % SLOTS_PER_PAGE];
}

uint32_t handle_take(void *obj, bool is_thread, bool injectable)
{
    uint32_t i = free_head;
    if (i) {
        free_head = slot_at(i)->next_free;
        if (!free_head)
            free_tail = 0;
    } else {
        if (handle_slots_made >= (1u << HANDLE_SLOT_BITS))
            return 0;
        if (!handle_pages[handle_slots_made / SLOTS_PER_PAGE]) {
            handle_pages[handle_slots_made / SLOTS_PER_PAGE] = kalloc_page_for(injectable);
            if (!handle_pages[handle_slots_made / SLOTS_PER_PAGE])
                return 0;
        }
        i = handle_slots_made++;
    }
    struct slot *sl = slot_at(i);
    sl->obj = obj;
    sl->is_thread = is_thread;
    if (++sl->gen == 0)
        sl->gen = 1;                 /* generation 0 is never handed out */
    return i;
}

void handle_give(uint32_t i)
{
    struct slot *sl = slot_at(i);
    sl->obj = NULL;
    sl->next_free = 0;
    if (free_tail)
        slot_at(free_tail)->next_free = i;
    else
        free_head = i;
    free_tail = i;
}

uint64_t handle_of(uint32_t slot)
{
    return ((uint64_t)slot_at(slot)->gen << HANDLE_SLOT_BITS) | slot;
}
