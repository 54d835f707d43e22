/* syscheck: bad system calls and malformed pager requests from an ordinary
 * (non-pager) program each return the documented error, and nothing breaks. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <errno.h>
#include <kinesys.h>


/* QEMU virt's UART (docs/design.md): its interrupt is bound to the
 * console driver. */
#define UART_PA  0x10000000UL
#define UART_IRQ 10

static struct kine_tally tally;

static void expect(const char *what, int64_t got, int64_t want)
{
    kine_expect(&tally, what, got, want);
}

static int64_t pager_request(uint64_t label, uint64_t words, uint64_t mr0, uint64_t mr1)
{
    struct kine_msg m = { kine_tag(label, words), { mr0, mr1, 0, 0 } };
    int64_t r = kine_call(kine_pager_tid(), &m);
    return r < 0 ? r : (int64_t)m.mr[0];
}

/* A forked child sends us one message with SEND and one with CALL, each
 * with the CALL and KERNEL tag bits forged; we see only what is true. */
static void call_bit_checks(kine_tid_t self)
{
    const uint64_t forged = KINE_TAG_CALL | KINE_TAG_KERNEL;
    pid_t c = fork();
    if (c == 0) {
        struct kine_msg m = { kine_tag(1, 0) | forged, { 7 } };
        kine_send(self, &m);
        m.tag = kine_tag(2, 0) | forged;
        kine_call(self, &m);
        _exit(0);
    }
    struct kine_msg m = { 0 };
    kine_tid_t from = 0;
    uint64_t deadline = kine_deadline_ms(5000);
    int r1 = (int)kine_recv(&m, deadline, &from);
    uint64_t tag1 = m.tag;
    int r2 = (int)kine_recv(&m, deadline, &from);
    uint64_t tag2 = m.tag;
    expect("send received", r1, 0);
    expect("send: no CALL bit", (tag1 & KINE_TAG_CALL) != 0, 0);
    expect("send: no forged KERNEL bit", kine_tag_is_kernel(tag1), 0);
    expect("call received", r2, 0);
    expect("call: CALL bit", (tag2 & KINE_TAG_CALL) != 0, 1);
    expect("call: no forged KERNEL bit", kine_tag_is_kernel(tag2), 0);
    m.tag = 0;
    kine_reply(from, &m);
    int ws;
    waitpid(c, &ws, 0);
}

