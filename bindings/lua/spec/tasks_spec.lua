-- Blocking-style code: polyws.run / spawn tasks, connect, receive, wait, sleep.
local H = require "helpers"
local polyws = H.polyws

describe("tasks", function()
  local echo, node
  setup(function() echo = H.echo_server(); node = H.node_server() end)
  teardown(function() echo.stop(); node.stop() end)

  local saved_report
  before_each(function() saved_report = polyws.reportError end)
  after_each(function() polyws.reportError = saved_report end)

  it("run: connect, send, receive, close, in straight-line code; results come back", function()
    local a, b, c = polyws.run(function(url)
      local ws = assert(polyws.connect(url))
      assert.are.equal(polyws.OPEN, ws.readyState)
      assert(ws:send("hello"))
      assert(ws:send("\0bin", true))
      local d1, bin1 = ws:receive(5)
      local d2, bin2 = ws:receive(5)
      assert(ws:close(1000, "bye"))
      local ev = ws:wait("close", 5)
      return d1 .. "/" .. tostring(bin1), d2 .. "/" .. tostring(bin2), ev.code
    end, echo.url())
    assert.are.equal("hello/false", a)
    assert.are.equal("\0bin/true", b)
    assert.are.equal(1000, c)
  end)

  it("run raises the task's error with its traceback", function()
    local ok, err = pcall(polyws.run, function() error("task failed") end)
    assert.is_false(ok)
    assert.matches("task failed", err)
    assert.matches("traceback", err)
  end)

  it("receive: queued messages first, then nil, \"closed\" and the close event", function()
    polyws.run(function()
      local ws = assert(polyws.connect(node.url("/send?count=3&size=5&type=binary")))
      local got = {}
      while true do
        local data, binary_or_reason, ev = ws:receive(5)
        if not data then
          assert.are.equal("closed", binary_or_reason)
          assert.are.equal(1000, ev.code)
          assert.are.equal("done", ev.reason)
          break
        end
        assert.is_true(binary_or_reason)
        got[#got + 1] = data
      end
      assert.are.same({ "\0\1\2\3\4", "\0\1\2\3\4", "\0\1\2\3\4" }, got)
      -- and again: still closed
      local d, why = ws:receive(0)
      assert.is_nil(d)
      assert.are.equal("closed", why)
    end)
  end)

  it("receive(timeout) gives nil, \"timeout\" in about that time", function()
    polyws.run(function()
      local ws = assert(polyws.connect(echo.url()))
      local t0 = polyws.now()
      local d, why = ws:receive(0.1)
      local took = polyws.now() - t0
      assert.is_nil(d)
      assert.are.equal("timeout", why)
      assert.is_true(took >= 0.09 and took < 3, "took " .. took)
      ws:close()
      ws:wait("close")
    end)
  end)

  it("connect failures: nil and the reason; the close event for network failures", function()
    polyws.run(function()
      local ws, msg, name = polyws.connect("ws://h/#frag")
      assert.is_nil(ws)
      assert.are.equal("SyntaxError", name)
      local ws2, msg2, ev = polyws.connect("ws://127.0.0.1:" .. H.closed_port() .. "/")
      assert.is_nil(ws2)
      assert.is_true(#msg2 > 0)
      assert.are.equal(1006, ev.code)
      assert.is_false(ev.wasClean)
      local ws3, msg3 = polyws.connect(node.url("/status?code=404"))
      assert.is_nil(ws3)
      assert.matches("404", msg3)
      assert.is_string(msg)
    end)
  end)

  it("tasks interleave: two conversations at once, listeners still run", function()
    local order = {}
    local function talker(name, n)
      local ws = assert(polyws.connect(echo.url()))
      ws:addEventListener("message", function(ev) order[#order + 1] = "listener:" .. ev.data end)
      for i = 1, n do
        assert(ws:send(name .. i))
        local d = ws:receive(5)
        assert.are.equal(name .. i, d)
        order[#order + 1] = "task:" .. d
      end
      ws:close()
      ws:wait("close", 5)
    end
    polyws.run(function()
      local other = polyws.spawn(talker, "b", 3)
      talker("a", 3)
      while coroutine.status(other) ~= "dead" do polyws.sleep(0.01) end
    end)
    local a, b = {}, {}
    for _, e in ipairs(order) do
      if e:find("^task:a") then a[#a + 1] = e elseif e:find("^task:b") then b[#b + 1] = e end
    end
    assert.are.same({ "task:a1", "task:a2", "task:a3" }, a)
    assert.are.same({ "task:b1", "task:b2", "task:b3" }, b)
    assert.are.equal(12, #order)
    -- a listener sees each message before the task that receives it
    for i, e in ipairs(order) do
      if e:find("^task:") then
        local data = e:sub(6)
        local seen = false
        for j = 1, i - 1 do if order[j] == "listener:" .. data then seen = true end end
        assert.is_true(seen, data)
      end
    end
  end)

  it("sleep: tasks wake in deadline order; polyws.timeout tells a host when", function()
    local woke = {}
    polyws.run(function()
      polyws.spawn(function() polyws.sleep(0.06); woke[#woke + 1] = "slow" end)
      polyws.spawn(function() polyws.sleep(0.02); woke[#woke + 1] = "fast" end)
      local t = polyws.timeout()
      assert.is_true(t ~= nil and t > 0 and t <= 0.02)
      polyws.sleep(0.1)
    end)
    assert.are.same({ "fast", "slow" }, woke)
    assert.is_nil(polyws.timeout())
  end)

  it("errors in spawned tasks are reported, not raised", function()
    local reported
    polyws.reportError = function(message, ev) reported = { message, ev } end
    polyws.run(function()
      local co = polyws.spawn(function() polyws.sleep(0.01); error("spawned failure") end)
      while coroutine.status(co) ~= "dead" do polyws.sleep(0.01) end
    end)
    assert.matches("spawned failure", reported[1])
    assert.is_nil(reported[2])
  end)

  it("a plain coroutine.yield in a task resumes on the next dispatch", function()
    local steps = {}
    polyws.run(function()
      steps[#steps + 1] = 1
      coroutine.yield()
      steps[#steps + 1] = 2
    end)
    assert.are.same({ 1, 2 }, steps)
  end)

  it("outside tasks the same calls block by dispatching", function()
    local ws = assert(polyws.connect(echo.url()))
    assert(ws:send("plain"))
    assert.are.equal("plain", (ws:receive(5)))
    assert.are.equal(true, ws:wait("open"))
    ws:close(4000)
    assert.are.equal(4000, ws:wait("close", 5).code)
    assert.has_error(function() ws:wait("nonsense") end)
    local t0 = polyws.now()
    polyws.sleep(0.03)
    assert.is_true(polyws.now() - t0 >= 0.025)
  end)

  it("wait(\"open\") on a socket made with new, and receive starts queueing at its first call", function()
    polyws.run(function()
      local ws = assert(polyws.new(echo.url()))
      assert.are.equal(true, ws:wait("open", 5))
      assert(ws:send("q"))
      assert.are.equal("q", (ws:receive(5)))
      ws:close()
      local ev = ws:wait("close")
      assert.are.equal(1005, ev.code)
    end)
  end)
end)
