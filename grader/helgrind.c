/* helgrind.c - Valgrind Helgrind XML (protocol 4) into findings.
 *
 *   <error><kind>Race</kind>
 *     <xwhat><text>Possible data race during read of size 4 at 0x10C02C by thread
 * #3</text>…</xwhat> <stack><frame><fn/><dir/><file/><line/></frame>…</stack>
 *     <xauxwhat><text>This conflicts with a previous write of size 4 by thread
 * #2</text></xauxwhat> <stack>…</stack> <auxwhat>Address 0x10c02c is 0 bytes inside data
 * symbol "counter"</auxwhat>
 *   </error>
 *
 * A stack belongs to the what/auxwhat text just before it. Addresses are
 * removed from messages so they are stable from run to run. A document cut
 * short (the program was killed) still yields every complete <error>. */
#include "parse.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

typedef struct hg_state {
    parse_out *out;
    int depth;
    bool in_error, in_frame, in_stack, in_fatal;
    sbuf text;       /* character data of the current element */
    char *kind;      /* <kind> */
    char *last_text; /* last what/auxwhat text, the title of the next stack */
    sbuf message;    /* what + auxwhats */
    findings cur;    /* the error being read */
    finding *f;
    stack *st;
    char *fn, *dir, *file; /* current frame */
    int line;
} hg_state;

static const struct {
    const char *kind;
    const char *finding;
} kinds[] = {
    {"Race", "data-race"},
    {"LockOrder", "lock-order-inversion"},
    {"UnlockUnlocked", "mutex-misuse"},
    {"UnlockForeign", "mutex-misuse"},
    {"UnlockBogus", "mutex-misuse"},
    {"PthAPIerror", "mutex-misuse"},
    {"Misc", "mutex-misuse"},
};

static const char *kind_of(const char *k, const char *message)
{
    if (message && strstr(message, "re-lock a non-recursive lock I already hold"))
        return "self-deadlock";
    if (message && strstr(message, "thread still holds"))
        return "lock-held"; /* "Exiting thread still holds 1 lock" */
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (k && !strcmp(kinds[i].kind, k)) return kinds[i].finding;
    return "mutex-misuse";
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    (void)attrs;
    hg_state *s = ud;
    s->depth++;
    s->text.len = 0;
    if (s->text.data) s->text.data[0] = 0;
    if (!strcmp(name, "error")) {
        s->in_error = true;
        s->f = findings_add(&s->cur, "data-race", "helgrind", "");
    } else if (!strcmp(name, "fatal_signal")) {
        s->in_fatal = true;
    } else if (!strcmp(name, "stack") && s->in_error) {
        s->in_stack = true;
        s->st = finding_add_stack(s->f, s->last_text);
    } else if (!strcmp(name, "frame") && s->in_stack) {
        s->in_frame = true;
        s->fn = s->dir = s->file = NULL;
        s->line = 0;
    }
}

static void add_message(hg_state *s, const char *t)
{
    char *stable = text_stabilize(t);
    if (s->message.len) sbuf_puts(&s->message, "; ");
    sbuf_puts(&s->message, stable);
    free(s->last_text);
    s->last_text = stable;
}

static void frame_end(hg_state *s)
{
    char *path = NULL;
    if (s->file) path = s->dir ? path_join(s->dir, s->file) : xstrdup(s->file);
    stack_add_frame(s->st, s->fn, path, s->line);
    free(path);
    free(s->fn);
    free(s->dir);
    free(s->file);
    s->fn = s->dir = s->file = NULL;
    s->in_frame = false;
}

static void error_end(hg_state *s)
{
    const char *msg = sbuf_str(&s->message);
    free(s->f->kind);
    s->f->kind = xstrdup(kind_of(s->kind, msg));
    free(s->f->message);
    s->f->message = xstrdup(msg);
    /* move the finding out (not merged: locations are not known yet) */
    *VEC_PUSH(&s->out->found) = *s->f;
    free(s->cur.items);
    memset(&s->cur, 0, sizeof s->cur);
    s->f = NULL;
    sbuf_free(&s->message);
    free(s->kind);
    s->kind = NULL;
    free(s->last_text);
    s->last_text = NULL;
    s->in_error = false;
}

static void on_end(void *ud, const XML_Char *name)
{
    hg_state *s = ud;
    s->depth--;
    const char *t = sbuf_str(&s->text);
    if (s->in_frame) {
        if (!strcmp(name, "fn"))
            s->fn = xstrdup(t);
        else if (!strcmp(name, "dir"))
            s->dir = xstrdup(t);
        else if (!strcmp(name, "file"))
            s->file = xstrdup(t);
        else if (!strcmp(name, "line"))
            s->line = atoi(t);
        else if (!strcmp(name, "frame"))
            frame_end(s);
    } else if (s->in_error) {
        if (!strcmp(name, "kind"))
            s->kind = xstrdup(t);
        else if (!strcmp(name, "what") || !strcmp(name, "auxwhat") ||
                 (!strcmp(name, "text") && s->depth >= 3))
            add_message(s, t);
        else if (!strcmp(name, "stack"))
            s->in_stack = false;
        else if (!strcmp(name, "error"))
            error_end(s);
    } else if (s->in_fatal && !strcmp(name, "fatal_signal")) {
        s->in_fatal = false;
    } else if (s->in_fatal && !strcmp(name, "signame")) {
        sbuf_printf(&s->out->notes, "helgrind: the program was killed by %s\n", t);
    }
    s->text.len = 0;
    if (s->text.data) s->text.data[0] = 0;
}

static void on_text(void *ud, const XML_Char *t, int n)
{
    hg_state *s = ud;
    sbuf_add(&s->text, t, (size_t)n);
}

void helgrind_parse(const char *text, size_t len, parse_out *out)
{
    XML_Parser p = XML_ParserCreate(NULL);
    if (!p) return;
    hg_state s;
    memset(&s, 0, sizeof s);
    s.out = out;
    XML_SetUserData(p, &s);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    if (XML_Parse(p, text, (int)len, 1) == XML_STATUS_ERROR && len)
        sbuf_printf(&out->notes, "helgrind XML: %s at line %lu (document cut short?)\n",
                    XML_ErrorString(XML_GetErrorCode(p)),
                    (unsigned long)XML_GetCurrentLineNumber(p));
    /* an error element left open by a cut document is dropped */
    findings_free(&s.cur);
    sbuf_free(&s.message);
    sbuf_free(&s.text);
    free(s.kind);
    free(s.last_text);
    free(s.fn);
    free(s.dir);
    free(s.file);
    XML_ParserFree(p);
}
