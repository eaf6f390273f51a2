--- polyws.pump: the event pump. Takes events one by one from the module's
-- loop on the Lua thread with next_event() (ws_loop_next_event() and the
-- event's fields in one native call: polyws_lua.i), turns each into the
-- browser's event table, fires it at the socket's listeners, hands messages
-- to receive() and wakes the tasks that wait on the socket.

local core = require "polyws_core"
local errors = require "polyws.errors"
local handle = require "polyws.handle"
local inbox = require "polyws.inbox"
local listeners = require "polyws.listeners"
local loop = require "polyws.loop"
local tasks = require "polyws.tasks"

local error, pcall, type = error, pcall, type
local floor, huge = math.floor, math.huge
local next_event = core.next_event
local argerror = errors.argerror
local PRIV, by_id, update_pin = handle.PRIV, handle.by_id, handle.update_pin
local fire = listeners.fire
local wake, run_ready, run_timers = tasks.wake, tasks.run_ready, tasks.run_timers

local P = {}

local OPEN_T, MESSAGE_T, ERROR_T, CLOSE_T =
  core.WS_EVENT_OPEN, core.WS_EVENT_MESSAGE, core.WS_EVENT_ERROR, core.WS_EVENT_CLOSE
local RECONNECT_T = core.WS_EVENT_RECONNECT or -1 -- automatic reconnect, when the library has it
local ws_event_will_reconnect = core.ws_event_will_reconnect

-- One event, as next_event() gives it: its type, its socket's id, and a
-- message's payload and kind, or the native event `ev` for the others.
local function handle_event(t, id, data, binary, ev)
  local ws = by_id[id]
  if not ws then return end -- collected
  local st = ws[PRIV] -- always set: a plain read, no metamethod
  if not st.h then return end -- freed
  if t == MESSAGE_T then
    local e = { type = "message", target = ws, data = data, binary = binary }
    fire(st, "message", e)
    if st.inbox then inbox.push(st, e) end
  elseif t == OPEN_T then
    st.opened = true
    fire(st, "open", { type = "open", target = ws })
    update_pin(ws, st)
  elseif t == ERROR_T then
    local e = { type = "error", target = ws, message = core.ws_event_error_message(ev) }
    st.errorMessage = e.message
    fire(st, "error", e)
    update_pin(ws, st)
  elseif t == CLOSE_T then
    local e = { type = "close", target = ws, code = core.ws_event_code(ev),
                reason = core.ws_event_reason(ev), wasClean = core.ws_event_was_clean(ev) }
    if ws_event_will_reconnect then
      -- after close() no reconnect comes, even if the connection had
      -- already dropped when close() was called
      e.willReconnect = ws_event_will_reconnect(ev) and not st.closeCalled
      e.unsentMessages = core.ws_event_unsent_messages(ev)
      e.unsentBytes = core.ws_event_unsent_bytes(ev)
    end
    st.closeFired = true
    if e.willReconnect then
      st.reconnecting, st.lastClose = true, e -- not the end: a reconnect event follows
    else
      st.closeEvent = e
    end
    fire(st, "close", e)
    update_pin(ws, st)
  elseif t == RECONNECT_T then
    st.reconnecting, st.opened, st.errorMessage, st.closeFired = nil, nil, nil, nil
    fire(st, "reconnect", { type = "reconnect", target = ws })
    update_pin(ws, st)
  end
  if st.waiters then wake(st) end
end

local dispatching = false

-- Whether a dispatch is running (listeners and tasks run inside one).
function P.dispatching() return dispatching end

local function drain(ms, max)
  local n = 0
  local h = loop.handle
  local rc, t, id, data, binary, ev = next_event(h, ms)
  while t do
    n = n + 1
    handle_event(t, id, data, binary, ev)
    run_ready()
    if max and n >= max then break end
    rc, t, id, data, binary, ev = next_event(h, 0)
  end
  if rc ~= 0 then error("polyws.dispatch: " .. core.ws_result_str(rc), 0) end
  run_timers()
  return n
end

--- polyws.dispatch(timeout, max): see polyws.lua.
function P.dispatch(timeout, max)
  if dispatching then
    error("polyws.dispatch: called from a listener or a task (dispatch does not nest)", 2)
  end
  local ms = 0
  if timeout ~= nil then
    if type(timeout) ~= "number" or timeout ~= timeout then argerror(1, "dispatch", "number expected") end
    if timeout < 0 or timeout == huge then ms = -1
    else ms = floor(timeout * 1000 + 0.999999) end
    if ms > 2147483647 then ms = -1 end
  end
  if max ~= nil and (type(max) ~= "number" or max < 1) then argerror(2, "dispatch", "positive number expected") end
  local due = tasks.timeout()
  if due then
    local dms = floor(due * 1000 + 0.999999)
    if ms < 0 or dms < ms then ms = dms end
  end
  dispatching = true
  local ok, n = pcall(drain, ms, max)
  dispatching = false
  if not ok then error(n, 0) end
  return n
end

return P
