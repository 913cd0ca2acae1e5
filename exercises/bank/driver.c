/* driver.c - scenarios of the `bank` exercise.
 *
 * Sequential scenarios check what each call returns and every balance after
 * it. Concurrent ones run test threads against one bank and compare what
 * they see (returns, totals, final balances) with what the calls that
 * succeeded must have done. Operations are drawn from drv_rand by the main
 * thread before any test thread starts, so a seed fixes them. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bank.h"
#include "grader_driver.h"

#define RELAXED memory_order_relaxed
#define MAX_ACCOUNTS 16
/* Where a finding about one of the student's functions is shown: its first
 * line (drv_finding_at takes a return address and looks one byte back). */
#define SITE(fn) ((const void *)((const char *)(void *)(fn) + 1))

/* Ends the program at once after a finding that makes going on pointless
 * (test threads might otherwise wait forever behind a broken bank). */
static _Noreturn void give_up(void)
{
    drv_exit(1);
}

/* A test thread running fn(arg); a failure to create it ends the run. */
static pthread_t spawn(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    if (pthread_create(&t, NULL, fn, arg) != 0) {
        drv_finding("crash", "the test could not create a thread");
        give_up();
    }
    return t;
}

/* --- sequential checks ------------------------------------------------------------------ */

/* The balances the test expects, and what happened so far (for messages). */
typedef struct ledger {
    bank_t *b;
    size_t n;
    long want[MAX_ACCOUNTS];
    char story[256];  /* the last call made, e.g. "bank_withdraw(b, 1, 30)" */
    const void *site; /* SITE() of the function it called */
} ledger;

/* Records the call about to be made, for messages. */
static void story(ledger *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void story(ledger *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->story, sizeof l->story, fmt, ap);
    va_end(ap);
}

/* The call described by story returned got; want expected. why ends the
 * message. False after a finding. */
static bool returned(ledger *l, long got, long want, const char *why)
{
    if (got == want) return true;
    drv_finding_at("wrong-result", l->site, "%s returned %ld, expected %ld%s", l->story, got, want, why);
    return false;
}

/* Every balance (and the total) is what the test expects. */
static bool balances_ok(ledger *l)
{
    long sum = 0;
    for (size_t i = 0; i < l->n; i++) {
        long got = bank_balance(l->b, i);
        sum += l->want[i];
        if (got != l->want[i]) {
            drv_finding_at("wrong-result", l->site, "after %s, bank_balance(b, %zu) returned %ld, expected %ld", l->story, i, got,
                        l->want[i]);
            return false;
        }
    }
    long total = bank_total(l->b);
    if (total != sum) {
        drv_finding_at("wrong-result", SITE(bank_total), "after %s, bank_total returned %ld, expected %ld (the sum of the balances)",
                    l->story, total, sum);
        return false;
    }
    return true;
}

/* bank_open(n, initial) and its balances; false after a finding. */
static bool ledger_open(ledger *l, size_t n, long initial)
{
    memset(l, 0, sizeof *l);
    l->b = bank_open(n, initial);
    l->n = n;
    for (size_t i = 0; i < n; i++) l->want[i] = initial;
    story(l, "bank_open(%zu, %ld)", n, initial);
    l->site = SITE(bank_open);
    if (!l->b) {
        drv_finding_at("wrong-result", SITE(bank_open), "bank_open(%zu, %ld) returned NULL", n, initial);
        return false;
    }
    return balances_ok(l);
}

static const char *const SHORT = DRV_MSG(": the account holds less than that, so nothing may change");

/* do_*: makes the call, checks that it returned want (why explains the
 * expectation) and every balance after it; false after a finding. */
static bool do_deposit(ledger *l, size_t a, long amount, int want, const char *why)
{
    story(l, "bank_deposit(b, %zu, %ld)", a, amount);
    l->site = SITE(bank_deposit);
    int rc = bank_deposit(l->b, a, amount);
    if (!drv_locks_released((const void *)bank_deposit, "bank_deposit")) return false;
    if (!returned(l, rc, want, why)) return false;
    if (want == 0) l->want[a] += amount;
    return balances_ok(l);
}

