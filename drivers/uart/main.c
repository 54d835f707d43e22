/* uart: the console's input driver, a user task the pager starts at boot
 * (pager/driver.c) with the ns16550a's registers mapped at argv[1] and its
 * interrupt bound to this thread.  On each interrupt it reads every byte
 * the UART holds, acknowledges the interrupt, runs the bytes through the
 * line editor (edit.c) and reports echo and finished records to the pager
 * (PGR_CONSOLE_INPUT), which prints the echo and queues the records for
 * console reads.  Output does not come here: programs print through the
 * pager.
 *
 * It calls only the pager, which answers at once and never sends to it, so
 * the two can never wait on each other.  It takes messages only from the
 * kernel (its interrupt): any request, from any program or even the pager,
 * is answered with an error. */
#include <stdlib.h>
#include <string.h>
#include <kinesys.h>
#include "edit.h"
#include "ns16550.h"

static volatile uint8_t *regs;
static struct edit ed;
static char echo[2 * EDIT_ECHO_MAX];     /* echo gathered over one interrupt */
static size_t echo_len;

/* One report to the pager: the echo gathered so far and, unless kind is
 * KINE_CONSOLE_ECHO, a record. */
static void report(enum kine_console_kind kind, const char *rec, size_t rec_len)
{
    memcpy(kine_ipcbuf(), echo, echo_len);
    memcpy((char *)kine_ipcbuf() + echo_len, rec, rec_len);
    struct kine_msg m = { kine_tag(PGR_CONSOLE_INPUT, kine_words(echo_len + rec_len)),
                          { echo_len, rec_len, (uint64_t)kind, 0 } };
    kine_call(kine_pager_tid(), &m);     /* a full queue drops the record, as a terminal does */
    echo_len = 0;
}

static void take(unsigned char c)
{
    static struct edit_out o;
    edit_feed(&ed, c, &o);
    memcpy(echo + echo_len, o.echo, o.echo_len);
    echo_len += o.echo_len;
    if (o.kind != KINE_CONSOLE_ECHO)
        report(o.kind, o.rec, o.rec_len);
    else if (echo_len > sizeof(echo) - EDIT_ECHO_MAX)
        report(KINE_CONSOLE_ECHO, NULL, 0);
}

/* The interrupt: every byte the UART holds, then the line may interrupt
 * again (a byte that came meanwhile raises it anew). */
static void interrupt(uint64_t source)
{
    static unsigned char got[EDIT_LINE_MAX];
    size_t n = 0;
    while (n < sizeof(got) && (regs[UART_LSR] & UART_LSR_DR))
        got[n++] = regs[UART_RBR];
    kine_irq_ack(source);
    for (size_t i = 0; i < n; i++)
        take(got[i]);
    if (echo_len)
        report(KINE_CONSOLE_ECHO, NULL, 0);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 1;
    regs = (volatile uint8_t *)strtoul(argv[1], NULL, 0);
    regs[UART_IER] = UART_IER_RDA;
    for (;;) {
        struct kine_msg m = { 0 };
        kine_tid_t from = 0;
        if (kine_recv(&m, 0, &from) < 0)
            continue;
        if (kine_tag_is_kernel(m.tag) && kine_tag_label(m.tag) == KINE_LABEL_IRQ) {
            interrupt(m.mr[0]);
        } else if (m.tag & KINE_TAG_CALL) {
            struct kine_msg r = { 0, { (uint64_t)(from == kine_pager_tid() ? -KINE_ENOSYS
                                                                           : -KINE_EPERM) } };
            kine_reply(from, &r);
        }                                /* a message sent without waiting: dropped */
    }
}
