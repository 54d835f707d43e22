/* sh: a small shell.  Reads commands from standard input (a `$ ` prompt
 * when asked with -i), from -c STRING, or from its arguments; runs
 * programs with arguments, `|` pipelines of any length, `&` background
 * jobs and `;` sequences, with the builtins wait, kill, exit [STATUS],
 * poweroff and help.  Each program is started the Unix way: fork
 * (copy-on-write, so cheap), rewire descriptors 0 and 1 with dup2, then
 * exec.
 *
 * Ctrl-C on the console ends the foreground job: background jobs ignore
 * it, and so does an interactive shell, whose prompt comes back (a read
 * that Ctrl-C ends fails with EINTR).  poweroff ends the shell; when it is
 * the session init started (tools/run in a terminal), init exits and the
 * system powers off. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>
#include <kine/status.h>

#define LINE_BYTES  512
#define MAX_WORDS   64
#define MAX_STAGES  16
#define OPERATORS   "|&;"

struct stage { char *argv[KINE_ARGV_MAX + 1]; int argc; };

static int last_status;
static int interactive;

/* Split a line into words and the operators | & ;, copied into store
 * (room for twice the line: each character and a NUL after each word).
 * Quotes ('...' or "...") make one word of what they hold. */
static int tokenize(const char *p, char *store, char *words[])
{
    int n = 0;
    while (*p && n < MAX_WORDS) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p || *p == '#')
            break;
        words[n++] = store;
        if (strchr(OPERATORS, *p)) {
            *store++ = *p++;
        } else {
            char quote = (*p == '\'' || *p == '"') ? *p++ : 0;
            while (*p && (quote ? *p != quote : !strchr(" \t\n" OPERATORS, *p)))
                *store++ = *p++;
            if (quote && *p)
                p++;
        }
        *store++ = '\0';
    }
    return n;
}

/* Start one stage with in and out as its descriptors 0 and 1.  A
 * background job ignores Ctrl-C; a foreground one of an interactive shell
 * (which ignores it itself) takes it again. */
static pid_t start(struct stage *s, int in, int out, int close_in_child, int background)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (background || interactive)
        kine_setintr(background);
    if (in != 0) {
        dup2(in, 0);
        close(in);
    }
    if (out != 1) {
        dup2(out, 1);
        close(out);
    }
    if (close_in_child >= 0)
        close(close_in_child);
    execv(s->argv[0], s->argv);
    fprintf(stderr, "%s: %s\n", s->argv[0], errno == ENOENT ? "not found" : strerror(errno));
    _exit(KINE_EXIT_NOT_STARTED);
}

static int status_code(int ws)
{
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : KINE_EXIT_SIGNALED + WTERMSIG(ws);
}

/* Run stages[0] | stages[1] | ...; wait for them unless in the background. */
static void run_pipeline(struct stage *st, int n, int background)
{
    pid_t pids[MAX_STAGES];
    int in = 0;
    for (int i = 0; i < n; i++) {
        int p[2] = { -1, 1 };
        if (i + 1 < n && pipe(p) != 0) {
            fprintf(stderr, "sh: pipe: %s\n", strerror(errno));
            n = i;
            break;
        }
        pids[i] = start(&st[i], in, i + 1 < n ? p[1] : 1, i + 1 < n ? p[0] : -1, background);
        if (in != 0)
            close(in);
        if (i + 1 < n)
            close(p[1]);
        in = p[0];
        if (pids[i] < 0) {
            fprintf(stderr, "sh: fork: %s\n", strerror(errno));
            n = i;
            break;
        }
    }
    if (in > 0)
        close(in);
    if (background) {
        for (int i = 0; i < n; i++)
            printf("[%d]\n", (int)pids[i]);
        return;
    }
    for (int i = 0; i < n; i++) {
        int ws = 0;
        if (waitpid(pids[i], &ws, 0) == pids[i] && i == n - 1)
            last_status = status_code(ws);
    }
}

static void help(void)
{
    printf("programs: any in the boot image, with arguments; a | b | c pipes;\n"
           "a & runs in the background, a ; b runs one then the other.\n"
           "Builtins: wait (for every background job), kill [-9|-15] PID...,\n"
           "exit [STATUS], poweroff, help.  Ctrl-C ends the foreground job,\n"
           "Ctrl-D at a prompt ends the shell.  Try: ps, memstat, echo, wc,\n"
           "cat, yes, cowtest, forktest, bench quick.\n");
}

