--- polyws.async: blocking-style calls (polyws.run, spawn, sleep,
-- ws:receive, ws:wait). In a task they yield to dispatch; elsewhere they
-- block by dispatching.

local compat = require "polyws.compat"
local errors = require "polyws.errors"
local handle = require "polyws.handle"
local inbox = require "polyws.inbox"
local pump = require "polyws.pump"
local tasks = require "polyws.tasks"

local error, rawget, type = error, rawget, type
local huge = math.huge
local now = require("polyws_core").monotonic
local unpack = compat.unpack
local argerror = errors.argerror
local PRIV, priv = handle.PRIV, handle.priv
local dispatch, dispatching = pump.dispatch, pump.dispatching

local A = {}

--- polyws.spawn(fn, ...): see polyws.lua.
function A.spawn(fn, ...)
  if type(fn) ~= "function" then argerror(1, "spawn", "function expected, got " .. type(fn)) end
  return (tasks.start(fn, false, ...))
end

--- polyws.run(fn, ...): see polyws.lua.
function A.run(fn, ...)
  if dispatching() then error("polyws.run: called from a listener or a task", 2) end
  if type(fn) ~= "function" then argerror(1, "run", "function expected, got " .. type(fn)) end
  local _, rec = tasks.start(fn, true, ...)
  while not rec.done do dispatch(-1) end
  if rec.error then error(rec.error, 0) end
  return unpack(rec.results, 2, rec.results.n)
end

-- Wait until cond(st) holds or `timeout` seconds pass: in a task by
-- yielding, elsewhere by dispatching. @return whether cond holds
local function await(st, cond, timeout, what)
  if cond(st) then return true end
  local deadline
  if timeout ~= nil then
    if type(timeout) ~= "number" then argerror(1, what, "number of seconds expected", 3) end
    if timeout >= 0 and timeout < huge then deadline = now() + timeout end
  end
  local co, rec = tasks.current()
  if co then
    while true do
      tasks.suspend(co, rec, st, deadline)
      if cond(st) then return true end
      if deadline and now() >= deadline then return false end
    end
  end
  if dispatching() then
    error("polyws: " .. what .. " would block inside a listener; use a task (polyws.spawn)", 3)
  end
  while true do
    local left = -1
    if deadline then
      left = deadline - now()
      if left <= 0 then return cond(st) end
    end
    dispatch(left)
    if cond(st) then return true end
  end
end

local function never() return false end

--- polyws.sleep(seconds): see polyws.lua.
function A.sleep(seconds)
  if type(seconds) ~= "number" then argerror(1, "sleep", "number expected") end
  await(nil, never, seconds, "sleep")
end

local function finished(st) return st.closeEvent ~= nil or st.h == nil end

local function message_or_end(st)
  return not inbox.is_empty(st.inbox) or finished(st)
end

local function hold_messages(st)
  if not st.inbox then st.inbox = inbox.new() end
end

-- Hold messages for ws:receive() from now on (polyws.connect).
function A.start_receiving(ws) hold_messages(rawget(ws, PRIV)) end

--- Blocking-style receive: the next message as data, binary; or nil,
-- "timeout"; or nil, "closed", closeEvent once the socket is closed and
-- every message was taken. Messages are held for receive() from the
-- first call on (from the start with polyws.connect).
function A.receive(self, timeout)
  local st = priv(self, "receive")
  hold_messages(st)
  await(st, message_or_end, timeout, "receive")
  local e = inbox.take(st)
  if e then return e.data, e.binary end
  if finished(st) then return nil, "closed", st.closeEvent end
  return nil, "timeout"
end

local function opened_or_end(st) return st.opened or finished(st) end

--- Blocking-style wait for a state: ws:wait("open") returns true once open,
-- or nil, message, closeEvent when the connection failed or closed first;
-- ws:wait("close") returns the close event. Either gives nil, "timeout".
function A.wait(self, what, timeout)
  local st = priv(self, "wait")
  if what == "open" then
    await(st, opened_or_end, timeout, "wait")
    if st.opened then return true end
    if finished(st) then
      local msg = st.errorMessage
      if not msg or msg == "" then msg = "closed" end
      return nil, msg, st.closeEvent
    end
    return nil, "timeout"
  elseif what == "close" then
    if not await(st, finished, timeout, "wait") then return nil, "timeout" end
    return st.closeEvent or { type = "close", target = self, code = 1006, reason = "", wasClean = false }
  end
  argerror(1, "wait", "\"open\" or \"close\" expected")
end

return A
