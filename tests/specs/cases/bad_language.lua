-- expect: spec.lua:3: exercise: languages must list language tags such as "en" or "pt-BR"
-- A language that is not a tag.
exercise { name = "threads", title = "T", languages = { "en", "pt BR" } }
check "fine" { title = "Fine", points = 5, run = function(t) t:run("zero"):assert_ok() end }
