-- bench/lua_client.lua -- polyws from Lua (`require "polyws"`), following
-- bench/README.md:
--   lua lua_client.lua [--host-driven] URL rtt|mib|pipeline|connect SECONDS
-- Prints {"ops": n, "seconds": s, "cpu_seconds": c}. --host-driven:
-- polyws.configure{ hostDriven = true } (dispatch does the I/O itself).
local polyws = require "polyws"
local args = { ... }
if args[1] == "--host-driven" then
  polyws.configure{ hostDriven = true }
  table.remove(args, 1)
end
local url, mode, seconds = args[1], args[2], tonumber(args[3])
local binary = mode ~= "rtt"
local size = mode == "rtt" and 32 or mode == "mib" and 1048576 or 64
local chars = {}
for i = 0, size - 1 do chars[#chars + 1] = string.char(97 + i % 26) end
local payload = table.concat(chars)
local warm_end = polyws.now() + tonumber(os.getenv("BENCH_WARMUP") or "1")

local measuring, finished, done, ops, start, cpu, deadline = false, false, false, 0, 0, 0, 0
local function count_op()
  if finished then return true end
  local t = polyws.now()
  if not measuring then
    if t >= warm_end then measuring, start, cpu, deadline = true, t, os.clock(), t + seconds end
    return false
  end
  ops = ops + 1
  if t < deadline then return false end
  print(('{"ops": %d, "seconds": %.6f, "cpu_seconds": %.6f}'):format(ops, t - start, os.clock() - cpu))
  io.stdout:flush()
  finished = true
  return true
end

local function connect()
  local ws = assert(polyws.new(url))
  ws.onopen = function()
    if mode == "connect" then ws:close(1000) return end
    for _ = 1, (mode == "pipeline" and 64 or 1) do assert(ws:send(payload, binary)) end
  end
  ws.onmessage = function(ev)
    if finished then return end
    if #ev.data ~= size or (mode == "rtt" and ev.data ~= payload) then
      error("echo of " .. #ev.data .. " bytes")
    end
    if count_op() then ws:close(1000) return end
    assert(ws:send(payload, binary))
  end
  ws.onclose = function(ev)
    if not ev.wasClean and not finished then
      io.stderr:write("lua_client: close ", ev.code, "\n")
      os.exit(1)
    end
    if mode == "connect" and not count_op() then connect() else done = true end
  end
end
connect()
while not done do polyws.dispatch(1) end
