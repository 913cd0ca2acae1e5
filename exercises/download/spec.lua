-- spec.lua: the `download` exercise — asynchronous downloads from one thread.
-- Scenarios live in driver.c; the test server they start is harness/httpd,
-- a helper the grader hands to every run of this exercise.

exercise {
  name = "download",
  languages = { "en", "pt-BR" },
  title = _("Asynchronous downloads from one thread"),
  timeout = 10,
  helpers = { "httpd" },
}

-- Runs a scenario; a test server that could not start is the grader's
-- problem (an error, no points lost), never the student's.
local function run(t, ...)
  local r = t:run(...)
  if r.out.server_error then
    error("the test server could not start: " .. r.out.server_error)
  end
  return r
end

check "results" {
  title = _("Every body and status is right, from empty bodies to a megabyte"),
  points = 15,
  hint = _("Keep every byte you read in a growing buffer per item; once the blank line after "
      .. "the headers is in, read Content-Length and keep reading until that many body bytes "
      .. "are in. One read is rarely a whole response."),
  run = function(t)
    run(t, "results", 12):assert_ok()
  end,
}

check "statuses" {
  title = _("A 404 or a 500 is a complete response: its status and body are kept"),
  points = 5,
  depends = "results",
  hint = _("status is the number in the status line, whatever it is: an item fails (status 0) "
      .. "only when no complete response arrived. Count 404s in the return value too."),
  run = function(t)
    run(t, "statuses"):assert_ok()
  end,
}

check "concurrent" {
  title = _("All requests are in flight at the same time"),
  points = 15,
  depends = "results",
  hint = _("First start every connection (non-blocking connect returns -1 with EINPROGRESS: "
      .. "that is normal), then loop on poll over all the sockets, and do for each one what "
      .. "it is ready for: finish connecting, send, or read."),
  run = function(t)
    local r = run(t, "concurrent", 16)
    r:assert_ok()
    t:assert_eq(r.out.held_most, 16, _("all 16 requests should have been in flight at once"))
  end,
}

check "one-thread" {
  title = _("No thread and no process is created"),
  points = 10,
  depends = "results",
  hint = _("The point of the event loop is that one thread is enough: do not create threads "
      .. "or child processes; let poll tell you which socket is ready."),
  run = function(t)
    run(t, "results", 12, "forbid"):assert_ok()
  end,
}

check "many" {
  title = _("Three hundred downloads at once"),
  points = 10,
  depends = "concurrent",
  hint = _("Size your arrays (items, pollfds, buffers) with n, not a constant; one socket and "
      .. "one buffer per item."),
  run = function(t)
    run(t, "concurrent", 300):assert_ok()
  end,
}

check "pieces" {
  title = _("Responses that arrive in small pieces, late, or very large"),
  points = 10,
  depends = "results",
  hint = _("Headers can be split across reads: look for the blank line (\\r\\n\\r\\n) in all "
      .. "the bytes so far, not in the last read. recv returning -1 with EAGAIN means "
      .. "\"nothing yet\", not \"done\". Header names are case-insensitive."),
  run = function(t)
    run(t, "pieces"):assert_ok()
  end,
}

check "chunked" {
  title = _("Chunked bodies (Transfer-Encoding: chunked) are decoded"),
  points = 10,
  depends = "results",
  hint = _("With Transfer-Encoding: chunked the body is a series of chunks: a size line in "
      .. "hex, \\r\\n, that many bytes, \\r\\n; a chunk of size 0 ends it. Keep only the data "
      .. "bytes, and expect any line to be split across reads."),
  run = function(t)
    run(t, "chunked"):assert_ok()
  end,
}

check "framing" {
  title = _("Bodies that end at close, and Content-Length on a connection left open"),
  points = 5,
  depends = "results",
  hint = _("Three ways a body ends: after Content-Length bytes (do not wait for the server to "
      .. "close: it may keep the connection open), after the last chunk, or, with neither "
      .. "header, when the server closes the connection."),
  run = function(t)
    run(t, "framing"):assert_ok()
  end,
}

check "failures" {
  title = _("A refused port, a reset and a cut-short body fail only their own item"),
  points = 5,
  depends = "results",
  hint = _("A connect that fails (read it with getsockopt(SO_ERROR) once the socket is "
      .. "writable), a read that fails with ECONNRESET, or an end of file before the body is "
      .. "complete: that item gets status 0 and body NULL, and the others go on."),
  run = function(t)
    run(t, "failures"):assert_ok()
  end,
}

check "stall" {
  title = _("A stalled server fails only its own item, after timeout_ms without progress"),
  points = 5,
  depends = "results",
  hint = _("Remember when each item last made progress (connected, sent or received bytes); "
      .. "give poll a timeout so you wake up, and fail the items silent for timeout_ms. A slow "
      .. "item that keeps sending is not stalled: timeout_ms is not a limit on the total time."),
  run = function(t)
    run(t, "stall", { timeout = 4 }):assert_ok()
  end,
}

check "fds" {
  title = _("No descriptor is left open, after successes, failures and timeouts"),
  points = 5,
  depends = "results",
  hint = _("Close each socket as soon as its item is done or failed, whatever the reason."),
  run = function(t)
    run(t, "results", 12, "fds"):assert_ok()
    run(t, "failures", "fds"):assert_ok()
    run(t, "stall", "fds", { timeout = 4 }):assert_ok()
  end,
}

check "tsan" {
  title = _("ThreadSanitizer finds nothing wrong"),
  points = 3,
  depends = "results",
  run = function(t)
    run(t, "results", 12, { tool = "tsan" }):assert_ok()
  end,
}

check "helgrind" {
  title = _("Helgrind finds nothing wrong"),
  points = 2,
  depends = "results",
  run = function(t)
    run(t, "results", 12, { tool = "helgrind" }):assert_ok()
  end,
}
