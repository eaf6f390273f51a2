--- polyws: the browser's WebSocket API for Lua 5.1 to 5.4 and LuaJIT.
--
--     local polyws = require "polyws"
--     local ws = assert(polyws.new("ws://127.0.0.1:9001/", "chat"))
--     ws.onopen = function() ws:send("hello") end
--     ws.onmessage = function(ev) print(ev.data); ws:close(1000, "done") end
--     while ws.readyState ~= polyws.CLOSED do polyws.dispatch(0.1) end
--
-- Events run on the Lua thread only, inside polyws.dispatch() (or a task's
-- wait, see polyws.run). Nothing native ever calls into Lua: this layer takes
-- events one by one from its own loop with ws_loop_next_event() and runs the
-- listeners itself. The reference is bindings/lua/README.md.
--
-- Errors: where a browser throws a DOMException (SyntaxError,
-- InvalidStateError, InvalidAccessError), the call returns
-- `nil, message, name`, so `assert(...)` turns it into an error. Misuse of
-- the Lua API itself (a table where a string belongs, an unknown option)
-- raises, as Lua's standard library does.
--
-- This file is the public face; the parts live in polyws/*.lua:
--   settings   the constructor's arguments and options
--   handle     native handles, the socket registry, what the GC may collect
--   listeners  addEventListener and on<event>, firing events
--   socket     the WebSocket object (fields, send, close)
--   loop       the module's event loop and polyws.configure
--   pump       polyws.dispatch: events from the loop to listeners and tasks
--   tasks      coroutines driven by dispatch
--   async      run, spawn, sleep, ws:receive, ws:wait
--   inbox      the messages held for ws:receive(), bounded
--   flow       backpressure: holding a socket's events (ws:pause, inbox)
--   errors, compat

local core = require "polyws_core"
local async = require "polyws.async"
local errors = require "polyws.errors"
local loop = require "polyws.loop"
local pump = require "polyws.pump"
local socket = require "polyws.socket"
local tasks = require "polyws.tasks"

local M = {
  CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3,
  _VERSION = "polyws " .. core.ws_version(),
  core = core,
}

--- The library's version string, "MAJOR.MINOR.PATCH".
function M.version() return core.ws_version() end

--- Seconds on a monotonic clock (for timeouts and deadlines).
M.now = core.monotonic

-- The loop lives at least as long as this module.
M._loop_guard = loop.guard

--- new WebSocket(url, protocols): a socket in CONNECTING, or
-- nil, message, name ("SyntaxError") for the constructor's errors.
-- @param url string (ws:, wss:, http:, https:)
-- @param protocols nil, a string or an array of strings
-- @param options nil or a table: maxMessageSize, sendBufferLimit (bytes),
--   connectTimeout, closeTimeout, pingInterval, pongTimeout (seconds),
--   binaryType ("blob" or "arraybuffer"); see README.md for all
function M.new(url, protocols, options)
  return socket.new(url, protocols, options)
end

--- Called with (message, event) when a listener or a task raises an error
-- (event is nil for tasks). The default writes to io.stderr. Replace it to
-- log elsewhere; dispatch goes on either way.
M.reportError = errors.default_report
errors.public = M

--- Run pending events on this thread: waits up to `timeout` seconds for the
-- first (nil or 0: do not wait; negative or math.huge: until one arrives,
-- or until a task's deadline), then runs everything queued, at most `max`
-- events when given. Listeners run here; so do tasks whose wait is over.
-- It does not nest: calling it from a listener or a task raises.
-- @return the number of events run
M.dispatch = pump.dispatch

--- Seconds until a sleeping task is due (0 when one is ready), or nil when
-- no task waits on a deadline. Hosts with their own loop arm a timer with it.
M.timeout = tasks.timeout

--- Module settings, before the first socket: polyws.configure{ hostDriven = true }
-- gives the module a host-driven loop (WS_DELIVERY_HOST_DRIVEN): no library
-- I/O thread, polyws.dispatch() does the network I/O itself on the Lua
-- thread, and sends go to the kernel within ws:send(). Faster for a Lua
-- host, which sends and receives on its one thread; but nothing moves
-- (connecting, reading, pings, the closing handshake) outside
-- polyws.dispatch(), and polyws.fd() is -1. Raises once a socket exists.
-- @return the settings now in force, { hostDriven = bool }
M.configure = loop.configure

--- The loop's file descriptor: readable while events wait. Poll it for
-- reading in the host's own loop (luv, cqueues, copas, a game loop), then
-- call polyws.dispatch(0). Do not read from it or close it. -1 with
-- configure{ hostDriven = true }: call polyws.dispatch(0) once per frame or
-- tick instead (polyws.timeout() says when a task is due).
M.fd = loop.fd

--- Start fn(...) as a task: a coroutine whose polyws waits (polyws.connect,
-- ws:receive, ws:wait, polyws.sleep) yield to dispatch instead of blocking.
-- It runs at once, up to its first wait. Errors are reported
-- (polyws.reportError). @return the coroutine
M.spawn = async.spawn

--- Run fn(...) as a task and dispatch until it ends (other tasks and
-- listeners run meanwhile). Returns what fn returns; raises its error.
M.run = async.run

--- Wait `seconds`: a task yields, other code dispatches meanwhile.
M.sleep = async.sleep

--- polyws.new, then wait for open (yielding in a task, dispatching
-- elsewhere). Messages are held for ws:receive() from the start.
-- @return the open socket, or nil, message, detail (the error name for
--   constructor errors, the close event when the connection failed)
function M.connect(url, protocols, options)
  local ws, err, name = socket.new(url, protocols, options)
  if not ws then return nil, err, name end
  async.start_receiving(ws)
  local ok, msg, ev = ws:wait("open")
  if not ok then return nil, msg, ev end
  return ws
end

return M
