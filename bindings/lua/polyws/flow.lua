--- polyws.flow: backpressure. A socket's events are held in the loop
-- (ws_pause) while anyone asks for it: the script (ws:pause()) or the
-- socket's full receive() buffer (polyws.inbox). Held messages count
-- against the socket's receive limit (the receiveLimit option), so the
-- loop soon stops reading that socket and TCP pushes back on the server;
-- other sockets go on.

local core = require "polyws_core"

local next = next
local ws_pause, ws_resume = core.ws_pause, core.ws_resume

local F = {}

-- Hold the socket's events for `who` ("script", "receive").
function F.hold(st, who)
  local holds = st.holds
  if not holds then holds = {}; st.holds = holds end
  if holds[who] then return end
  local first = next(holds) == nil
  holds[who] = true
  if first and st.h then ws_pause(st.h) end
end

-- `who` no longer needs the events held; they flow once nobody does.
function F.release(st, who)
  local holds = st.holds
  if not (holds and holds[who]) then return end
  holds[who] = nil
  if next(holds) == nil and st.h then ws_resume(st.h) end
end

-- Whether the socket's events are held now (for any reason).
function F.paused(st)
  return st.holds ~= nil and next(st.holds) ~= nil and st.h ~= nil
end

return F
