/* policy.c - see policy.h. */
#include "policy.h"
#include "proc.h"

#include <ctype.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROBLEMS 10
#define MAX_FILES    256

/* Sections a compiled C file legitimately has (prefixes). */
static const char *const section_ok[] = {".text",     ".data",     ".bss",
                                         ".rodata",   ".tdata",    ".tbss",
                                         ".debug",    ".comment",  ".note.GNU-stack",
                                         ".note.gnu", ".eh_frame", ".gcc_except_table",
                                         ".group",    ".stack"};
/* Sections that run code before or after the program's main. */
static const char *const section_run[] = {".init", ".fini", ".ctors", ".dtors",
                                          ".preinit_array"};

bool policy_match(const char *text, const char *name, char *why, size_t why_cap)
{
    const char *p = text;
    while (p && *p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1),
                 p);
        char *s = line;
        while (isspace((unsigned char)*s)) s++;
        char *rest = s;
        while (*rest && !isspace((unsigned char)*rest)) rest++;
        if (*rest) *rest++ = 0;
        if (*s && *s != '#' && fnmatch(s, name, 0) == 0) {
            while (isspace((unsigned char)*rest)) rest++;
            if (why) snprintf(why, why_cap, "%s", rest);
            return true;
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* The extra names of the exercise (spaces) as lines, for policy_match. */
static char *words_as_lines(const char *words)
{
    char *s = xstrdup(words ? words : "");
    for (char *c = s; *c; c++)
        if (*c == ' ' || *c == '\t' || *c == ',') *c = '\n';
    return s;
}

/* --- the listing ----------------------------------------------------------------- */

/* Where the listing is in the student's file: .file and .loc directives. */
typedef struct place {
    char *files[MAX_FILES]; /* .file N "name": base names */
    int file, line;         /* the last .loc */
} place;

static void place_free(place *p)
{
    for (int i = 0; i < MAX_FILES; i++) free(p->files[i]);
}

/* The assembly text of a listing line ("  NN ADDR BYTES\tTEXT"), trimmed, or NULL. */
static char *listing_text(char *line)
{
    char *t = strchr(line, '\t');
    if (!t) return NULL;
    t++;
    while (isspace((unsigned char)*t)) t++;
    return t;
}

/* Follows .file / .loc directives; true if the line was one. */
static bool place_follow(place *p, const char *t)
{
    if (str_starts(t, ".file") && isspace((unsigned char)t[5])) {
        char *end;
        long n = strtol(t + 5, &end, 10);
        const char *q = strrchr(t, '"'), *open = q ? q - 1 : NULL;
        while (open && open > t && *open != '"') open--;
        if (end != t + 5 && n >= 0 && n < MAX_FILES && open && open < q) {
            char *name = xstrndup(open + 1, (size_t)(q - open - 1));
            free(p->files[n]);
            p->files[n] = xstrdup(path_base(name));
            free(name);
        }
        return true;
    }
    if (str_starts(t, ".loc") && isspace((unsigned char)t[4])) {
        char *end;
        p->file = (int)strtol(t + 4, &end, 10);
        p->line = (int)strtol(end, NULL, 10);
        return true;
    }
    if (str_starts(t, ".cfi_endproc")) p->file = p->line = 0; /* a function ended */
    return false;
}

/* The student's line of the current place: 0 when unknown, -1 when the
 * place is in another file (a system header's inline function). */
static int place_line(const place *p, const char *source_name)
{
    if (p->file <= 0 || p->file >= MAX_FILES || !p->files[p->file]) return 0;
    return strcmp(p->files[p->file], source_name) ? -1 : p->line;
}

typedef struct checker {
    const policy_inputs *in;
    const char *listing;
    sbuf *log;
    int problems;
    bool assembly; /* the file has assembly of its own */
} checker;

/* The student's line where the listing defines the function sym (its
 * first .loc after the label; 0 if unknown). */
static int def_line(const char *text, const char *sym, const char *source_name)
{
    place p = {.file = 0};
    char *copy = xstrdup(text), *save = NULL;
    int found = 0;
    bool in_def = false;
    for (char *l = strtok_r(copy, "\n", &save); l && found <= 0;
         l = strtok_r(NULL, "\n", &save)) {
        char *t = listing_text(l);
        if (!t) continue;
        size_t n = strlen(sym);
        if (!strncmp(t, sym, n) && t[n] == ':') in_def = true;
        if (place_follow(&p, t) && in_def && p.line) found = place_line(&p, source_name);
    }
    free(copy);
    place_free(&p);
    return found > 0 ? found : 0;
}

static void problem(checker *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(checker *c, int line, const char *fmt, ...)
{
    if (++c->problems > MAX_PROBLEMS) return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    sbuf_printf(c->log, "%s:%d: error: %s\n", c->in->source_name, line > 0 ? line : 0,
                msg);
    free(msg);
}

/* Reports a constructor or destructor at line (0: unknown). */
static void constructor_problem(checker *c, int line, const char *section)
{
    problem(
        c, line,
        "a constructor or destructor (code that runs before or after the test, such as "
        "__attribute__((constructor)) or a function pointer in section '%s') is not "
        "allowed: do the "
        "work when the exercise's functions are called",
        section);
}

/* A .section / .pushsection directive's section, checked: true for a
 * constructor's or destructor's section (reported by the caller, at its
 * entry), copied into ctor. */
static bool section_check(checker *c, const char *t, int line, char *ctor, size_t cap)
{
    const char *s = t + strcspn(t, " \t");
    s += strspn(s, " \t\"");
    char name[128];
    size_t n = strcspn(s, " \t,\"");
    snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), s);
    for (size_t i = 0; i < ARRAY_LEN(section_run); i++)
        if (str_starts(name, section_run[i])) {
            snprintf(ctor, cap, "%s", name);
            return true;
        }
    for (size_t i = 0; i < ARRAY_LEN(section_ok); i++)
        if (str_starts(name, section_ok[i])) return false;
    problem(c, line,
            "the section '%s' is not allowed (only code, data and constants): remove the "
            "section "
            "attribute",
            name);
    return false;
}

