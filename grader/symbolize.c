/* symbolize.c - see symbolize.h. */
#include "symbolize.h"
#include "proc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 500

/* One resolved location of an address: possibly several frames (inlining). */
typedef struct resolved {
    frame *items;
    size_t len, cap;
} resolved;

/* Parses `addr2line -a -f -i` output for n addresses into res[0..n). */
static void parse_addr2line(char *text, resolved *res, size_t n)
{
    long cur = -1;
    char *save = NULL, *fn = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (l[0] == '0' && l[1] == 'x' && isxdigit((unsigned char)l[2]) && !fn) {
            cur++;
            continue;
        }
        if (cur < 0 || (size_t)cur >= n) continue;
        if (!fn) {
            fn = l;
            continue;
        }
        frame *f = VEC_PUSH(&res[cur]);
        f->function = strcmp(fn, "??") ? xstrdup(fn) : NULL;
        char *colon = strrchr(l, ':');
        if (colon && strncmp(l, "??", 2)) {
            f->file = xstrndup(l, (size_t)(colon - l));
            f->line = atoi(colon + 1);
        }
        fn = NULL;
    }
}

static void resolve_batch(const char *binary, frame **raw, size_t n)
{
    strv a = {0};
    strv_add(&a, "addr2line");
    strv_add(&a, "-a");
    strv_add(&a, "-f");
    strv_add(&a, "-i");
    strv_add(&a, "-e");
    strv_add(&a, binary);
    for (size_t i = 0; i < n; i++)
        strv_addf(&a, "0x%llx", (unsigned long long)raw[i]->offset);
    sbuf out = {0};
    resolved *res = xmalloc(sizeof *res * n);
    if (proc_tool(strv_get(&a), NULL, 30000, &out) == 0)
        parse_addr2line(out.data, res, n);
    for (size_t i = 0; i < n; i++) {
        frame *f = raw[i];
        if (res[i].len) {
            /* the outermost frame of an inline chain is the real one; keep the
             * innermost in place and give it the chain's first file:line */
            frame *in = &res[i].items[0];
            if (in->function) {
                free(f->function);
                f->function = xstrdup(in->function);
            }
            f->file = xstrdup(in->file);
            f->line = in->line;
        }
        for (size_t j = 0; j < res[i].len; j++) {
            free(res[i].items[j].function);
            free(res[i].items[j].file);
        }
        free(res[i].items);
    }
    free(res);
    sbuf_free(&out);
    strv_clear(&a);
}

/* Whether module names the program itself: the path it was started with, or
 * the real path the stress shim reports. */
static bool module_is(const char *module, const char *binary, const char *binary_real)
{
    if (!binary || !module) return false;
    if (!strcmp(module, binary) || (binary_real && !strcmp(module, binary_real)))
        return true;
    char *real = path_abs(module);
    bool same = real && binary_real && !strcmp(real, binary_real);
    free(real);
    return same;
}

void symbolize_findings(findings *fs, const char *binary)
{
    frame **raw = NULL;
    size_t n = 0, cap = 0;
    char *binary_real = binary ? path_abs(binary) : NULL;
    for (size_t i = 0; i < fs->len; i++)
        for (size_t j = 0; j < fs->items[i].stacks.len; j++) {
            stack *s = &fs->items[i].stacks.items[j];
            for (size_t k = 0; k < s->frames.len; k++) {
                frame *f = &s->frames.items[k];
                if (!f->module) continue;
                if (module_is(f->module, binary, binary_real)) {
                    vec_grow((void **)&raw, &cap, n + 1, sizeof *raw);
                    raw[n++] = f;
                } else if (!f->file) {
                    f->file = xstrdup(path_base(f->module)); /* a library */
                }
            }
        }
    for (size_t i = 0; i < n; i += BATCH)
        resolve_batch(binary, raw + i, n - i < BATCH ? n - i : BATCH);
    for (size_t i = 0; i < n; i++) {
        free(raw[i]->module);
        raw[i]->module = NULL;
    }
    free(raw);
    free(binary_real);
}

/* True for a frame in the exercise's own sources (student file, driver, header). */
static bool frame_ours(const frame *f)
{
    return f->file && *f->file && !strchr(f->file, '/') &&
           strcmp(f->file, "grader_driver.c") && !str_ends(f->file, ".so") &&
           !strstr(f->file, ".so.");
}

static void frame_free(frame *f)
{
    free(f->function);
    free(f->file);
    free(f->module);
}

