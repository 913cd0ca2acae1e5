/* spec_check.c - running one check: the check object `t` and run results `r`.
 *
 *   check "concurrent" {
 *     title = "All n threads are alive at the same time", points = 15,
 *     run = function(t)
 *       local r = t:run("concurrent", 8)          -- or t:run{"concurrent", 8, tool =
 * "tsan"} r:assert_ok()                              -- stops the check on any problem
 *       t:expect_eq(r.out.most, "8", "all 8 calls should meet")
 *     end,
 *   }
 *
 * assert_* record a failure and end the check; expect_* record it and go on.
 * Both are sticky: a pcall in the spec cannot undo a failure. */
#include "spec_internal.h"
#include "i18n.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char RUN_KEY = 0; /* hidden key of a run result: its run index */

static check_ctx *ctx_of(lua_State *L)
{
    check_ctx *cx = spec_of(L)->cx;
    if (!cx) raise_at(L, 0, "this can only be used while a check runs");
    return cx;
}

/* --- failures --------------------------------------------------------------- */

/* Records a failure: the first one gives the check its message and hint. */
static void fail_record(check_ctx *cx, const char *msg, const char *hint,
                        const findings *attach)
{
    if (!cx->failed) {
        cx->message = text_clean(xstrdup(msg));
        cx->hint = text_clean(xstrdup(hint));
        if (attach && attach->len) {
            cx->kind = xstrdup(attach->items[0].kind);
            cx->driver_kind = !strcmp(attach->items[0].tool, "driver");
            cx->located = attach->items[0].file && attach->items[0].line > 0;
        }
    } else {
        cx->more++;
    }
    cx->failed = true;
    if (attach) findings_copy(&cx->found, attach);
}

static int stop(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&spec_failure);
    return lua_error(L);
}

/* Optional string argument, NULL when absent or nil. */
static const char *opt_str(lua_State *L, int idx)
{
    return lua_isnoneornil(L, idx) ? NULL : luaL_checkstring(L, idx);
}

/* --- run results `r` ------------------------------------------------------------- */

static const char *const run_fields[] = {
    "ok",     "exit", "signal",   "timed_out", "stdout", "stderr", "duration_ms",
    "cpu_ms", "out",  "findings", "tool",      "seed",   "done",   "trace",
};
static const char *const run_methods[] = {
    "assert_ok",   "expect_ok", "assert_no", "expect_no", "assert_exit",
    "expect_exit", "has",       "num",       "summary",   "lines",
};

/* The run behind the result table at idx. */
static run_output *run_of(lua_State *L, int idx, check_ctx *cx)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_rawgetp(L, idx, &RUN_KEY);
    lua_Integer i = lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (i < 1 || (size_t)i > cx->runs.len)
        raise_at(L, 0, "expected a run result (from t:run)");
    return &cx->runs.items[i - 1];
}

static bool run_ok(const run_output *o)
{
    return !o->proc.timed_out && !o->proc.signal && o->proc.exit_code == 0 &&
           !o->parsed.found.len;
}

/* "Title: message", or the message alone when it already starts with the
 * kind's title ("Deadlock: T1 waits..."): the kind is said once (caller
 * frees). */
static char *kind_message(const char *title, const char *message)
{
    size_t n = strlen(title);
    if (!strncasecmp(message, title, n) && message[n] == ':') return xstrdup(message);
    return xasprintf("%s: %s", title, message);
}

/* One sentence saying what went wrong in a run (caller frees). */
static char *run_summary(const run_output *o)
{
    const findings *fs = &o->parsed.found;
    if (fs->len) {
        const finding *f = &fs->items[0];
        const kind_info *k = kind_lookup(f->kind);
        sbuf b = {0};
        char *said = kind_message(k ? k->title : f->kind, f->message);
        sbuf_puts(&b, said);
        free(said);
        if (f->file && f->line > 0) {
            char *at = xasprintf("%s:%d", f->file, f->line);
            if (!strstr(f->message, at)) sbuf_printf(&b, " (%s)", at);
            free(at);
        }
        if (fs->len > 1)
            sbuf_printf(&b,
                        ngettext("; and %zu more finding", "; and %zu more findings",
                                 fs->len - 1),
                        fs->len - 1);
        return sbuf_take(&b);
    }
    if (o->proc.hung)
        return xstrdup(
            _("the program could never finish: every thread waited for another"));
    if (o->proc.timed_out)
        return xasprintf(_("the program did not finish within %.0f s"),
                         (double)o->timeout_ms / 1000);
    if (o->proc.signal)
        return xasprintf(_("the program was killed by signal %d"), o->proc.signal);
    if (o->proc.exit_code)
        return xasprintf(_("the program exited with status %d"), o->proc.exit_code);
    return xstrdup(_("the run went well"));
}

