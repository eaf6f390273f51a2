-- send() and close(): rules 9-20, text vs binary, Lua strings both ways.
local H = require "helpers"
local polyws = H.polyws

local function open_socket(url, protocols)
  local ws = assert(polyws.new(url, protocols))
  assert(H.wait_until(function() return ws.readyState ~= polyws.CONNECTING end), "no open")
  assert.are.equal(polyws.OPEN, ws.readyState)
  return ws
end

-- Sends `data` and returns the echoed data, binary flag.
local function echo(ws, data, binary)
  local got
  local function on(ev) got = ev end
  ws:addEventListener("message", on)
  assert(ws:send(data, binary))
  assert(H.wait_until(function() return got ~= nil end), "no echo")
  ws:removeEventListener("message", on)
  return got.data, got.binary
end

describe("send", function()
  local node
  setup(function() node = H.node_server() end)
  teardown(function() node.stop() end)

  it("rule 9: while CONNECTING it is an InvalidStateError", function()
    local path = H.unique()
    local ws = assert(polyws.new(node.url(path)))
    local ok, msg, name = ws:send("early")
    assert.is_nil(ok)
    assert.are.equal("InvalidStateError", name)
    assert.matches("^InvalidStateError: ", msg)
    ws:close()
    H.wait_closed(ws)
  end)

  it("text goes out as text, binary when asked; Lua strings carry every byte", function()
    local path = H.unique()
    local ws = open_socket(node.url(path))
    assert.are.same({ "hello", false }, { echo(ws, "hello") })
    assert.are.same({ "hello", false }, { echo(ws, "hello", "text") })
    assert.are.same({ "hello", true }, { echo(ws, "hello", true) })
    local all = H.binary_string(256)
    assert.are.same({ all, true }, { echo(ws, all, "binary") })
    assert.are.same({ "", false }, { echo(ws, "") })
    assert.are.same({ "", true }, { echo(ws, "", true) })
    local utf8 = "na\195\175ve \226\130\172 \240\159\152\128"
    assert.are.same({ utf8, false }, { echo(ws, utf8) })
    assert.are.same({ "123", false }, { echo(ws, 123) })
    ws.binaryType = "arraybuffer" -- binary is a Lua string either way
    assert.are.same({ "\0\1\2", true }, { echo(ws, "\0\1\2", true) })
    ws:close(1000)
    H.wait_closed(ws)
    local report = node.report(path)
    local types = {}
    for i, m in ipairs(report.messages) do types[i] = m.type end
    assert.are.same({ "text", "text", "binary", "binary", "text", "binary", "text", "text", "binary" }, types)
  end)

  it("a 1 MiB binary message comes back intact", function()
    local path = H.unique()
    local ws = open_socket(node.url(path))
    local big = H.binary_string(1024 * 1024)
    local data, binary = echo(ws, big, true)
    assert.is_true(binary)
    assert.are.equal(#big, #data)
    assert.is_true(big == data)
    ws:close()
    H.wait_closed(ws)
    node.report(path)
  end)

  it("fragmented messages from the server arrive whole", function()
    local ws = assert(polyws.new(node.url("/fragmented")))
    local got = {}
    ws.onmessage = function(ev)
      got[#got + 1] = ev
      if #got == 2 then ws:close() end
    end
    H.wait_closed(ws)
    assert.are.equal("Hello, fragmented world!", got[1].data)
    assert.is_false(got[1].binary)
    assert.is_true(got[2].binary)
    assert.are.equal(100000, #got[2].data)
    assert.are.equal(H.binary_string(100000), got[2].data)
    node.report("/fragmented")
  end)

  it("rule 13: text that is not UTF-8 is an error and is not sent", function()
    local path = H.unique()
    local ws = open_socket(node.url(path))
    local ok, msg, name = ws:send("bad \255 text")
    assert.is_nil(ok)
    assert.are.equal("InvalidUTF8Error", name)
    assert.matches("UTF%-8", msg)
    assert(ws:send("bad \255 bytes", true)) -- fine as binary
    assert(ws:send("after"))
    ws:close()
    H.wait_closed(ws)
    local report = node.report(path)
    assert.are.equal(2, #report.messages)
    assert.are.equal("binary", report.messages[1].type)
  end)

  it("rules 10-12: bufferedAmount counts payload bytes, falls once sent, keeps growing after close", function()
    local path = H.unique()
    local ws = open_socket(node.url(path))
    assert(ws:send(string.rep("x", 100000), true))
    assert.is_true(ws.bufferedAmount <= 100000)
    assert(H.wait_until(function() return ws.bufferedAmount == 0 end))
    ws:close(1000)
    assert.are.equal(polyws.CLOSING, ws.readyState)
    local before = ws.bufferedAmount
    assert.is_true(ws:send("12345"))
    assert.are.equal(before + 5, ws.bufferedAmount)
    H.wait_closed(ws)
    assert.is_true(ws:send("abc", true))
    assert.are.equal(before + 8, ws.bufferedAmount)
    node.report(path)
  end)

  it("rule 14: passing the send buffer limit fails the connection", function()
    local path = H.unique()
    local ws = assert(polyws.new(node.url(path), nil, { sendBufferLimit = 1000 }))
    assert(H.wait_until(function() return ws.readyState == polyws.OPEN end))
    local log = H.recorder(ws)
    local ok, _, name = ws:send(string.rep("y", 5000), true)
    assert.is_nil(ok)
    assert.are.equal("BufferFullError", name)
    H.wait_closed(ws)
    assert.are.same({ "error", "close:1006" }, log)
    node.report(path)
  end)

  it("bad arguments raise", function()
    local path = H.unique()
    local ws = assert(polyws.new(node.url(path)))
    assert.has_error(function() ws:send({}) end)
    assert.has_error(function() ws:send() end)
    assert.has_error(function() ws:send("x", "blob") end)
    assert.has_error(function() ws.send(nil, "x") end)
    ws:close()
    H.wait_closed(ws)
  end)
end)

describe("close", function()
  local node
  setup(function() node = H.node_server() end)
  teardown(function() node.stop() end)

  it("rule 15: codes other than 1000 and 3000-4999 are InvalidAccessError, checked before the reason", function()
    local path = H.unique()
    local ws = assert(polyws.new(node.url(path)))
    for _, code in ipairs({ 0, 1, 999, 1001, 1005, 1006, 1015, 2999, 5000, 65535, 65536, 1e9, -1, 0 / 0, 999.4 }) do
      local ok, msg, name = ws:close(code, string.rep("r", 200))
      assert.is_nil(ok)
      assert.are.equal("InvalidAccessError", name, "code " .. tostring(code))
      assert.matches("^InvalidAccessError: ", msg)
    end
    assert.are.equal(polyws.CONNECTING, ws.readyState)
    assert.has_error(function() ws:close("1000") end)
    ws:close()
    H.wait_closed(ws)
  end)

  it("rule 16: a reason over 123 bytes is a SyntaxError; 123 is fine", function()
    local path = H.unique()
    local ws = open_socket(node.url(path))
    local ok, _, name = ws:close(1000, string.rep("a", 124))
    assert.is_nil(ok)
    assert.are.equal("SyntaxError", name)
    ok, _, name = ws:close(1000, "\255")
    assert.is_nil(ok)
    assert.are.equal("InvalidUTF8Error", name)
    assert.are.equal(polyws.OPEN, ws.readyState)
    assert.is_true(ws:close(3000.5, string.rep("a", 123))) -- [Clamp]: 3000.5 -> 3000
    H.wait_closed(ws)
    local report = node.report(path)
    assert.are.equal(3000, report.close_code)
    assert.are.equal(string.rep("a", 123), report.close_reason)
  end)

  it("a reason without a code is sent with 1000, as close(undefined, reason) in a browser", function()
    local path = H.unique()
    local ws = open_socket(node.url(path))
    local ev
    ws.onclose = function(e) ev = e end
    assert.is_true(ws:close(nil, "r"))
    H.wait_closed(ws)
    assert.are.equal(1000, ev.code)
    assert.are.equal("r", ev.reason)
    local report = node.report(path)
    assert.are.equal(1000, report.close_code)
    assert.are.equal("r", report.close_reason)
  end)

  it("rule 18: while CONNECTING the connection fails: CLOSING, then error, then close 1006", function()
    local path = H.unique()
    local ws = assert(polyws.new(node.url(path)))
    local log, ev = H.recorder(ws), nil
    ws.onclose = function(e) ev = e end
    assert.is_true(ws:close(1000, "never mind"))
    assert.are.equal(polyws.CLOSING, ws.readyState)
    H.wait_closed(ws)
    assert.are.same({ "error", "close:1006" }, log)
    assert.is_false(ev.wasClean)
  end)

  it("rules 19/20: while OPEN, queued messages go first, then the close frame; state CLOSING at once", function()
    local path = H.unique()
    local ws = open_socket(node.url(path))
    assert(ws:send("one"))
    assert(ws:send("two", true))
    local ev
    ws.onclose = function(e) ev = e end
    assert.is_true(ws:close(4321, "bye"))
    assert.are.equal(polyws.CLOSING, ws.readyState)
    H.wait_closed(ws)
    assert.are.equal(4321, ev.code)
    assert.are.equal("bye", ev.reason)
    assert.is_true(ev.wasClean)
    local report = node.report(path)
    assert.are.equal(2, #report.messages)
    assert.are.equal(4321, report.close_code)
    assert.are.equal("bye", report.close_reason)
  end)

  it("rule 19: no code sends an empty close frame (1005)", function()
    local path = H.unique()
    local ws = open_socket(node.url(path))
    local ev
    ws.onclose = function(e) ev = e end
    assert.is_true(ws:close())
    H.wait_closed(ws)
    assert.are.equal(1005, ev.code)
    assert.are.equal(1005, node.report(path).close_code)
  end)

  it("rule 17: CLOSING or CLOSED: nothing happens", function()
    local path = H.unique()
    local ws = open_socket(node.url(path))
    local closes = 0
    ws.onclose = function() closes = closes + 1 end
    assert.is_true(ws:close(1000, "first"))
    assert.is_true(ws:close(4000, "second"))
    H.wait_closed(ws)
    assert.is_true(ws:close(4000, "third"))
    assert.are.equal(1, closes)
    assert.are.equal("first", node.report(path).close_reason)
  end)

  it("a reason with a NUL byte is refused (the C API cannot carry it)", function()
    local path = H.unique()
    local ws = assert(polyws.new(node.url(path)))
    local ok, _, name = ws:close(1000, "a\0b")
    assert.is_nil(ok)
    assert.are.equal("SyntaxError", name)
    ws:close()
    H.wait_closed(ws)
  end)
end)
