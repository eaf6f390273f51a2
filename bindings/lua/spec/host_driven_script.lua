-- Run by host_driven_spec.lua in a Lua state of its own (the loop kind is
-- chosen before the first socket, and the suite's state has sockets already):
--   lua host_driven_script.lua ECHO_URL NODE_URL CLOSED_PORT
--   lua host_driven_script.lua ECHO_URL idle
--   lua host_driven_script.lua FLOOD_URL flow   (node_server.js /flood?count=N&size=S)
-- Prints one line per step that passed; the spec checks them, and the Node
-- server's report of what it received.
local polyws = require "polyws"
local echo_url, node_url = ...
local function step(s) io.write(s, "\n"); io.stdout:flush() end

-- Bounded dispatching (no test waits forever).
local function dispatch_until(cond, what, detail)
  local t0 = polyws.now()
  while not cond() do
    assert(polyws.now() - t0 < 15, "timed out waiting for " .. what .. (detail and (": " .. detail()) or ""))
    polyws.dispatch(0.02)
  end
end

if node_url == "idle" then
  -- dispatch() keeps to its timeout on an idle connection, and a task's
  -- sleep ends on time (the wait is spent in the library's poll).
  polyws.configure{ hostDriven = true }
  local ws = assert(polyws.connect(echo_url))
  for _ = 1, 5 do
    local t = polyws.now()
    assert(polyws.dispatch(0.02) == 0)
    assert(polyws.now() - t < 2, ("dispatch(0.02) took %.3f s"):format(polyws.now() - t))
  end
  local t = polyws.now()
  polyws.run(function() polyws.sleep(0.05) end)
  assert(polyws.now() - t < 2, ("sleep(0.05) took %.3f s"):format(polyws.now() - t))
  ws:close()
  step("idle ok")
  return
end


if node_url == "flow" then
  -- receive()'s bounded buffer on a host-driven loop: it holds the socket,
  -- which dispatch then reads only up to the receive limit; every message
  -- still arrives, in order.
  local flood_url, limit = echo_url, 256 * 1024
  local count, size = tonumber(flood_url:match("count=(%d+)")), tonumber(flood_url:match("size=(%d+)"))
  polyws.configure{ hostDriven = true }
  local ws = assert(polyws.connect(flood_url, nil, { receiveLimit = limit }))
  dispatch_until(function() return ws.paused end, "receive()'s buffer to hold the socket")
  -- Dispatching on (a control socket's receive), until the flood's writes
  -- block: the loop stopped reading the held socket.
  local control = assert(polyws.connect((flood_url:gsub("/flood%?.*$", "/flood-status"))))
  local status
  dispatch_until(function()
    assert(control:send("status?"))
    status = assert(control:receive(10))
    return status:find('"stalled":true', 1, true) and tonumber(status:match('"sent":(%d+)')) < count
  end, "the flood's writes to block", function() return status end)
  local held = ws.undeliveredAmount
  assert(held > 0 and held <= limit + size + 256 * 1024, "holds " .. held)
  assert(control:close(1000))
  for i = 0, count - 1 do
    local data, binary = ws:receive(10)
    assert(binary and #data == size, "message " .. i .. ": " .. tostring(data))
    local a, b, c, d = data:byte(1, 4)
    assert(((a * 256 + b) * 256 + c) * 256 + d == i, "message " .. i .. " out of order")
  end
  local report = assert(ws:receive(10))
  assert(report:find('"pong":"flood-ping"', 1, true), report)
  local none, why, ev = ws:receive(10)
  assert(none == nil and why == "closed" and ev.code == 1000 and ev.reason == "done", tostring(why))
  assert(not ws.paused)
  step("flow ok")
  return
end

assert(polyws.configure().hostDriven == false, "default: not host-driven")
assert(polyws.configure{ hostDriven = true }.hostDriven == true)
assert(polyws.fd() == -1, "a host-driven loop has no descriptor")
assert(not pcall(polyws.configure, { hostDriven = "yes" }), "a non-boolean is refused")
assert(not pcall(polyws.configure, { other = true }), "an unknown setting is refused")
step("configured")

-- 1. Listeners and a dispatch loop, against polyws-echo.
local text = "h\195\169llo \228\184\150\231\149\140"
local bin = string.rep("\0\1\2\255", 20000)
local ws = assert(polyws.new(echo_url))
assert(not pcall(polyws.configure, { hostDriven = false }), "configure after the first socket raises")
assert(polyws.configure().hostDriven == true)
local events, msgs, close = {}, {}, nil
ws.onopen = function()
  events[#events + 1] = "open"
  assert(ws:send(text))
  assert(ws:send(bin, true))
end
ws.onmessage = function(ev)
  events[#events + 1] = ev.binary and "binary" or "text"
  msgs[#msgs + 1] = ev
  -- 100 round trips sent from the listener (on the dispatching thread)
  if #msgs >= 2 and #msgs < 102 then assert(ws:send("r" .. #msgs)) end
  if #msgs == 102 then ws:close(4001, "lua bye") end
end
ws.onclose = function(ev) events[#events + 1] = "close"; close = ev end
dispatch_until(function() return close ~= nil end, "close from polyws-echo")
assert(msgs[1].data == text and not msgs[1].binary, "text echo")
assert(msgs[2].data == bin and msgs[2].binary, "binary echo")
assert(msgs[102].data == "r101", "round trips in order")
assert(close.code == 4001 and close.reason == "lua bye" and close.wasClean, "clean close 4001")
assert(ws.readyState == polyws.CLOSED)
assert(events[1] == "open" and events[#events] == "close" and #events == 104, table.concat(events, ","))
step("listeners ok")

-- 2. Tasks: connect / receive / close, against Node ws (which reports).
polyws.run(function()
  local s = assert(polyws.connect(node_url))
  assert(s.readyState == polyws.OPEN)
  for i = 1, 20 do
    assert(s:send("t" .. i))
    local data, binary = s:receive(10)
    assert(data == "t" .. i and not binary, "task echo " .. i)
  end
  assert(s:send(bin, true))
  local data, binary = s:receive(10)
  assert(data == bin and binary, "task binary echo")
  assert(s:close(1000, "done"))
  local ev = assert(s:wait("close", 10))
  assert(ev.code == 1000 and ev.reason == "done" and ev.wasClean, "task clean close")
end)
step("tasks ok")

-- 3. A failed connection: error, then close 1006.
local port = tonumber(arg[3])
local bad = assert(polyws.new("ws://127.0.0.1:" .. port .. "/"))
local seen = {}
bad.onerror = function() seen[#seen + 1] = "error" end
bad.onclose = function(ev) seen[#seen + 1] = "close " .. ev.code end
dispatch_until(function() return #seen == 2 end, "error and close")
assert(seen[1] == "error" and seen[2] == "close 1006", table.concat(seen, ","))
step("failure ok")

-- 4. Freed while open (the GC's way and <close>'s): 1001 goes out in the
-- background; the Lua state then closes with a socket still connecting.
local open = assert(polyws.new(node_url .. "-freed"))
local opened = false
open.onopen = function() opened = true end
dispatch_until(function() return opened end, "open before the free")
open.onopen = nil
open = nil
collectgarbage(); collectgarbage()
polyws.dispatch(0.2) -- the closing handshake moves only while dispatching
step("freed")
local _ = assert(polyws.new(echo_url)) -- left connecting at exit