static int r_index(lua_State *L)
{
    const char *key = lua_tostring(L, 2);
    for (size_t i = 0; key && i < ARRAY_LEN(run_fields); i++)
        if (!strcmp(key, run_fields[i])) return 0; /* a known field that is nil */
    lua_getmetatable(L, 1);
    if (key && lua_getfield(L, -1, key) == LUA_TFUNCTION) return 1;
    const char *names[ARRAY_LEN(run_fields) + ARRAY_LEN(run_methods)];
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_LEN(run_fields); i++) names[n++] = run_fields[i];
    for (size_t i = 0; i < ARRAY_LEN(run_methods); i++) names[n++] = run_methods[i];
    const char *hint = suggest(key ? key : "?", names, n);
    raise_at(L, 0, "a run result has no field '%s'%s", key ? key : "?", hint);
}

/* r:assert_ok([msg [, hint]]) / r:expect_ok(...) */
static int r_ok_common(lua_State *L, bool stop_on_fail)
{
    check_ctx *cx = ctx_of(L);
    run_output *o = run_of(L, 1, cx);
    if (run_ok(o)) return 0;
    char *auto_msg = run_summary(o);
    const char *msg = opt_str(L, 2);
    fail_record(cx, msg ? msg : auto_msg, opt_str(L, 3), &o->parsed.found);
    free(auto_msg);
    if (stop_on_fail) return stop(L);
    return 0;
}

static int r_assert_ok(lua_State *L)
{
    return r_ok_common(L, true);
}
static int r_expect_ok(lua_State *L)
{
    return r_ok_common(L, false);
}

static const char *check_kind(lua_State *L, int idx)
{
    const char *kind = luaL_checkstring(L, idx);
    if (!kind_lookup(kind)) {
        size_t nk;
        const kind_info *ks = kind_all(&nk);
        const char **names = xmalloc(sizeof *names * nk);
        for (size_t i = 0; i < nk; i++) names[i] = ks[i].name;
        const char *hint = suggest(kind, names, nk);
        free(names);
        raise_at(L, 0, "'%s' is not a finding kind%s", kind, hint);
    }
    return kind;
}

/* r:assert_no(kind [, msg [, hint]]) / r:expect_no(...) */
static int r_no_common(lua_State *L, bool stop_on_fail)
{
    check_ctx *cx = ctx_of(L);
    run_output *o = run_of(L, 1, cx);
    const char *kind = check_kind(L, 2);
    findings of = {0};
    for (size_t i = 0; i < o->parsed.found.len; i++)
        if (!strcmp(o->parsed.found.items[i].kind, kind)) {
            findings one = {0};
            *VEC_PUSH(&one) = o->parsed.found.items[i];
            findings_copy(&of, &one);
            free(one.items);
        }
    if (!of.len) return 0;
    const kind_info *k = kind_lookup(kind);
    char *auto_msg = kind_message(k->title, of.items[0].message);
    const char *msg = opt_str(L, 3);
    fail_record(cx, msg ? msg : auto_msg, opt_str(L, 4), &of);
    free(auto_msg);
    findings_free(&of);
    if (stop_on_fail) return stop(L);
    return 0;
}

static int r_assert_no(lua_State *L)
{
    return r_no_common(L, true);
}
static int r_expect_no(lua_State *L)
{
    return r_no_common(L, false);
}

/* r:assert_exit(code [, msg [, hint]]) / r:expect_exit(...) */
static int r_exit_common(lua_State *L, bool stop_on_fail)
{
    check_ctx *cx = ctx_of(L);
    run_output *o = run_of(L, 1, cx);
    lua_Integer want = luaL_checkinteger(L, 2);
    if (!o->proc.timed_out && !o->proc.signal && o->proc.exit_code == want) return 0;
    char *auto_msg;
    if (o->proc.timed_out || o->proc.signal)
        auto_msg = run_summary(o);
    else
        auto_msg = xasprintf(_("the program exited with status %d, expected %lld"),
                             o->proc.exit_code, (long long)want);
    const char *msg = opt_str(L, 3);
    fail_record(cx, msg ? msg : auto_msg, opt_str(L, 4), &o->parsed.found);
    free(auto_msg);
    if (stop_on_fail) return stop(L);
    return 0;
}