static bool do_withdraw(ledger *l, size_t a, long amount, int want, const char *why)
{
    story(l, "bank_withdraw(b, %zu, %ld)", a, amount);
    l->site = SITE(bank_withdraw);
    int rc = bank_withdraw(l->b, a, amount);
    if (!drv_locks_released((const void *)bank_withdraw, "bank_withdraw")) return false;
    if (!returned(l, rc, want, why)) return false;
    if (want == 0) l->want[a] -= amount;
    return balances_ok(l);
}

static bool do_transfer(ledger *l, size_t from, size_t to, long amount, int want, const char *why)
{
    story(l, "bank_transfer(b, %zu, %zu, %ld)", from, to, amount);
    l->site = SITE(bank_transfer);
    int rc = bank_transfer(l->b, from, to, amount);
    if (!drv_locks_released((const void *)bank_transfer, "bank_transfer")) return false;
    if (!returned(l, rc, want, why)) return false;
    if (want == 0) {
        l->want[from] -= amount;
        l->want[to] += amount;
    }
    return balances_ok(l);
}

/* basics: open, deposit, withdraw (also all of it, and too much), balance,
 * total, one thread. */
static int scenario_basics(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    ledger l;
    if (!ledger_open(&l, 3, 100)) return 0;
    if (!do_deposit(&l, 0, 50, 0, "") || !do_withdraw(&l, 1, 30, 0, "") ||
        !do_withdraw(&l, 1, 70, 0, DRV_MSG(": the account holds exactly 70, and may be emptied")) ||
        !do_withdraw(&l, 1, 1, -1, SHORT) || !do_withdraw(&l, 2, 101, -1, SHORT) || !do_deposit(&l, 1, 5, 0, ""))
        return 0;
    bank_close(l.b);
    if (!ledger_open(&l, 2, 0) || !do_withdraw(&l, 0, 1, -1, SHORT) || !do_deposit(&l, 1, 1, 0, "")) return 0;
    bank_close(l.b);
    return 0;
}

/* transfer: transfers between different accounts, one thread. */
static int scenario_transfer(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    ledger l;
    if (!ledger_open(&l, 3, 100)) return 0;
    if (!do_transfer(&l, 0, 1, 40, 0, "") ||
        !do_transfer(&l, 1, 2, 140, 0, DRV_MSG(": account 1 holds exactly 140, and may be emptied")) ||
        !do_transfer(&l, 1, 0, 1, -1, SHORT) || !do_transfer(&l, 0, 2, 61, -1, SHORT) ||
        !do_transfer(&l, 2, 0, 240, 0, "") || !do_withdraw(&l, 0, 300, 0, "") || !do_deposit(&l, 2, 7, 0, ""))
        return 0;
    bank_close(l.b);
    return 0;
}

/* bad-args: every bad account number or amount gives -1 (NULL) and changes
 * nothing. */
static int scenario_bad_args(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const char *const BAD_ACCOUNT = DRV_MSG(": there is no account 2 (accounts are 0 and 1)");
    const char *const BAD_AMOUNT = DRV_MSG(": an amount must be > 0");
    bank_t *none = bank_open(0, 100);
    if (none) drv_finding_at("wrong-result", SITE(bank_open), "bank_open(0, 100) returned a bank, expected NULL: a bank needs accounts");
    none = bank_open(2, -1);
    if (none) drv_finding_at("wrong-result", SITE(bank_open), "bank_open(2, -1) returned a bank, expected NULL: balances are never negative");
    ledger l;
    if (drv_findings() || !ledger_open(&l, 2, 100)) return 0;
    if (!do_deposit(&l, 2, 10, -1, BAD_ACCOUNT) || !do_deposit(&l, 0, 0, -1, BAD_AMOUNT) ||
        !do_deposit(&l, 0, -5, -1, BAD_AMOUNT) || !do_withdraw(&l, 2, 10, -1, BAD_ACCOUNT) ||
        !do_withdraw(&l, 0, 0, -1, BAD_AMOUNT) ||
        !do_withdraw(&l, 0, -5, -1, DRV_MSG(": an amount must be > 0 (withdrawing -5 would add money)")) ||
        !do_transfer(&l, 0, 2, 10, -1, DRV_MSG(": there is no account 2; the money must stay in account 0")) ||
        !do_transfer(&l, 2, 0, 10, -1, BAD_ACCOUNT) || !do_transfer(&l, 2, 2, 10, -1, BAD_ACCOUNT) ||
        !do_transfer(&l, 0, 1, 0, -1, BAD_AMOUNT) ||
        !do_transfer(&l, 0, 1, -10, -1, DRV_MSG(": an amount must be > 0 (a transfer of -10 would take money from account 1)")))
        return 0;
    story(&l, "bank_balance(b, 2)");
    l.site = SITE(bank_balance);
    if (!returned(&l, bank_balance(l.b, 2), -1, BAD_ACCOUNT)) return 0;
    story(&l, "bank_balance(b, SIZE_MAX)");
    if (!returned(&l, bank_balance(l.b, SIZE_MAX), -1, DRV_MSG(": there is no such account"))) return 0;
    bank_close(l.b);
    return 0;
}

