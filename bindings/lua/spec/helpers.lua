-- Shared by the busted specs: test peers on loopback and bounded waits.
--
-- Environment (CTest sets it): POLYWS_ECHO (polyws-echo), POLYWS_PEERS
-- (tests/peers), NODE_PATH (node_modules with `ws`), POLYWS_LUA (the
-- interpreter running the suite).
local polyws = require "polyws"
local json = require "dkjson"

local H = { polyws = polyws }

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
H.shell_quote = shell_quote

local function env(name)
  local v = os.getenv(name)
  assert(v and v ~= "", name .. " is not set (run the suite through CTest)")
  return v
end

-- Starts `cmd` (a server printing "PORT <n>" first), bounded to 90 s by
-- timeout(1). Its stdout stays readable for the server's report lines.
local function start(cmd)
  local f = assert(io.popen("echo $$; exec timeout -k 2 90 " .. cmd .. " </dev/null", "r"))
  local pid = assert(tonumber(f:read("*l")), "no pid")
  local line = f:read("*l")
  local port = line and tonumber(line:match("^PORT (%d+)"))
  assert(port, "server did not start: " .. tostring(line))
  local server = { pid = pid, port = port }
  function server.url(path) return "ws://127.0.0.1:" .. port .. (path or "/") end
  -- The Node server's report (one line per finished connection) for the
  -- next connection to `path` (any path when nil), decoded. Blocks until the
  -- server prints it; the server's time limit bounds the wait.
  local pending = {}
  function server.report(path)
    for i, r in ipairs(pending) do
      if path == nil or r.path == path then return table.remove(pending, i) end
    end
    while true do
      local l = f:read("*l")
      assert(l, "the server ended without a report for " .. tostring(path))
      local r = assert(json.decode(l))
      if path == nil or r.path == path then return r end
      pending[#pending + 1] = r
    end
  end
  function server.stop()
    if f then
      os.execute("kill " .. pid .. " 2>/dev/null")
      -- Read what it still reports until it exits: a report written during
      -- its shutdown into a closed pipe crashed it with EPIPE.
      f:read("*a")
      f:close()
      f = nil
    end
  end
  return server
end

function H.echo_server()
  return start(shell_quote(env("POLYWS_ECHO")) .. " --port 0")
end

function H.node_server()
  return start("node " .. shell_quote(env("POLYWS_PEERS") .. "/node_server.js") .. " --port 0")
end

-- Runs spec/<name> with the suite's interpreter and module paths, in a
-- process (a Lua state and a polyws loop) of its own, bounded to 60 s.
-- @return its output (stdout and stderr) followed by "status=<exit status>\n"
function H.run_script(name, ...)
  local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
  local args = {}
  for i = 1, select("#", ...) do args[i] = shell_quote(select(i, ...)) end
  local cmd = ("LUA_PATH=%s LUA_CPATH=%s timeout 60 %s %s %s 2>&1; echo status=$?"):format(
    shell_quote(package.path), shell_quote(package.cpath), shell_quote(env("POLYWS_LUA")),
    shell_quote(here .. "/" .. name), table.concat(args, " "))
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("*a")
  p:close()
  return out
end

-- A path of its own for one connection: the Node server echoes on any
-- path it does not know, and its report names the path.
local serial = 0
function H.unique(prefix)
  serial = serial + 1
  return "/" .. (prefix or "lua") .. "-" .. serial
end

-- A port on which nothing listens: a server's, after it stopped.
function H.closed_port()
  local s = H.echo_server()
  local port = s.port
  s.stop()
  return port
end

-- Dispatch until pred() is true; false after `timeout` seconds (default 10).
function H.wait_until(pred, timeout)
  local deadline = polyws.now() + (timeout or 10)
  while not pred() do
    local left = deadline - polyws.now()
    if left <= 0 then return false end
    polyws.dispatch(left)
  end
  return true
end

-- Dispatch until the close event of `ws` has run (asserting it does in
-- time); returns it. (readyState is CLOSED already when an error runs.)
function H.wait_closed(ws, timeout)
  local ev, why = ws:wait("close", timeout or 10)
  assert(ev, "no close event in time: " .. tostring(why))
  return ev
end

-- Records every event of `ws` as "type" or "type:detail" strings.
function H.recorder(ws)
  local log = {}
  for _, t in ipairs({ "open", "message", "error", "close" }) do
    ws:addEventListener(t, function(ev)
      if t == "message" then
        log[#log + 1] = "message:" .. (ev.binary and "binary:" or "text:") .. ev.data
      elseif t == "close" then
        log[#log + 1] = "close:" .. ev.code
      else
        log[#log + 1] = t
      end
    end)
  end
  return log
end

-- Collect garbage until `weak[1]` is gone (or a few full cycles passed).
function H.collect(weak)
  for _ = 1, 4 do
    collectgarbage("collect")
    if weak and weak[1] == nil then return end
  end
end

function H.binary_string(n)
  local t = {}
  for i = 0, n - 1 do t[#t + 1] = string.char(i % 256) end
  return table.concat(t)
end

return H