static int r_assert_exit(lua_State *L)
{
    return r_exit_common(L, true);
}
static int r_expect_exit(lua_State *L)
{
    return r_exit_common(L, false);
}

static int r_has(lua_State *L)
{
    run_output *o = run_of(L, 1, ctx_of(L));
    const char *kind = check_kind(L, 2);
    lua_pushboolean(L, findings_has_kind(&o->parsed.found, kind));
    return 1;
}

static int r_num(lua_State *L)
{
    run_output *o = run_of(L, 1, ctx_of(L));
    const char *v = parse_out_get(&o->parsed, luaL_checkstring(L, 2));
    char *end;
    double d = v ? strtod(v, &end) : 0;
    if (!v || end == v || *end)
        lua_pushnil(L);
    else if (d == floor(d) && fabs(d) < 9e15)
        lua_pushinteger(L, (lua_Integer)d);
    else
        lua_pushnumber(L, d);
    return 1;
}

static int r_summary(lua_State *L)
{
    run_output *o = run_of(L, 1, ctx_of(L));
    char *s = run_summary(o);
    lua_pushstring(L, s);
    free(s);
    return 1;
}

/* r:lines(): stdout as a list of lines, without their "\n" (a last line
 * without one counts too). */
static int r_lines(lua_State *L)
{
    run_output *o = run_of(L, 1, ctx_of(L));
    const char *p = sbuf_str(&o->proc.out), *end = p + o->proc.out.len;
    lua_createtable(L, 0, 0);
    for (lua_Integer i = 1; p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        lua_pushlstring(L, p, n);
        lua_rawseti(L, -2, i);
        p += n + 1;
    }
    return 1;
}

static void push_finding(lua_State *L, const finding *f)
{
    lua_createtable(L, 0, 7);
    lua_pushstring(L, f->kind);
    lua_setfield(L, -2, "kind");
    lua_pushstring(L, f->tool);
    lua_setfield(L, -2, "tool");
    lua_pushstring(L, f->file ? f->file : "");
    lua_setfield(L, -2, "file");
    lua_pushinteger(L, f->line);
    lua_setfield(L, -2, "line");
    lua_pushstring(L, f->function ? f->function : "");
    lua_setfield(L, -2, "function");
    lua_pushstring(L, f->message);
    lua_setfield(L, -2, "message");
    lua_pushinteger(L, f->count);
    lua_setfield(L, -2, "count");
}