/* --- concurrent scenarios ------------------------------------------------------------------ */

typedef struct op {
    size_t from, to;
    long amount;
    int kind; /* OP_* */
    int rc;   /* what the call returned */
} op;

enum { OP_TRANSFER, OP_DEPOSIT, OP_WITHDRAW, OP_BALANCE, OP_TOTAL, OP_KINDS };

typedef struct worker {
    bank_t *b;
    op *ops;
    long nops;
    size_t accounts;
    long total; /* what the bank always holds, for OP_TOTAL (-1: not known) */
    pthread_t thread;
} worker;

/* The call an operation makes, as C, in buf. */
static const char *op_text(const op *o, char *buf, size_t len)
{
    switch (o->kind) {
    case OP_TRANSFER: snprintf(buf, len, "bank_transfer(b, %zu, %zu, %ld)", o->from, o->to, o->amount); break;
    case OP_DEPOSIT: snprintf(buf, len, "bank_deposit(b, %zu, %ld)", o->to, o->amount); break;
    case OP_WITHDRAW: snprintf(buf, len, "bank_withdraw(b, %zu, %ld)", o->from, o->amount); break;
    case OP_BALANCE: snprintf(buf, len, "bank_balance(b, %zu)", o->from); break;
    default: snprintf(buf, len, "bank_total(b)"); break;
    }
    return buf;
}

/* Runs the worker's operations in order, recording each return. A call
 * that returns something else than 0 or -1 (or a total that is not the
 * bank's) is reported at once. */
static void *work(void *p)
{
    worker *w = p;
    char text[96];
    for (long i = 0; i < w->nops; i++) {
        op *o = &w->ops[i];
        long rc;
        switch (o->kind) {
        case OP_TRANSFER:
            rc = bank_transfer(w->b, o->from, o->to, o->amount);
            if (!drv_locks_released((const void *)bank_transfer, "bank_transfer")) give_up();
            break;
        case OP_DEPOSIT:
            rc = bank_deposit(w->b, o->to, o->amount);
            if (!drv_locks_released((const void *)bank_deposit, "bank_deposit")) give_up();
            break;
        case OP_WITHDRAW:
            rc = bank_withdraw(w->b, o->from, o->amount);
            if (!drv_locks_released((const void *)bank_withdraw, "bank_withdraw")) give_up();
            break;
        case OP_BALANCE:
            rc = bank_balance(w->b, o->from);
            if (rc < 0) {
                drv_finding("invariant", "bank_balance(b, %zu) returned %ld while other threads worked: a balance "
                                         "can never be negative",
                            o->from, rc);
                give_up();
            }
            rc = 0;
            break;
        default:
            rc = bank_total(w->b);
            if (w->total >= 0 && rc != w->total) {
                drv_finding_at("invariant", SITE(bank_total),
                            "bank_total returned %ld while transfers were running, but the bank always holds %ld "
                            "(a transfer only moves money): the sum was taken while money was on its way between "
                            "two accounts, or while a balance was being changed. bank_total must see every "
                            "balance at one instant",
                            rc, w->total);
                give_up();
            }
            rc = 0;
            break;
        }
        if (rc != 0 && rc != -1) {
            drv_finding("wrong-result", "%s returned %ld, expected 0 or -1", op_text(o, text, sizeof text), rc);
            give_up();
        }
        o->rc = (int)rc;
    }
    return NULL;
}

