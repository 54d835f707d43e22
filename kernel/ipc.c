/* Synchronous IPC, the general path: call, send, receive, reply,
 * reply-and-receive in every case (fastpath.S takes the
 * common ones first and falls back to this), plus the kernel-made fault and
 * exit messages, and interrupts (irq.c) and notifications for a receiver
 * that has one pending.  Messages move register to register (tag + 4
 * MRs); a tag length > 0 also copies that many words between the two
 * threads' IPC buffers, the only user memory the kernel ever writes.
 * When a send wakes a receiver and the sender blocks, the receiver runs at
 * once (no trip through the run queue). */
#include <string.h>
#include "kernel.h"
#include "riscv.h"
#include "thread.h"
#include "device.h"
#include "syscall.h"
#include <kine/syscall.h>
#include <kine/error.h>

/* Deliver from's message into to's registers (and IPC buffer).  The tag
 * says whether the sender waits for a reply (KINE_TAG_CALL) and whether the
 * kernel made it (KINE_TAG_KERNEL); no user send can set either bit. */
static void transfer(struct thread *from, struct thread *to, bool call)
{
    uint64_t call_bit = call ? KINE_TAG_CALL : 0;
    if (from->kmsg) {
        to->tf.x[REG_A1] = from->kmsg_tag | call_bit;
        for (int i = 0; i < KINE_MSG_REGS; i++)
            to->tf.x[REG_A2 + i] = from->kmsg_mr[i];
    } else {
        uint64_t tag = from->tf.x[REG_A1] & ~(KINE_TAG_KERNEL | KINE_TAG_CALL);
        uint64_t len = kine_tag_len(tag);
        if (len)
            memcpy((void *)to->ipcbuf_pa, (const void *)from->ipcbuf_pa, len * sizeof(uint64_t));
        to->tf.x[REG_A1] = tag | call_bit;
        for (int i = 0; i < KINE_MSG_REGS; i++)
            to->tf.x[REG_A2 + i] = from->tf.x[REG_A2 + i];
    }
    to->tf.x[REG_A6] = thread_tid(from);
    to->tf.x[REG_A0] = 0;
    sched_clear_deadline(to);
}

/* from's message has reached `to`: move from on to its next state. */
static void after_send(struct thread *from, struct thread *to, bool call)
{
    if (from->kmsg && from->kmsg_halts) {
        from->state = T_HALTED;
        from->kmsg = false;
    } else if (call || from->kmsg) {
        from->state = T_REPLY_BLOCKED;
        from->partner = to;
    } else {
        from->partner = NULL;
        thread_set_status(from, 0);
        sched_ready(from);
    }
}

static void sendq_push(struct thread *dest, struct thread *t)
{
    t->qnext = NULL;
    if (dest->sendq_tail)
        dest->sendq_tail->qnext = t;
    else
        dest->sendq_head = t;
    dest->sendq_tail = t;
}

static struct thread *sendq_pop(struct thread *dest)
{
    struct thread *t = dest->sendq_head;
    if (t) {
        dest->sendq_head = t->qnext;
        if (!dest->sendq_head)
            dest->sendq_tail = NULL;
        t->qnext = NULL;
    }
    return t;
}

static void sendq_remove(struct thread *dest, struct thread *t)
{
    struct thread *prev = NULL;
    for (struct thread *p = dest->sendq_head; p; prev = p, p = p->qnext) {
        if (p != t)
            continue;
        if (prev)
            prev->qnext = p->qnext;
        else
            dest->sendq_head = p->qnext;
        if (dest->sendq_tail == p)
            dest->sendq_tail = prev;
        p->qnext = NULL;
        return;
    }
}

/* t (the current thread) sends to dest; it may block or hand over the CPU. */
static void do_send(struct thread *t, struct thread *dest, bool call)
{
    if (dest->state == T_RECV_BLOCKED) {
        transfer(t, dest, call);
        after_send(t, dest, call);
        if (t->state != T_READY) {
            cur = dest;              /* direct switch: t waits, dest runs */
            dest->state = T_READY;
        } else {
            sched_ready(dest);
        }
        return;
    }
    t->state = T_SEND_BLOCKED;
    t->partner = dest;
    t->sending_call = call;
    sendq_push(dest, t);
}

void ipc_kernel_deliver(struct thread *to, uint64_t label, const uint64_t mr[KINE_MSG_REGS])
{
    to->tf.x[REG_A1] = kine_tag(label, 0) | KINE_TAG_KERNEL;
    for (int i = 0; i < KINE_MSG_REGS; i++)
        to->tf.x[REG_A2 + i] = mr[i];
    to->tf.x[REG_A6] = 0;                /* from the kernel, no thread */
    to->tf.x[REG_A0] = 0;
    sched_clear_deadline(to);
}

/* A notification: the bits gathered so far, as one kernel-made message. */
static void deliver_notify(struct thread *t)
{
    uint64_t mr[KINE_MSG_REGS] = { t->notify_bits, 0, 0, 0 };
    t->notify_bits = 0;
    ipc_kernel_deliver(t, KINE_LABEL_NOTIFY, mr);
}

/* A notification never blocks the notifier: it waits in the word until
 * the thread receives.  Bits only accumulate, so nothing is lost when two
 * notifications come before one receive. */