/* Pushes the result table of run number idx (1-based). */
static void push_run(lua_State *L, check_ctx *cx, size_t idx, tool_id tool, uint64_t seed)
{
    const run_output *o = &cx->runs.items[idx - 1];
    lua_createtable(L, 0, 16);
    lua_pushinteger(L, (lua_Integer)idx);
    lua_rawsetp(L, -2, &RUN_KEY);
    lua_pushboolean(L, run_ok(o));
    lua_setfield(L, -2, "ok");
    if (!o->proc.timed_out && !o->proc.signal) {
        lua_pushinteger(L, o->proc.exit_code);
        lua_setfield(L, -2, "exit");
    }
    if (o->proc.signal) {
        lua_pushinteger(L, o->proc.signal);
        lua_setfield(L, -2, "signal");
    }
    lua_pushboolean(L, o->proc.timed_out);
    lua_setfield(L, -2, "timed_out");
    lua_pushlstring(L, sbuf_str(&o->proc.out), o->proc.out.len);
    lua_setfield(L, -2, "stdout");
    lua_pushlstring(L, sbuf_str(&o->proc.err), o->proc.err.len);
    lua_setfield(L, -2, "stderr");
    lua_pushinteger(L, o->proc.duration_ms);
    lua_setfield(L, -2, "duration_ms");
    lua_pushnumber(L, o->proc.cpu_ms);
    lua_setfield(L, -2, "cpu_ms");
    lua_pushboolean(L, o->parsed.done);
    lua_setfield(L, -2, "done");
    lua_pushstring(L, tool_name(tool));
    lua_setfield(L, -2, "tool");
    lua_pushinteger(L, (lua_Integer)seed);
    lua_setfield(L, -2, "seed");
    if (o->trace) {
        lua_pushstring(L, o->trace);
        lua_setfield(L, -2, "trace");
    }
    lua_newtable(L);
    for (size_t i = 0; i < o->parsed.outs.len; i++) {
        lua_pushstring(L, o->parsed.outs.items[i].value);
        lua_setfield(L, -2, o->parsed.outs.items[i].key);
    }
    lua_setfield(L, -2, "out");
    lua_createtable(L, (int)o->parsed.found.len, 0);
    for (size_t i = 0; i < o->parsed.found.len; i++) {
        push_finding(L, &o->parsed.found.items[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "findings");
    luaL_setmetatable(L, "grader.run");
}

/* --- t:run ----------------------------------------------------------------------- */

static const char *const run_options[] = {"tool", "timeout", "stdin", "seed", "stress"};
static const char *const stress_options[] = {
    "mode", "depth", "steps", "prob", "fail_create", "fail_fork", "trace", "one_process"};

static void arg_push(lua_State *L, int idx, strv *argv)
{
    int t = lua_type(L, idx);
    if (t == LUA_TNUMBER) {
        if (lua_isinteger(L, idx))
            strv_addf(argv, "%lld", (long long)lua_tointeger(L, idx));
        else
            strv_addf(argv, "%.17g", lua_tonumber(L, idx));
    } else if (t == LUA_TSTRING) {
        strv_add(argv, lua_tostring(L, idx));
    } else {
        raise_at(L, 0, "t:run: arguments must be strings or numbers, not %s",
                 luaL_typename(L, idx));
    }
}

static void unknown_option(lua_State *L, const char *what, const char *key,
                           const char *const *names, size_t n)
{
    const char *hint = suggest(key, names, n);
    raise_at(L, 0, "t:run: unknown %s '%s'%s", what, key, hint);
}

static void read_stress(lua_State *L, int idx, stress_opts *s)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        const char *k = lua_tostring(L, -2);
        bool known = false;
        for (size_t i = 0; k && i < ARRAY_LEN(stress_options); i++)
            known |= !strcmp(k, stress_options[i]);
        if (!known)
            unknown_option(L, "stress option", k ? k : "?", stress_options,
                           ARRAY_LEN(stress_options));
        lua_pop(L, 1);
    }
    lua_getfield(L, idx, "mode");
    const char *mode = lua_tostring(L, -1);
    if (!mode ||
        (strcmp(mode, "random") && strcmp(mode, "pct") && strcmp(mode, "observe")))
        raise_at(L, 0, "t:run: stress.mode must be \"random\", \"pct\" or \"observe\"");
    s->mode = !strcmp(mode, "random") ? "random"
              : !strcmp(mode, "pct")  ? "pct"
                                      : "observe";
    lua_pop(L, 1);
    lua_getfield(L, idx, "depth");
    s->depth = (int)luaL_optinteger(L, -1, 0);
    lua_getfield(L, idx, "steps");
    s->steps = (int)luaL_optinteger(L, -1, 0);
    lua_getfield(L, idx, "prob");
    s->prob = (int)luaL_optinteger(L, -1, 0);
    lua_getfield(L, idx, "fail_create");
    s->fail_create = (long)luaL_optinteger(L, -1, 0);
    lua_getfield(L, idx, "fail_fork");
    s->fail_fork = (long)luaL_optinteger(L, -1, 0);
    lua_getfield(L, idx, "trace");
    s->trace = lua_toboolean(L, -1);
    lua_getfield(L, idx, "one_process");
    s->one_process = lua_toboolean(L, -1);
    lua_pop(L, 7);
}