/* A number in [lo, hi] from the run's seed. */
static long rand_in(long lo, long hi)
{
    return lo + (long)(drv_rand() % (unsigned long)(hi - lo + 1));
}

/* A random transfer between two different accounts of n. */
static op rand_transfer(size_t n, long max_amount)
{
    op o = {.kind = OP_TRANSFER};
    o.from = (size_t)rand_in(0, (long)n - 1);
    o.to = (o.from + (size_t)rand_in(1, (long)n - 1)) % n;
    o.amount = rand_in(1, max_amount);
    return o;
}

/* t workers with room for nops operations each (filled by the caller). */
static worker *workers_new(bank_t *b, size_t accounts, int t, long nops, long total)
{
    worker *w = calloc((size_t)t, sizeof *w);
    for (int i = 0; i < t; i++) {
        w[i] = (worker){.b = b, .ops = calloc((size_t)nops, sizeof(op)), .nops = nops, .accounts = accounts, .total = total};
    }
    return w;
}

/* Runs every worker in its own thread and joins them all. */
static void workers_run(worker *w, int t)
{
    for (int i = 0; i < t; i++) w[i].thread = spawn(work, &w[i]);
    for (int i = 0; i < t; i++) pthread_join(w[i].thread, NULL);
}

/* Final balances against what the successful calls of the workers must
 * have done; then the total. False after a finding. */
static bool final_balances_ok(bank_t *b, size_t n, long initial, worker *w, int t, const char *what,
                              const void *site)
{
    long want[MAX_ACCOUNTS];
    for (size_t i = 0; i < n; i++) want[i] = initial;
    for (int k = 0; k < t; k++)
        for (long i = 0; i < w[k].nops; i++) {
            const op *o = &w[k].ops[i];
            if (o->rc != 0) continue;
            if (o->kind == OP_TRANSFER || o->kind == OP_WITHDRAW) want[o->from] -= o->amount;
            if (o->kind == OP_TRANSFER || o->kind == OP_DEPOSIT) want[o->to] += o->amount;
        }
    long sum = 0;
    for (size_t i = 0; i < n; i++) {
        long got = bank_balance(b, i);
        sum += want[i];
        if (got < 0) {
            drv_finding("invariant", "after %s, account %zu holds %ld: a balance must never go below 0", what, i, got);
            return false;
        }
        if (got != want[i]) {
            drv_finding_at("lost-update", site,
                        "after %s, account %zu holds %ld, but the calls that returned 0 leave it %ld: %ld %s. Two "
                        "threads changed the balance at the same time (each read the old value, then wrote its "
                        "own result)",
                        what, i, got, want[i], got < want[i] ? want[i] - got : got - want[i],
                        got < want[i] ? DRV_MSG("went missing") : DRV_MSG("appeared from nowhere"));
            return false;
        }
    }
    long total = bank_total(b);
    if (total != sum) {
        drv_finding_at("wrong-result", SITE(bank_total), "after %s, bank_total returned %ld, expected %ld", what, total, sum);
        return false;
    }
    return true;
}

static void workers_free(worker *w, int t)
{
    for (int i = 0; i < t; i++) free(w[i].ops);
    free(w);
}

/* deposits T K: T threads each deposit 1, K times, into account 0 (shared
 * by all) and into an account of their own. Nothing may be lost. */
static int scenario_deposits(int argc, char **argv)
{
    int t = (int)drv_arg(argc, argv, 1, 4);
    long k = drv_arg(argc, argv, 2, 1000);
    size_t n = (size_t)t + 1;
    if (n > MAX_ACCOUNTS) n = MAX_ACCOUNTS, t = MAX_ACCOUNTS - 1;
    bank_t *b = bank_open(n, 0);
    if (!b) {
        drv_finding_at("wrong-result", SITE(bank_open), "bank_open(%zu, 0) returned NULL", n);
        return 0;
    }
    worker *w = workers_new(b, n, t, 2 * k, -1);
    for (int i = 0; i < t; i++)
        for (long j = 0; j < 2 * k; j++) w[i].ops[j] = (op){.kind = OP_DEPOSIT, .to = j % 2 ? (size_t)i + 1 : 0, .amount = 1};
    workers_run(w, t);
    for (int i = 0; i < t; i++)
        for (long j = 0; j < 2 * k; j++)
            if (w[i].ops[j].rc != 0) {
                drv_finding_at("wrong-result", SITE(bank_deposit), "bank_deposit(b, %zu, 1) returned %d, expected 0", w[i].ops[j].to, w[i].ops[j].rc);
                return 0;
            }
    char what[96];
    snprintf(what, sizeof what, "%d threads made %ld deposits of 1 each", t, 2 * k);
    final_balances_ok(b, n, 0, w, t, what, SITE(bank_deposit));
    workers_free(w, t);
    bank_close(b);
    return 0;
}

