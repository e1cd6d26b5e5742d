-- wrk's request mix for tools/bench/py_http_service.py: JSON detail pages, an HTML page and a
-- JSON POST, in turn (wrk -s http_mix.lua).
local n = 0
request = function()
	n = n + 1
	local kind = n % 4
	if kind == 0 then
		return wrk.format("GET", "/page/catalogue?limit=" .. (10 + n % 40))
	elseif kind == 1 then
		return wrk.format("POST", "/api/session", { ["Content-Type"] = "application/json" },
			'{"user": "u' .. (n % 300) .. '", "cart": [1, 2, ' .. (n % 50) .. ']}')
	end
	return wrk.format("GET", "/api/items/" .. (n % 1000))
end
