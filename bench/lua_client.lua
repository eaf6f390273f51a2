-- bench/lua_client.lua -- the Lua side of bench/lua_vs_c.sh, the same
-- exchange as c_client.c through `require "polyws"`:
--   lua lua_client.lua URL rtt|mib SECONDS
--   -> "<count> <elapsed seconds> <CPU seconds of the process, every thread>"
local polyws = require "polyws"
local url, mode, seconds = arg[1], arg[2], tonumber(arg[3])
local binary = mode == "mib"
local size = binary and 1024 * 1024 or 32
local chars = {}
for i = 0, size - 1 do chars[#chars + 1] = string.char(97 + i % 26) end
local payload = table.concat(chars)

local ws = assert(polyws.new(url))
local start, deadline, count, cpu = 0, 0, 0, 0
ws.onopen = function()
  start = polyws.now()
  cpu = os.clock()
  deadline = start + seconds
  assert(ws:send(payload, binary))
end
ws.onmessage = function(ev)
  if #ev.data ~= size then error("echo of " .. #ev.data .. " bytes") end
  count = count + 1
  if polyws.now() >= deadline then
    print(("%d %.6f %.6f"):format(count, polyws.now() - start, os.clock() - cpu))
    ws:close(1000)
    return
  end
  assert(ws:send(payload, binary))
end
ws.onclose = function(ev)
  if not ev.wasClean then io.stderr:write("close ", ev.code, "\n") end
end
while ws.readyState ~= polyws.CLOSED do polyws.dispatch(1) end
