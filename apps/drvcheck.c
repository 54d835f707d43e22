/* drvcheck: nothing but the pager may talk to a driver.  Random requests
 * to each driver running (the console's, and the block driver's when
 * there is a disk: every label, length and register, the tag's flag bits
 * forged) are each refused with EPERM, messages sent without waiting are
 * dropped, and no program can pass for a driver (PGR_CONSOLE_INPUT,
 * PGR_BLK_SYNC), acknowledge its interrupt, kill it, or start its
 * program.  The test then types a line to show the console driver still
 * works. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <errno.h>
#include <stdbool.h>
#include <kinesys.h>
#include <kine/blk.h>

#define ROUNDS      2000
#define LABELS      0x200                /* every pager label and beyond */
#define UART_IRQ    10                   /* QEMU virt's UART (docs/design.md) */
#define DISK_IRQ    8                    /* QEMU virt's virtio slot of the first disk */

static uint64_t seed = 12345;

static uint64_t rnd(void)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed >> 17;
}

static struct kine_tally tally;

static void expect(const char *what, int64_t got, int64_t want)
{
    kine_expect(&tally, what, got, want);
}

/* A driver's thread, from the pager's process list (pid 0), or 0. */
static kine_tid_t driver_tid(const char *name)
{
    struct kine_procinfo pi;
    for (int64_t r = kine_procinfo(0, &pi); r >= 0 && pi.pid == 0; r = kine_procinfo_next(&pi))
        if (strcmp(pi.name, name) == 0)
            return pi.tid;
    return 0;
}

static void random_message(struct kine_msg *m)
{
    uint64_t *buf = kine_ipcbuf();
    for (int i = 0; i < KINE_IPC_BUF_WORDS; i += 1 + (int)(rnd() % 64))
        buf[i] = rnd() << 20 ^ rnd();
    m->tag = kine_tag(rnd() % LABELS, rnd() % (KINE_IPC_BUF_WORDS + 1)) |
             (rnd() % 2 ? KINE_TAG_KERNEL | KINE_TAG_CALL : 0);
    for (int i = 0; i < KINE_MSG_REGS; i++)
        m->mr[i] = rnd() % 4 ? rnd() : (uint64_t)-1;
}

/* ROUNDS random messages to the driver: each request must be refused. */
static void bombard(const char *name, kine_tid_t drv)
{
    int refused = 0, dropped = 0;
    for (int i = 0; i < ROUNDS; i++) {
        struct kine_msg m;
        random_message(&m);
        if (rnd() % 4) {
            int64_t r = kine_call(drv, &m);
            bool ok = r == 0 && (int64_t)m.mr[0] == -KINE_EPERM;
            refused += ok;
            if (!ok)
                expect("a request is refused", r == 0 ? (int64_t)m.mr[0] : r, -KINE_EPERM);
        } else {
            int64_t r = kine_send(drv, &m);
            dropped += r == 0;
            if (r)
                expect("a message is taken", r, 0);
        }
    }
    printf("%s: %d requests refused with EPERM, %d messages dropped\n", name, refused, dropped);
}

/* Pass for the block driver: a hello, and a report of a transfer. */
static void forge_disk(void)
{
    struct kine_msg m = { kine_tag(PGR_BLK_SYNC, 0), { 0, 1, 2048, 0 } };
    kine_call(kine_pager_tid(), &m);
    expect("passing for the block driver: hello", (int64_t)m.mr[0], -KINE_EPERM);
    struct kine_blk_done d = { 1UL << 8, 0 };
    memcpy(kine_ipcbuf(), &d, sizeof(d));
    m = (struct kine_msg){ kine_tag(PGR_BLK_SYNC, kine_words(sizeof(d))), { 1, 1, 2048, 0 } };
    kine_call(kine_pager_tid(), &m);
    expect("passing for the block driver: a completion", (int64_t)m.mr[0], -KINE_EPERM);
}

int main(void)
{
    kine_tid_t uart = driver_tid("uart"), disk = driver_tid("virtio_blk");
    expect("the console driver is listed", uart != 0, 1);
    if (!uart) {
        printf("no driver\n");
        return 1;
    }
    bombard("uart", uart);
    if (disk)
        bombard("virtio_blk", disk);
    struct kine_msg m = { kine_tag(PGR_CONSOLE_INPUT, 1), { 0, 3, KINE_CONSOLE_LINE, 0 } };
    memcpy(kine_ipcbuf(), "ls\n", 3);
    kine_call(kine_pager_tid(), &m);
    expect("passing for the driver", (int64_t)m.mr[0], -KINE_EPERM);
    forge_disk();
    expect("acknowledging its interrupt", kine_irq_ack(UART_IRQ), -KINE_EPERM);
    expect("acknowledging the disk's interrupt", kine_irq_ack(DISK_IRQ), -KINE_EPERM);
    expect("killing it", kill(0, SIGKILL), -1);
    expect("... ESRCH", errno, ESRCH);
    const char *argv[] = { "uart", "0x10000000" };
    expect("starting its program", kine_spawn(2, argv, NULL), -KINE_EPERM);
    expect("becoming it", kine_exec(2, argv), -KINE_EPERM);
    const char *blk_argv[] = { "virtio_blk", "0x80000000", "0x10008000" };
    expect("starting the block driver", kine_spawn(3, blk_argv, NULL), -KINE_EPERM);
    expect("the console driver is still there", driver_tid("uart"), (int64_t)uart);
    expect("the block driver is still there", driver_tid("virtio_blk"), (int64_t)disk);
    printf("%s; %d checks passed, %d failed\n", disk ? "both drivers" : "no block driver",
           tally.passed, tally.failed);
    if (tally.failed)
        return 1;
    printf("ALL DRIVER CHECKS PASSED\n");
    return 0;
}
