-- wrk script: every request carries a credential picked at random (uniformly) from a file, one per line.
-- Environment:
--   BENCH_TOKEN_FILE  the file
--   BENCH_TOKEN_MODE  bearer (a line is a JWT: Authorization: Bearer <line>) or
--                     headers (a line is "<client id> <secret>": KC-Access-Client-Id / KC-Access-Client-Secret)
--   BENCH_GEN_SIZE, BENCH_GEN_START, BENCH_GEN_STEP  (optional) the file holds generations of BENCH_GEN_SIZE lines,
--                     generation g valid from BENCH_GEN_START + g * BENCH_GEN_STEP (epoch seconds): each request
--                     picks from the generation current at os.time(), so tokens are replaced as they age.
-- The whole request text of every line is built once per thread in init(), so request() only picks one: the
-- script costs the same on every path, whatever the token count.

local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local requests, size, gen_start, gen_step, gens

function init(args)
  -- A different sequence per thread (each thread has its own Lua state, seeded alike otherwise).
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
  local mode = os.getenv("BENCH_TOKEN_MODE") or "bearer"
  requests = {}
  for line in io.lines(os.getenv("BENCH_TOKEN_FILE")) do
    local headers = { ["Host"] = wrk.headers["Host"] }
    if mode == "headers" then
      local client_id, secret = line:match("^(%S+)%s+(%S+)$")
      headers["KC-Access-Client-Id"] = client_id
      headers["KC-Access-Client-Secret"] = secret
    else
      headers["Authorization"] = "Bearer " .. line
    end
    requests[#requests + 1] = wrk.format("GET", wrk.path, headers)
  end
  size = tonumber(os.getenv("BENCH_GEN_SIZE") or "") or #requests
  gen_start = tonumber(os.getenv("BENCH_GEN_START") or "") or 0
  gen_step = tonumber(os.getenv("BENCH_GEN_STEP") or "") or 0
  gens = math.floor(#requests / size)
end

function request()
  local base = 0
  if gen_step > 0 then
    local g = math.floor((os.time() - gen_start) / gen_step)
    if g >= gens then g = gens - 1 end -- past the last generation: its tokens expire and the run fails, visibly
    base = g * size
  end
  return requests[base + math.random(size)]
end
