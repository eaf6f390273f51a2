-- polyws.configure{ hostDriven = true }: the module's loop without a library
-- I/O thread (polyws.dispatch does the I/O). Runs host_driven_script.lua in
-- a Lua state of its own, since the loop is chosen before the first socket.
local H = require "helpers"
local polyws = H.polyws

describe("host-driven loop", function()
  local echo, node
  setup(function() echo = H.echo_server(); node = H.node_server() end)
  teardown(function() echo.stop(); node.stop() end)

  it("cannot be chosen once a socket exists", function()
    local ws = assert(polyws.new(echo.url()))
    local ok, err = pcall(polyws.configure, { hostDriven = not polyws.configure().hostDriven })
    assert.is_false(ok)
    assert.matches("before the first socket", err)
    ws:close()
    H.wait_closed(ws)
  end)

  -- host_driven_script.lua in a Lua state of its own; its output and exit status.
  local function script(...) return H.run_script("host_driven_script.lua", ...) end

  it("runs a whole conversation: listeners, tasks, failure, free, exit", function()
    local path = H.unique("host-driven")
    local out = script(echo.url(), node.url(path), H.closed_port())
    assert.are.equal("configured\nlisteners ok\ntasks ok\nfailure ok\nfreed\nstatus=0\n", out)
    local report = node.report(path)
    assert.are.equal(1000, report.close_code)
    assert.are.equal("done", report.close_reason)
    assert.are.equal(21, #report.messages)
    local freed = node.report(path .. "-freed")
    assert.are.equal(1001, freed.close_code)
  end)

  it("holds a socket whose messages are not received, and loses none", function()
    assert.are.equal("flow ok\nstatus=0\n", script(node.url("/flood?count=200&size=65536"), "flow"))
  end)

  -- lws's timer pass just before poll() once made an idle wait (dispatch
  -- with a timeout, a task's sleep) last until its next timer, about 30 s.
  it("keeps to dispatch's timeout and a task's sleep when idle", function()
    assert.are.equal("idle ok\nstatus=0\n", script(echo.url(), "idle"))
  end)
end)
