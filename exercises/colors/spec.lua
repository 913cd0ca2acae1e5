-- spec.lua: the `colors` exercise — a whole program: one thread per colour.
-- There is no driver: every run starts the student's program with arguments
-- and standard input, and the checks judge what it prints, its exit status
-- and what the tools found (see docs/spec-api.md). Runs that judge output
-- use pct schedules: one thread at a time, in an order fixed by the seed, so
-- a grade is the same on every grading.

exercise {
  name = "colors",
  languages = { "en", "pt-BR" },
  title = _("Threads that print their colours, round by round"),
  header = false,
  driver = false,
  timeout = 10,
}

local COLORS = { "red", "green", "blue", "yellow", "violet" }

-- The program's standard input: one colour per line.
local function input(colors)
  return table.concat(colors, "\n") .. "\n"
end

-- Whether the output has every colour's every round exactly once, as
-- "COLOUR ROUND" lines, then "done" last: nil, or what is wrong.
local function missing(r, colors, rounds)
  local lines, seen, known = r:lines(), {}, {}
  for _i, c in ipairs(colors) do known[c] = true end
  for i, line in ipairs(lines) do
    local c, n = line:match("^(.-) (%d+)$")
    if line == "done" then
      if i < #lines then
        return ("\"done\" is line %d of %d: it was printed before every colour had finished"):format(i, #lines)
      end
    elseif not c or not known[c] or tonumber(n) < 1 or tonumber(n) > rounds then
      return ("line %d is %q, not \"COLOUR ROUND\" for one of the colours given and a round "
          .. "from 1 to %d"):format(i, line, rounds)
    elseif seen[line] then
      return ("%q is printed twice (lines %d and %d)"):format(line, seen[line], i)
    else
      seen[line] = i
    end
  end
  for _i, c in ipairs(colors) do
    for n = 1, rounds do
      local want = c .. " " .. n
      if not seen[want] then return _("%q is missing (%d lines printed)"):format(want, #lines) end
    end
  end
  if lines[#lines] ~= "done" then return _("the output does not end with \"done\"") end
  return nil
end

-- Whether each colour's rounds come in order: nil, or the first that does not.
local function disorder(r)
  local last = {}
  for i, line in ipairs(r:lines()) do
    local c, n = line:match("^(.-) (%d+)$")
    n = tonumber(n)
    if c and last[c] and n < last[c].n then
      return _("%q (line %d) comes after \"%s %d\" (line %d)"):format(line, i, c, last[c].n, last[c].i)
    end
    if c then last[c] = { n = n, i = i } end
  end
  return nil
end

-- Runs the program under a pct schedule of each of n seeds; judge(r) says
-- what is wrong with a run (nil: nothing). Fails at the first wrong run.
local function every_schedule(t, n, rounds, judge, hint)
  for seed in t:seeds(n) do
    local r = t:run { "--rounds", rounds, stdin = input(COLORS), seed = seed, stress = { mode = "pct" } }
    r:assert_ok()
    local wrong = judge(r)
    if wrong then
      local lines = r:lines()
      local shown = table.concat(lines, "\n", 1, math.min(#lines, 24))
      t:note((#lines > 24 and _("the output under that schedule (its first 24 lines):") or _("the output under that schedule:")) .. "\n" .. shown)
      t:fail(_("under the schedule of seed %d: %s"):format(seed, wrong), hint)
    end
  end
end

check "colors" {
  title = _("Each colour's rounds, then \"done\""),
  points = 15,
  hint = _("Start one thread per colour with pthread_create(&p->thread, NULL, paint, p); in paint, "
      .. "print \"NAME ROUND\" for every round; print \"done\" after joining every thread."),
  run = function(t)
    local colors = { "red", "green", "blue" }
    local r = t:run { "--rounds", 3, stdin = input(colors), stress = { mode = "pct" } }
    r:assert_ok()
    local wrong = missing(r, colors, 3) or disorder(r)
    if wrong then t:fail(wrong) end
  end,
}

check "every-round" {
  title = _("Every round of every colour, whatever the schedule; \"done\" last"),
  points = 20,
  hint = _("main must wait for every colour's thread (pthread_join) before it prints \"done\" and "
      .. "returns: returning from main ends the process and every thread still running."),
  run = function(t)
    every_schedule(t, 6, 4, function(r) return missing(r, COLORS, 4) end)
  end,
}

check "in-order" {
  title = _("Each colour's rounds in order, whatever the schedule"),
  points = 20,
  depends = "colors",
  hint = _("Only one thread can keep a colour's rounds in order: the colour's own thread, "
      .. "printing them one after another in a loop. Threads started one per round run in "
      .. "any order."),
  run = function(t)
    every_schedule(t, 6, 4, disorder)
  end,
}

-- The shim's trace: how many threads the program started before it first
-- waited for one (or all of them, when it never joins).
local function started_before_join(trace)
  local started = 0
  for line in trace:gmatch("[^\n]+") do
    local op, result = line:match('"op":"(%a+)","result":"(%a+)"')
    if op == "join" then return started end
    if op == "create" and result == "ok" then started = started + 1 end
  end
  return started
end

check "concurrent" {
  title = _("All the colours' threads run at the same time"),
  points = 15,
  depends = "colors",
  hint = _("Create every thread in one loop, then join them all in a second loop: joining a "
      .. "thread before creating the next one makes the colours run one after another."),
  run = function(t)
    local r = t:run { "--rounds", 2, stdin = input(COLORS), stress = { mode = "pct", trace = true } }
    r:assert_ok()
    local started = started_before_join(r.trace or "")
    t:assert(started >= #COLORS, _("only %d of the %d colours' threads were started before main waited "
        .. "for one of them (pthread_join): the colours ran one after another"):format(started, #COLORS))
  end,
}

check "tsan" {
  title = _("ThreadSanitizer finds no data race"),
  points = 15,
  hint = _("Threads may share what nobody changes any more. A variable that one thread writes "
      .. "while another uses it (a round counter, a line buffer, the buffer fgets fills) must "
      .. "belong to one thread alone: make it local to paint, or one per colour."),
  run = function(t)
    local r = t:run { "--rounds", 50, stdin = input({ "red", "green", "blue", "yellow", "violet", "cyan" }),
                      tool = "tsan" }
    r:assert_ok()
    t:assert(#r:lines() > 1, _("no colour was printed: there was nothing to check"))
  end,
}

check "helgrind" {
  title = _("Helgrind finds no data race"),
  points = 5,
  run = function(t)
    local r = t:run { "--rounds", 5, stdin = input({ "red", "green", "blue" }), tool = "helgrind" }
    r:assert_ok()
    t:assert(#r:lines() > 1, _("no colour was printed: there was nothing to check"))
  end,
}

check "no-colors" {
  title = _("No colour at all: only \"done\", exit status 0"),
  points = 5,
  run = function(t)
    local r = t:run { stdin = "" }
    r:assert_exit(0)
    t:assert_eq(r.stdout, "done\n", _("with no colour the output is only \"done\""))
  end,
}

check "usage" {
  title = _("A wrong --rounds: a message on stderr, exit status 2, nothing printed"),
  points = 5,
  run = function(t)
    local r = t:run { "--rounds", 0, stdin = input(COLORS) }
    r:assert_exit(2)
    t:assert_eq(r.stdout, "", _("nothing may be printed on stdout"))
    t:assert(#r.stderr > 0, _("say what is wrong on stderr"))
  end,
}
