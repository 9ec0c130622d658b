-- wrk script: cycle through a list of tile paths (one per line in $TILE_LIST) with gzip accepted.
local paths = {}
local counter = 0
init = function(args)
  local file = io.open(os.getenv("TILE_LIST"), "r")
  for line in file:lines() do paths[#paths + 1] = line end
  file:close()
  counter = math.random(#paths)
end
request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", os.getenv("TILE_PREFIX") .. paths[counter] .. (os.getenv("TILE_SUFFIX") or ""), { ["Accept-Encoding"] = "gzip" })
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