/* A stack with candidate frames (see stack.within): the first candidate in
 * the function of the frame after them replaces that frame; the others go. */
static void stack_settle_within(stack *s)
{
    size_t n = (size_t)s->within;
    if (!n || n >= s->frames.len) return;
    const frame *fn = &s->frames.items[n];
    size_t keep = n;
    for (size_t k = 0; k < n && keep == n; k++) {
        const frame *c = &s->frames.items[k];
        if (c->function && fn->function && !strcmp(c->function, fn->function) &&
            c->line > 0)
            keep = k;
    }
    size_t w = 0;
    for (size_t k = 0; k < s->frames.len; k++) {
        bool drop = k < n ? k != keep : k == n && keep != n;
        if (drop)
            frame_free(&s->frames.items[k]);
        else
            s->frames.items[w++] = s->frames.items[k];
    }
    s->frames.len = w;
    s->within = 0;
}

static void strip_dir(frame *f, const char *build_dir)
{
    if (!f->file || !build_dir) return;
    size_t n = strlen(build_dir);
    if (!strncmp(f->file, build_dir, n) && f->file[n] == '/') {
        char *rel = xstrdup(f->file + n + 1);
        free(f->file);
        f->file = rel;
    } else if (!strncmp(f->file, "./", 2)) {
        char *rel = xstrdup(f->file + 2);
        free(f->file);
        f->file = rel;
    }
}

/* Line n (from 1) of text, as [*start, *end), or false past the end. */
static bool text_line(const char *text, int n, const char **start, const char **end)
{
    const char *p = text;
    for (int i = 1; i < n && p; i++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    if (!p || !*p) return false;
    *start = p;
    *end = strchr(p, '\n');
    if (!*end) *end = p + strlen(p);
    while (*start < *end && isspace((unsigned char)**start)) (*start)++;
    return true;
}

static bool line_starts_word(const char *s, const char *e, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(e - s) >= n && !strncmp(s, w, n) &&
           (s + n == e || (!isalnum((unsigned char)s[n]) && s[n] != '_'));
}

/* The line of the `if` or `while` that decides whether the wait (a call to
 * a function ending in "wait") at line runs: the wait's own line when it
 * holds the test, else the nearest test above it within a few lines (an
 * opening brace or a comment between them is fine); line itself when there
 * is none. */
static int decision_line(const char *text, int line)
{
    const char *s, *e;
    if (!text_line(text, line, &s, &e)) return line;
    const char *w = s;
    while ((w = strstr(w, "wait")) && w < e &&
           (isalnum((unsigned char)w[4]) || w[4] == '_'))
        w += 4;
    if (!w || w >= e) return line;
    if (line_starts_word(s, e, "if") || line_starts_word(s, e, "while")) return line;
    for (int up = line - 1; up > 0 && up >= line - 3; up--) {
        if (!text_line(text, up, &s, &e)) break;
        if (line_starts_word(s, e, "if") || line_starts_word(s, e, "while")) return up;
        bool skip = s == e || (e - s == 1 && *s == '{') || !strncmp(s, "//", 2) ||
                    !strncmp(s, "/*", 2) || *s == '*';
        if (!skip) break;
    }
    return line;
}

void findings_to_decision(findings *fs, const char *source, const char *source_text)
{
    for (size_t i = 0; source && source_text && i < fs->len; i++) {
        finding *f = &fs->items[i];
        if (f->file && !strcmp(f->file, source) && f->line > 0 &&
            !strcmp(f->tool, "driver"))
            f->line = decision_line(source_text, f->line);
    }
}

void stacks_tidy(findings *fs, const char *build_dir, const char *source)
{
    for (size_t i = 0; i < fs->len; i++) {
        finding *fd = &fs->items[i];
        for (size_t j = 0; j < fd->stacks.len; j++) {
            stack *s = &fd->stacks.items[j];
            stack_settle_within(s);
            size_t keep = 0;
            for (size_t k = 0; k < s->frames.len; k++) {
                strip_dir(&s->frames.items[k], build_dir);
                if (frame_ours(&s->frames.items[k])) keep++;
            }
            if (!keep) continue;
            size_t w = 0;
            for (size_t k = 0; k < s->frames.len; k++) {
                frame *f = &s->frames.items[k];
                if (frame_ours(f)) {
                    s->frames.items[w++] = *f;
                } else {
                    frame_free(f);
                }
            }
            s->frames.len = w;
        }
        finding_locate(fd, source);
    }
}