/* Reads the options table at idx into rq. */
static void read_options(lua_State *L, int idx, run_request *rq, const spec *s)
{
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -2);
            bool known = false;
            for (size_t i = 0; i < ARRAY_LEN(run_options); i++)
                known |= !strcmp(k, run_options[i]);
            if (!known)
                unknown_option(L, "option", k, run_options, ARRAY_LEN(run_options));
        }
        lua_pop(L, 1);
    }
    if (lua_getfield(L, idx, "tool") != LUA_TNIL) {
        int t = tool_parse(lua_tostring(L, -1));
        if (t < 0) raise_at(L, 0, "t:run: tool must be %s", tool_names_text());
        rq->tool = (tool_id)t;
    }
    if (lua_getfield(L, idx, "timeout") != LUA_TNIL) {
        double t = luaL_checknumber(L, -1);
        if (!(t > 0 && t <= 600))
            raise_at(L, 0, "t:run: timeout must be between 0 and 600 seconds");
        rq->timeout_ms = (int64_t)(t * 1000);
    }
    if (lua_getfield(L, idx, "stdin") != LUA_TNIL) {
        size_t n;
        const char *d = luaL_checklstring(L, -1, &n);
        rq->stdin_data = d; /* kept alive by the options table during the call */
        rq->stdin_len = n;
    }
    if (lua_getfield(L, idx, "seed") != LUA_TNIL)
        rq->seed = (uint64_t)luaL_checkinteger(L, -1);
    if (lua_getfield(L, idx, "stress") != LUA_TNIL)
        read_stress(L, lua_gettop(L), &rq->stress);
    lua_pop(L, 5);
    (void)s;
}

/* t:run(scenario, args... [, options]) or t:run{scenario, args..., option = ...} */
static int t_run(lua_State *L)
{
    spec *s = spec_of(L);
    check_ctx *cx = ctx_of(L);
    run_request rq = {0};
    rq.tool = TOOL_NATIVE;
    rq.timeout_ms = s->ex.timeout_ms;
    rq.seed = cx->host->seed;
    int top = lua_gettop(L);
    if (top >= 2 && lua_type(L, 2) == LUA_TTABLE) {
        size_t n = lua_rawlen(L, 2);
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(L, 2, (lua_Integer)i);
            arg_push(L, lua_gettop(L), &rq.argv);
            lua_pop(L, 1);
        }
        /* the named fields of the same table are the options */
        lua_newtable(L);
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            if (lua_type(L, -2) == LUA_TSTRING) {
                lua_pushvalue(L, -2);
                lua_insert(L, -2);
                lua_settable(L, -4);
            } else {
                lua_pop(L, 1);
            }
        }
        read_options(L, lua_gettop(L), &rq, s);
    } else {
        int last = top;
        if (top >= 2 && lua_type(L, top) == LUA_TTABLE) {
            read_options(L, top, &rq, s);
            last = top - 1;
        }
        for (int i = 2; i <= last; i++) arg_push(L, i, &rq.argv);
    }
    if (s->ex.driver && rq.argv.len == 0)
        raise_at(L, 0, "t:run: name the driver scenario to run, e.g. t:run(\"basic\")");
    if (rq.stress.mode) cx->used_seed = true;
    if (cx->host->replay) {
        rq.seed = cx->host->seed;
        rq.stress.trace = rq.stress.mode != NULL;
    }
    run_output *o = VEC_PUSH(&cx->runs);
    int rc = cx->host->run(cx->host->ctx, &rq, o);
    strv_clear(&rq.argv);
    /* a run that tampered with what the grader reads back fails its check,
     * whatever the spec looks at */
    for (size_t i = 0; i < o->parsed.found.len; i++) {
        if (strcmp(o->parsed.found.items[i].kind, "tampering")) continue;
        findings one = {.items = &o->parsed.found.items[i], .len = 1};
        fail_record(cx, one.items->message, NULL, &one);
        return stop(L);
    }
    if (rc < 0) {
        cx->machine_error =
            xasprintf(_("a %s run could not happen: %s"), tool_name(rq.tool),
                      o->error ? o->error : _("unknown reason"));
        return stop(L);
    }
    if (rq.stress.mode)
        for (size_t i = 0; i < o->parsed.found.len; i++) {
            o->parsed.found.items[i].has_seed = true;
            o->parsed.found.items[i].seed = rq.seed;
        }
    /* keep the schedule that went wrong; a replay runs every scenario of the
     * check with the one seed, and shows the first whose run went wrong
     * (else its first), never a passing scenario's under another's finding */
    bool found = o->parsed.found.len > 0;
    bool take =
        found ? !cx->schedule_found : cx->host->replay && !cx->schedule.events.len;
    if (o->schedule.events.len && take) {
        trace_free(&cx->schedule);
        cx->schedule_found = found;
        cx->schedule = o->schedule;
        memset(&o->schedule, 0, sizeof o->schedule);
        trace_keep_last(&cx->schedule, cx->host->replay ? 20000 : 256);
    }
    push_run(L, cx, cx->runs.len, rq.tool, rq.seed);
    return 1;
}

