-- Run by flow_spec.lua in a process of its own while the suite's Lua thread
-- is busy in a slow listener: asks node_server.js's /flood-status until the
-- flood's writes block with messages left to send, then prints that status.
--   lua flood_watch.lua STATUS_URL COUNT
-- Exits 1 if the flood ended without blocking. run_script's timeout bounds it.
local polyws = require "polyws"
local json = require "dkjson"
local url, count = arg[1], tonumber(arg[2])

polyws.run(function()
  local control = assert(polyws.connect(url))
  while true do
    assert(control:send("status?"))
    local text = assert(control:receive(10))
    local status = assert(json.decode(text))
    if status.done then
      print("ended without blocking: " .. text)
      os.exit(1)
    end
    if status.count == count and status.stalled and status.sent < count then
      print(text)
      break
    end
  end
  control:close(1000)
  control:wait("close", 5)
end)
