-- wrk script for bench/throughput.py: POSTs one episode per request, the body the phone
-- sends to /api/v1/episodes/, each with an id of its own (an episode id must be unique
-- per user and table). Arguments after "--": the path, a tag that makes this run's ids
-- unique, and optionally a file of tokens (one a line) used in turn, as many phones would.

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  target = args[1]
  tag = args[2]
  tokens = {}
  if args[3] then
    for line in io.lines(args[3]) do
      if #line > 0 then table.insert(tokens, line) end
    end
  end
  started_at = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 3600)
  sent = 0
end

function request()
  sent = sent + 1
  local headers = { ["Content-Type"] = "application/json" }
  if #tokens > 0 then
    headers["Authorization"] = "Token " .. tokens[(sent + thread_number) % #tokens + 1]
  end
  local body = string.format(
    '{"id": "%s-t%d-%d", "started_at": "%s", "duration_s": 30, "body_sites": ["left_index", "left_middle"], '
      .. '"character": "twitch", "intensity": 4, "context": "at_rest", "symptoms": ["tingling"], '
      .. '"notes": "after coffee"}',
    tag, thread_number, sent, started_at)
  return wrk.format("POST", target, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d non_2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