/* --- t's matchers ----------------------------------------------------------------------
 */

static int t_cond_common(lua_State *L, bool stop_on_fail)
{
    check_ctx *cx = ctx_of(L);
    luaL_checkany(L, 2);
    if (lua_toboolean(L, 2)) return 0;
    const char *msg = opt_str(L, 3);
    fail_record(cx, msg ? msg : _("a condition of the check does not hold"),
                opt_str(L, 4), NULL);
    if (stop_on_fail) return stop(L);
    return 0;
}

static int t_assert(lua_State *L)
{
    return t_cond_common(L, true);
}
static int t_expect(lua_State *L)
{
    return t_cond_common(L, false);
}

static int t_eq_common(lua_State *L, bool stop_on_fail)
{
    check_ctx *cx = ctx_of(L);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    bool eq = lua_compare(L, 2, 3, LUA_OPEQ);
    if (!eq && lua_type(L, 2) != lua_type(L, 3)) {
        /* "8" and 8 are equal here: driver outputs are strings */
        const char *a = luaL_tolstring(L, 2, NULL), *b = luaL_tolstring(L, 3, NULL);
        eq = !strcmp(a, b);
        lua_pop(L, 2);
    }
    if (eq) return 0;
    const char *actual = luaL_tolstring(L, 2, NULL);
    const char *expected = luaL_tolstring(L, 3, NULL);
    const char *msg = opt_str(L, 4);
    char *full = msg ? xasprintf(_("%s (expected %s, got %s)"), msg, expected, actual)
                     : xasprintf(_("expected %s, got %s"), expected, actual);
    fail_record(cx, full, opt_str(L, 5), NULL);
    free(full);
    if (stop_on_fail) return stop(L);
    return 0;
}

static int t_assert_eq(lua_State *L)
{
    return t_eq_common(L, true);
}
static int t_expect_eq(lua_State *L)
{
    return t_eq_common(L, false);
}

static int t_fail(lua_State *L)
{
    fail_record(ctx_of(L), luaL_checkstring(L, 2), opt_str(L, 3), NULL);
    return stop(L);
}

static int t_note(lua_State *L)
{
    check_ctx *cx = ctx_of(L);
    if (cx->notes.len) sbuf_putc(&cx->notes, '\n');
    sbuf_puts(&cx->notes, luaL_checkstring(L, 2));
    return 0;
}

/* t:finding{kind = ..., message = ..., file = ..., line = ...}: adds a finding
 * to the check without failing it by itself. */
static int t_finding(lua_State *L)
{
    check_ctx *cx = ctx_of(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_getfield(L, 2, "kind");
    const char *kind = check_kind(L, lua_gettop(L));
    lua_getfield(L, 2, "message");
    findings one = {0};
    finding *f = findings_add(&one, kind, "driver", luaL_optstring(L, -1, ""));
    lua_getfield(L, 2, "file");
    if (lua_isstring(L, -1)) f->file = xstrdup(lua_tostring(L, -1));
    lua_getfield(L, 2, "line");
    f->line = (int)luaL_optinteger(L, -1, 0);
    lua_pop(L, 4);
    findings_merge(&cx->found, &one);
    return 0;
}

/* t:seeds(n): an iterator over n seeds derived from the check's seed. */
static int seeds_next(lua_State *L)
{
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(2)) + 1;
    lua_Integer n = lua_tointeger(L, lua_upvalueindex(3));
    if (i > n) return 0;
    lua_pushinteger(L, i);
    lua_replace(L, lua_upvalueindex(2));
    uint64_t base = (uint64_t)lua_tointeger(L, lua_upvalueindex(1));
    bool replay = lua_toboolean(L, lua_upvalueindex(4));
    /* a replay runs exactly the one schedule it was given */
    lua_pushinteger(L, replay ? (lua_Integer)base
                              : (lua_Integer)(hash_mix(base + (uint64_t)i) >> 33));
    return 1;
}

