/* spec.c - see spec.h. With spec_check.c, the only files that see Lua (both
 * through spec_internal.h).
 *
 * Layout: the sandbox (allocator, hook, strict environment), the load-time API
 * (exercise, check) with field validation, and the protected entry points.
 * The run-time API (the check object `t` and run results `r`) is in
 * spec_check.c. */
#include "spec_internal.h"
#include "helper.h"
#include "i18n.h"

#include <lualib.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char spec_failure = 0;

spec *spec_of(lua_State *L)
{
    return *(spec **)lua_getextraspace(L);
}

/* --- errors -------------------------------------------------------------------- */

/* Raises "DISPLAY:LINE: message" (line 0: where the caller is). */
int raise_at(lua_State *L, int line, const char *fmt, ...)
{
    spec *s = spec_of(L);
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    if (line > 0)
        lua_pushfstring(L, "%s:%d: %s", s->display, line, msg);
    else {
        luaL_where(L, 1);
        lua_pushstring(L, msg);
        lua_concat(L, 2);
    }
    free(msg);
    lua_error(L);
    abort(); /* not reached */
}

/* The spec's line that called the running C function. */
static int caller_line(lua_State *L)
{
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar) && ar.currentline > 0)
        return ar.currentline;
    return spec_of(L)->last_line;
}

/* The line of "name =" at or after line `from` in the spec's text, else from. */
int field_line(const spec *s, int from, const char *name)
{
    const char *p = s->text;
    int line = 1;
    while (*p && line < from) line += *p++ == '\n';
    size_t n = strlen(name);
    for (; *p && line < from + 300; p++) {
        if (*p == '\n') {
            line++;
            continue;
        }
        if (!strncmp(p, name, n) &&
            (p == s->text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
            const char *q = p + n;
            while (*q == ' ' || *q == '\t') q++;
            if (*q == '=' && q[1] != '=') return line;
        }
    }
    return from;
}

/* See spec_internal.h. */
const char *suggest(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t bestd = 4;
    for (size_t i = 0; i < n; i++) {
        size_t d = str_distance(word, names[i]);
        size_t limit = strlen(word) <= 3 ? 1 : strlen(word) <= 5 ? 2 : 3;
        if (d < bestd && d <= limit) bestd = d, best = names[i];
    }
    static char text[160];
    if (!best) return "";
    snprintf(text, sizeof text, " (did you mean '%s'?)", best);
    return text;
}

/* --- the sandbox ----------------------------------------------------------------- */

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    spec *s = ud;
    if (!ptr) osize = 0;
    if (nsize == 0) {
        s->mem -= osize;
        free(ptr);
        return NULL;
    }
    if (s->mem - osize + nsize > MEM_LIMIT) return NULL;
    void *p = realloc(ptr, nsize);
    if (p) s->mem = s->mem - osize + nsize;
    return p;
}

static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
    spec *s = spec_of(L);
    if (lua_getinfo(L, "l", ar) && ar->currentline > 0) s->last_line = ar->currentline;
    if (++s->ticks > s->budget || s->dead) {
        if (!s->dead) {
            luaL_where(L, 0);
            const char *where = lua_tostring(L, -1);
            s->dead_msg = xasprintf(
                "%sthe spec ran more than %d million Lua instructions%s: is there an "
                "endless loop?",
                where ? where : "", (int)(s->budget * TICK / 1000000),
                s->loading ? " while loading" : " in this check");
            s->dead = true;
        }
        lua_pushstring(L, s->dead_msg);
        lua_error(L);
    }
}

static int sandbox_panic(lua_State *L)
{
    fprintf(stderr, "grader: unprotected error in the spec: %s\n", lua_tostring(L, -1));
    abort();
}

/* pcall/xpcall that cannot swallow the budget or a failed assertion. */
static int sandbox_pcall_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)ctx;
    spec *s = spec_of(L);
    if (s->dead) {
        lua_pushstring(L, s->dead_msg);
        return lua_error(L);
    }
    if (status != LUA_OK && status != LUA_YIELD &&
        lua_touserdata(L, -1) == &spec_failure) {
        lua_error(L); /* a failed assert_* ends the check even inside pcall */
    }
    lua_pushboolean(L, status == LUA_OK || status == LUA_YIELD);
    lua_insert(L, 1);
    return lua_gettop(L);
}

static int sandbox_pcall(lua_State *L)
{
    luaL_checkany(L, 1);
    int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    return sandbox_pcall_k(L, status, 0);
}

