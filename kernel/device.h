/* Devices and interrupts for user-level drivers: the device nodes the
 * pager may map (device.c) and the binding of their interrupts to threads
 * (irq.c). */
#ifndef KINE_DEVICE_H
#define KINE_DEVICE_H

#include <stdint.h>
#include <stdbool.h>
#include <kinelib/fdt.h>
#include <kine/bootinfo.h>

struct thread;
struct space;

/* device.c */
/* Keep the device nodes of the tree that lie clear of RAM, the PLIC, the
 * CLINT and the test finisher (up to KINE_DEVICES_MAX); how many. */
unsigned device_init(const struct fdt_info *fi);
void device_bootinfo(struct kine_bootinfo *bi);
bool device_has_irq(uint64_t src);
/* KSYS_DEV_MAP: 0 or -KINE_E*. */
int64_t device_map(struct space *s, uint64_t va, uint64_t pa, uint64_t npages);

/* irq.c */
/* Take the interrupts of the PLIC with nsources sources (0: none). */
void irq_init(uint32_t nsources);
void irq_hart_init(void);          /* this hart takes device interrupts */
void irq_external(void);                           /* claim and deliver */
int64_t irq_bind(uint64_t src, uint64_t tid);      /* KSYS_IRQ_BIND */
int64_t irq_ack(struct thread *t, uint64_t src);   /* KSYS_IRQ_ACK */
/* t receives: put a pending interrupt's message in its registers; false
 * if it has none. */
bool irq_deliver_pending(struct thread *t);
void irq_forget(struct thread *t);                 /* t is being destroyed */

#endif