static int t_seeds(lua_State *L)
{
    check_ctx *cx = ctx_of(L);
    lua_Integer n = luaL_checkinteger(L, 2);
    if (n < 0 || n > 100000) raise_at(L, 0, "t:seeds: n must be between 0 and 100000");
    cx->used_seed = true;
    lua_pushinteger(L, (lua_Integer)cx->host->seed);
    lua_pushinteger(L, 0);
    lua_pushinteger(L, cx->host->replay && n > 1 ? 1 : n);
    lua_pushboolean(L, cx->host->replay);
    lua_pushcclosure(L, seeds_next, 4);
    return 1;
}

static int t_log(lua_State *L)
{
    check_ctx *cx = ctx_of(L);
    if (!cx->host->verbose) return 0;
    fprintf(stderr, "spec:");
    for (int i = 2; i <= lua_gettop(L); i++)
        fprintf(stderr, " %s", luaL_tolstring(L, i, NULL));
    fprintf(stderr, "\n");
    return 0;
}

static const luaL_Reg t_methods[] = {
    {"run", t_run},
    {"assert", t_assert},
    {"expect", t_expect},
    {"assert_eq", t_assert_eq},
    {"expect_eq", t_expect_eq},
    {"fail", t_fail},
    {"note", t_note},
    {"finding", t_finding},
    {"seeds", t_seeds},
    {"log", t_log},
    {NULL, NULL},
};

static const luaL_Reg r_methods[] = {
    {"assert_ok", r_assert_ok},
    {"expect_ok", r_expect_ok},
    {"assert_no", r_assert_no},
    {"expect_no", r_expect_no},
    {"assert_exit", r_assert_exit},
    {"expect_exit", r_expect_exit},
    {"has", r_has},
    {"num", r_num},
    {"summary", r_summary},
    {"lines", r_lines},
    {"__index", r_index},
    {NULL, NULL},
};

static int t_index(lua_State *L)
{
    check_ctx *cx = ctx_of(L);
    spec *s = spec_of(L);
    const char *key = lua_tostring(L, 2);
    const spec_check *c = &s->checks.items[cx->index];
    if (key && !strcmp(key, "name")) {
        lua_pushstring(L, c->name);
        return 1;
    }
    if (key && !strcmp(key, "title")) {
        lua_pushstring(L, c->title);
        return 1;
    }
    if (key && !strcmp(key, "seed")) {
        cx->used_seed = true;
        lua_pushinteger(L, (lua_Integer)cx->host->seed);
        return 1;
    }
    for (const luaL_Reg *m = t_methods; m->name; m++)
        if (key && !strcmp(key, m->name)) {
            lua_pushcfunction(L, m->func);
            return 1;
        }
    const char *names[3 + ARRAY_LEN(t_methods)] = {"name", "title", "seed"};
    size_t n = 3;
    for (const luaL_Reg *m = t_methods; m->name; m++) names[n++] = m->name;
    const char *hint = suggest(key ? key : "?", names, n);
    raise_at(L, 0, "the check object has no field '%s'%s", key ? key : "?", hint);
}

static int t_newindex(lua_State *L)
{
    return raise_at(L, 0, "the check object is read-only");
}

/* --- running a check -----------------------------------------------------------------
 */

static void metatables_init(lua_State *L)
{
    if (luaL_newmetatable(L, "grader.run")) luaL_setfuncs(L, r_methods, 0);
    lua_pop(L, 1);
    if (luaL_newmetatable(L, "grader.check")) {
        lua_pushcfunction(L, t_index);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, t_newindex);
        lua_setfield(L, -2, "__newindex");
    }
    lua_pop(L, 1);
}

/* The hint a student sees: the failing assert's, else the check's hint for
 * the first finding's kind; then, when that finding came from the driver (or
 * there is none), the check's own hint, unless the kind has advice of its own
 * (a lock left held names its cause); else the kind's default advice (a
 * crash or a timeout calls for its own advice, not the check's). */
