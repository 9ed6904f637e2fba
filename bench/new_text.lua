-- wrk: a new query text on every request, so that no cache can answer it: BENCH_QUERY with a comment that
-- numbers the request (per wrk thread) appended, sent as GET BENCH_PATH .. the encoded text.
local base = os.getenv("BENCH_QUERY")
local path = os.getenv("BENCH_PATH")
local counter, threads = 0, 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local function encode(text)
  return (text:gsub("[^%w%-%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  counter = counter + 1
  return wrk.format("GET", path .. encode(base .. " # " .. id .. "-" .. counter))
end
