/* i18n.c - see i18n.h.
 *
 * glibc's gettext ignores the language unless the messages locale is other
 * than "C", and a Brazilian locale need not be installed: the grader sets
 * LC_MESSAGES to C.UTF-8 (always there in glibc >= 2.35 and Debian) and
 * names the language in LANGUAGE. Children see LC_ALL=C, so LANGUAGE means
 * nothing to them. */
#include "i18n.h"
#include "util.h"

#include <ctype.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int _nl_msg_cat_cntr; /* glibc: bumped to drop cached translations */

static char env_tag[32];
static char current[32] = "en";
static char *locale_dir;
static char ex_domain[96];

char *i18n_dir_name(const char *tag, char *buf, unsigned long n)
{
    size_t k = 0;
    bool region = false;
    for (const char *p = tag; *p && *p != '.' && *p != '@' && k + 1 < n; p++) {
        if (*p == '-' || *p == '_') {
            region = true;
            buf[k++] = '_';
        } else {
            buf[k++] = region ? (char)toupper((unsigned char)*p)
                              : (char)tolower((unsigned char)*p);
        }
    }
    buf[k] = 0;
    return buf;
}

/* "pt_BR" -> "pt-BR" into buf. */
static void tag_of(const char *dir, char *buf, size_t n)
{
    snprintf(buf, n, "%s", dir);
    for (char *p = buf; *p; p++)
        if (*p == '_') *p = '-';
}

const char *i18n_env_lang(void)
{
    static bool done;
    if (done) return *env_tag ? env_tag : NULL;
    done = true;
    const char *names[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    const char *v = NULL;
    for (size_t i = 0; i < ARRAY_LEN(names) && !(v && *v); i++) v = getenv(names[i]);
    if (!v || !*v || !strcmp(v, "POSIX") || !strncmp(v, "C.", 2) || !strcmp(v, "C"))
        return NULL;
    char dir[32];
    i18n_dir_name(v, dir, sizeof dir);
    tag_of(dir, env_tag, sizeof env_tag);
    return *env_tag ? env_tag : NULL;
}

/* Whether the grader's catalog exists for the directory name dir. */
static bool has_catalog(const char *dir)
{
    if (!locale_dir || !*dir || strchr(dir, '/')) return false;
    char *mo = xasprintf("%s/%s/LC_MESSAGES/grader.mo", locale_dir, dir);
    bool ok = file_exists(mo);
    free(mo);
    return ok;
}

/* The catalog directory for a tag: exact ("pt_BR"), else the language alone
 * ("pt"); "" when none. */
static void catalog_for(const char *tag, char *dir, size_t n)
{
    i18n_dir_name(tag, dir, n);
    if (has_catalog(dir)) return;
    char *u = strchr(dir, '_');
    if (u) *u = 0;
    if (!has_catalog(dir)) *dir = 0;
}

static void language_set(const char *dir)
{
    if (*dir)
        setenv("LANGUAGE", dir, 1);
    else
        unsetenv("LANGUAGE");
    ++_nl_msg_cat_cntr;
}

static bool messages_locale(void)
{
    const char *names[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (setlocale(LC_MESSAGES, names[i])) return true;
    return false;
}

int i18n_init(const char *root, const char *lang)
{
    free(locale_dir);
    locale_dir = path_join(root, "build/locale");
    bindtextdomain("grader", locale_dir);
    bind_textdomain_codeset("grader", "UTF-8");
    textdomain("grader");
    const char *want = lang ? lang : i18n_env_lang();
    char dir[32] = "";
    bool english = !want || !strncmp(want, "en", 2) || !strcmp(want, "C");
    if (!english) catalog_for(want, dir, sizeof dir);
    if (*dir && !messages_locale()) {
        fprintf(stderr,
                "grader: no C.UTF-8 locale on this machine: messages stay in English\n");
        *dir = 0;
    }
    language_set(dir);
    if (*dir)
        tag_of(dir, current, sizeof current);
    else
        snprintf(current, sizeof current, "en");
    return lang && !english && !*dir ? -1 : 0;
}

const char *i18n_lang(void)
{
    return current;
}

char *i18n_available(void)
{
    sbuf b = {0};
    sbuf_puts(&b, "en");
    size_t n = 0;
    char **dirs = locale_dir ? dir_list(locale_dir, &n) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (!has_catalog(dirs[i])) continue;
        char tag[32];
        tag_of(dirs[i], tag, sizeof tag);
        sbuf_printf(&b, ", %s", tag);
    }
    strv_free(dirs, n);
    return sbuf_take(&b);
}

const char *i18n_exercise_domain(const char *exercise)
{
    snprintf(ex_domain, sizeof ex_domain, "exercise-%s", exercise);
    if (locale_dir) {
        bindtextdomain(ex_domain, locale_dir);
        bind_textdomain_codeset(ex_domain, "UTF-8");
    }
    return ex_domain;
}

const char *i18n_lookup(const char *domain, const char *lang, const char *s)
{
    char dir[32];
    i18n_dir_name(lang, dir, sizeof dir);
    if (!strcmp(dir, "en") || !strncmp(dir, "en_", 3)) return s;
    char saved[32];
    i18n_dir_name(current, saved, sizeof saved);
    if (!messages_locale()) return NULL;
    language_set(dir);
    const char *t = dgettext(domain, s);
    language_set(strcmp(saved, "en") ? saved : "");
    return t == s ? NULL : t;
}

/* The length of the conversion at p ("%-5.2zu", "%2$s"), its argument
 * position (1-based) in *pos when it names one; 0 when p is no conversion. */
static size_t conv_len(const char *p, int *pos)
{
    const char *q = p + 1;
    *pos = 0;
    const char *d = q;
    while (*d >= '0' && *d <= '9') d++;
    if (d > q && *d == '$') *pos = atoi(q), q = d + 1;
    while (*q && strchr("-+ #0'", *q)) q++;
    while ((*q >= '0' && *q <= '9') || *q == '.') q++;
    while (*q && strchr("hlzjtLq", *q)) q++;
    return *q && strchr("diuoxXfFeEgGaAscp", *q) ? (size_t)(q - p + 1) : 0;
}

/* s in the exercise's catalog, else in the grader's; s itself when neither
 * translates it. */
static const char *translate_any(const char *s)
{
    const char *t = ex_domain[0] && *s ? dgettext(ex_domain, s) : s;
    return t != s || !*s ? t : dgettext("grader", s);
}

char *i18n_format(const char *fmt, const char *const *args, size_t nargs)
{
    const char *t = translate_any(fmt);
    if (t == fmt) return NULL;
    sbuf b = {0};
    size_t next = 0;
    for (const char *p = t; *p;) {
        if (*p != '%') {
            sbuf_putc(&b, *p++);
            continue;
        }
        if (p[1] == '%') {
            sbuf_putc(&b, '%');
            p += 2;
            continue;
        }
        int pos;
        size_t n = conv_len(p, &pos);
        size_t i = pos > 0 ? (size_t)pos - 1 : next++;
        if (!n || i >= nargs) {
            sbuf_free(&b);
            return NULL;
        }
        /* an argument that is a sentence of ours (a story told by the
         * driver, marked DRV_MSG) is translated too */
        bool hidden =
            n >= 4 && !strncmp(p + n - 3, ".0s", 3); /* "%.0s": used, not shown */
        if (!hidden)
            sbuf_puts(&b, strchr(args[i], ' ') ? translate_any(args[i]) : args[i]);
        p += n;
    }
    return b.data ? sbuf_take(&b) : xstrdup("");
}
