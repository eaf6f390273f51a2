--- polyws.tasks: coroutines driven by dispatch. A task that waits (for a
-- socket's event or a deadline) yields; the event pump and the timers put
-- it back on the ready queue, and dispatch resumes it.

local core = require "polyws_core"
local compat = require "polyws.compat"
local errors = require "polyws.errors"

local setmetatable, tostring = setmetatable, tostring
local cocreate, coresume, corunning, costatus, coyield =
      coroutine.create, coroutine.resume, coroutine.running, coroutine.status, coroutine.yield
local traceback = debug.traceback
local pack, report = compat.pack, errors.report
local now = core.monotonic

local T = {}

local tasks = setmetatable({}, { __mode = "k" }) -- coroutine -> record
local live_tasks = {}                            -- record -> coroutine (strong)
local sleepers = {}                              -- wait records with a deadline
local ready_q = {}                               -- tasks to resume, in order

-- Make every task waiting on the socket state `st` ready.
function T.wake(st)
  local w = st.waiters
  if w then
    st.waiters = nil
    for i = 1, #w do
      local rec = w[i]
      if rec.active then
        rec.active = false
        ready_q[#ready_q + 1] = rec.co
      end
    end
  end
end

local function resume(co, ...)
  local rec = tasks[co]
  if not rec then return end
  local res = pack(coresume(co, ...))
  if not res[1] then
    rec.done, rec.error = true, traceback(co, tostring(res[2]))
    live_tasks[rec] = nil
    if not rec.joined then report(rec.error, nil) end
  elseif costatus(co) == "dead" then
    rec.done, rec.results = true, res
    live_tasks[rec] = nil
  elseif res[2] ~= rec.token then
    -- A plain coroutine.yield() inside a task: run it again on the next dispatch.
    local w = { co = co, deadline = now(), active = true }
    sleepers[#sleepers + 1] = w
  end
end

-- Resume every ready task (and those they make ready).
function T.run_ready()
  while ready_q[1] ~= nil do
    local q = ready_q
    ready_q = {}
    for i = 1, #q do resume(q[i]) end
  end
end

-- Resume the tasks whose deadline has passed.
function T.run_timers()
  if sleepers[1] == nil then return end
  local t = now()
  local keep = {}
  for i = 1, #sleepers do
    local w = sleepers[i]
    if w.active then
      if w.deadline <= t then
        w.active = false
        ready_q[#ready_q + 1] = w.co
      else
        keep[#keep + 1] = w
      end
    end
  end
  sleepers = keep
  T.run_ready()
end

--- polyws.timeout(): see polyws.lua.
function T.timeout()
  if ready_q[1] ~= nil then return 0 end
  if sleepers[1] == nil then return nil end
  local due
  for i = 1, #sleepers do
    local w = sleepers[i]
    if w.active and (not due or w.deadline < due) then due = w.deadline end
  end
  if not due then return nil end
  local left = due - now()
  return left > 0 and left or 0
end

-- The running task's coroutine and record, or nil outside tasks.
function T.current()
  local co = corunning()
  if co and tasks[co] then return co, tasks[co] end
  return nil
end

-- Suspend the current task until an event of the socket `st` (if given) or
-- the deadline (if given).
function T.suspend(co, rec, st, deadline)
  local w = { co = co, active = true, deadline = deadline }
  if st then
    local list = st.waiters
    if not list then list = {}; st.waiters = list end
    list[#list + 1] = w
  end
  if deadline then sleepers[#sleepers + 1] = w end
  coyield(rec.token)
  w.active = false
end

-- Start fn(...) as a task, running it up to its first wait. A joined task's
-- error is kept for its joiner (polyws.run) instead of being reported.
-- @return the coroutine and its record ({ done, error, results })
function T.start(fn, joined, ...)
  local co = cocreate(fn)
  local rec = { token = {}, joined = joined }
  tasks[co] = rec
  live_tasks[rec] = co
  resume(co, ...)
  return co, rec
end

return T
