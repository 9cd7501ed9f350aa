// Experiment files are parsed with nlohmann/json (Debian's nlohmann-json3-dev, header-only and
// private to this tool): its parse errors give line and column, which a hand-written parser
// would have to grow; nothing outside the tool depends on it.
#include "experiment_file.hpp"

#include <fluxforge/core/error.hpp>

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fluxforge::tool {

namespace {

using Json = nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw Error(where + ": " + what);
}

void allowOnly(const Json& object, const std::string& where,
               std::initializer_list<const char*> keys) {
    if (!object.is_object()) {
        fail(where, "must be an object");
    }
    for (const auto& item : object.items()) {
        const std::string& key = item.key();
        if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; })) {
            std::string known;
            for (const char* k : keys) {
                known += std::string(known.empty() ? "" : ", ") + k;
            }
            fail(where, "unknown field '" + key + "' (known: " + known + ")");
        }
    }
}

template <typename T>
T get(const Json& object, const char* key, T fallback, const std::string& where) {
    if (!object.contains(key)) {
        return fallback;
    }
    try {
        return object.at(key).get<T>();
    } catch (const Json::exception&) {
        fail(where + "." + key, "has the wrong type");
    }
}

CostModel readCost(const Json& j, const std::string& where) {
    allowOnly(
        j, where,
        {"kind", "ns", "min", "max", "mean", "sd", "median", "sigma", "type", "redrawEachBlock"});
    CostModel cost;
    try {
        cost.kind = parseCostKind(get<std::string>(j, "kind", "fixed", where));
    } catch (const Error& e) {
        fail(where, e.what());
    }
    cost.redrawEachBlock = get<bool>(j, "redrawEachBlock", false, where);
    switch (cost.kind) {
    case CostKind::trivial:
        break;
    case CostKind::fixed:
        cost.a = get<double>(j, "ns", 10000.0, where);
        break;
    case CostKind::uniform:
        cost.a = get<double>(j, "min", 0.0, where);
        cost.b = get<double>(j, "max", 2.0 * cost.a, where);
        break;
    case CostKind::normal:
        cost.a = get<double>(j, "mean", 10000.0, where);
        cost.b = get<double>(j, "sd", 0.0, where);
        break;
    case CostKind::lognormal:
        cost.a = get<double>(j, "median", 10000.0, where);
        cost.b = get<double>(j, "sigma", 0.5, where);
        break;
    case CostKind::builtin:
        cost.builtin = get<std::string>(j, "type", "biquad", where);
        break;
    }
    if (cost.a < 0.0 || cost.b < 0.0 || (cost.kind == CostKind::uniform && cost.b < cost.a)) {
        fail(where, "costs must be >= 0 (and min <= max)");
    }
    return cost;
}

void setGeneratorField(GeneratorSpec& g, const std::string& key, const Json& value,
                       const std::string& where) {
    const auto size = [&]() -> std::size_t {
        if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<long>() >= 0)) {
            fail(where + "." + key, "must be a non-negative integer");
        }
        return value.get<std::size_t>();
    };
    if (key == "kind") {
        try {
            g.kind = parseGeneratorKind(value.get<std::string>());
        } catch (const Error& e) {
            fail(where, e.what());
        } catch (const Json::exception&) {
            fail(where + ".kind", "must be a string");
        }
    } else if (key == "seed") {
        g.seed = size();
    } else if (key == "cost") {
        g.cost = readCost(value, where + ".cost");
    } else if (key == "besideCost") {
        g.besideCost = readCost(value, where + ".besideCost");
    } else if (key == "nodes") {
        g.nodes = size();
    } else if (key == "beside") {
        g.beside = size();
    } else if (key == "width") {
        g.width = size();
    } else if (key == "join") {
        if (!value.is_boolean()) {
            fail(where + ".join", "must be true or false");
        }
        g.join = value.get<bool>();
    } else if (key == "layers") {
        g.layers = size();
    } else if (key == "fanIn") {
        g.fanIn = size();
    } else if (key == "fanOut") {
        g.fanOut = size();
    } else if (key == "maxBranch") {
        g.maxBranch = size();
    } else if (key == "seriesProbability") {
        g.seriesProbability = value.get<double>();
    } else if (key == "tracks") {
        g.tracks = size();
    } else if (key == "effects") {
        g.effects = size();
    } else if (key == "buses") {
        g.buses = size();
    } else if (key == "busEffects") {
        g.busEffects = size();
    } else if (key == "returns") {
        g.returns = size();
    } else if (key == "sidechains") {
        g.sidechains = size();
    } else if (key == "latentNodes") {
        g.latentNodes = size();
    } else if (key == "latentFrames") {
        g.latentFrames = static_cast<FrameCount>(size());
    } else {
        fail(where, "unknown generator field '" + key + "'");
    }
}

