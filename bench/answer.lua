-- Each line of the list is one player's answer (`cookie<TAB>form body`); every player answers exactly once.
-- Arguments: <list file> <path> <done file>. When every answer has had its response the thread writes
-- the done file (counts and monotonic times) and stops; the driver then interrupts wrk to print the summary.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")

local function now()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC, the clock Python's time.monotonic() reads
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local requests = {}
local sent, received, confirmed, ok, bad = 0, 0, 0, 0, 0
local statuses = {}
local first_sent, last_received = 0, 0
local done_file

function init(args)
  local list, path = args[1], args[2]
  done_file = args[3]
  for line in io.lines(list) do
    local cookie, body = line:match("^([^\t]*)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", path, {
      ["Cookie"] = cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["HX-Request"] = "true",
      ["HX-Request-Type"] = "partial",
      ["User-Agent"] = "two-truths-bench",
    }, body)
  end
end

local verified = false

function request()
  if not verified then
    -- wrk calls request() once before connecting, on the first thread, to check the request parses:
    -- answer that call without using up a player. (The driver runs one thread, so this is that call.)
    verified = true
    return requests[1]
  end
  if sent < #requests then
    sent = sent + 1
    if sent == 1 then first_sent = now() end
    return requests[sent]
  end
  -- Nothing left to send: an empty request writes nothing and leaves this connection idle.
  return ""
end

local function finish()
  local f = io.open(done_file, "w")
  f:write(string.format(
    '{"sent": %d, "received": %d, "ok": %d, "bad": %d, "confirmed": %d, "first_sent": %.6f, "last_received": %.6f, "statuses": {',
    sent, received, ok, bad, confirmed, first_sent, last_received))
  local parts = {}
  for code, n in pairs(statuses) do parts[#parts + 1] = string.format('"%d": %d', code, n) end
  f:write(table.concat(parts, ", "))
  f:write("}}\n")
  f:close()
  wrk.thread:stop()
end

function response(status, headers, body)
  received = received + 1
  last_received = now()
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 200 and status < 400 then ok = ok + 1 else bad = bad + 1 end
  if body and body:find("You answered", 1, true) then confirmed = confirmed + 1 end
  if received >= #requests then finish() end
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH-SUMMARY {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