/* transfers T K N: T threads each make K random transfers among N accounts
 * of 100 (some too large, which must fail and change nothing). */
static int scenario_transfers(int argc, char **argv)
{
    int t = (int)drv_arg(argc, argv, 1, 4);
    long k = drv_arg(argc, argv, 2, 50);
    size_t n = (size_t)drv_arg(argc, argv, 3, 5);
    if (n < 2 || n > MAX_ACCOUNTS) n = 5;
    bank_t *b = bank_open(n, 100);
    if (!b) {
        drv_finding_at("wrong-result", SITE(bank_open), "bank_open(%zu, 100) returned NULL", n);
        return 0;
    }
    worker *w = workers_new(b, n, t, k, -1);
    for (int i = 0; i < t; i++)
        for (long j = 0; j < k; j++) w[i].ops[j] = rand_transfer(n, 120);
    workers_run(w, t);
    char what[96];
    snprintf(what, sizeof what, "%d threads made %ld random transfers each", t, k);
    final_balances_ok(b, n, 100, w, t, what, SITE(bank_transfer));
    workers_free(w, t);
    bank_close(b);
    return 0;
}

/* overdraw MODE T N: N accounts of 100, and T threads that each try to take
 * 60 out of every one of them (MODE 0: bank_withdraw; 1: bank_transfer to
 * an extra account N). From each account one of them may succeed, never
 * two: 100 - 60 - 60 < 0. */
typedef struct overdraw {
    bank_t *b;
    int mode, t, id;
    size_t n;
    int *ok; /* [t][n]: this thread's debit of account a returned 0 */
} overdraw;

/* Test thread: tries to take 60 out of every account, in account order. */
static void *overdraw_work(void *p)
{
    overdraw *o = p;
    for (size_t j = 0; j < o->n; j++) {
        size_t a = j; /* all in the same order: each runs into the others */
        int rc = o->mode ? bank_transfer(o->b, a, o->n, 60) : bank_withdraw(o->b, a, 60);
        if (!drv_locks_released(o->mode ? (const void *)bank_transfer : (const void *)bank_withdraw,
                                o->mode ? "bank_transfer" : "bank_withdraw"))
            give_up();
        o->ok[(size_t)o->id * o->n + a] = rc == 0;
    }
    return NULL;
}