GeneratorSpec readGenerator(const Json& j, const std::string& where) {
    if (!j.is_object()) {
        fail(where, "must be an object");
    }
    GeneratorSpec g;
    if (j.contains("kind")) {
        setGeneratorField(g, "kind", j.at("kind"), where);
    }
    for (const auto& [key, value] : j.items()) {
        if (key != "kind") {
            setGeneratorField(g, key, value, where);
        }
    }
    return g;
}

std::string valueLabel(const Json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
}

SimOverheads readOverheads(const Json& j, const std::string& where) {
    allowOnly(j, where, {"taskNs", "levelNs", "notifyNs", "wakeNs", "remoteNs", "blockNs"});
    SimOverheads o;
    o.taskNs = get<double>(j, "taskNs", 0.0, where);
    o.levelNs = get<double>(j, "levelNs", 0.0, where);
    o.notifyNs = get<double>(j, "notifyNs", 0.0, where);
    o.wakeNs = get<double>(j, "wakeNs", 0.0, where);
    o.remoteNs = get<double>(j, "remoteNs", 0.0, where);
    o.blockNs = get<double>(j, "blockNs", 0.0, where);
    return o;
}

Json parseFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw Error("cannot open '" + path + "'");
    }
    try {
        return Json::parse(in);
    } catch (const Json::parse_error& e) {
        throw Error(path + ": not valid JSON: " + e.what());
    }
}

} // namespace