/* kill [-9|-15] PID...: the shell is its jobs' parent, so it may end them
 * (the kill program may end only its own descendants). */
static void kill_builtin(char **w, int n)
{
    int sig = SIGTERM, i = 1;
    if (n > 1 && w[1][0] == '-') {
        sig = atoi(w[1] + 1);
        i = 2;
    }
    if (i >= n || (sig != SIGKILL && sig != SIGTERM)) {
        fprintf(stderr, "usage: kill [-9|-15] PID...\n");
        last_status = 2;
        return;
    }
    last_status = 0;
    for (; i < n; i++)
        if (kill((pid_t)atoi(w[i]), sig) != 0) {
            fprintf(stderr, "kill %s: %s\n", w[i], strerror(errno));   /* the pager tags it sh: */
            last_status = 1;
        }
}

static int is(const char *word, const char *op) { return strcmp(word, op) == 0; }

/* One command: a builtin or a pipeline (n words, no & or ; among them);
 * returns 1 after exit. */
static int run_command(char **w, int n, int background)
{
    if (n == 0)
        return 0;
    if (is(w[0], "exit")) {
        if (n > 1)
            last_status = atoi(w[1]);
        return 1;
    }
    if (is(w[0], "poweroff")) {
        last_status = 0;
        return 1;
    }
    if (is(w[0], "kill")) {
        kill_builtin(w, n);
        return 0;
    }
    if (is(w[0], "help")) {
        help();
        return 0;
    }
    if (is(w[0], "wait")) {
        int ws;
        while (wait(&ws) > 0)
            ;
        return 0;
    }
    static struct stage st[MAX_STAGES];
    int ns = 0;
    st[0].argc = 0;
    for (int i = 0; i < n; i++) {
        if (is(w[i], "|")) {
            if (st[ns].argc == 0 || ns + 1 == MAX_STAGES) {
                fprintf(stderr, "sh: syntax error near '|'\n");
                return 0;
            }
            st[++ns].argc = 0;
            continue;
        }
        if (st[ns].argc == KINE_ARGV_MAX) {
            fprintf(stderr, "sh: too many arguments\n");
            return 0;
        }
        st[ns].argv[st[ns].argc++] = w[i];
        st[ns].argv[st[ns].argc] = NULL;
    }
    if (st[ns].argc == 0) {
        fprintf(stderr, "sh: syntax error: a pipe needs a program after it\n");
        return 0;
    }
    run_pipeline(st, ns + 1, background);
    return 0;
}

/* A line: commands separated by ; (run in turn) or & (left running).
 * Returns 1 after exit. */
static int run_line(const char *line)
{
    static char store[2 * LINE_BYTES];
    char *w[MAX_WORDS];
    int n = tokenize(line, store, w), start = 0;
    for (int i = 0; i <= n; i++) {
        if (i < n && !is(w[i], "&") && !is(w[i], ";"))
            continue;
        if (run_command(w + start, i - start, i < n && is(w[i], "&")))
            return 1;
        start = i + 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static char line[LINE_BYTES];
    if (argc > 2 && strcmp(argv[1], "-c") == 0) {
        strncpy(line, argv[2], sizeof(line) - 1);
        run_line(line);
        return last_status;
    }
    if (argc > 1 && strcmp(argv[1], "-i") != 0) {
        /* the arguments are one command line */
        size_t len = 0;
        for (int i = 1; i < argc && len + strlen(argv[i]) + 2 < sizeof(line); i++)
            len += (size_t)snprintf(line + len, sizeof(line) - len, "%s ", argv[i]);
        run_line(line);
        return last_status;
    }
    interactive = argc > 1;
    if (interactive)
        kine_setintr(1);
    for (;;) {
        if (interactive) {
            printf("$ ");
            fflush(stdout);
        }
        if (!fgets(line, sizeof(line), stdin)) {
            if (interactive && ferror(stdin) && errno == EINTR) {
                clearerr(stdin);             /* Ctrl-C at the prompt: a new one */
                continue;
            }
            break;
        }
        if (run_line(line))
            break;
    }
    return last_status;
}
