-- Events: order, fields, listeners and handler attributes (rules 21-25).
local H = require "helpers"
local polyws = H.polyws

describe("events", function()
  local node
  setup(function() node = H.node_server() end)
  teardown(function() node.stop() end)

  it("rule 21/24: open, message, close in order; readyState as each fires", function()
    local ws = assert(polyws.new(node.url("/close-after-echo?code=4000&reason=after")))
    local log, states = H.recorder(ws), {}
    ws.onopen = function(ev)
      assert.are.equal("open", ev.type)
      assert.are.equal(ws, ev.target)
      states.open = ws.readyState
      assert(ws:send("one"))
    end
    ws.onmessage = function(ev) states.message = ws.readyState end
    local close_ev
    ws.onclose = function(ev) close_ev = ev; states.close = ws.readyState end
    H.wait_closed(ws)
    assert.are.same({ "open", "message:text:one", "close:4000" }, log)
    assert.are.same({ open = 1, message = 1, close = 3 }, states)
    assert.are.equal("close", close_ev.type)
    assert.are.equal(4000, close_ev.code)
    assert.are.equal("after", close_ev.reason)
    assert.is_true(close_ev.wasClean)
    local report = node.report("/close-after-echo")
    assert.are.equal("/close-after-echo", report.path)
  end)

  it("rule 21: protocol is set when open is dispatched, not before", function()
    local ws = assert(polyws.new(node.url("/subprotocol"), { "nope", "superchat", "chat" }))
    local at_open
    ws.onopen = function() at_open = ws.protocol; ws:close(1000) end
    assert.are.equal("", ws.protocol)
    H.wait_closed(ws)
    assert.are.equal("superchat", at_open)
    assert.are.equal("superchat", ws.protocol) -- still readable once closed
    assert.are.equal("", ws.extensions)
    node.report("/subprotocol")
  end)

  it("rule 8: a subprotocol that was not requested fails the connection", function()
    local ws = assert(polyws.new(node.url("/subprotocol-bogus"), "chat"))
    local log = H.recorder(ws)
    H.wait_closed(ws)
    assert.are.same({ "error", "close:1006" }, log)
    assert.are.equal("", ws.protocol)
  end)

  it("rule 7: a non-101 answer is error, then close 1006, with a readable message", function()
    local ws = assert(polyws.new(node.url("/status?code=403")))
    local log, message = H.recorder(ws), nil
    ws.onerror = function(ev) message = ev.message end
    H.wait_closed(ws)
    assert.are.same({ "error", "close:1006" }, log)
    assert.matches("403", message)
  end)

  it("rule 24: a server close without code gives 1005; codes and reasons arrive as sent", function()
    local ws = assert(polyws.new(node.url("/close")))
    local ev
    ws.onclose = function(e) ev = e end
    H.wait_closed(ws)
    assert.are.equal(1005, ev.code)
    assert.are.equal("", ev.reason)
    assert.is_true(ev.wasClean)
    node.report("/close")

    ws = assert(polyws.new(node.url("/close?code=4999&reason=" .. "r%C3%A9sum%C3%A9")))
    local log = H.recorder(ws)
    ws.onclose = function(e) ev = e end
    H.wait_closed(ws)
    assert.are.same({ "open", "close:4999" }, log)
    assert.are.equal("r\195\169sum\195\169", ev.reason)
    node.report("/close")
  end)

  it("rule 24: TCP dropped after open is close 1006 without an error event", function()
    for _, path in ipairs({ "/drop-after-open", "/drop-after-open?mode=rst" }) do
      local ws = assert(polyws.new(node.url(path)))
      local log, ev = H.recorder(ws), nil
      ws.onclose = function(e) ev = e end
      H.wait_closed(ws)
      assert.are.same({ "open", "close:1006" }, log)
      assert.is_false(ev.wasClean)
      node.report(path:match("^[^?]*"))
    end
  end)

  it("messages the server sends before its close all arrive, then its close", function()
    local ws = assert(polyws.new(node.url("/send?count=3&size=3&type=text")))
    local log, reason = H.recorder(ws), nil
    ws.onclose = function(ev) reason = ev.reason end
    H.wait_closed(ws)
    assert.are.same({ "open", "message:text:abc", "message:text:abc", "message:text:abc", "close:1000" }, log)
    assert.are.equal("done", reason)
    node.report("/send")
  end)

  it("request headers and user agent from options; response headers once open", function()
    local json = require "dkjson"
    local ws = assert(polyws.new(node.url("/headers"), nil, {
      headers = { { "X-Polyws-Test", "lua" }, { "Cookie", "a=b" } }, userAgent = "polyws-lua-spec",
    }))
    local sent
    assert.is_nil(ws:responseHeader("upgrade")) -- not before open
    assert.are.same({}, ws:responseHeaders())
    ws.onmessage = function(ev) sent = json.decode(ev.data); ws:close() end
    local upgrade, all
    ws.onopen = function() upgrade = ws:responseHeader("UPGRADE"); all = ws:responseHeaders() end
    H.wait_closed(ws)
    assert.are.equal("lua", sent["x-polyws-test"])
    assert.are.equal("a=b", sent["cookie"])
    assert.are.equal("polyws-lua-spec", sent["user-agent"])
    assert.are.equal("websocket", upgrade:lower())
    assert.is_string(all["sec-websocket-accept"])
    node.report("/headers")
    -- a header the protocol owns is refused
    assert.has_error(function() polyws.new(node.url("/headers"), nil, { headers = { Upgrade = "x" } }) end)
  end)

  it("automatic reconnect: close says willReconnect, a reconnect event follows, the last close does not", function()
    if not polyws.core.ws_options_set_reconnect then pending("libpolyws without reconnect") return end
    local opts = { reconnect = { initialDelay = 0.01, maxDelay = 0.02, maxAttempts = 2 } }
    local log, states, ref = {}, {}, setmetatable({}, { __mode = "v" })
    ;(function()
      local ws = assert(polyws.new("ws://127.0.0.1:" .. H.closed_port() .. "/", nil, opts))
      for _, t in ipairs({ "open", "error", "close", "reconnect" }) do
        ws:addEventListener(t, function(ev)
          log[#log + 1] = t .. (t == "close" and (":" .. tostring(ev.willReconnect)) or "")
          states[#states + 1] = ev.target.readyState
        end)
      end
      ref[1] = ws
    end)()
    -- between attempts nothing references the socket but its listeners:
    -- it stays alive until the last close
    assert(H.wait_until(function() H.collect(); return log[#log] == "close:false" end))
    assert.are.same({ "error", "close:true", "reconnect", "error", "close:true", "reconnect",
      "error", "close:false" }, log)
    assert.are.same({ 3, 3, 0, 3, 3, 0, 3, 3 }, states)
    H.collect(ref)
    assert.is_nil(ref[1])

    -- wait("open") waits across attempts, until one opens or the last close
    local ws = assert(polyws.new("ws://127.0.0.1:" .. H.closed_port() .. "/", nil, opts))
    local ok, msg, ev = ws:wait("open", 10)
    assert.is_nil(ok)
    assert.is_true(#msg > 0)
    assert.is_false(ev.willReconnect)
    -- a drop after open reconnects and opens again; close() stops it
    local opens = 0
    ws = assert(polyws.new(node.url("/drop-after-open"), nil, opts))
    ws.onopen = function() opens = opens + 1; if opens == 2 then ws:close() end end
    local last = H.wait_closed(ws)
    assert.are.equal(2, opens)
    assert.is_false(last.willReconnect)
    -- close() in the delay before the next attempt ends it for good
    ws = assert(polyws.new("ws://127.0.0.1:" .. H.closed_port() .. "/", nil,
      { reconnect = { initialDelay = 5, maxDelay = 5, maxAttempts = 2 } }))
    local first
    ws.onclose = function(e) first = first or e end
    assert(H.wait_until(function() return first ~= nil end))
    assert.is_true(first.willReconnect)
    assert.is_true(ws:close())
    local final = ws:wait("close", 0)
    assert.are.equal(first, final)
    assert.is_false(final.willReconnect)
  end)

  describe("listeners", function()
    local ws, log, path
    before_each(function()
      path = H.unique()
      ws = assert(polyws.new(node.url(path)))
      log = {}
      assert(H.wait_until(function() return ws.readyState == polyws.OPEN end))
    end)
    after_each(function()
      ws:close()
      H.wait_closed(ws)
      node.report(path)
    end)

    local function deliver(text)
      local got = false
      local function mark() got = true end
      ws:addEventListener("message", mark)
      assert(ws:send(text))
      assert(H.wait_until(function() return got end))
      ws:removeEventListener("message", mark)
    end

    it("run in order of registration; the handler keeps the position it was first set at", function()
      ws:addEventListener("message", function() log[#log + 1] = "A" end)
      ws.onmessage = function() log[#log + 1] = "attr1" end
      ws:addEventListener("message", function() log[#log + 1] = "B" end)
      deliver("x")
      assert.are.same({ "A", "attr1", "B" }, log)
      log = {}
      ws.onmessage = function() log[#log + 1] = "attr2" end -- same position
      deliver("x")
      assert.are.same({ "A", "attr2", "B" }, log)
      log = {}
      ws.onmessage = nil
      ws.onmessage = function() log[#log + 1] = "attr3" end -- removed, then at the end
      deliver("x")
      assert.are.same({ "A", "B", "attr3" }, log)
    end)

    it("adding the same listener twice has no effect; removing works once", function()
      local function f() log[#log + 1] = "f" end
      ws:addEventListener("message", f)
      ws:addEventListener("message", f)
      deliver("x")
      assert.are.same({ "f" }, log)
      ws:removeEventListener("message", f)
      ws:removeEventListener("message", f)
      ws:removeEventListener("message", function() end)
      log = {}
      deliver("x")
      assert.are.same({}, log)
    end)

    it("a listener added while dispatching does not see that event; one removed before its turn is not called", function()
      local late = function() log[#log + 1] = "late" end
      local victim = function() log[#log + 1] = "victim" end
      ws:addEventListener("message", function()
        log[#log + 1] = "first"
        ws:addEventListener("message", late)
        ws:removeEventListener("message", victim)
      end)
      ws:addEventListener("message", victim)
      deliver("x")
      assert.are.same({ "first" }, log)
      log = {}
      deliver("y")
      assert.are.same({ "first", "late" }, log)
    end)

    it("accepts tables with handleEvent and callable tables", function()
      local obj = { name = "obj" }
      function obj:handleEvent(ev) log[#log + 1] = self.name .. ":" .. ev.data end
      local callable = setmetatable({}, { __call = function(_, ev) log[#log + 1] = "call:" .. ev.data end })
      ws:addEventListener("message", obj)
      ws:addEventListener("message", callable)
      deliver("z")
      assert.are.same({ "obj:z", "call:z" }, log)
      ws:removeEventListener("message", obj)
      ws:removeEventListener("message", callable)
    end)

    it("unknown event types are accepted and never fire; bad arguments raise", function()
      ws:addEventListener("nosuch", function() log[#log + 1] = "nosuch" end)
      deliver("x")
      assert.are.same({}, log)
      assert.has_error(function() ws:addEventListener("message", 42) end)
      assert.has_error(function() ws:addEventListener(nil, function() end) end)
      assert.has_error(function() ws.addEventListener({}, "message", function() end) end)
      ws:addEventListener("message", nil) -- no effect, as a browser's null
    end)
  end)
end)
