/* parse.c - helpers shared by parsers (which tool uses which: tool.c). */
#include "parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void parse_out_free(parse_out *p)
{
    findings_free(&p->found);
    for (size_t i = 0; i < p->outs.len; i++) {
        free(p->outs.items[i].key);
        free(p->outs.items[i].value);
    }
    free(p->outs.items);
    sbuf_free(&p->notes);
    memset(p, 0, sizeof *p);
}

const char *parse_out_get(const parse_out *p, const char *key)
{
    for (size_t i = p->outs.len; i-- > 0;)
        if (!strcmp(p->outs.items[i].key, key)) return p->outs.items[i].value;
    return NULL;
}

bool sanitizer_frame_parse(const char *l, stack *s)
{
    while (*l == ' ') l++;
    if (*l != '#' || !strchr(l, '|')) return false;
    char *copy = xstrdup(l), *f[7] = {0}, *p = copy;
    for (int i = 0; i < 7 && p; i++) {
        f[i] = p;
        p = strchr(p, '|');
        if (p) *p++ = 0;
    }
    const char *fn = f[1] && strcmp(f[1], "<null>") ? f[1] : NULL;
    const char *file = f[2] && strcmp(f[2], "<null>") && *f[2] ? f[2] : NULL;
    int line = f[3] ? atoi(f[3]) : 0;
    stack_add_frame(s, fn, file, line);
    free(copy);
    return true;
}

char *text_stabilize(const char *s)
{
    sbuf b = {0};
    while (*s) {
        /* " at 0x1234" and bare "0x1234" */
        if (s[0] == '0' && s[1] == 'x' && isxdigit((unsigned char)s[2])) {
            if (b.len >= 3 && !strcmp(b.data + b.len - 3, "at ") &&
                (b.len == 3 || b.data[b.len - 4] == ' ')) {
                b.len -= 3;
                while (b.len && b.data[b.len - 1] == ' ') b.len--;
                b.data[b.len] = 0;
            } else {
                sbuf_puts(&b, "0x…");
            }
            s += 2;
            while (isxdigit((unsigned char)*s)) s++;
            continue;
        }
        /* "(pid=123)", "tid=123, " */
        if ((str_starts(s, "pid=") || str_starts(s, "tid=")) &&
            isdigit((unsigned char)s[4])) {
            s += 4;
            while (isdigit((unsigned char)*s)) s++;
            if (*s == ',') s++;
            if (*s == ' ') s++;
            continue;
        }
        sbuf_putc(&b, *s++);
    }
    /* tidy "()" and "( " left behind */
    char *t = sbuf_take(&b);
    for (char *p; (p = strstr(t, " ()"));) memmove(p, p + 3, strlen(p + 3) + 1);
    for (char *p; (p = strstr(t, "( "));) memmove(p + 1, p + 2, strlen(p + 2) + 1);
    for (char *p; (p = strstr(t, "(, "));) memmove(p + 1, p + 3, strlen(p + 3) + 1);
    return t;
}