int64_t ipc_notify(uint64_t tid, uint64_t bits)
{
    struct thread *t = thread_lookup(tid);
    if (!t || t->state == T_HALTED)
        return -KINE_ESRCH;
    if (!bits)
        return -KINE_EINVAL;
    t->notify_bits |= bits;
    if (t->state == T_RECV_BLOCKED) {
        deliver_notify(t);
        sched_ready(t);
    }
    return 0;
}

/* A pending interrupt comes first, then a notification, then the senders
 * in order. */
static void do_recv(struct thread *t, uint64_t deadline)
{
    if (t->irqs_pending && irq_deliver_pending(t))
        return;
    if (t->notify_bits) {
        deliver_notify(t);
        return;
    }
    struct thread *s = sendq_pop(t);
    if (s) {
        bool call = s->sending_call;
        transfer(s, t, call);
        after_send(s, t, call);
        return;
    }
    if (deadline && csr_read(time) >= deadline) {
        thread_set_status(t, -KINE_ETIMEDOUT);
        return;
    }
    t->state = T_RECV_BLOCKED;
    if (deadline)
        sched_set_deadline(t, deadline);
}

/* Reply to dest, which must be waiting for a reply from t. */
static int do_reply(struct thread *t, struct thread *dest)
{
    if (!dest || dest->state != T_REPLY_BLOCKED || dest->partner != t)
        return -KINE_ESRCH;
    dest->partner = NULL;
    if (dest->kmsg)
        dest->kmsg = false;          /* fault answered: re-run the instruction */
    else
        transfer(t, dest, false);
    sched_ready(dest);
    return 0;
}

static void ipc_syscall(struct thread *t, uint64_t sysno)
{
    uint64_t a0 = t->tf.x[REG_A0], tag = t->tf.x[REG_A1];
    if ((sysno == KSYS_CALL || sysno == KSYS_SEND || sysno == KSYS_REPLY ||
         sysno == KSYS_REPLY_RECV) && kine_tag_len(tag) > KINE_IPC_BUF_WORDS) {
        thread_set_status(t, -KINE_EINVAL);
        return;
    }
    switch (sysno) {
    case KSYS_CALL:
    case KSYS_SEND: {
        struct thread *dest = thread_lookup(a0);
        if (!dest || dest->state == T_INACTIVE || dest->state == T_HALTED) {
            thread_set_status(t, -KINE_ESRCH);
            return;
        }
        if (dest == t) {
            thread_set_status(t, -KINE_EDEADLK);
            return;
        }
        do_send(t, dest, sysno == KSYS_CALL);
        return;
    }
    case KSYS_RECV:
        do_recv(t, t->tf.x[REG_A6]);
        return;
    case KSYS_REPLY:
        thread_set_status(t, do_reply(t, thread_lookup(a0)));
        return;
    case KSYS_REPLY_RECV: {
        struct thread *dest = NULL;
        if (a0) {
            dest = thread_lookup(a0);
            int err = do_reply(t, dest);
            if (err) {
                thread_set_status(t, err);
                return;
            }
        }
        do_recv(t, t->tf.x[REG_A6]);
        if (t->state != T_READY && dest && dest->state == T_READY) {
            /* we wait; the thread we answered runs now */
            sched_unqueue(dest);
            cur = dest;
        }
        return;
    }
    default:
        thread_set_status(t, -KINE_ENOSYS);
    }
}

/* The general path of every IPC call: the caller's registers go into its
 * frame (where a blocked sender's message waits, and where a receiver's
 * arrives), and whoever can run next runs. */
sysret ipc_general(SYSCALL_ARGS)
{
    struct thread *t = cur;
    uint64_t *x = t->tf.x;
    x[REG_A0] = a0;
    x[REG_A1] = a1;
    x[REG_A2] = a2;
    x[REG_A3] = a3;
    x[REG_A4] = a4;
    x[REG_A5] = a5;
    x[REG_A6] = a6;
    ipc_syscall(t, n);
    return sysret_schedule(t);
}

void ipc_kernel_send(struct thread *t, uint64_t label, const uint64_t mr[KINE_MSG_REGS], bool halts)
{
    struct thread *pager = t->pager;
    t->kmsg = true;
    t->kmsg_halts = halts;
    t->kmsg_tag = kine_tag(label, 0) | KINE_TAG_KERNEL;
    memcpy(t->kmsg_mr, mr, sizeof(t->kmsg_mr));
    if (!pager || pager->state == T_HALTED || pager->state == T_INACTIVE) {
        t->state = T_HALTED;
        t->kmsg = false;
        return;
    }
    do_send(t, pager, !halts);
}

/* Take t out of every wait before it is destroyed; whoever was waiting on t
 * gets -KINE_ESRCH (a faulted thread, with nobody to answer it, halts). */
static void fail_waiter(struct thread *w)
{
    w->partner = NULL;
    if (w->kmsg) {
        w->kmsg = false;
        w->state = T_HALTED;
        return;
    }
    thread_set_status(w, -KINE_ESRCH);
    sched_ready(w);
}

void ipc_detach(struct thread *t)
{
    sched_unqueue(t);
    sched_clear_deadline(t);
    if (t->state == T_SEND_BLOCKED && t->partner)
        sendq_remove(t->partner, t);
    struct thread *s;
    while ((s = sendq_pop(t)))
        fail_waiter(s);
    for_each_thread(w) {
        if (w != t && w->state == T_REPLY_BLOCKED && w->partner == t)
            fail_waiter(w);
        if (w->peer == t)
            w->peer = NULL;          /* fastpath.S: never a dangling hint */
    }
    t->partner = NULL;
}
