-- expect: check: formatted error spec.lua:7: _() takes one string: _("text"), then string.format for values
-- _() translates a literal; a number (or a formatted value) is the spec's mistake.
exercise { name = "threads", title = _("T"), languages = { "en", "pt-BR" } }
check "fine" { title = _("Fine"), points = 5, run = function(t) t:run("zero"):assert_ok() end }
check "formatted" {
  title = "F", points = 3,
  run = function(t) t:fail(_(42)) end,
}