static int sandbox_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 1);
    lua_copy(L, 2, 1);
    lua_replace(L, 2);
    int status = lua_pcall(L, n - 2, LUA_MULTRET, 1);
    lua_remove(L, 1);
    return sandbox_pcall_k(L, status, 0);
}

static int sandbox_rep(lua_State *L)
{
    size_t l;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    size_t sep = 0;
    if (lua_isstring(L, 3)) lua_tolstring(L, 3, &sep);
    if (n > 0 && (double)(l + sep) * (double)n > MAX_REP)
        return raise_at(L, 0, "string.rep would build %.0f bytes (the limit is %u MiB)",
                        (double)(l + sep) * (double)n, MAX_REP >> 20);
    lua_getglobal(L, "string");
    lua_getfield(L, -1, "rep");
    lua_insert(L, 1);
    lua_pop(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int sandbox_print(lua_State *L)
{
    spec *s = spec_of(L);
    if (!s->verbose) return 0;
    fprintf(stderr, "spec:");
    for (int i = 1; i <= lua_gettop(L); i++)
        fprintf(stderr, " %s", luaL_tolstring(L, i, NULL));
    fprintf(stderr, "\n");
    return 0;
}

/* Copies the named fields of global table `lib` into a new table on the stack. */
static void copy_lib(lua_State *L, const char *lib, const char *const *skip)
{
    lua_newtable(L);
    lua_getglobal(L, lib);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        bool drop = false;
        for (const char *const *k = skip; k && *k; k++)
            drop |= !strcmp(lua_tostring(L, -2), *k);
        if (drop) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_settable(L, -5);
    }
    lua_pop(L, 1);
}

static const char *const base_allowed[] = {
    "assert",   "error",  "ipairs",       "next",         "pairs",
    "rawequal", "rawget", "rawlen",       "select",       "tonumber",
    "tostring", "type",   "setmetatable", "getmetatable", NULL,
};

/* Collects the names visible in env (for suggestions). */
static size_t env_names(lua_State *L, int env, const char **names, size_t max)
{
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, env) && n < max) {
        if (lua_type(L, -2) == LUA_TSTRING) names[n++] = lua_tostring(L, -2);
        lua_pop(L, 1);
    }
    return n;
}

static int env_index(lua_State *L)
{
    const char *key = lua_tostring(L, 2);
    const char *names[128];
    size_t n = env_names(L, 1, names, ARRAY_LEN(names));
    const char *hint = suggest(key ? key : "?", names, n);
    lua_pushfstring(L, "unknown name '%s'%s", key ? key : "?", hint);
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
    return lua_error(L);
}

static int env_newindex(lua_State *L)
{
    spec *s = spec_of(L);
    if (!s->loading) {
        const char *key = lua_tostring(L, 2);
        return raise_at(
            L, 0, "assignment to the global '%s' inside a check; declare it with 'local'",
            key ? key : "?");
    }
    lua_rawset(L, 1);
    return 0;
}

static int api_exercise(lua_State *L);
static int api_check(lua_State *L);

/* _("text"): text in the grading's language, from the exercise's catalog
 * (exercises/FOLDER/po/LL.po); the text itself when it has no translation. */
static int api_translate(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TSTRING || lua_gettop(L) != 1)
        raise_at(L, 0,
                 "_() takes one string: _(\"text\"), then string.format for values");
    const char *text = lua_tostring(L, 1);
    lua_pushstring(L, *text ? dgettext(spec_of(L)->domain, text) : text);
    return 1;
}

