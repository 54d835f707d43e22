/* TLB shootdown across harts (tlb.c). */
#ifndef KINE_TLB_H
#define KINE_TLB_H

#include <stdbool.h>

struct space;
extern bool tlb_shootdown_off;     /* kernel.shootdown=off */
/* No hart but this one uses a translation of s that went before this
 * returns: those that run s drop its ASID now, the others before they run
 * it next.  The caller flushes this hart's own TLB. */
void tlb_shootdown(struct space *s);
/* The same for every hart that may hold any translation of s, at once:
 * before s goes and its ASID is given to another space. */
void tlb_shootdown_all(struct space *s);
void tlb_report(void);             /* at power-off */

#endif
