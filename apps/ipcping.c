/* ipcping: IPC ping-pong between two processes in different address spaces.
 * The parent spawns "ipcping server", then makes calls whose register and
 * IPC-buffer payload the server transforms; the parent checks every reply.
 * "ipcping clients N": N processes (the parent and N-1 forked children) call
 * the one server at once, each working between its calls, so that on
 * several harts the calls arrive from other harts while the server is busy
 * and queue, and the replies wake clients that run elsewhere. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

#define LABEL_PING 1
#define LABEL_QUIT 2
#define ROUNDS 1000
#define BUF_WORDS 64
#define CLIENTS_MAX 16
#define WORK_LOOPS 2000     /* between two calls of a client */

static int server(void)
{
    struct kine_msg m = { 0 };
    kine_tid_t from = 0, reply_to = 0;
    for (;;) {
        int64_t r = kine_reply_recv(reply_to, &m, 0, &from);
        reply_to = 0;
        if (r < 0)
            continue;
        uint64_t label = kine_tag_label(m.tag), len = kine_tag_len(m.tag);
        if (label == LABEL_QUIT) {
            m.tag = 0;
            kine_reply(from, &m);
            return 0;
        }
        /* registers: add one; buffer: reverse the words and report their sum */
        uint64_t *b = kine_ipcbuf(), sum = 0;
        for (uint64_t i = 0; i < len; i++)
            sum += b[i];
        for (uint64_t i = 0; i < len / 2; i++) {
            uint64_t t = b[i];
            b[i] = b[len - 1 - i];
            b[len - 1 - i] = t;
        }
        for (int i = 0; i < KINE_MSG_REGS; i++)
            m.mr[i] += 1;
        m.mr[3] = sum;
        m.tag = kine_tag(0, len);
        reply_to = from;
    }
}

/* ROUNDS calls to srv, each reply checked; client makes every payload its
 * own.  Returns how many were wrong. */
static int ping(kine_tid_t srv, uint64_t client, int work)
{
    int bad = 0;
    for (uint64_t n = 0; n < ROUNDS; n++) {
        uint64_t *b = kine_ipcbuf(), len = n % (BUF_WORDS + 1), sum = 0, tag = client << 32 | n;
        for (uint64_t i = 0; i < len; i++) {
            b[i] = tag * 1000 + i;
            sum += b[i];
        }
        struct kine_msg m = { kine_tag(LABEL_PING, len), { tag, tag * 2, tag * 3, 0 } };
        int64_t r = kine_call(srv, &m);
        int ok = r == 0 && m.mr[0] == tag + 1 && m.mr[1] == tag * 2 + 1 &&
                 m.mr[2] == tag * 3 + 1 && m.mr[3] == sum && kine_tag_len(m.tag) == len;
        for (uint64_t i = 0; ok && i < len; i++)
            ok = b[i] == tag * 1000 + (len - 1 - i);
        if (!ok && bad++ < 5)
            printf("FAIL: client %lu round %lu: status %ld mr0 %lu\n", (unsigned long)client,
                   (unsigned long)n, (long)r, (unsigned long)m.mr[0]);
        for (volatile int w = 0; w < work; w++)
            ;
    }
    return bad;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "server") == 0)
        return server();
    int clients = argc > 2 && strcmp(argv[1], "clients") == 0 ? atoi(argv[2]) : 1;
    if (clients < 1 || clients > CLIENTS_MAX) {
        printf("usage: ipcping [clients N (1..%d)]\n", CLIENTS_MAX);
        return 2;
    }

    const char *args[] = { "ipcping", "server" };
    kine_tid_t srv;
    int64_t pid = kine_spawn(2, args, &srv);
    if (pid < 0) {
        printf("FAIL: cannot spawn the server: %d\n", (int)pid);
        return 1;
    }
    int work = clients > 1 ? WORK_LOOPS : 0, bad = 0, failed = 0;
    for (int c = 1; c < clients; c++) {
        pid_t child = fork();
        if (child == 0)
            _exit(ping(srv, (uint64_t)c, work) ? 1 : 0);
        if (child < 0)
            failed++;
    }
    bad = ping(srv, 0, work);
    for (int c = 1; c < clients; c++) {
        int st = 0;
        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            failed++;
    }
    struct kine_msg quit = { kine_tag(LABEL_QUIT, 0), { 0 } };
    kine_call(srv, &quit);
    int ws = 0;
    kine_wait(pid, &ws);
    if (bad || failed) {
        printf("%d of %d round trips wrong, %d clients failed\n", bad, ROUNDS, failed);
        return 1;
    }
    if (clients == 1)
        printf("%d round trips with payload checked\n", ROUNDS);
    else
        printf("%d clients x %d round trips with payload checked\n", clients, ROUNDS);
    return ws == 0 ? 0 : 1;
}
