-- polyws.dispatch: handler errors, nesting, timeouts, the pollable fd.
local H = require "helpers"
local polyws = H.polyws

describe("dispatch", function()
  local echo
  setup(function() echo = H.echo_server() end)
  teardown(function() echo.stop() end)

  local saved_report
  before_each(function() saved_report = polyws.reportError end)
  after_each(function() polyws.reportError = saved_report end)

  it("an error in a listener is reported, the other listeners and later events still run", function()
    local reported = {}
    polyws.reportError = function(message, event) reported[#reported + 1] = { message, event } end
    local ws = assert(polyws.new(echo.url()))
    local log = {}
    ws.onopen = function() error("boom in open") end
    ws:addEventListener("open", function() log[#log + 1] = "open2"; ws:send("m") end)
    ws:addEventListener("message", function() error({ code = 42 }) end) -- not a string
    ws.onmessage = function(ev) log[#log + 1] = "message:" .. ev.data; ws:close(1000) end
    ws.onclose = function() log[#log + 1] = "close" end
    H.wait_closed(ws)
    assert.are.same({ "open2", "message:m", "close" }, log)
    assert.are.equal(2, #reported)
    assert.matches("boom in open", reported[1][1])
    assert.matches("traceback", reported[1][1])
    assert.are.equal("open", reported[1][2].type)
    assert.are.equal(ws, reported[1][2].target)
    assert.are.equal("string", type(reported[2][1]))
    assert.are.equal("message", reported[2][2].type)
  end)

  it("a reportError that fails itself does not stop dispatch", function()
    polyws.reportError = function() error("reporter broken") end
    local ws = assert(polyws.new(echo.url()))
    local closed = false
    ws.onopen = function() error("first") end
    ws:addEventListener("open", function() ws:close() end)
    ws.onclose = function() closed = true end
    -- the default report goes to stderr; dispatch must go on
    H.wait_closed(ws)
    assert.is_true(closed)
  end)

  it("does not nest: dispatch or a blocking wait inside a listener is an error (reported)", function()
    local reported = {}
    polyws.reportError = function(message) reported[#reported + 1] = message end
    local ws = assert(polyws.new(echo.url()))
    ws.onopen = function()
      polyws.dispatch(0)
    end
    ws:addEventListener("open", function() ws:receive(1) end)
    ws:addEventListener("open", function() polyws.run(function() end) end)
    ws:addEventListener("open", function() ws:close() end)
    H.wait_closed(ws)
    assert.are.equal(3, #reported)
    assert.matches("does not nest", reported[1])
    assert.matches("would block inside a listener", reported[2])
    assert.matches("polyws.run", reported[3])
  end)

  it("waits at most `timeout` seconds when nothing happens and returns the count", function()
    assert.are.equal(0, polyws.dispatch(0))
    assert.are.equal(0, polyws.dispatch())
    local t0 = polyws.now()
    assert.are.equal(0, polyws.dispatch(0.05))
    local took = polyws.now() - t0
    assert.is_true(took >= 0.045, "took " .. took)
    assert.is_true(took < 2, "took " .. took)
    local ws = assert(polyws.new(echo.url()))
    ws.onopen = function() ws:close() end
    local n = 0
    while ws.readyState ~= polyws.CLOSED and polyws.now() - t0 < 10 do n = n + polyws.dispatch(1) end
    assert.are.equal(2, n) -- open, close
    assert.has_error(function() polyws.dispatch("1") end)
  end)

  it("max bounds the events run by one call", function()
    local ws = assert(polyws.new(echo.url()))
    local got = 0
    ws.onmessage = function() got = got + 1 end
    assert(H.wait_until(function() return ws.readyState == polyws.OPEN end))
    for i = 1, 5 do assert(ws:send("m" .. i)) end
    local calls, t0 = 0, polyws.now()
    while got < 5 and polyws.now() - t0 < 10 do
      local n = polyws.dispatch(5, 1)
      assert.is_true(n <= 1)
      calls = calls + 1
    end
    assert.are.equal(5, got)
    assert.is_true(calls >= 5)
    ws:close()
    H.wait_closed(ws)
  end)
end)

describe("polyws.fd", function()
  local echo
  setup(function() echo = H.echo_server() end)
  teardown(function() echo.stop() end)

  it("is a stable non-negative integer", function()
    local fd = polyws.fd()
    assert.are.equal("number", type(fd))
    assert.is_true(fd >= 0)
    assert.are.equal(fd, polyws.fd())
  end)

  it("drives a whole exchange from a luv (libuv) loop: readable while events wait, not after", function()
    local ok, uv = pcall(require, "luv")
    if not ok then pending("luv is not installed") return end
    local ws = assert(polyws.new(echo.url()))
    local log, wakeups = {}, 0
    ws.onopen = function() log[#log + 1] = "open"; ws:send("via luv") end
    ws.onmessage = function(ev) log[#log + 1] = ev.data; ws:close(1000, "done") end
    ws.onclose = function(ev) log[#log + 1] = "close:" .. ev.code end

    local poll = uv.new_poll(polyws.fd())
    local guard = uv.new_timer()
    poll:start("r", function(err)
      assert(not err, err)
      wakeups = wakeups + 1
      polyws.dispatch(0)
      if ws.readyState == polyws.CLOSED then poll:stop(); guard:stop() end
    end)
    guard:start(10000, 0, function() poll:stop() end) -- bound: 10 s
    uv.run("default")
    assert.are.same({ "open", "via luv", "close:1000" }, log)
    assert.is_true(wakeups >= 1)

    -- nothing pending: the descriptor is not readable any more
    local seen = 0
    poll:start("r", function() seen = seen + 1; polyws.dispatch(0) end)
    for _ = 1, 3 do uv.run("nowait") end
    assert.are.equal(0, seen)
    poll:stop()
    poll:close()
    guard:close()
    uv.run("nowait")
  end)
end)
