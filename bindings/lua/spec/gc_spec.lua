-- Lifetimes: what the GC may collect, and that collecting closes safely.
local H = require "helpers"
local polyws = H.polyws

local function weak() return setmetatable({}, { __mode = "v" }) end

describe("garbage collection", function()
  local node
  setup(function() node = H.node_server() end)
  teardown(function() node.stop() end)

  it("an open socket nobody references or listens to is collected and closed with 1001", function()
    local path, ref = H.unique("gc-open"), weak()
    ;(function()
      local ws = assert(polyws.new(node.url(path)))
      assert(H.wait_until(function() return ws.readyState == polyws.OPEN end))
      ref[1] = ws
    end)()
    H.collect(ref)
    assert.is_nil(ref[1])
    local report = node.report(path)
    assert.are.equal(1001, report.close_code)
  end)

  it("a socket with listeners that can still fire is kept alive, and collected once closed", function()
    local path, ref = H.unique("gc-pinned"), weak()
    local got, closed = {}, nil
    ;(function()
      local ws = assert(polyws.new(node.url(path)))
      ws.onopen = function(ev) ev.target:send("one") end
      ws.onmessage = function(ev)
        got[#got + 1] = ev.data
        if ev.data == "two" then ev.target:close(1000, "bye") end
      end
      ws.onclose = function(ev) closed = ev.code end
      ref[1] = ws
    end)()
    H.collect()
    assert.is_not_nil(ref[1]) -- CONNECTING with listeners
    assert(H.wait_until(function() return #got == 1 end))
    H.collect()
    assert.is_not_nil(ref[1]) -- OPEN with message and close listeners
    ;(function() assert(ref[1]:send("two")) end)()
    assert(H.wait_until(function() return closed ~= nil end))
    assert.are.same({ "one", "two" }, got)
    assert.are.equal(1000, closed)
    H.collect(ref)
    assert.is_nil(ref[1]) -- CLOSED: nothing can fire any more
    assert.are.equal("bye", node.report(path).close_reason)
  end)

  -- Once its connection failed a socket reads CLOSED, but its close event
  -- is still to come: a collection between the error and the close event
  -- once freed it and lost the close (and, with reconnect, every attempt
  -- after it). One event per dispatch with a collection after each makes
  -- that moment certain.
  it("a socket stays alive between its error event and its close event", function()
    local ref, log = weak(), {}
    ;(function()
      local ws = assert(polyws.new("ws://127.0.0.1:" .. H.closed_port() .. "/"))
      ws.onerror = function(ev) log[#log + 1] = "error:" .. ev.target.readyState end
      ws.onclose = function(ev) log[#log + 1] = "close:" .. ev.code end
      ref[1] = ws
    end)()
    local deadline = polyws.now() + 10
    while log[2] == nil and polyws.now() < deadline do
      polyws.dispatch(0.1, 1)
      H.collect()
    end
    assert.are.same({ "error:3", "close:1006" }, log)
    H.collect(ref)
    assert.is_nil(ref[1]) -- then nothing can fire any more
  end)

  it("an open socket with only an open listener is not kept alive (it cannot fire again)", function()
    local path, ref = H.unique("gc-onopen"), weak()
    local opened = false
    ;(function()
      local ws = assert(polyws.new(node.url(path)))
      ws.onopen = function() opened = true end
      ref[1] = ws
    end)()
    H.collect()
    assert.is_not_nil(ref[1]) -- CONNECTING: open can still fire
    assert(H.wait_until(function() return opened end))
    H.collect(ref)
    assert.is_nil(ref[1])
    assert.are.equal(1001, node.report(path).close_code)
  end)

  it("a socket dropped while CONNECTING without listeners is collected; dispatch goes on", function()
    local ref = weak()
    ;(function() ref[1] = assert(polyws.new(node.url(H.unique("gc-connecting")))) end)()
    H.collect(ref)
    assert.is_nil(ref[1])
    assert.are.equal("number", type(polyws.dispatch(0.05)))
  end)

  it("many sockets opened and dropped leave nothing behind", function()
    local ref = weak()
    for i = 1, 50 do
      local ws = assert(polyws.new(node.url(H.unique("gc-many"))))
      ref[i] = ws
      if i % 2 == 0 then ws.onopen = function(ev) ev.target:close() end end
    end
    -- let the ones with listeners finish; the others go at once
    assert(H.wait_until(function()
      for i = 2, 50, 2 do
        local ws = ref[i]
        if ws and ws.readyState ~= polyws.CLOSED then return false end
      end
      return true
    end))
    H.collect()
    H.collect()
    local left = 0
    for i = 1, 50 do if ref[i] then left = left + 1 end end
    assert.are.equal(0, left)
  end)

  it("Lua 5.4 <close> variables free the socket at the end of their scope", function()
    if _VERSION ~= "Lua 5.4" then pending("to-be-closed variables are Lua 5.4") return end
    local path = H.unique("gc-tbc")
    local fired = {}
    local chunk = assert(load([[
      local polyws, H, url, fired = ...
      local ws <close> = assert(polyws.new(url))
      ws.onclose = function() fired[#fired + 1] = "close" end
      ws.onmessage = function() fired[#fired + 1] = "message" end
      assert(H.wait_until(function() return ws.readyState == polyws.OPEN end))
      assert(ws:send("last words"))
      return ws
    ]]))
    local ws = chunk(polyws, H, node.url(path), fired)
    assert.are.equal(polyws.CLOSED, ws.readyState)
    assert.are.equal(node.url(path), ws.url)
    local report = node.report(path)
    assert.are.equal(1001, report.close_code)
    assert.are.equal(1, #report.messages)
    polyws.dispatch(0.05)
    assert.are.same({}, fired) -- no event after the free
    assert.is_true(ws:send("discarded"))
    assert.is_true(ws:close(1000))
  end)

  it("closing the Lua state with sockets open, connecting and pinned is safe", function()
    local base = H.unique("gc-state")
    local out = H.run_script("close_state_script.lua", node.url(base))
    assert.matches("opened\nstatus=0\n$", out)
    for i = 1, 3 do
      local report = node.report(base .. "-" .. i)
      assert.are.equal(1001, report.close_code, "socket " .. i)
      if i == 1 then assert.are.equal(1, #report.messages) end
    end
  end)
end)
