-- A round trip through a polyws module as installed (a rock, a package, a
-- cross-built module): connects to an echo server, sends a text, expects it
-- back and closes with 1000. Used outside busted, by the install checks.
--   lua echo_client.lua URL TEXT [DIR]
-- With DIR, the native module must have been loaded from under DIR.
local polyws = require "polyws"
local url, text, dir = ...
local where = package.searchpath and package.searchpath("polyws_core", package.cpath)
if dir and where then
  assert(where:sub(1, #dir) == dir, "polyws_core loaded from " .. where .. ", not from " .. dir)
end
local got = polyws.run(function()
  local ws = assert(polyws.connect(url))
  assert(ws:send(text))
  local data = assert(ws:receive(5))
  assert(ws:close(1000))
  assert(ws:wait("close", 5))
  return data
end)
assert(got == text, tostring(got))
print(("%s: polyws %s (%s): ok"):format(jit and jit.version or _VERSION, polyws.version(),
                                         where or "polyws_core"))
