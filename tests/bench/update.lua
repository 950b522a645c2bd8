-- SPDX-License-Identifier: MIT
-- tests/bench/update.lua - wrk script for /nic/update, rotating over many
-- hosts with precomputed HTTP Basic credentials, on keep-alive connections.
--
-- Environment:
--   BENCH_HOSTS   file with lines "fqdn token public_id hash_hex basic"
--                 (tests/bench/mktokens.c); only fqdn and basic are used
--   BENCH_MODE    nochg: always myip=192.0.2.1, the address the hosts were
--                        seeded with (and the ceiling run against hello.c)
--                 good:  every request a new address: each pass over a
--                        thread's slice of the hosts uses the next address
-- The wrk threads take disjoint slices of the hosts (host i goes to thread
-- i mod BENCH_THREADS) and each rotates over its slice.
--   BENCH_THREADS the -t given to wrk
--   BENCH_IPBASE  good mode: first pass number (pick a different one per
--                 run so that no request repeats an earlier address)
--
-- done() prints one machine-readable line:
--   BENCH requests=N duration_us=N rps=N p50_us=N p90_us=N p99_us=N
--         max_us=N non2xx=N errors=N

local counter = 1

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
end

-- wrk creates its threads one after the other, calling each one's init()
-- in its main thread, and starts the clock only after the last: a thread
-- already sends while the next one's init() reads the hosts file. With
-- 1,000,000 hosts that read takes seconds, and the requests of those
-- seconds were counted without their time (--million measured 2.1x the
-- 10,000-host rotation; ddnsd answered more requests than wrk reported,
-- and rps disagreed with the latencies: 64 connections / 7.2 ms p50 is
-- about 9,000 req/s, not 38,000). So each thread, once it has read its
-- hosts, adds a line to BENCH_READY, and delay() holds every request
-- back (20 ms at a time) until all BENCH_THREADS lines are there. Loading
-- on the first request instead put seconds of reading into the measured
-- time, which undercounted as much.
function init(args)
	local path = os.getenv("BENCH_HOSTS") or error("BENCH_HOSTS not set")
	mode = os.getenv("BENCH_MODE") or "nochg"
	ipbase = tonumber(os.getenv("BENCH_IPBASE") or "1")
	-- setup() ran in the main state and set our global tid; the thread
	-- count must come from outside (init runs before later setups)
	tid = tonumber(tid) or 1
	nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
	names, creds = {}, {}
	local i = 0
	for line in io.lines(path) do
		local fqdn, basic = line:match("^(%S+) %S+ %S+ %S+ (%S+)")
		if fqdn ~= nil then
			i = i + 1
			-- this thread's slice only: in good mode no two threads
			-- ever change the same host
			if (i - 1) % nthreads == tid - 1 then
				names[#names + 1] = fqdn
				creds[#creds + 1] = basic
			end
		end
	end
	n = #names
	if n == 0 then error("no hosts in " .. path) end
	k = 0
	pass = ipbase
	readyfile = os.getenv("BENCH_READY")
	ready = readyfile == nil or readyfile == ""
	if not ready then
		local f = io.open(readyfile, "a")
		f:write(tid, "\n")
		f:close()
	end
end

function delay()
	if ready then return 0 end
	local f = io.open(readyfile, "r")
	local lines = 0
	if f ~= nil then
		for _ in f:lines() do lines = lines + 1 end
		f:close()
	end
	ready = lines >= nthreads
	return ready and 0 or 20
end

local function ip_of(p)
	-- a unique address per pass; 10.0.0.0/8 keeps 16.7 million passes
	return string.format("10.%d.%d.%d", math.floor(p / 65536) % 256,
		math.floor(p / 256) % 256, p % 256)
end

function request()
	local i = k % n + 1
	local ip = "192.0.2.1"
	if mode == "good" then
		ip = ip_of(pass)
		if i == n then pass = pass + 1 end
	end
	k = k + 1
	return "GET /nic/update?hostname=" .. names[i] .. "&myip=" .. ip ..
		" HTTP/1.1\r\nHost: bench\r\nUser-Agent: ddnsd-bench\r\n" ..
		"Authorization: Basic " .. creds[i] .. "\r\n\r\n"
end

function done(summary, latency, requests)
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format("BENCH requests=%d duration_us=%d rps=%.1f " ..
		"p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d errors=%d\n",
		summary.requests, summary.duration, summary.requests / secs,
		latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max, e.status,
		e.connect + e.read + e.write + e.timeout))
end