/* The function an entry of a constructor section names (".quad NAME"):
 * the line of its definition, 0 if unknown, -1 if t is no entry. */
static int entry_line(checker *c, const char *t)
{
    if (!str_starts(t, ".quad") && !str_starts(t, ".long")) return -1;
    t += 5;
    while (isspace((unsigned char)*t)) t++;
    char name[128];
    size_t n = strcspn(t, " \t+-");
    snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), t);
    return *name ? def_line(c->listing, name, c->in->source_name) : 0;
}

/* Assembly of the student's own and unexpected sections, from the listing. */
static void listing_check(checker *c, const char *text)
{
    place p = {.file = 0};
    char *copy = xstrdup(text), *save = NULL;
    char ctor[128] = "";
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *t = listing_text(l);
        if (!t || place_follow(&p, t)) continue;
        int line = place_line(&p, c->in->source_name), at;
        if (*ctor && (at = entry_line(c, t)) >= 0) {
            constructor_problem(c, at, ctor);
            *ctor = 0;
        }
        /* wherever the listing says it is: a #line directive can name any
         * file, and the system's headers bring no assembly of their own */
        if (str_starts(t, "#APP") && (c->assembly = true))
            problem(c, line,
                    "assembly (asm, __asm__, .incbin) is not allowed: write the exercise "
                    "in C");
        else if (str_starts(t, ".section") || str_starts(t, ".pushsection")) {
            if (*ctor) constructor_problem(c, 0, ctor); /* a section without an entry */
            *ctor = 0;
            section_check(c, t, line, ctor, sizeof ctor);
        }
    }
    if (*ctor) constructor_problem(c, 0, ctor);
    free(copy);
    place_free(&p);
}

/* Whether t names sym as a whole word (an operand or a .quad's value). */
static bool names(const char *t, const char *sym)
{
    size_t n = strlen(sym);
    for (const char *f = strstr(t, sym); f; f = strstr(f + 1, sym)) {
        bool before =
            f == t || !(isalnum((unsigned char)f[-1]) || f[-1] == '_' || f[-1] == '.');
        bool after = !(isalnum((unsigned char)f[n]) || f[n] == '_');
        if (before && after) return true;
    }
    return false;
}

/* The student's line where the listing first uses sym (0 if unknown). */
static int use_line(const char *text, const char *sym, const char *source_name)
{
    place p = {.file = 0};
    char *copy = xstrdup(text), *save = NULL;
    int found = 0;
    for (char *l = strtok_r(copy, "\n", &save); l && !found;
         l = strtok_r(NULL, "\n", &save)) {
        char *t = listing_text(l);
        if (!t || place_follow(&p, t) ||
            (*t == '.' && !str_starts(t, ".quad") && !str_starts(t, ".long")))
            continue;
        if (names(t, sym)) found = place_line(&p, source_name);
    }
    free(copy);
    place_free(&p);
    return found > 0 ? found : 0;
}

/* --- symbols ------------------------------------------------------------------------ */

/* Checks one undefined symbol against the lists. */
static void symbol_check(checker *c, const char *sym, const char *allowed,
                         const char *refused, const char *extra, const char *listing)
{
    char why[256] = "";
    if (policy_match(extra, sym, NULL, 0)) return;
    if (policy_match(refused, sym, why, sizeof why)) {
        problem(
            c, use_line(listing, sym, c->in->source_name),
            "'%s' is not allowed here: %s; use only what the exercise's README asks for",
            sym, why);
        return;
    }
    if (policy_match(allowed, sym, NULL, 0)) return;
    problem(c, use_line(listing, sym, c->in->source_name),
            "'%s' is neither defined in your file nor among the calls this exercise "
            "allows: if it is "
            "yours, define it (check its spelling); otherwise use only the C library, "
            "threads and "
            "processes, as the exercise's README asks",
            sym);
}

/* Runs nm with args on path (in dir) and keeps, one per line in syms, the
 * names of the symbols whose type letter is in types ("NAME@VERSION" loses
 * its version). 0, or -1 with the reason in log. */