/* Builds the environment every spec chunk runs in and leaves it on the stack. */
static void env_push(lua_State *L)
{
    luaL_requiref(L, "_G", luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_pop(L, 5);

    lua_newtable(L);
    int env = lua_gettop(L);
    for (const char *const *k = base_allowed; *k; k++) {
        lua_getglobal(L, *k);
        lua_setfield(L, env, *k);
    }
    static const char *const no_string[] = {"dump", "rep", NULL};
    copy_lib(L, "string", no_string);
    lua_pushcfunction(L, sandbox_rep);
    lua_setfield(L, -2, "rep");
    lua_setfield(L, env, "string");
    copy_lib(L, "table", NULL);
    lua_setfield(L, env, "table");
    static const char *const no_math[] = {"random", "randomseed", NULL};
    copy_lib(L, "math", no_math);
    lua_setfield(L, env, "math");
    copy_lib(L, "utf8", NULL);
    lua_setfield(L, env, "utf8");
    lua_pushcfunction(L, sandbox_pcall);
    lua_setfield(L, env, "pcall");
    lua_pushcfunction(L, sandbox_xpcall);
    lua_setfield(L, env, "xpcall");
    lua_pushcfunction(L, sandbox_print);
    lua_setfield(L, env, "print");
    lua_pushcfunction(L, api_exercise);
    lua_setfield(L, env, "exercise");
    lua_pushcfunction(L, api_check);
    lua_setfield(L, env, "check");
    lua_pushcfunction(L, api_translate);
    lua_setfield(L, env, "_");

    lua_newtable(L);
    lua_pushcfunction(L, env_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, env_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, env);
}

/* --- load-time API: exercise{} and check "name" {} --------------------------------- */

enum {
    F_STRING = 1,
    F_NUMBER = 2,
    F_FUNCTION = 4,
    F_TABLE = 8,
    F_FALSE = 16,
    F_BOOL = 32
};

typedef struct field {
    const char *name;
    int types;
    bool required;
} field;

static const field exercise_fields[] = {
    {"name", F_STRING, true},
    {"title", F_STRING, true},
    {"source", F_STRING, false},
    {"header", F_STRING | F_FALSE, false},
    {"driver", F_STRING | F_FALSE, false},
    {"timeout", F_NUMBER, false},
    {"cflags", F_STRING, false},
    {"libs", F_STRING, false},
    {"languages", F_TABLE, false},
    {"deadline", F_NUMBER, false},
    {"helpers", F_TABLE, false},
    {"allow", F_STRING, false},
};

static const field check_fields[] = {
    {"name", F_STRING, false},  {"title", F_STRING, true},
    {"points", F_NUMBER, true}, {"depends", F_STRING | F_TABLE, false},
    {"hint", F_STRING, false},  {"hints", F_TABLE, false},
    {"run", F_FUNCTION, true},
};

static const char *type_words(int types)
{
    if (types == F_STRING) return "a string";
    if (types == F_NUMBER) return "a number";
    if (types == F_FUNCTION) return "a function";
    if (types == F_TABLE) return "a table";
    if (types == (F_STRING | F_FALSE)) return "a string or false";
    if (types == (F_STRING | F_TABLE)) return "a string or a list of strings";
    return "something else";
}

static bool type_ok(lua_State *L, int idx, int types)
{
    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
        return types & F_STRING;
    case LUA_TNUMBER:
        return types & F_NUMBER;
    case LUA_TFUNCTION:
        return types & F_FUNCTION;
    case LUA_TTABLE:
        return types & F_TABLE;
    case LUA_TBOOLEAN:
        return (types & F_BOOL) || ((types & F_FALSE) && !lua_toboolean(L, idx));
    default:
        return false;
    }
}

/* Rejects unknown fields, wrong types and missing required fields of the table
 * at idx, declared at `line` by `what`. */
static void fields_check(lua_State *L, int idx, const field *fs, size_t n, int line,
                         const char *what)
{
    spec *s = spec_of(L);
    const char *names[16];
    for (size_t i = 0; i < n; i++) names[i] = fs[i].name;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            if (lua_type(L, -2) == LUA_TNUMBER)
                raise_at(L, line, "%s: a value without a name; write 'name = value'",
                         what);
            raise_at(L, line, "%s: field names must be strings", what);
        }
        const char *k = lua_tostring(L, -2);
        const field *f = NULL;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(fs[i].name, k)) f = &fs[i];
        if (!f) {
            const char *hint = suggest(k, names, n);
            raise_at(L, field_line(s, line, k), "%s: unknown field '%s'%s", what, k,
                     hint);
        }
        if (!type_ok(L, -1, f->types))
            raise_at(L, field_line(s, line, k), "%s: field '%s' must be %s, not %s", what,
                     k, type_words(f->types), luaL_typename(L, -1));
        lua_pop(L, 1);
    }
    for (size_t i = 0; i < n; i++) {
        if (!fs[i].required) continue;
        if (lua_getfield(L, idx, fs[i].name) == LUA_TNIL)
            raise_at(L, line, "%s: the field '%s' is required", what, fs[i].name);
        lua_pop(L, 1);
    }
}

static char *opt_string(lua_State *L, int idx, const char *key, const char *dflt)
{
    char *v = NULL;
    if (lua_getfield(L, idx, key) == LUA_TSTRING)
        v = xstrdup(lua_tostring(L, -1));
    else if (lua_isnil(L, -1) && dflt)
        v = xstrdup(dflt);
    lua_pop(L, 1);
    return v;
}

