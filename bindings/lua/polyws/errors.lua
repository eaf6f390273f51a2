--- polyws.errors: result codes as `nil, message, name`, Lua-style argument
-- errors, and the reporting of errors raised in listeners and tasks.

local core = require "polyws_core"

local error, pcall, tostring = error, pcall, tostring

local E = {}

local ERROR_NAMES = {
  [core.WS_ERR_SYNTAX] = "SyntaxError",
  [core.WS_ERR_INVALID_STATE] = "InvalidStateError",
  [core.WS_ERR_INVALID_ACCESS] = "InvalidAccessError",
  [core.WS_ERR_INVALID_ARGUMENT] = "InvalidArgumentError",
  [core.WS_ERR_INVALID_UTF8] = "InvalidUTF8Error",
  [core.WS_ERR_NO_MEMORY] = "NoMemoryError",
  [core.WS_ERR_BUFFER_FULL] = "BufferFullError",
  [core.WS_ERR_REENTRANT] = "ReentrantError",
  [core.WS_ERR_LOOP] = "LoopError",
  [core.WS_ERR_INTERNAL] = "InternalError",
}

-- nil, "<Name>: <what>", "<Name>"
function E.failure(rc, detail)
  local name = ERROR_NAMES[rc] or "Error"
  if detail == nil or detail == "" then detail = core.ws_result_str(rc) end
  return nil, name .. ": " .. detail, name
end

function E.argerror(n, fname, msg, level)
  error(("bad argument #%d to '%s' (%s)"):format(n, fname, msg), (level or 2) + 1)
end

function E.default_report(message, event)
  local where = event and event.type and (" in " .. event.type .. " listener") or " in task"
  io.stderr:write("polyws: error", where, ": ", tostring(message), "\n")
end

-- The public module, whose reportError field scripts may replace
-- (set by polyws.lua).
E.public = { reportError = E.default_report }

function E.report(message, event)
  local ok = pcall(E.public.reportError, message, event)
  if not ok then pcall(E.default_report, message, event) end
end

return E
