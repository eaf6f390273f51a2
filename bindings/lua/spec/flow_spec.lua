-- Receive flow control against the flooding peer (node_server.js /flood and
-- /flood-status, tests/peers/README.md): the receiveLimit option reaches
-- the core, ws:pause() holds a socket while others go on, and receive()
-- reads only as fast as it is called.
local H = require "helpers"
local json = require "dkjson"
local polyws = H.polyws

local COUNT, SIZE = 400, 64 * 1024
local FLOOD = "/flood?count=" .. COUNT .. "&size=" .. SIZE
local LIMIT = 1024 * 1024
-- The most a socket holds (polyws.h): the limit, one message, one read of
-- the transport.
local HELD_MAX = LIMIT + SIZE + 256 * 1024
-- Where a socket that stopped being read holds at least: bytes read but not
-- yet a whole message are not counted, so the loop may stop up to one read
-- of the transport short of the limit.
local HELD_MIN = LIMIT - 256 * 1024

-- A message as "<sequence number>:<size>" (binary) or its text.
local function entry(data, binary)
  if not binary then return data end
  local a, b, c, d = data:byte(1, 4)
  return (((a * 256 + b) * 256 + c) * 256 + d) .. ":" .. #data
end

-- Every numbered message once, in order, then the server's report saying
-- its ping was answered.
local function check_flood(entries)
  assert.are.equal(COUNT + 1, #entries)
  for i = 0, COUNT - 1 do
    if entries[i + 1] ~= i .. ":" .. SIZE then assert.are.equal(i .. ":" .. SIZE, entries[i + 1]) end
  end
  local report = assert(json.decode(entries[COUNT + 1]))
  assert.are.equal("flood-ping", report.pong)
  assert.are.equal(COUNT, report.sent)
end

describe("receive flow control", function()
  local node
  setup(function() node = H.node_server() end)
  teardown(function() node.stop() end)

  -- A server of its own for one flood: /flood-status then speaks of that
  -- flood from the start.
  local function flood_server()
    local server = H.node_server()
    finally(server.stop)
    return server
  end

  -- In a task: asks the flood's state on `control` (a socket of the same
  -- loop that nothing holds) until the server's writes block with messages
  -- left to send while `ws` holds about the limit, i.e. the core stopped
  -- reading it. Bounded by a hang guard, not by timing.
  local function wait_for_stall(control, ws)
    local deadline = polyws.now() + 60
    for _ = 1, 1000000 do
      assert(control:send("status?"))
      local status = assert(json.decode(assert(control:receive(10))))
      assert(not status.done, "the flood ended without its writes blocking: " .. json.encode(status))
      if status.count == COUNT and status.stalled and status.sent < COUNT
          and ws.undeliveredAmount >= HELD_MIN then
        return status
      end
      assert(polyws.now() < deadline, "the flood never stalled: " .. json.encode(status) ..
        ", undelivered " .. ws.undeliveredAmount)
    end
    error("the flood never stalled")
  end

  it("receiveLimit reaches the core: a paused socket holds at most the limit and the server's writes block", function()
    local flooder = flood_server()
    polyws.run(function()
      local ws = assert(polyws.new(flooder.url(FLOOD), nil, { receiveLimit = LIMIT }))
      local entries, closed = {}, nil
      ws.onmessage = function(ev) entries[#entries + 1] = entry(ev.data, ev.binary) end
      ws.onclose = function(ev) closed = ev end
      assert.is_true(ws:pause())
      assert.is_true(ws.paused)
      local control = assert(polyws.connect(flooder.url("/flood-status")))
      wait_for_stall(control, ws)
      -- the default limit (8 MiB) would have let it take far more
      assert.is_true(ws.undeliveredAmount <= HELD_MAX, "holds " .. ws.undeliveredAmount)
      assert.are.same({}, entries) -- held: nothing reached the listeners
      assert.is_true(ws:resume())
      assert.is_false(ws.paused)
      local ev = assert(ws:wait("close", 60))
      check_flood(entries)
      assert.are.equal(closed, ev)
      assert.are.equal(1000, ev.code)
      assert.are.equal("done", ev.reason)
      assert.are.equal(0, ws.undeliveredAmount)
      control:close(1000)
      control:wait("close", 10)
    end)
  end)

  it("receive() reads only as fast as it is called: a few messages wait in Lua, the rest in the core and TCP", function()
    local flooder = flood_server()
    polyws.run(function()
      local ws = assert(polyws.connect(flooder.url(FLOOD), nil, { receiveLimit = LIMIT }))
      local delivered = 0
      ws:addEventListener("message", function() delivered = delivered + 1 end)
      local control = assert(polyws.connect(flooder.url("/flood-status")))
      wait_for_stall(control, ws)
      -- receive()'s buffer filled up to its bound, then the socket was held
      assert.are.equal(16, delivered)
      assert.is_true(ws.paused)
      assert.is_true(ws.undeliveredAmount <= HELD_MAX, "holds " .. ws.undeliveredAmount)
      local entries = {}
      for _ = 1, COUNT + 2 do
        local data, binary, ev = ws:receive(60)
        if not data then
          assert.are.equal("closed", binary)
          assert.are.equal(1000, ev.code)
          assert.are.equal("done", ev.reason)
          break
        end
        entries[#entries + 1] = entry(data, binary)
      end
      check_flood(entries)
      assert.are.equal(COUNT + 1, delivered)
      assert.is_false(ws.paused)
      control:close(1000)
      control:wait("close", 10)
    end)
  end)

  it("a slow listener: the core reads up to the limit, the server's writes block, nothing is lost", function()
    local flooder = flood_server()
    local ws = assert(polyws.new(flooder.url(FLOOD), nil, { receiveLimit = LIMIT }))
    local entries, watches, held = {}, {}, nil
    ws.onmessage = function(ev)
      entries[#entries + 1] = entry(ev.data, ev.binary)
      if held then return end
      -- The first message's listener is slow: it returns once another
      -- process saw the server's writes block and the core holds about the
      -- limit (stalls may come and go before the core stops reading).
      repeat
        watches[#watches + 1] = H.run_script("flood_watch.lua", flooder.url("/flood-status"), COUNT)
      until ws.undeliveredAmount >= HELD_MIN or #watches == 20
      held = ws.undeliveredAmount
    end
    local ev = H.wait_closed(ws, 60)
    for _, out in ipairs(watches) do
      assert.matches('"stalled":true', out)
      assert.matches("status=0\n$", out)
    end
    assert.is_true(held >= HELD_MIN and held <= HELD_MAX, "held " .. tostring(held))
    check_flood(entries)
    assert.are.equal(1000, ev.code)
    assert.are.equal("done", ev.reason)
  end)

  it("a socket whose messages are not received does not reach its close event until they are", function()
    polyws.run(function()
      -- 40 messages, then the server closes: receive()'s buffer holds 16,
      -- the rest and the close event wait behind them
      local ws = assert(polyws.connect(node.url("/send?count=40&size=10")))
      local ev, why = ws:wait("close", 0.3)
      assert.is_nil(ev)
      assert.are.equal("timeout", why)
      for i = 1, 40 do
        local data, binary = ws:receive(10)
        assert.are.equal(10, #data, "message " .. i)
        assert.is_false(binary)
      end
      local close = assert(ws:wait("close", 10))
      assert.are.equal(1000, close.code)
      assert.are.equal("done", close.reason)
    end)
  end)

  it("pause and resume: idempotent; paused and undeliveredAmount are read-only", function()
    local path = H.unique("pause")
    local ws = assert(polyws.new(node.url(path)))
    assert.is_false(ws.paused)
    assert.is_true(ws:pause())
    assert.is_true(ws:pause())
    assert.is_true(ws.paused)
    assert.is_true(ws:resume())
    assert.is_false(ws.paused)
    assert.is_true(ws:resume())
    assert.is_false(ws.paused)
    assert.are.equal(0, ws.undeliveredAmount)
    assert.has_error(function() ws.paused = true end)
    assert.has_error(function() ws.undeliveredAmount = 1 end)
    assert.has_error(function() ws.pause(42) end)
    assert.are.equal(true, ws:wait("open", 10))
    ws:close(1000)
    assert.are.equal(1000, H.wait_closed(ws).code)
    node.report(path)
  end)

  it("receiveLimit: bad values raise with the option's name", function()
    for _, bad in ipairs({ 0, -1, 1.5, "1MiB", true }) do
      local ok, err = pcall(polyws.new, node.url("/x"), nil, { receiveLimit = bad })
      assert.is_false(ok, tostring(bad))
      assert.matches("receiveLimit", err)
    end
    local ws = assert(polyws.new(node.url(H.unique("limit")), nil, { receiveLimit = 1 }))
    assert.are.equal(true, ws:wait("open", 10))
    ws:close()
    ws:wait("close", 10)
  end)
end)
