/* The kernel's own object memory: a free list of 4 KiB pages carved out of
 * RAM at boot, for page tables, IPC buffers and the pager's image.  User
 * frames never come from here; they belong to the pager. */
#include <string.h>
#include "kernel.h"
#include "riscv.h"

struct free_page { struct free_page *next; };

static struct free_page *free_list;
static uint64_t free_count, total_count;
static uint64_t inject_every, inject_calls, injected;   /* kernel.failalloc=N */

void kalloc_init(uint64_t start, uint64_t end)
{
    for (uint64_t pa = ALIGN_UP(start, PAGE_SIZE); pa + PAGE_SIZE <= end; pa += PAGE_SIZE) {
        kfree_page((void *)pa);
        total_count++;
    }
}

void *kalloc_page(void)
{
    struct free_page *p = free_list;
    if (!p)
        return NULL;
    free_list = p->next;
    free_count--;
    memset(p, 0, PAGE_SIZE);
    return p;
}

void kfree_page(void *page)
{
    struct free_page *p = page;
    if ((uint64_t)page & (PAGE_SIZE - 1))
        panic("kfree_page: unaligned %p", page);
    p->next = free_list;
    free_list = p;
    free_count++;
}

uint64_t kalloc_total_pages(void) { return total_count; }
uint64_t kalloc_free_pages(void) { return free_count; }

void kalloc_inject(uint64_t every) { inject_every = every; }

void kalloc_report(void)
{
    if (inject_every)
        kprintf("kernel: fault injection: %lu object allocations failed\n", injected);
}

void *kalloc_page_for(bool injectable)
{
    if (injectable && inject_every && ++inject_calls % inject_every == 0) {
        injected++;
        return NULL;                 /* as if memory had run out */
    }
    return kalloc_page();
}
