-- Sends one message to an echo server, prints the echo, closes.
--   lua5.4 echo_client.lua [URL]
local polyws = require "polyws"

local url = arg[1] or "ws://127.0.0.1:9001/"
local ws = assert(polyws.new(url)) -- nil, message, "SyntaxError" on a bad URL
local clean = false
ws.onopen = function() ws:send("Hello from Lua") end
ws.onmessage = function(ev)
  print("echo: " .. ev.data)
  ws:close(1000, "done")
end
ws.onerror = function(ev) io.stderr:write("error: ", ev.message, "\n") end
ws.onclose = function(ev)
  clean = ev.wasClean
  print(("closed: %d clean=%s"):format(ev.code, tostring(ev.wasClean)))
end
while ws.readyState ~= polyws.CLOSED do polyws.dispatch(0.1) end -- handlers run here
os.exit(clean and 0 or 1)
