-- Pre-signed Twilio webhooks for wrk: wrk -s bench/signed.lua URL -- FILE THREADS SKIP
-- After the first SKIP lines of FILE, thread k of n sends lines k, k+n, k+2n, ... once each, so no MessageSid
-- repeats across threads (nor across runs, given the SKIP the previous run's "most" calls for);
-- done() prints one "wrk-result" line that bench/load.py parses.

local threads = {}

function setup(thread)
   thread:set("index", #threads)
   table.insert(threads, thread)
end

function init(args)
   local path, count, skip = args[1], tonumber(args[2]), tonumber(args[3] or "0")
   signatures, bodies, sent, wrapped = {}, {}, 0, 0
   local line_number = 0
   for line in io.lines(path) do
      if line_number >= skip and (line_number - skip) % count == index then
         local signature, body = line:match("^([^\t]*)\t(.*)$")
         table.insert(signatures, signature)
         table.insert(bodies, body)
      end
      line_number = line_number + 1
   end
   available = #bodies
   assert(available > 0, "no signed requests left after SKIP lines of " .. path)
end

function request()
   sent = sent + 1
   local at = (sent - 1) % #bodies + 1
   if sent > #bodies then
      wrapped = 1
   end
   local headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = signatures[at],
   }
   return wrk.format("POST", nil, headers, bodies[at])
end

function done(summary, latency, requests)
   local sent, most, available, wrapped = 0, 0, 0, 0
   for _, thread in ipairs(threads) do
      sent = sent + thread:get("sent")
      most = math.max(most, thread:get("sent"))
      available = available + thread:get("available")
      wrapped = wrapped + thread:get("wrapped")
   end
   local errors = summary.errors
   io.write(string.format(
      "wrk-result requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d "
         .. "p50_us=%d p99_us=%d sent=%d most=%d available=%d wrapped=%d\n",
      summary.requests, summary.duration, errors.status, errors.connect, errors.read, errors.write,
      errors.timeout, latency:percentile(50), latency:percentile(99), sent, most, available, wrapped
   ))
end
