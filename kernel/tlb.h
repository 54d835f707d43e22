/* TLB shootdown across harts (tlb.c). */
#ifndef KINE_TLB_H
#define KINE_TLB_H

#include <stdbool.h>

struct space;
extern bool tlb_shootdown_off;     /* kernel.shootdown=off */
/* Every hart but this one that may hold translations of s drops them all
 * before this returns; the caller flushes this hart's own. */
void tlb_shootdown(struct space *s);
void tlb_report(void);             /* at power-off */

#endif
