-- spec.lua: the `pipe` exercise — talking to a child process through pipes.
-- Scenarios live in driver.c; see docs/spec-api.md for this API.
-- What each tool covers here: native runs check outputs, end-of-file, child
-- failures, zombies, descriptors and hangs (a watchdog names where the parent
-- and the child are blocked and who holds each pipe end); ThreadSanitizer
-- checks the threads of each process on its own.

exercise {
  name = "pipe",
  languages = { "en", "pt-BR" },
  title = _("Talking to a child process through pipes"),
  timeout = 10,
}

local MiB = 1024 * 1024

check "eof" {
  title = _("The child sees end-of-file: a filter that answers only after reading everything"),
  points = 10,
  hint = _("End-of-file reaches the child only when every write end of its input pipe is "
      .. "closed: close it in the parent once the input is written, and close the child's own "
      .. "copy right after fork. Likewise close the parent's copy of the output pipe's write end."),
  run = function(t)
    t:run("filter", "sum", "text", 5000):assert_ok()
  end,
}

check "small" {
  title = _("A small text through the filter: the exact output comes back"),
  points = 10,
  depends = "eof",
  run = function(t)
    t:run("filter", "xor", "text", 1000):assert_ok()
  end,
}

check "binary" {
  title = _("Binary data with NUL bytes goes through intact"),
  points = 10,
  depends = "eof",
  hint = _("The input is len bytes of any value, NUL included: use len and memcpy, never strlen "
      .. "or strcpy, and return the number of bytes you collected."),
  run = function(t)
    t:run("filter", "xor", "binary", 4096):assert_ok()
  end,
}

check "empty" {
  title = _("len == 0: the child sees end-of-file at once"),
  points = 5,
  depends = "eof",
  hint = _("With len == 0 there is nothing to write: close the input pipe at once, but still "
      .. "run the child and collect what it writes."),
  run = function(t)
    t:run("filter", "hello", "binary", 0):assert_ok()
    t:run("filter", "xor", "binary", 0):assert_ok()
  end,
}

check "large-input" {
  title = _("4 MiB of input, far beyond a pipe's buffer"),
  points = 10,
  depends = "eof",
  hint = _("write() may take only part of the buffer: loop until every byte is written."),
  run = function(t)
    t:run("filter", "sum", "binary", 4 * MiB):assert_ok()
  end,
}

check "large-output" {
  title = _("4 MiB of output from a small input"),
  points = 10,
  depends = "eof",
  hint = _("read() returns whatever is there: keep reading (and growing the buffer with realloc) "
      .. "until it returns 0, end-of-file."),
  run = function(t)
    t:run("filter", "expand", "binary", 65536, 64):assert_ok()
  end,
}

check "large-both" {
  title = _("8 MiB in and 8 MiB out at the same time"),
  points = 10,
  depends = "eof",
  hint = _("Write the input and read the output at the same time (poll on both pipes, or a "
      .. "second process or thread for one direction): the child cannot read more input "
      .. "while its output pipe is full and nobody reads it."),
  run = function(t)
    t:run{ "filter", "xor", "binary", 8 * MiB, timeout = 20 }:assert_ok()
  end,
}

check "stops-reading" {
  title = _("A child that stops reading early: no SIGPIPE death, its output returned"),
  points = 10,
  depends = "eof",
  hint = _("When the child closes its input, write() raises SIGPIPE, which kills the parent: "
      .. "ignore SIGPIPE (sigaction with SIG_IGN), treat EPIPE as \"stop writing\" and keep "
      .. "reading the output."),
  run = function(t)
    t:run("stops", MiB, 1000):assert_ok()
  end,
}

check "child-fails" {
  title = _("A child that crashes or exits non-zero: -1, *output NULL, promptly"),
  points = 10,
  depends = "eof",
  hint = _("Wait for the child with waitpid and check WIFEXITED(status) && WEXITSTATUS(status) "
      .. "== 0; otherwise free what you collected, set *output = NULL and return -1."),
  run = function(t)
    t:run("fails", "crash", MiB, 1000):assert_ok()
    t:run("fails", "fail", 1000):assert_ok()
  end,
}

check "no-zombies" {
  title = _("The child is waited for before pipe_filter returns"),
  points = 5,
  depends = "eof",
  run = function(t)
    t:run("clean", 1000):assert_no("zombie")
  end,
}

check "no-fd-leak" {
  title = _("Every pipe end is closed before pipe_filter returns"),
  points = 5,
  depends = "eof",
  run = function(t)
    t:run("clean", 1000):assert_no("fd-leak")
  end,
}

check "tsan" {
  title = _("ThreadSanitizer: no data race in the parent or the child (each process on its own)"),
  points = 5,
  depends = "small",
  run = function(t)
    local r = t:run("filter", "xor", "binary", 32768, { tool = "tsan" })
    if not r.ok and r.out.coverage then t:note(r.out.coverage) end
    r:assert_ok()
  end,
}