/* Reads exercise{}'s `languages` (a list of tags such as "en", "pt-BR"). */
static void read_languages(lua_State *L, spec *s, int line)
{
    spec_exercise *e = &s->ex;
    if (lua_getfield(L, 1, "languages") != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    int at = field_line(s, line, "languages");
    size_t n = lua_rawlen(L, -1);
    if (n > 16) raise_at(L, at, "exercise: languages lists at most 16 languages");
    e->languages = xmalloc(sizeof *e->languages * (n + 1));
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i);
        const char *tag = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        bool ok = tag && *tag && strlen(tag) < 16;
        for (const char *p = tag; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-' ||
                 *p == '_';
        if (!ok)
            raise_at(L, at,
                     "exercise: languages must list language tags such as \"en\" or "
                     "\"pt-BR\"");
        e->languages[e->nlanguages++] = xstrdup(tag);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* Reads exercise{}'s `helpers` (names in the helper table, helper.h). */
static void read_helpers(lua_State *L, spec *s, int line)
{
    spec_exercise *e = &s->ex;
    if (lua_getfield(L, 1, "helpers") != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    int at = field_line(s, line, "helpers");
    size_t n = lua_rawlen(L, -1), known = 0;
    const helper_info *all = helper_all(&known);
    if (n > known)
        raise_at(L, at, "exercise: helpers lists %zu helpers, there are %zu", n, known);
    e->helpers = xmalloc(sizeof *e->helpers * (n + 1));
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i);
        const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (!helper_lookup(name))
            raise_at(L, at,
                     "exercise: helpers: '%s' is not a helper (the grader has \"%s\")",
                     name ? name : "?", all[0].name);
        e->helpers[e->nhelpers++] = xstrdup(name);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static int api_exercise(lua_State *L)
{
    spec *s = spec_of(L);
    int line = caller_line(L);
    if (!s->loading) raise_at(L, 0, "exercise{} may only be used at the top of the spec");
    if (lua_type(L, 1) != LUA_TTABLE)
        raise_at(L, line,
                 "exercise expects a table: exercise { name = ..., title = ... }");
    if (s->have_exercise)
        raise_at(L, line, "exercise{} is declared twice (first at line %d)", s->ex.line);
    fields_check(L, 1, exercise_fields, ARRAY_LEN(exercise_fields), line, "exercise");
    spec_exercise *e = &s->ex;
    e->line = line;
    e->name = opt_string(L, 1, "name", NULL);
    if (!str_is_ident(e->name))
        raise_at(L, field_line(s, line, "name"),
                 "exercise: '%s' is not a valid name (letters, digits, '-' and '_')",
                 e->name);
    e->title = opt_string(L, 1, "title", NULL);
    char *dflt = xasprintf("%s.c", e->name);
    e->source = opt_string(L, 1, "source", dflt);
    free(dflt);
    dflt = xasprintf("%s.h", e->name);
    e->header = opt_string(L, 1, "header", dflt);
    free(dflt);
    e->driver = opt_string(L, 1, "driver", "driver.c");
    e->cflags = opt_string(L, 1, "cflags", NULL);
    e->libs = opt_string(L, 1, "libs", NULL);
    e->allow = opt_string(L, 1, "allow", NULL);
    e->timeout_ms = 10000;
    if (lua_getfield(L, 1, "timeout") == LUA_TNUMBER) {
        double t = lua_tonumber(L, -1);
        if (!(t > 0 && t <= 600))
            raise_at(L, field_line(s, line, "timeout"),
                     "exercise: timeout must be between 0 and 600 seconds");
        e->timeout_ms = (int64_t)(t * 1000);
    }
    lua_pop(L, 1);
    read_languages(L, s, line);
    read_helpers(L, s, line);
    e->deadline_ms = SPEC_DEADLINE_DEFAULT_S * 1000;
    if (lua_getfield(L, 1, "deadline") == LUA_TNUMBER) {
        double d = lua_tonumber(L, -1);
        if (!(d >= SPEC_DEADLINE_MIN_S && d <= SPEC_DEADLINE_MAX_S))
            raise_at(L, field_line(s, line, "deadline"),
                     "exercise: deadline (the whole grading's, in seconds) must be "
                     "between %d and %d",
                     SPEC_DEADLINE_MIN_S, SPEC_DEADLINE_MAX_S);
        e->deadline_ms = (int64_t)(d * 1000);
    }
    lua_pop(L, 1);
    s->have_exercise = true;
    return 0;
}

/* Reads `depends` (a name or a list of names) of the table at idx into c. */
static void read_depends(lua_State *L, int idx, spec_check *c, int line)
{
    int t = lua_getfield(L, idx, "depends");
    if (t == LUA_TSTRING) {
        c->deps = xmalloc(sizeof *c->deps);
        c->deps[c->ndeps++] = xstrdup(lua_tostring(L, -1));
    } else if (t == LUA_TTABLE) {
        size_t n = lua_rawlen(L, -1);
        c->deps = xmalloc(sizeof *c->deps * (n + 1));
        for (size_t i = 1; i <= n; i++) {
            if (lua_rawgeti(L, -1, (lua_Integer)i) != LUA_TSTRING)
                raise_at(L, field_line(spec_of(L), line, "depends"),
                         "check '%s': depends must list check names (strings)", c->name);
            c->deps[c->ndeps++] = xstrdup(lua_tostring(L, -1));
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

/* Validates hints = { ["data-race"] = "..." } against the kinds vocabulary. */
static void read_hints(lua_State *L, int idx, const char *name, int line)
{
    if (lua_getfield(L, idx, "hints") == LUA_TTABLE) {
        size_t nk;
        const kind_info *ks = kind_all(&nk);
        const char *names[64];
        for (size_t i = 0; i < nk && i < 64; i++) names[i] = ks[i].name;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
            if (!kind_lookup(k)) {
                const char *hint = suggest(k, names, nk);
                raise_at(L, field_line(spec_of(L), line, "hints"),
                         "check '%s': hints: '%s' is not a finding kind%s", name, k,
                         hint);
            }
            if (lua_type(L, -1) != LUA_TSTRING)
                raise_at(L, field_line(spec_of(L), line, "hints"),
                         "check '%s': hints: the hint for '%s' must be a string", name,
                         k);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

/* check(name)(table) and check(table): declares a check. */
static int check_define(lua_State *L, const char *name, int idx, int line)
{
    spec *s = spec_of(L);
    if (!s->loading) raise_at(L, 0, "check{} may only be used at the top of the spec");
    if (lua_type(L, idx) != LUA_TTABLE)
        raise_at(L, line,
                 "check '%s' expects a table: check \"%s\" { title = ..., points = ..., "
                 "run = function(t) ... end }",
                 name, name);
    /* a Lua string: fields_check may raise, and Lua frees what it owns */
    const char *what = lua_pushfstring(L, "check '%s'", name);
    fields_check(L, idx, check_fields, ARRAY_LEN(check_fields), line, what);
    lua_pop(L, 1);
    if (!str_is_ident(name))
        raise_at(L, line, "'%s' is not a valid check name (letters, digits, '-' and '_')",
                 name);
    for (size_t i = 0; i < s->checks.len; i++)
        if (!strcmp(s->checks.items[i].name, name))
            raise_at(L, line, "check '%s' is declared twice (first at line %d)", name,
                     s->checks.items[i].line);
    spec_check *c = VEC_PUSH(&s->checks);
    c->name = xstrdup(name);
    c->line = line;
    c->title = opt_string(L, idx, "title", NULL);
    c->hint = opt_string(L, idx, "hint", NULL);
    lua_getfield(L, idx, "points");
    c->points = lua_tonumber(L, -1);
    lua_pop(L, 1);
    if (!(c->points >= 0 && c->points <= 1000))
        raise_at(L, field_line(s, line, "points"),
                 "check '%s': points must be between 0 and 1000", name);
    read_depends(L, idx, c, line);
    read_hints(L, idx, name, line);
    /* keep the table: registry.checks[i] */
    lua_getfield(L, LUA_REGISTRYINDEX, "grader.checks");
    lua_pushvalue(L, idx);
    lua_rawseti(L, -2, (lua_Integer)s->checks.len);
    lua_pop(L, 1);
    return 0;
}

static int check_curried(lua_State *L)
{
    const char *name = lua_tostring(L, lua_upvalueindex(1));
    return check_define(L, name, 1, caller_line(L));
}

static int api_check(lua_State *L)
{
    int line = caller_line(L);
    if (lua_type(L, 1) == LUA_TSTRING) {
        lua_pushvalue(L, 1);
        lua_pushcclosure(L, check_curried, 1);
        return 1;
    }
    if (lua_type(L, 1) == LUA_TTABLE) {
        if (lua_getfield(L, 1, "name") != LUA_TSTRING)
            raise_at(L, line,
                     "check{...} needs a name: check \"name\" { ... } or check { name = "
                     "\"...\", ... }");
        check_define(L, lua_tostring(L, -1), 1, line); /* the name stays on the stack */
        lua_pop(L, 1);
        return 0;
    }
    return raise_at(L, line, "check expects a name: check \"name\" { ... }");
}

/* --- validation after loading ---------------------------------------------------- */

static char *deps_validate(spec *s)
{
    size_t n = s->checks.len;
    const char **names = xmalloc(sizeof *names * (n + 1));
    for (size_t i = 0; i < n; i++) names[i] = s->checks.items[i].name;
    char *err = NULL;
    for (size_t i = 0; i < n && !err; i++) {
        spec_check *c = &s->checks.items[i];
        for (size_t d = 0; d < c->ndeps && !err; d++) {
            if (spec_check_find(s, c->deps[d]) >= 0) continue;
            const char *hint = suggest(c->deps[d], names, n);
            err = xasprintf("%s:%d: check '%s' depends on '%s', which is not a check%s",
                            s->display, field_line(s, c->line, "depends"), c->name,
                            c->deps[d], hint);
        }
    }
    /* cycles: depth-first search with colours */
    int *colour = xmalloc(sizeof *colour * (n + 1));
    size_t *path_stack = xmalloc(sizeof *path_stack * (n + 1)),
           *next = xmalloc(sizeof *next * (n + 1));
    for (size_t root = 0; root < n && !err; root++) {
        if (colour[root]) continue;
        size_t sp = 0;
        path_stack[sp] = root;
        next[sp] = 0;
        colour[root] = 1;
        sp++;
        while (sp && !err) {
            size_t v = path_stack[sp - 1];
            spec_check *c = &s->checks.items[v];
            if (next[sp - 1] >= c->ndeps) {
                colour[v] = 2;
                sp--;
                continue;
            }
            size_t w = (size_t)spec_check_find(s, c->deps[next[sp - 1]++]);
            if (colour[w] == 1) {
                sbuf path = {0};
                size_t from = 0;
                while (path_stack[from] != w) from++;
                for (size_t k = from; k < sp; k++)
                    sbuf_printf(&path, "%s -> ", s->checks.items[path_stack[k]].name);
                sbuf_puts(&path, s->checks.items[w].name);
                err = xasprintf(
                    "%s:%d: checks depend on each other in a cycle: %s", s->display,
                    field_line(s, s->checks.items[w].line, "depends"), path.data);
                sbuf_free(&path);
            } else if (!colour[w]) {
                colour[w] = 1;
                path_stack[sp] = w;
                next[sp] = 0;
                sp++;
            }
        }
    }
    free(colour);
    free(path_stack);
    free(next);
    free(names);
    return err;
}

/* --- the spec library: helpers every spec may call (docs/spec-api.md) --- */

static const char prelude[] =
    "function schedules(t, n, depth, ...)\n"
    "  local args = { ... }\n"
    "  local opts = type(args[#args]) == 'table' and table.remove(args) or {}\n"
    "  local function with(seed, mode)\n"
    "    local run, stress = { table.unpack(args) }, {}\n"
    "    for k, v in pairs(opts) do run[k] = v end\n"
    "    for k, v in pairs(opts.stress or {}) do stress[k] = v end\n"
    "    stress.mode, stress.depth = mode, mode == 'pct' and depth or nil\n"
    "    run.seed, run.stress = seed, stress\n"
    "    return run\n"
    "  end\n"
    "  for seed in t:seeds(n) do\n"
    "    local r = t:run(with(seed, 'pct'))\n"
    "    if r.timed_out then\n"
    "      t:log('schedule ' .. seed .. ' could not go on; running without a schedule')\n"
    "      t:run(with(seed, 'observe')):assert_ok()\n"
    "      return\n"
    "    end\n"
    "    r:assert_ok()\n"
    "  end\n"
    "end\n"
    "function race_free(r)\n"
    "  r:assert_no('data-race')\n"
    "  r:assert_no('mutex-misuse')\n"
    "  if r.tool == 'tsan' then r:assert_no('lock-order-inversion') end\n"
    "end\n";

/* Defines the library's functions in the environment at env_idx (run with
 * message handler h). Returns a Lua status. */
static int prelude_run(lua_State *L, int env_idx, int h)
{
    int st = luaL_loadbufferx(L, prelude, sizeof prelude - 1, "=grader library", "t");
    if (st != LUA_OK) return st;
    lua_pushvalue(L, env_idx);
    lua_setupvalue(L, -2, 1);
    return lua_pcall(L, 0, 0, h);
}

/* --- loading ---------------------------------------------------------------------- */

int msgh(lua_State *L)
{
    if (lua_touserdata(L, 1) == &spec_failure) return 1;
    const char *msg = lua_tostring(L, 1);
    if (!msg)
        msg = lua_pushfstring(L, "(an error object of type %s)", luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* The first line of a message with traceback (the "FILE:LINE: msg" part). */
static char *first_line(const char *s)
{
    const char *nl = strstr(s, "\nstack traceback:");
    return nl ? xstrndup(s, (size_t)(nl - s)) : xstrdup(s);
}

/* The message of a failed protected call, with a position when Lua had none. */
char *error_text(spec *s, int status, const char *msg)
{
    if (status == LUA_ERRMEM)
        return xasprintf("%s:%d: the spec used more than %u MiB of memory", s->display,
                         s->last_line, MEM_LIMIT >> 20);
    char *line = first_line(msg ? msg : "unknown error");
    if (!strstr(line, s->display)) {
        char *with = xasprintf("%s:%d: %s", s->display, s->last_line, line);
        free(line);
        return with;
    }
    return line;
}

spec *spec_load(const char *path, const char *display, char **err)
{
    spec *s = xmalloc(sizeof *s);
    s->display = xstrdup(display ? display : path);
    char *folder = path_dirname(path);
    s->domain = xstrdup(i18n_exercise_domain(path_base(folder)));
    free(folder);
    size_t len;
    s->text = file_read(path, &len);
    if (!s->text) {
        *err = xasprintf("%s: cannot read the spec", s->display);
        spec_free(s);
        return NULL;
    }
    if (memchr(s->text, 0, len) || (len && s->text[0] == 0x1b)) {
        *err = xasprintf("%s:1: the spec must be Lua source text", s->display);
        spec_free(s);
        return NULL;
    }
    s->L = lua_newstate(sandbox_alloc, s);
    if (!s->L) {
        *err = xasprintf("%s: cannot create a Lua state", s->display);
        spec_free(s);
        return NULL;
    }
    lua_State *L = s->L;
    *(spec **)lua_getextraspace(L) = s;
    lua_atpanic(L, sandbox_panic);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "grader.checks");

    s->loading = true;
    s->budget = LOAD_BUDGET;
    lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, TICK);
    lua_pushcfunction(L, msgh);
    int h = lua_gettop(L);
    char *chunk = xasprintf("@%s", s->display);
    int st = luaL_loadbufferx(L, s->text, len, chunk, "t");
    free(chunk);
    if (st == LUA_OK) {
        env_push(L);
        st = prelude_run(L, lua_gettop(L), h);
        if (st == LUA_OK) {
            lua_setupvalue(L, -2, 1); /* _ENV */
            st = lua_pcall(L, 0, 0, h);
        }
    }
    if (st != LUA_OK) {
        *err = error_text(s, st, lua_tostring(L, -1));
        spec_free(s);
        return NULL;
    }
    lua_settop(L, 0);
    s->loading = false;
    if (!s->have_exercise)
        *err =
            xasprintf("%s:1: the spec must declare exercise { name = ..., title = ... }",
                      s->display);
    else if (!s->checks.len)
        *err = xasprintf("%s:%d: the spec declares no check", s->display, s->ex.line);
    else
        *err = deps_validate(s);
    if (*err) {
        spec_free(s);
        return NULL;
    }
    return s;
}

void spec_free(spec *s)
{
    if (!s) return;
    if (s->L) lua_close(s->L);
    spec_exercise *e = &s->ex;
    free(e->name);
    free(e->title);
    free(e->source);
    free(e->header);
    free(e->driver);
    free(e->cflags);
    free(e->libs);
    strv_free(e->languages, e->nlanguages);
    strv_free(e->helpers, e->nhelpers);
    free(s->domain);
    free(e->allow);
    for (size_t i = 0; i < s->checks.len; i++) {
        spec_check *c = &s->checks.items[i];
        free(c->name);
        free(c->title);
        free(c->hint);
        for (size_t d = 0; d < c->ndeps; d++) free(c->deps[d]);
        free(c->deps);
    }
    free(s->checks.items);
    free(s->display);
    free(s->text);
    free(s->dead_msg);
    free(s);
}

const spec_exercise *spec_exercise_get(const spec *s)
{
    return &s->ex;
}

size_t spec_check_count(const spec *s)
{
    return s->checks.len;
}

const spec_check *spec_check_get(const spec *s, size_t i)
{
    return i < s->checks.len ? &s->checks.items[i] : NULL;
}

int spec_check_find(const spec *s, const char *name)
{
    for (size_t i = 0; i < s->checks.len; i++)
        if (!strcmp(s->checks.items[i].name, name)) return (int)i;
    return -1;
}

/* --- the strings _() translates ------------------------------------------------------
 */

const char *spec_domain(const spec *s)
{
    return s->domain;
}

/* Length of the long bracket "[==[" at p (its level in *level), or 0. */
static size_t long_open(const char *p, int *level)
{
    if (*p != '[') return 0;
    size_t k = 1;
    while (p[k] == '=') k++;
    if (p[k] != '[') return 0;
    *level = (int)k - 1;
    return k + 1;
}

/* Reads the Lua string literal at *pp into b (escapes decoded), counting
 * newlines into *line; false when *pp is no literal. */
static bool lua_literal(const char **pp, int *line, sbuf *b)
{
    const char *p = *pp;
    int level;
    size_t open = long_open(p, &level);
    if (open) {
        p += open;
        if (*p == '\n') p++, (*line)++;
        for (; *p; p++) {
            if (*p == ']' && !strncmp(p + 1, "==========", (size_t)level) &&
                p[level + 1] == ']') {
                *pp = p + level + 2;
                return true;
            }
            if (*p == '\n') (*line)++;
            sbuf_putc(b, *p);
        }
        *pp = p;
        return true;
    }
    if (*p != '"' && *p != '\'') return false;
    char q = *p++;
    for (; *p && *p != q && *p != '\n'; p++) {
        if (*p != '\\') {
            sbuf_putc(b, *p);
            continue;
        }
        p++;
        switch (*p) {
        case 'n':
            sbuf_putc(b, '\n');
            break;
        case 't':
            sbuf_putc(b, '\t');
            break;
        case 'r':
            sbuf_putc(b, '\r');
            break;
        case '\n':
            sbuf_putc(b, '\n'), (*line)++;
            break;
        case 'z':
            while (isspace((unsigned char)p[1])) *line += p[1] == '\n', p++;
            break;
        case 0:
            p--;
            break;
        default:
            sbuf_putc(b, *p);
            break;
        }
    }
    *pp = *p == q ? p + 1 : p;
    return true;
}

/* Skips spaces, newlines and comments at *pp. */
static void lua_skip(const char **pp, int *line)
{
    const char *p = *pp;
    for (;;) {
        if (*p == '\n')
            (*line)++, p++;
        else if (isspace((unsigned char)*p))
            p++;
        else if (p[0] == '-' && p[1] == '-') {
            int level;
            p += 2;
            if (long_open(p, &level)) {
                sbuf junk = {0};
                lua_literal(&p, line, &junk);
                sbuf_free(&junk);
            } else {
                while (*p && *p != '\n') p++;
            }
        } else
            break;
    }
    *pp = p;
}

/* At "_(" p: the literal (joined with ..) up to ")" into b; false when the
 * argument is not literals only. */
static bool translated_literal(const char **pp, int *line, sbuf *b)
{
    const char *p = *pp + 2;
    for (;;) {
        lua_skip(&p, line);
        if (!lua_literal(&p, line, b)) return false;
        lua_skip(&p, line);
        if (p[0] != '.' || p[1] != '.') break;
        p += 2;
    }
    *pp = p;
    return *p == ')';
}

spec_string *spec_strings(const spec *s, size_t *n)
{
    struct {
        spec_string *items;
        size_t len, cap;
    } v = {0};
    int line = 1;
    const char *p = s->text;
    while (p && *p) {
        int at = line;
        sbuf b = {0};
        bool word = p > s->text && (isalnum((unsigned char)p[-1]) || p[-1] == '_' ||
                                    p[-1] == '.' || p[-1] == ':');
        if (p[0] == '_' && p[1] == '(' && !word) {
            const char *q = p;
            if (translated_literal(&q, &line, &b) && b.len) {
                spec_string *x = VEC_PUSH(&v);
                x->text = sbuf_take(&b);
                x->line = at;
            }
            p = q > p ? q : p + 1;
        } else if (*p == '"' || *p == '\'' || (*p == '[' && long_open(p, &(int){0}))) {
            lua_literal(&p, &line, &b);
        } else if (*p == '-' && p[1] == '-') {
            lua_skip(&p, &line);
        } else {
            line += *p == '\n';
            p++;
        }
        sbuf_free(&b);
    }
    *n = v.len;
    return v.items;
}

void spec_strings_free(spec_string *v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i].text);
    free(v);
}