/* Checks that at most one debit of each account succeeded. */
static int scenario_overdraw(int argc, char **argv)
{
    int mode = (int)drv_arg(argc, argv, 1, 0), t = (int)drv_arg(argc, argv, 2, 3);
    size_t n = (size_t)drv_arg(argc, argv, 3, 4);
    if (n + 1 > MAX_ACCOUNTS) n = MAX_ACCOUNTS - 1;
    bank_t *b = bank_open(n + 1, 100);
    if (!b) {
        drv_finding_at("wrong-result", SITE(bank_open), "bank_open(%zu, 100) returned NULL", n + 1);
        return 0;
    }
    int *ok = calloc((size_t)t * n, sizeof *ok);
    overdraw *o = calloc((size_t)t, sizeof *o);
    pthread_t *th = calloc((size_t)t, sizeof *th);
    for (int i = 0; i < t; i++) {
        o[i] = (overdraw){.b = b, .mode = mode, .t = t, .id = i, .n = n, .ok = ok};
        th[i] = spawn(overdraw_work, &o[i]);
    }
    for (int i = 0; i < t; i++) pthread_join(th[i], NULL);
    /* first from what the calls returned alone: no more calls into the bank,
     * so the schedule shown ends where it went wrong */
    const char *call = mode ? "bank_transfer" : "bank_withdraw";
    const void *site = mode ? SITE(bank_transfer) : SITE(bank_withdraw);
    for (size_t a = 0; a < n; a++) {
        int wins = 0;
        for (int i = 0; i < t; i++) wins += ok[(size_t)i * n + a];
        if (wins > 1) {
            drv_finding_at("invariant", site,
                           "%d threads each took 60 from account %zu, which held 100, and %d of these %s calls "
                           "returned 0: %ld taken from 100, the balance went below 0. Each checked that the money "
                           "was there, then another took it before the first one did. The check and the update "
                           "must happen under the account's lock, without letting go of it in between",
                           t, a, wins, call, 60L * wins);
            return 0;
        }
    }
    for (size_t a = 0; a < n; a++) {
        int wins = 0;
        for (int i = 0; i < t; i++) wins += ok[(size_t)i * n + a];
        long bal = bank_balance(b, a);
        if (wins != 1 || bal != 40) {
            drv_finding(bal < 0 ? "invariant" : "wrong-result",
                        "%d threads each tried to take 60 from account %zu, which held 100: %d succeeded and it "
                        "now holds %ld; exactly one should succeed, leaving 40",
                        t, a, wins, bal);
            break;
        }
    }
    free(ok);
    free(o);
    free(th);
    bank_close(b);
    return 0;
}

/* audit T K A: T threads make K random transfers each among 4 accounts of
 * 100 while an auditor calls bank_total A times: always 400. */
static int scenario_audit(int argc, char **argv)
{
    int t = (int)drv_arg(argc, argv, 1, 3);
    long k = drv_arg(argc, argv, 2, 30), audits = drv_arg(argc, argv, 3, 30);
    size_t n = 4;
    bank_t *b = bank_open(n, 100);
    if (!b) {
        drv_finding_at("wrong-result", SITE(bank_open), "bank_open(4, 100) returned NULL");
        return 0;
    }
    worker *w = workers_new(b, n, t + 1, k > audits ? k : audits, 400);
    for (int i = 0; i < t; i++)
        for (long j = 0; j < k; j++) w[i].ops[j] = rand_transfer(n, 80);
    w[t].nops = audits;
    for (long j = 0; j < audits; j++) w[t].ops[j] = (op){.kind = OP_TOTAL};
    for (int i = 0; i < t; i++) w[i].nops = k;
    workers_run(w, t + 1);
    final_balances_ok(b, n, 100, w, t + 1, "the transfers and the audit", SITE(bank_transfer));
    workers_free(w, t + 1);
    bank_close(b);
    return 0;
}

/* crossing K: four threads transfer 1 at a time, K times each, along
 * 0->1, 1->0, 1->2 and 2->0: opposite directions and a cycle. Every
 * transfer succeeds (no balance can run out) and nobody waits forever. */
static int scenario_crossing(int argc, char **argv)
{
    long k = drv_arg(argc, argv, 1, 20);
    static const size_t paths[4][2] = {{0, 1}, {1, 0}, {1, 2}, {2, 0}};
    bank_t *b = bank_open(3, 100);
    if (!b) {
        drv_finding_at("wrong-result", SITE(bank_open), "bank_open(3, 100) returned NULL");
        return 0;
    }
    if (k > 50) k = 50;
    worker *w = workers_new(b, 3, 4, k, -1);
    for (int i = 0; i < 4; i++)
        for (long j = 0; j < k; j++) w[i].ops[j] = (op){.kind = OP_TRANSFER, .from = paths[i][0], .to = paths[i][1], .amount = 1};
    workers_run(w, 4);
    char text[96];
    for (int i = 0; i < 4; i++)
        for (long j = 0; j < k; j++)
            if (w[i].ops[j].rc != 0) {
                drv_finding_at("wrong-result", SITE(bank_transfer), "%s returned %d, expected 0: the account held enough", op_text(&w[i].ops[j], text, sizeof text),
                            w[i].ops[j].rc);
                return 0;
            }
    final_balances_ok(b, 3, 100, w, 4, "the crossing transfers", SITE(bank_transfer));
    workers_free(w, 4);
    bank_close(b);
    return 0;
}

