/* kineprof: a QEMU TCG plugin that counts, per guest pc, the instructions
 * executed inside profile windows — between a KINE_PROFILE_OPEN and a
 * KINE_PROFILE_CLOSE marker (kine/profile.h) — and writes them out at exit
 * for tools/profile to symbolise.  Arguments: out=FILE.
 *
 * Debian packages no qemu-plugin.h, so the few parts of QEMU's documented
 * plugin API (version 1, QEMU 7.2) used here are declared below. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kine/profile.h>

/* ---- QEMU plugin API v1, as documented ---- */
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
#define EXPORT __attribute__((visibility("default")))
#define PLUGIN_API_VERSION 1
EXPORT int qemu_plugin_version = PLUGIN_API_VERSION;

/* ---- counting ---- */
#define TABLE_BITS 20                    /* a million distinct pcs */
#define TABLE_SIZE (1u << TABLE_BITS)
#define MARKER_BYTES 4

struct count { uint64_t pc, n; };
static struct count *table;
static bool open_window;
static uint64_t windows, dropped;
static char out_path[4096];

static void count_pc(uint64_t pc)
{
    uint64_t h = (pc * 0x9e3779b97f4a7c15ULL) >> (64 - TABLE_BITS);
    for (uint64_t k = 0; k < TABLE_SIZE; k++, h = (h + 1) & (TABLE_SIZE - 1)) {
        if (table[h].pc == pc || table[h].n == 0) {
            table[h].pc = pc;
            table[h].n++;
            return;
        }
    }
    dropped++;                           /* the table is full: counted, not lost silently */
}

static void on_insn(unsigned int vcpu, void *pc)
{
    (void)vcpu;
    if (open_window)
        count_pc((uint64_t)(uintptr_t)pc);
}

static void on_open(unsigned int vcpu, void *unused)
{
    (void)vcpu; (void)unused;
    open_window = true;
    windows++;
}

static void on_close(unsigned int vcpu, void *unused)
{
    (void)vcpu; (void)unused;
    open_window = false;
}

static uint32_t word_of(const struct qemu_plugin_insn *insn)
{
    uint32_t w = 0;
    if (qemu_plugin_insn_size(insn) == MARKER_BYTES)
        memcpy(&w, qemu_plugin_insn_data(insn), MARKER_BYTES);
    return w;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint32_t w = word_of(insn);
        if (w == KINE_PROFILE_OPEN)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_open, QEMU_PLUGIN_CB_NO_REGS, NULL);
        else if (w == KINE_PROFILE_CLOSE)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_close, QEMU_PLUGIN_CB_NO_REGS, NULL);
        else
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)qemu_plugin_insn_vaddr(insn));
    }
}

static void on_exit_write(qemu_plugin_id_t id, void *unused)
{
    (void)id; (void)unused;
    FILE *f = fopen(out_path, "w");
    if (!f)
        return;
    fprintf(f, "windows %llu\ndropped %llu\n", (unsigned long long)windows,
            (unsigned long long)dropped);
    for (uint32_t i = 0; i < TABLE_SIZE; i++)
        if (table[i].n)
            fprintf(f, "%llx %llu\n", (unsigned long long)table[i].pc,
                    (unsigned long long)table[i].n);
    fclose(f);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], "out=", 4) == 0)
            snprintf(out_path, sizeof(out_path), "%s", argv[i] + 4);
    table = calloc(TABLE_SIZE, sizeof(*table));
    if (!out_path[0] || !table) {
        fprintf(stderr, "kineprof: needs out=FILE (and memory)\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit_write, NULL);
    return 0;
}
