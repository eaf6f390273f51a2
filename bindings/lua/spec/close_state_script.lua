-- Run by gc_spec.lua in a Lua state of its own, which it then closes (the
-- interpreter's exit) with sockets open, connecting and pinned:
--   lua close_state_script.lua URL_BASE
local polyws = require "polyws"
local url = ...
local list = {}
for i = 1, 3 do list[i] = assert(polyws.new(url .. "-" .. i)) end
list[1].onmessage = function() end -- pinned
local t0 = polyws.now()
local function all_open()
  for i = 1, 3 do if list[i].readyState ~= polyws.OPEN then return false end end
  return true
end
while not all_open() and polyws.now() - t0 < 10 do polyws.dispatch(0.1) end
assert(all_open(), "not open")
assert(list[1]:send("queued"))
list[4] = assert(polyws.new(url .. "-4")) -- still connecting
io.write("opened\n")
-- falls off the end: the interpreter closes the state, finalizers run