/* same K: a transfer from an account to itself succeeds and changes
 * nothing, alone and while other threads use that account (transfers to
 * itself and to another account, totals). */
static int scenario_same(int argc, char **argv)
{
    long k = drv_arg(argc, argv, 1, 10);
    const char *const SAME = DRV_MSG(": a transfer from an account to itself is valid and changes nothing");
    k += k % 2;
    ledger l;
    if (!ledger_open(&l, 3, 100)) return 0;
    if (!do_transfer(&l, 1, 1, 50, 0, SAME) || !do_transfer(&l, 1, 1, 100, 0, SAME) || !do_transfer(&l, 1, 0, 10, 0, ""))
        return 0;
    /* 110, 90, 100; then three threads at once, which end where they began */
    worker *w = workers_new(l.b, 3, 3, k, 300);
    for (long j = 0; j < k; j++) {
        w[0].ops[j] = (op){.kind = OP_TRANSFER, .from = 0, .to = 0, .amount = 5};
        w[1].ops[j] = (op){.kind = OP_TRANSFER, .from = j % 2 ? 1 : 0, .to = j % 2 ? 0 : 1, .amount = 5};
        w[2].ops[j] = (op){.kind = j % 2 ? OP_TOTAL : OP_TRANSFER, .from = 2, .to = 2, .amount = 1};
    }
    workers_run(w, 3);
    char text[96];
    for (int i = 0; i < 3; i++)
        for (long j = 0; j < k; j++)
            if (w[i].ops[j].rc != 0) {
                drv_finding_at("wrong-result", SITE(bank_transfer), "%s returned %d while other threads used the bank, expected 0",
                            op_text(&w[i].ops[j], text, sizeof text), w[i].ops[j].rc);
                return 0;
            }
    l.site = SITE(bank_transfer);
    story(&l, "threads made transfers from accounts to themselves (and between accounts 0 and 1, back and forth)");
    if (!balances_ok(&l)) return 0;
    workers_free(w, 3);
    bank_close(l.b);
    return 0;
}

/* mix T K: T threads make K random calls of every kind; at the end every
 * balance matches the calls that succeeded. For the race detectors. */
static int scenario_mix(int argc, char **argv)
{
    int t = (int)drv_arg(argc, argv, 1, 4);
    long k = drv_arg(argc, argv, 2, 200);
    size_t n = 4;
    bank_t *b = bank_open(n, 100);
    if (!b) {
        drv_finding_at("wrong-result", SITE(bank_open), "bank_open(4, 100) returned NULL");
        return 0;
    }
    worker *w = workers_new(b, n, t, k, -1);
    for (int i = 0; i < t; i++)
        for (long j = 0; j < k; j++) {
            op o = rand_transfer(n, 80);
            o.kind = (int)rand_in(0, OP_KINDS - 1);
            w[i].ops[j] = o;
        }
    workers_run(w, t);
    final_balances_ok(b, n, 100, w, t, "the mixed calls", SITE(bank_transfer));
    workers_free(w, t);
    bank_close(b);
    return 0;
}

int main(int argc, char **argv)
{
    static const drv_scenario scenarios[] = {
        {"basics", scenario_basics, "one thread: open, deposit, withdraw, balance, total"},
        {"transfer", scenario_transfer, "one thread: transfers between different accounts"},
        {"bad-args", scenario_bad_args, "one thread: bad accounts and amounts give -1, change nothing"},
        {"deposits", scenario_deposits, "T K: concurrent deposits of 1 lose nothing"},
        {"transfers", scenario_transfers, "T K N: random concurrent transfers keep every balance right"},
        {"overdraw", scenario_overdraw, "MODE T N: T threads take 60 from accounts of 100; one may succeed"},
        {"audit", scenario_audit, "T K A: bank_total is always 400 while transfers run"},
        {"crossing", scenario_crossing, "K: transfers in opposite directions and in a cycle"},
        {"same", scenario_same, "K: transfers from an account to itself"},
        {"mix", scenario_mix, "T K: random calls of every kind"},
        {NULL, NULL, NULL},
    };
    return drv_main(argc, argv, scenarios);
}