int main(void)
{
    kine_tid_t self = kine_self();

    /* pager-only calls */
    expect("as_create", kine_as_create(1, 0), -KINE_EPERM);
    expect("as_query", kine_as_query(1, 0x10000, 1), -KINE_EPERM);
    expect("kmem_info", kine_kmem_info(), -KINE_EPERM);
    expect("as_tables", kine_as_tables(1), -KINE_EPERM);
    expect("debug_write (programs print through the pager)", kine_debug_write(1), -KINE_EPERM);
    expect("as_destroy", kine_as_destroy(1), -KINE_EPERM);
    expect("thread_create", kine_sys_thread_create(1, 0x40000000), -KINE_EPERM);
    expect("thread_start", kine_sys_thread_start(self, 0x10000, 0x7ff00000, 0, 0), -KINE_EPERM);
    expect("thread_destroy", kine_sys_thread_destroy(self), -KINE_EPERM);
    expect("map", kine_map(1, 1), -KINE_EPERM);
    expect("unmap", kine_unmap(1, 0x10000, 1), -KINE_EPERM);
    expect("protect", kine_protect(1, 0x10000, 1, KINE_RIGHT_R), -KINE_EPERM);
    expect("poweroff", kine_sys_poweroff(0), -KINE_EPERM);
    expect("dev_map", kine_dev_map(1, KINE_DRIVER_MMIO_VA, UART_PA, 1), -KINE_EPERM);
    expect("irq_bind", kine_irq_bind(UART_IRQ, self), -KINE_EPERM);

    /* interrupts: only the bound thread acknowledges, and only a source */
    expect("irq_ack the console's (not ours)", kine_irq_ack(UART_IRQ), -KINE_EPERM);
    expect("irq_ack source 0", kine_irq_ack(0), -KINE_EINVAL);
    expect("irq_ack huge source", kine_irq_ack(1UL << 40), -KINE_EINVAL);

    /* bad numbers and arguments */
    expect("syscall 0", kine_syscall(0, 0, 0, 0, 0, 0), -KINE_ENOSYS);
    expect("syscall 999", kine_syscall(999, 0, 0, 0, 0, 0), -KINE_ENOSYS);
    expect("syscall -1", kine_syscall((uint64_t)-1, 0, 0, 0, 0, 0), -KINE_ENOSYS);

    /* IPC addressing */
    struct kine_msg m = { 0 };
    expect("call tid 0", kine_call(0, &m), -KINE_ESRCH);
    expect("call forged tid", kine_call(0xdeadbeef, &m), -KINE_ESRCH);
    expect("call stale generation", kine_call(self + (1UL << 16), &m), -KINE_ESRCH);
    expect("call self", kine_call(self, &m), -KINE_EDEADLK);
    m.tag = kine_tag(1, KINE_IPC_BUF_WORDS + 1);
    expect("call overlong tag", kine_call(kine_pager_tid(), &m), -KINE_EINVAL);
    m.tag = 0;
    expect("reply to a thread not waiting", kine_reply(kine_pager_tid(), &m), -KINE_ESRCH);
    expect("send to tid 0", kine_send(0, &m), -KINE_ESRCH);
    expect("recv deadline passed", kine_recv(&m, 1, NULL), -KINE_ETIMEDOUT);

    /* malformed pager requests get error replies */
    expect("unknown label", pager_request(0x7777, 0, 0, 0), -KINE_ENOSYS);
    expect("write longer than sent", pager_request(PGR_WRITE, 1, 100, 0), -KINE_EINVAL);
    expect("spawn bad argc", pager_request(PGR_SPAWN, 1, 6, 3), -KINE_EINVAL);
    expect("spawn unterminated", (memcpy(kine_ipcbuf(), "hello!!!", 8),
                                  pager_request(PGR_SPAWN, 1, 8, 1)), -KINE_EINVAL);
    expect("wait with no children", pager_request(PGR_WAIT, 0, (uint64_t)-1, 0), -KINE_ECHILD);
    expect("wait pid 0", pager_request(PGR_WAIT, 0, 0, 0), -KINE_EINVAL);
    expect("poweroff from non-init", pager_request(PGR_POWEROFF, 0, 0, 0), -KINE_EPERM);
    expect("sleep too long", pager_request(PGR_SLEEP, 0, (uint64_t)-1, 0), -KINE_ERANGE);
    expect("sbrk below start", pager_request(PGR_SBRK, 0, (uint64_t)-(1L << 30), 0), -KINE_EINVAL);
    expect("sbrk huge", pager_request(PGR_SBRK, 0, 1UL << 40, 0), -KINE_ENOMEM);

    /* spawning */
    const char *missing[] = { "no-such-program" };
    expect("spawn missing program", kine_spawn(1, missing, NULL), -KINE_ENOENT);
    const char *pager[] = { "pager" };
    expect("spawn the pager", kine_spawn(1, pager, NULL), -KINE_ENOENT);
    expect("POSIX write to bad fd", write(7, "x", 1), -1);
    expect("errno EBADF", errno, EBADF);

    /* the kernel marks a message the sender waits on (CALL), and no
     * sender can forge that mark or the kernel's */
    call_bit_checks(self);

    /* the console keeps reading as the console under another number */
    char ch;
    expect("dup2 of the console", dup2(0, 9), 9);
    expect("reading the console through it: end of file", (int)read(9, &ch, 1), 0);
    close(9);

    /* still alive and answering */
    expect("getpid works", getpid() > 0, 1);
    expect("sleep 2 ticks", kine_sleep_ticks(2), 0);

    printf("%d checks passed, %d failed\n", tally.passed, tally.failed);
    return tally.failed ? 1 : 0;
}
