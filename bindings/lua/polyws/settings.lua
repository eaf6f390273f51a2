--- polyws.settings: the constructor's arguments checked and turned into
-- what the C API takes (the subprotocol list, a ws_options handle).

local core = require "polyws_core"
local errors = require "polyws.errors"

local error, ipairs, pairs, pcall, tostring, type = error, ipairs, pairs, pcall, tostring, type
local floor = math.floor
local argerror = errors.argerror

local S = {}

-- The subprotocol list for ws_new_ex; false, message for one that cannot
-- be a token.
function S.check_protocols(protocols)
  if protocols == nil then return nil end
  local list
  local t = type(protocols)
  if t == "string" then
    list = { protocols }
  elseif t == "table" then
    list = {}
    for i = 1, #protocols do
      local p = protocols[i]
      if type(p) == "number" then p = tostring(p) end
      if type(p) ~= "string" then argerror(2, "new", "protocols[" .. i .. "] is not a string", 3) end
      list[i] = p
    end
  else
    argerror(2, "new", "string or array of strings expected, got " .. t, 3)
  end
  for i = 1, #list do
    -- Not a token (and the C API would cut the string at the NUL).
    if list[i]:find("\0", 1, true) then
      return false, "SyntaxError: subprotocol " .. ("%q"):format(list[i]) .. " is not a valid token"
    end
  end
  return list
end

local function seconds_to_ms(v, name)
  if type(v) ~= "number" or v ~= v or v < 0 then
    argerror(3, "new", "option " .. name .. " must be a number of seconds >= 0", 4)
  end
  local ms = floor(v * 1000 + 0.5)
  if ms > 4294967295 then ms = 4294967295 end
  return ms
end

local function bytes(v, name)
  if type(v) ~= "number" or v ~= floor(v) or v < 0 then
    argerror(3, "new", "option " .. name .. " must be a whole number of bytes", 4)
  end
  return v
end

local function str(v, name)
  if type(v) ~= "string" then argerror(3, "new", "option " .. name .. " must be a string", 5) end
  return v
end

local function bool(v, name)
  if type(v) ~= "boolean" then argerror(3, "new", "option " .. name .. " must be a boolean", 5) end
  return v
end

local function pair(v, name)
  if type(v) ~= "table" then argerror(3, "new", "option " .. name .. " must be a table of two values", 5) end
  return v[1], v[2]
end