ExperimentFile readExperimentFile(const std::string& path) {
    const Json j = parseFile(path);
    allowOnly(j, path,
              {"name", "description", "generator", "sweep", "cases", "executors", "workers",
               "blockSizes", "blocks", "warmup", "warmupFrames", "repetitions", "policy",
               "simulate", "simulateWorkers", "recordBlocks", "realtime", "table", "plots"});
    ExperimentFile file;
    ExperimentSpec& spec = file.spec;
    spec.name = get<std::string>(j, "name", "experiment", path);

    // Cases: a list of {label, generator}, or one generator swept over one field's values.
    if (j.contains("cases")) {
        if (!j.at("cases").is_array()) {
            fail(path + ".cases", "must be a list");
        }
        std::size_t i = 0;
        for (const Json& c : j.at("cases")) {
            const std::string where = path + ".cases[" + std::to_string(i++) + "]";
            allowOnly(c, where, {"label", "generator"});
            if (!c.contains("generator")) {
                fail(where, "needs a 'generator'");
            }
            spec.cases.push_back({get<std::string>(c, "label", "case" + std::to_string(i), where),
                                  readGenerator(c.at("generator"), where + ".generator")});
        }
    }
    if (j.contains("generator")) {
        const Json& base = j.at("generator");
        const std::string where = path + ".generator";
        if (j.contains("sweep")) {
            const Json& sweep = j.at("sweep");
            if (!sweep.is_object() || sweep.size() != 1 || !sweep.begin().value().is_array()) {
                fail(path + ".sweep", "must be one field with a list of values");
            }
            const std::string field = sweep.begin().key();
            for (const Json& value : sweep.begin().value()) {
                GeneratorSpec g = readGenerator(base, where);
                setGeneratorField(g, field, value, path + ".sweep");
                spec.cases.push_back({field + "=" + valueLabel(value), g});
            }
        } else {
            const GeneratorSpec g = readGenerator(base, where);
            spec.cases.push_back({std::string(generatorKindName(g.kind)), g});
        }
    }
    if (spec.cases.empty()) {
        fail(path, "needs 'generator' (optionally with 'sweep') or 'cases'");
    }
    if (j.contains("executors")) {
        spec.executors.clear();
        for (const Json& e : j.at("executors")) {
            const std::string name = e.get<std::string>();
            bool found = false;
            for (ExecutorKind kind : {ExecutorKind::serial, ExecutorKind::levelBarrier,
                                      ExecutorKind::dynamicFifo, ExecutorKind::criticalPath}) {
                if (executorName(kind) == name) {
                    spec.executors.push_back(kind);
                    found = true;
                }
            }
            if (!found) {
                fail(path + ".executors", "unknown executor '" + name +
                                              "' (serial, level-barrier, dynamic-fifo, "
                                              "critical-path)");
            }
        }
    }
    spec.workers = get<std::vector<std::uint32_t>>(j, "workers", spec.workers, path);
    spec.blockSizes = get<std::vector<FrameCount>>(j, "blockSizes", spec.blockSizes, path);
    spec.blocks = get<std::size_t>(j, "blocks", spec.blocks, path);
    spec.warmup = get<std::size_t>(j, "warmup", spec.warmup, path);
    spec.warmupFrames = get<std::size_t>(j, "warmupFrames", spec.warmupFrames, path);
    spec.repetitions = get<std::size_t>(j, "repetitions", spec.repetitions, path);
    if (spec.blocks == 0 || spec.repetitions == 0) {
        fail(path, "'blocks' and 'repetitions' must be at least 1");
    }
    for (std::uint32_t w : spec.workers) {
        if (w == 0 || w > 64) {
            fail(path + ".workers", "worker counts must be 1..64");
        }
    }
    if (j.contains("policy")) {
        const Json& p = j.at("policy");
        allowOnly(p, path + ".policy",
                  {"minimumWorkNanoseconds", "limitToParallelism", "minimumStealNanoseconds"});
        spec.policy.minimumWorkNanoseconds =
            get<double>(p, "minimumWorkNanoseconds", spec.policy.minimumWorkNanoseconds, path);
        spec.policy.limitToParallelism =
            get<bool>(p, "limitToParallelism", spec.policy.limitToParallelism, path);
        spec.policy.minimumStealNanoseconds =
            get<double>(p, "minimumStealNanoseconds", spec.policy.minimumStealNanoseconds, path);
    }
    spec.simulate = get<bool>(j, "simulate", spec.simulate, path);
    spec.realtime = get<bool>(j, "realtime", spec.realtime, path);
    spec.simulateWorkers =
        get<std::vector<std::uint32_t>>(j, "simulateWorkers", spec.simulateWorkers, path);
    spec.recordBlocks = get<std::size_t>(j, "recordBlocks", spec.recordBlocks, path);
    file.tool.table = get<std::string>(j, "table", "", path);
    if (j.contains("plots")) {
        const Json& plots = j.at("plots");
        if (plots.is_boolean()) {
            if (plots.get<bool>()) {
                file.tool.plots = {"scaling", "distribution", "executors"};
            }
        } else {
            file.tool.plots = get<std::vector<std::string>>(j, "plots", {}, path);
        }
    } else {
        file.tool.plots = {"scaling", "distribution", "executors"};
    }
    return file;
}

Calibration readCalibrationFile(const std::string& path) {
    Json j = parseFile(path);
    if (j.contains("calibration")) {
        j = j.at("calibration");
    }
    Calibration c;
    for (ExecutorKind kind : {ExecutorKind::serial, ExecutorKind::levelBarrier,
                              ExecutorKind::dynamicFifo, ExecutorKind::criticalPath}) {
        const std::string name(executorName(kind));
        if (!j.contains(name)) {
            fail(path, "calibration lacks '" + name + "'");
        }
        ExecutorCalibration e;
        e.serial = readOverheads(j.at(name).at("serial"), path + "." + name + ".serial");
        e.parallel = readOverheads(j.at(name).at("parallel"), path + "." + name + ".parallel");
        switch (kind) {
        case ExecutorKind::serial:
            c.serial = e;
            break;
        case ExecutorKind::levelBarrier:
            c.levelBarrier = e;
            break;
        case ExecutorKind::dynamicFifo:
            c.dynamicFifo = e;
            break;
        case ExecutorKind::criticalPath:
            c.criticalPath = e;
            break;
        }
    }
    return c;
}

} // namespace fluxforge::tool
