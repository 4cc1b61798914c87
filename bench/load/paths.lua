-- wrk script: cycle through the request paths in $WRK_PATHS (one a line), with $WRK_TOKEN as the
-- API token when set. Each wrk thread starts at its own offset so threads do not ask in lockstep.
local paths = {}
local counter = 0

function init(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  counter = math.random(#paths)
  local token = os.getenv("WRK_TOKEN")
  if token and token ~= "" then wrk.headers["Authorization"] = "Token " .. token end
  wrk.headers["Accept"] = "application/json"
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  io.write(string.format("WRK rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d non2xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
