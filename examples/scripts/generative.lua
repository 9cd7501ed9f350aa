-- A generative piece: it builds its own graph, writes each bar's chord automation a bar ahead of
-- the playhead, and changes the graph while it plays (a bass joins at bar 5, an echo at bar 9,
-- and the bass leaves again at bar 13). Run it with examples/script_runner.

local rate = ff.sampleRate()
local bpm = 96
local bar = math.floor(4 * 60 / bpm * rate)        -- frames per 4/4 bar
local voices = 3

-- The graph: three sine voices -> mixer -> pan (mono to stereo) -> reverb -> limiter -> out.
local g = ff.graph()
local mix = g:add("mixer", {name = "voices", inputs = voices, channels = 1, master = -6})
local pan = g:add("gainPan", {name = "pan"})
local reverb = g:add("reverb", {name = "room", decay = 3.5, mix = 0.3})
local limiter = g:add("limiter", {name = "limiter", ceiling = -1})
local voice = {}
for i = 1, voices do
  voice[i] = g:add("sine", {name = "voice" .. i, amplitude = 0})
  g:connect(voice[i], mix, i - 1)
end
g:connect(mix, pan)
g:connect(pan, reverb)
g:connect(reverb, limiter)
g:connect(limiter, g:output())
g:commit()

-- The harmony: a progression of triads (MIDI notes), chosen bar by bar with a little chance.
local progression = {
  {57, 60, 64}, {53, 57, 60}, {48, 52, 55}, {55, 59, 62},  -- Am F C G
  {57, 60, 64}, {50, 53, 57}, {52, 55, 59}, {52, 56, 59},  -- Am Dm Em E
}
local function hz(note) return 440 * 2 ^ ((note - 69) / 12) end
local seed = 7
local function chance()                               -- a small deterministic generator
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
end

local bass, echo
local function changeGraph(index)
  if index == 4 then                                  -- bar 5: a bass through a low-pass
    bass = g:add("saw", {name = "bass", amplitude = 0})
    local filter = g:add("biquad", {name = "bassFilter", type = "lowPass", channels = 1,
                                    frequency = 400})
    g:connect(bass, filter)
    g:connect(filter, pan)                            -- summed with the voices
    g:commit()
    print(string.format("bar %d: bass in", index + 1))
  elseif index == 8 then                              -- bar 9: an echo after the reverb
    echo = g:add("delay", {name = "echo", delay = 60 / bpm * 750, feedback = 0.35, mix = 0.25})
    g:disconnect(reverb, limiter)
    g:connect(reverb, echo)
    g:connect(echo, limiter)
    g:commit()
    print(string.format("bar %d: echo in", index + 1))
  elseif index == 12 and bass then                    -- bar 13: the bass leaves
    g:remove(g:find("bassFilter"))
    g:remove(bass)
    bass = nil
    g:commit()
    print(string.format("bar %d: bass out", index + 1))
  end
end

-- A lane replaces the parameter's whole automation, so each keeps the bar now playing and adds the
-- next one: points before `position - bar` are dropped, the new bar's appended.
local lanes = {}
local function extend(node, parameter, position, points)
  local key = node:name() .. "." .. parameter
  local kept = {}
  for _, point in ipairs(lanes[key] or {}) do
    if point[1] >= position - bar and point[1] < position then kept[#kept + 1] = point end
  end
  for _, point in ipairs(points) do kept[#kept + 1] = point end
  lanes[key] = kept
  node:automate(parameter, kept)
end

-- One bar ahead of the playhead: the chord's pitches (steps at the bar line) and a swell.
ff.every(bar, bar, function(position)
  local index = position // bar
  local chord = progression[index % #progression + 1]
  local spread = chance() < 0.3 and 12 or 0           -- now and then the top voice an octave up
  for i = 1, voices do
    local note = chord[i] + (i == voices and spread or 0)
    extend(voice[i], "frequency", position, { {position, hz(note), "step"} })
    extend(voice[i], "amplitude", position, {
      {position, 0.0}, {position + bar // 8, 0.3, "sCurve"},
      {position + bar * 7 // 8, 0.2}, {position + bar - 1, 0.0},
    })
  end
  if bass then
    local root = hz(chord[1] - 24)
    extend(bass, "frequency", position, { {position, root, "step"} })
    extend(bass, "amplitude", position, { {position, 0.25, "step"}, {position + bar // 2, 0.1},
                                          {position + bar - 1, 0.0} })
  end
  changeGraph(index)
end)

-- A background job reports now and then; the transport starts once bar 1 is written.
ff.spawn(function()
  while true do
    ff.sleep(2)
    local m = ff.metrics()
    print(string.format("at %.1f s: %d plan swaps, %d commands, latency %d frames",
                        m.position / rate, m.planSwaps, m.commandsApplied, m.outputLatency))
  end
end)
ff.transport.play()