static char *hint_choose(lua_State *L, check_ctx *cx, const spec_check *c)
{
    if (cx->hint) return xstrdup(cx->hint);
    if (cx->kind) {
        lua_getfield(L, LUA_REGISTRYINDEX, "grader.checks");
        lua_rawgeti(L, -1, (lua_Integer)cx->index + 1);
        char *h = NULL;
        if (lua_getfield(L, -1, "hints") == LUA_TTABLE &&
            lua_getfield(L, -1, cx->kind) == LUA_TSTRING)
            h = xstrdup(lua_tostring(L, -1));
        lua_settop(L, 0);
        if (h) return h;
    }
    const kind_info *k = cx->kind ? kind_lookup(cx->kind) : NULL;
    /* kinds that name their cause: their advice outranks a check's general hint */
    static const char *const own_advice[] = {"lock-held"};
    bool own = false;
    for (size_t i = 0; k && i < ARRAY_LEN(own_advice); i++)
        own |= !strcmp(k->name, own_advice[i]);
    if (c->hint && (!cx->kind || cx->driver_kind) && !own) return xstrdup(c->hint);
    if (k && !strcmp(k->name, "crash") &&
        !cx->located) /* the kind's advice points at a line */
        return xstrdup(_("The program was killed by a signal while no line of your file "
                         "was running: look "
                         "at the calls your code made just before (a write to a pipe or "
                         "socket nobody reads "
                         "any more raises SIGPIPE; a bad pointer given to a library "
                         "function crashes inside it)."));
    if (!k && c->hint) return xstrdup(c->hint);
    return k ? xstrdup(k->hint) : NULL;
}

static void ctx_free(check_ctx *cx)
{
    for (size_t i = 0; i < cx->runs.len; i++) run_output_free(&cx->runs.items[i]);
    free(cx->runs.items);
    free(cx->message);
    free(cx->hint);
    free(cx->kind);
    free(cx->machine_error);
    findings_free(&cx->found);
    trace_free(&cx->schedule);
    sbuf_free(&cx->notes);
}

void spec_run_check(spec *s, size_t i, const spec_host *host, check_result *out)
{
    lua_State *L = s->L;
    const spec_check *c = &s->checks.items[i];
    check_ctx cx = {.index = i, .host = host};
    memset(out, 0, sizeof *out);
    out->name = xstrdup(c->name);
    out->title = xstrdup(c->title);
    out->max_score = c->points;
    out->graded = true;
    s->cx = &cx;
    s->verbose = host->verbose;
    s->ticks = 0;
    s->budget = CHECK_BUDGET;
    s->dead = false;
    free(s->dead_msg);
    s->dead_msg = NULL;
    lua_settop(L, 0);
    metatables_init(L);
    lua_pushcfunction(L, msgh);
    lua_getfield(L, LUA_REGISTRYINDEX, "grader.checks");
    lua_rawgeti(L, -1, (lua_Integer)i + 1);
    lua_getfield(L, -1, "run");
    lua_replace(L, 2);
    lua_settop(L, 2);
    lua_newtable(L);
    luaL_setmetatable(L, "grader.check");
    int st = lua_pcall(L, 1, 0, 1);
    bool failure = st != LUA_OK && lua_touserdata(L, -1) == &spec_failure;
    if (cx.machine_error) {
        out->outcome = OUTCOME_ERROR;
        out->graded = false;
        out->message = xstrdup(cx.machine_error);
    } else if (st != LUA_OK && !failure) {
        out->outcome = OUTCOME_ERROR;
        out->graded = false;
        out->message = error_text(s, st, lua_tostring(L, -1));
        out->hint = xstrdup(_("This is a problem in the exercise's spec, not in your "
                              "code; it costs you no points."));
    } else if (cx.failed) {
        out->outcome = OUTCOME_FAIL;
        out->message =
            cx.more
                ? xasprintf(ngettext("%s (and %d more problem)",
                                     "%s (and %d more problems)", (unsigned long)cx.more),
                            cx.message, cx.more)
                : xstrdup(cx.message);
        out->hint = hint_choose(L, &cx, c);
    } else {
        out->outcome = OUTCOME_PASS;
        out->score = c->points;
    }
    if (cx.notes.len && out->outcome == OUTCOME_FAIL) {
        char *m = xasprintf("%s\n%s", out->message, cx.notes.data);
        free(out->message);
        out->message = m;
    } else if (cx.notes.len && out->outcome == OUTCOME_PASS) {
        /* information for the student (a measurement), shown with the check */
        out->message = xstrdup(cx.notes.data);
    }
    if (cx.used_seed) {
        out->has_seed = true;
        out->seed = host->seed;
    }
    out->findings = cx.found;
    memset(&cx.found, 0, sizeof cx.found);
    out->schedule = cx.schedule;
    memset(&cx.schedule, 0, sizeof cx.schedule);
    lua_settop(L, 0);
    s->cx = NULL;
    ctx_free(&cx);
}