local function each_header(v, fn)
  if type(v) ~= "table" then argerror(3, "new", "option headers must be a table", 5) end
  if v[1] ~= nil then
    for i = 1, #v do
      local h = v[i]
      if type(h) ~= "table" then argerror(3, "new", "headers[" .. i .. "] must be { name, value }", 5) end
      local rc = fn(str(h[1], "headers"), str(h[2], "headers"))
      if rc ~= core.WS_OK then return rc end
    end
  else
    local names = {}
    for k in pairs(v) do names[#names + 1] = str(k, "headers") end
    table.sort(names)
    for _, k in ipairs(names) do
      local rc = fn(k, str(v[k], "headers"))
      if rc ~= core.WS_OK then return rc end
    end
  end
  return core.WS_OK
end

-- option -> function(options_handle, value) -> rc; only those this
-- libpolyws has (the module is the C API as it was built against).
local OPTIONS = {}
local function option(name, setter, fn)
  if core[setter] then OPTIONS[name] = fn end
end
option("maxMessageSize", "ws_options_set_max_message_size", function(o, v)
  return core.ws_options_set_max_message_size(o, bytes(v, "maxMessageSize")) end)
option("sendBufferLimit", "ws_options_set_send_buffer_limit", function(o, v)
  return core.ws_options_set_send_buffer_limit(o, bytes(v, "sendBufferLimit")) end)
option("receiveLimit", "ws_options_set_receive_limit", function(o, v)
  return core.ws_options_set_receive_limit(o, bytes(v, "receiveLimit")) end)
option("connectTimeout", "ws_options_set_connect_timeout_ms", function(o, v)
  return core.ws_options_set_connect_timeout_ms(o, seconds_to_ms(v, "connectTimeout")) end)
option("closeTimeout", "ws_options_set_close_timeout_ms", function(o, v)
  return core.ws_options_set_close_timeout_ms(o, seconds_to_ms(v, "closeTimeout")) end)
option("pingInterval", "ws_options_set_ping_interval_ms", function(o, v)
  return core.ws_options_set_ping_interval_ms(o, seconds_to_ms(v, "pingInterval")) end)
option("pongTimeout", "ws_options_set_pong_timeout_ms", function(o, v)
  return core.ws_options_set_pong_timeout_ms(o, seconds_to_ms(v, "pongTimeout")) end)
option("caFile", "ws_options_set_ca_file", function(o, v)
  return core.ws_options_set_ca_file(o, str(v, "caFile")) end)
option("caPem", "ws_options_set_ca_pem", function(o, v)
  return core.ws_options_set_ca_pem(o, str(v, "caPem")) end)
option("clientCert", "ws_options_set_client_cert", function(o, v)
  local cert, key = pair(v, "clientCert")
  return core.ws_options_set_client_cert(o, str(cert, "clientCert"), str(key, "clientCert")) end)
option("tlsServerName", "ws_options_set_tls_server_name", function(o, v)
  return core.ws_options_set_tls_server_name(o, str(v, "tlsServerName")) end)
option("insecureNoTlsVerify", "ws_options_set_insecure_no_tls_verify", function(o, v)
  return core.ws_options_set_insecure_no_tls_verify(o, bool(v, "insecureNoTlsVerify")) end)
option("perMessageDeflate", "ws_options_set_permessage_deflate", function(o, v)
  return core.ws_options_set_permessage_deflate(o, bool(v, "perMessageDeflate")) end)
option("deflateWindowBits", "ws_options_set_deflate_window_bits", function(o, v)
  local c, sv = pair(v, "deflateWindowBits")
  return core.ws_options_set_deflate_window_bits(o, bytes(c or 15, "deflateWindowBits"),
    bytes(sv or 15, "deflateWindowBits")) end)
option("deflateNoContextTakeover", "ws_options_set_deflate_no_context_takeover", function(o, v)
  local c, sv = pair(v, "deflateNoContextTakeover")
  return core.ws_options_set_deflate_no_context_takeover(o, c == true, sv == true) end)
option("proxy", "ws_options_set_proxy", function(o, v)
  return core.ws_options_set_proxy(o, str(v, "proxy")) end)
option("proxyFromEnvironment", "ws_options_set_proxy_from_environment", function(o, v)
  return core.ws_options_set_proxy_from_environment(o, bool(v, "proxyFromEnvironment")) end)
option("headers", "ws_options_add_header", function(o, v)
  return each_header(v, function(name, value) return core.ws_options_add_header(o, name, value) end) end)
option("userAgent", "ws_options_set_user_agent", function(o, v)
  return core.ws_options_set_user_agent(o, str(v, "userAgent")) end)
option("reconnect", "ws_options_set_reconnect", function(o, v)
  if type(v) ~= "table" then argerror(3, "new", "option reconnect must be a table", 4) end
  return core.ws_options_set_reconnect(o, seconds_to_ms(v.initialDelay or 1, "reconnect.initialDelay"),
    seconds_to_ms(v.maxDelay or 30, "reconnect.maxDelay"), bytes(v.maxAttempts or 0, "reconnect.maxAttempts")) end)
OPTIONS.binaryType = false -- handled by new()

-- A ws_options handle for the options table (nil for none); raises for an
-- unknown option or a bad value.
function S.make_options(options)
  if options == nil then return nil end
  if type(options) ~= "table" then argerror(3, "new", "table expected, got " .. type(options), 3) end
  local o
  for k, v in pairs(options) do
    local set = OPTIONS[k]
    if set == nil then argerror(3, "new", "unknown option '" .. tostring(k) .. "'", 3) end
    if set then
      if not o then
        local rc
        rc, o = core.ws_options_new()
        if rc ~= core.WS_OK then error("polyws.new: " .. core.ws_result_str(rc), 3) end
      end
      local ok, rc = pcall(set, o, v)
      if not ok or rc ~= core.WS_OK then
        core.ws_options_free(o)
        if not ok then error(rc, 0) end
        argerror(3, "new", "option " .. k .. ": " .. core.ws_last_error(nil), 3)
      end
    end
  end
  return o
end

return S