static int nm_names(const char *dir, const char *args, const char *path,
                    const char *types, sbuf *syms, sbuf *log)
{
    char *argv[] = {"nm", (char *)args, (char *)path, NULL};
    sbuf out = {0};
    if (proc_tool(argv, dir, 30000, &out) != 0) {
        sbuf_printf(log, "cannot list the symbols of %s: %s\n", path, sbuf_str(&out));
        sbuf_free(&out);
        return -1;
    }
    char *save = NULL;
    for (char *l = strtok_r(out.data ? out.data : (char[]){0}, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save)) {
        /* "[VALUE] TYPE NAME" */
        char *name = strrchr(l, ' '), *type = name && name > l ? name - 1 : NULL;
        if (!type || !strchr(types, *type) || (type > l && type[-1] != ' ')) continue;
        name[strcspn(name, "@")] = 0;
        sbuf_printf(syms, "%s\n", name + 1);
    }
    sbuf_free(&out);
    return 0;
}

/* Whether name is a line of the newline-separated list. */
static bool listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *f = strstr(list, name); f; f = strstr(f + 1, name))
        if ((f == list || f[-1] == '\n') && f[n] == '\n') return true;
    return false;
}

/* The C library's exported names (once per process; "" if unknown). */
static char *libc_names;
static pthread_once_t libc_once = PTHREAD_ONCE_INIT;

static void libc_load(void)
{
    char *argv[] = {"gcc", "-print-file-name=libc.so.6", NULL};
    sbuf path = {0}, names = {0}, log = {0};
    if (proc_tool(argv, NULL, 30000, &path) == 0 && path.len)
        nm_names("/", "-D", str_trim(path.data), "TWDBRVi", &names, &log);
    sbuf_printf(&names, "%s", "");
    libc_names = sbuf_take(&names);
    sbuf_free(&path), sbuf_free(&log);
}

/* The object's global definitions must not take a name of the C library:
 * the driver's own calls (write, snprintf...) would reach them. */
static int definitions_check(checker *c, const char *listing)
{
    sbuf defs = {0}, ifuncs = {0};
    if (nm_names(c->in->dir, "--defined-only", c->in->object, "TDBRVWCG", &defs, c->log) <
            0 ||
        nm_names(c->in->dir, "--defined-only", c->in->object, "i", &ifuncs, c->log) < 0) {
        sbuf_free(&defs), sbuf_free(&ifuncs);
        return -1;
    }
    char *save = NULL;
    for (char *s = ifuncs.data ? strtok_r(ifuncs.data, "\n", &save) : NULL; s;
         s = strtok_r(NULL, "\n", &save))
        problem(c, def_line(listing, s, c->in->source_name),
                "'%s' is an ifunc (__attribute__((ifunc)): its resolver runs while the "
                "program loads, before "
                "the test), which is not allowed: call your function directly",
                s);
    sbuf_free(&ifuncs);
    pthread_once(&libc_once, libc_load);
    for (char *s = defs.data ? strtok_r(defs.data, "\n", &save) : NULL; s;
         s = strtok_r(NULL, "\n", &save))
        if (listed(libc_names, s) || str_starts(s, "drv_") || str_starts(s, "grader_"))
            problem(c, def_line(listing, s, c->in->source_name),
                    "'%s' is a name of the C library or of the grader's driver, which "
                    "call it too: your file "
                    "must not define it; rename it (or make it static)",
                    s);
    sbuf_free(&defs);
    return 0;
}

int policy_check(const policy_inputs *in, sbuf *log)
{
    char *lst = path_join(in->dir, in->listing);
    char *allowed_path = path_join(in->syms_dir, "allowed.syms"),
         *refused_path = path_join(in->syms_dir, "refused.syms");
    char *listing = file_read(lst, NULL), *allowed = file_read(allowed_path, NULL);
    char *refused = file_read(refused_path, NULL), *extra = words_as_lines(in->allow);
    checker c = {.in = in, .listing = listing, .log = log};
    sbuf syms = {0};
    int rc = 0;
    if (!listing || !allowed || !refused) {
        sbuf_printf(log, "cannot read %s\n",
                    !listing   ? lst
                    : !allowed ? allowed_path
                               : refused_path);
        rc = -1;
    } else {
        listing_check(&c, listing);
        /* a file with assembly of its own is refused as it is: its object
         * is not worth reading */
        if (!c.assembly && (nm_names(in->dir, "-u", in->object, "Uwv", &syms, log) < 0 ||
                            definitions_check(&c, listing) < 0))
            rc = -1;
        char *save = NULL;
        for (char *s = syms.data ? strtok_r(syms.data, "\n", &save) : NULL; rc == 0 && s;
             s = strtok_r(NULL, "\n", &save))
            symbol_check(&c, s, allowed, refused, extra, listing);
    }
    sbuf_free(&syms);
    free(lst), free(allowed_path), free(refused_path);
    free(listing), free(allowed), free(refused), free(extra);
    return rc < 0 ? -1 : c.problems;
}
