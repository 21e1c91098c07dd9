-- Each request of the HTTP benchmark: the next "cookie<TAB>path" line of the file named by BENCH_TARGETS,
-- so every connection walks through many signed-in residents, each with their own pages.
local targets = {}
local count = 0
local index = 0

function init(args)
  local name = os.getenv("BENCH_TARGETS")
  for line in io.lines(name) do
    local cookie, path = line:match("^(.-)\t(.*)$")
    if cookie then
      count = count + 1
      targets[count] = { cookie = cookie, path = path }
    end
  end
  index = math.random(count)
end

function request()
  index = index % count + 1
  local t = targets[index]
  -- as a browser asks: in Russian, and compressed if the server can
  local headers = { ["Accept-Language"] = "ru", ["Accept-Encoding"] = "gzip, deflate, br" }
  if t.cookie ~= "" then headers["Cookie"] = "session=" .. t.cookie end
  return wrk.format("GET", t.path, headers)
end


function done(summary, latency, requests)
  io.write(string.format(
    "BENCH {\"requests\": %d, \"seconds\": %.3f, \"errors\": %d, \"non200\": %d, \"p50\": %.3f, \"p95\": %.3f, \"p99\": %.3f}\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
