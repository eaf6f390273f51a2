-- polyws.new(): the constructor's rules (contract rules 1-6) as Lua sees them.
local H = require "helpers"
local polyws = H.polyws

local function syntax_error(...)
  local ws, msg, name = polyws.new(...)
  assert.is_nil(ws)
  assert.are.equal("SyntaxError", name)
  assert.matches("^SyntaxError: ", msg)
  return msg
end

describe("polyws.new", function()
  local server
  setup(function() server = H.echo_server() end)
  teardown(function() server.stop() end)

  it("rule 1: a URL that does not parse, or is relative, is a SyntaxError", function()
    syntax_error("not a url")
    syntax_error("/echo")
    syntax_error("//127.0.0.1/echo")
    syntax_error("ws://")
    syntax_error("")
  end)

  it("rule 2: http becomes ws, https becomes wss; other schemes are SyntaxError", function()
    local ws = assert(polyws.new("http://127.0.0.1:" .. server.port .. "/a?b=c"))
    assert.are.equal("ws://127.0.0.1:" .. server.port .. "/a?b=c", ws.url)
    local s = assert(polyws.new("https://example.invalid/"))
    assert.are.equal("wss://example.invalid/", s.url)
    s:close()
    assert.are.equal("ws://host.invalid/", assert(polyws.new("WS://HOST.invalid")).url)
    syntax_error("ftp://127.0.0.1/")
    syntax_error("file:///tmp/x")
    syntax_error("mailto:a@b")
  end)

  it("rule 3: a fragment, even an empty one, is a SyntaxError", function()
    syntax_error("ws://127.0.0.1/#")
    syntax_error("ws://127.0.0.1/#frag")
  end)

  it("rule 4: protocols are one string or a list of distinct tokens", function()
    assert.is_truthy(polyws.new(server.url(), "chat"))
    assert.is_truthy(polyws.new(server.url(), { "chat", "superchat" }))
    assert.is_truthy(polyws.new(server.url(), {}))
    for _, bad in ipairs({ "", "a b", "a,b", "caf\195\169", "a\"b", "{x}", "a\0b", "a/b" }) do
      syntax_error(server.url(), bad)
      syntax_error(server.url(), { "ok", bad })
    end
    local msg = syntax_error(server.url(), { "chat", "chat" })
    assert.matches("chat", msg)
  end)

  it("rule 5: a new socket is CONNECTING with empty protocol and extensions", function()
    local ws = assert(polyws.new(server.url("/path")))
    assert.are.equal(polyws.CONNECTING, ws.readyState)
    assert.are.equal(0, ws.readyState)
    assert.are.equal("", ws.protocol)
    assert.are.equal("", ws.extensions)
    assert.are.equal("blob", ws.binaryType)
    assert.are.equal(0, ws.bufferedAmount)
    assert.are.equal(server.url("/path"), ws.url)
    if math.type then
      assert.are.equal("integer", math.type(ws.readyState))
      assert.are.equal("integer", math.type(ws.bufferedAmount))
    end
    assert.are.same({ 0, 1, 2, 3 }, { ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED })
    assert.are.same({ 0, 1, 2, 3 }, { polyws.CONNECTING, polyws.OPEN, polyws.CLOSING, polyws.CLOSED })
    assert.matches("CONNECTING", tostring(ws))
  end)

  it("rule 6: a network failure is not a constructor error: error, then close 1006", function()
    local ws = assert(polyws.new("ws://127.0.0.1:" .. H.closed_port() .. "/"))
    local log, state_at_error = H.recorder(ws), nil
    ws.onerror = function(ev)
      state_at_error = ws.readyState
      assert.are.equal("error", ev.type)
      assert.is_true(#ev.message > 0)
    end
    local close_ev
    ws.onclose = function(ev) close_ev = ev end
    H.wait_closed(ws)
    assert.are.same({ "error", "close:1006" }, log)
    assert.are.equal(polyws.CLOSED, state_at_error)
    assert.is_false(close_ev.wasClean)
    assert.are.equal(1006, close_ev.code)
    assert.are.equal(ws, close_ev.target)
  end)

  it("options: binaryType, limits and timeouts are taken; bad ones raise", function()
    local ws = assert(polyws.new(server.url(), nil, {
      binaryType = "arraybuffer", maxMessageSize = 1024, sendBufferLimit = 1048576,
      connectTimeout = 5, closeTimeout = 1.5,
    }))
    assert.are.equal("arraybuffer", ws.binaryType)
    assert.has_error(function() polyws.new(server.url(), nil, { nosuch = 1 }) end)
    assert.has_error(function() polyws.new(server.url(), nil, { maxMessageSize = 0 }) end)
    assert.has_error(function() polyws.new(server.url(), nil, { maxMessageSize = -1 }) end)
    assert.has_error(function() polyws.new(server.url(), nil, { closeTimeout = "1" }) end)
    assert.has_error(function() polyws.new(server.url(), nil, { binaryType = "text" }) end)
    assert.has_error(function() polyws.new(server.url(), nil, "x") end)
  end)

  it("misuse of the Lua API raises instead of returning", function()
    assert.has_error(function() polyws.new() end)
    assert.has_error(function() polyws.new({}) end)
    assert.has_error(function() polyws.new(server.url(), {}, 5) end)
    assert.has_error(function() polyws.new(server.url(), { {} }) end)
    assert.has_error(function() polyws.new(server.url(), true) end)
  end)

  it("a URL with a NUL byte is a SyntaxError (the C API cannot carry it)", function()
    syntax_error("ws://127.0.0.1/a\0b")
  end)

  it("fields are read-only, handlers and binaryType are settable, other keys are free", function()
    local ws = assert(polyws.new(server.url()))
    for _, k in ipairs({ "readyState", "url", "protocol", "extensions", "bufferedAmount", "OPEN", "send" }) do
      assert.has_error(function() ws[k] = 1 end)
    end
    ws.binaryType = "arraybuffer"
    assert.are.equal("arraybuffer", ws.binaryType)
    ws.binaryType = "nonsense" -- ignored, as in a browser
    assert.are.equal("arraybuffer", ws.binaryType)
    ws.binaryType = "blob"
    assert.are.equal("blob", ws.binaryType)
    local f = function() end
    ws.onmessage = f
    assert.are.equal(f, ws.onmessage)
    assert.has_error(function() ws.onmessage = "not a function" end)
    ws.myfield = 42
    assert.are.equal(42, ws.myfield)
    ws:close()
  end)
end)
