#include "lua_sandbox.hpp"
#include "script_context.hpp"

#include <fluxforge/control/script.hpp>
#include <fluxforge/core/error.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace fluxforge {

using detail::Job;
using detail::ScriptContext;
using detail::SteadyClock;
using detail::TransportCallback;

namespace {

// How long the script's thread sleeps between passes when nothing wakes it: the resolution of
// transport callbacks against a playhead that moves on its own.
constexpr auto kPassInterval = std::chrono::milliseconds(2);
// Callbacks run per pass at most, so that one far behind the playhead cannot hold up the others.
constexpr int kMaxCallbacksPerPass = 64;

void validate(const ScriptConfig& config) {
    if (config.name.empty()) {
        throw Error("Script: the name must not be empty");
    }
    if (config.limits.memoryBytes < 1024 || config.limits.memoryBytes > (std::size_t{4} << 30)) {
        throw Error("Script '" + config.name + "': memoryBytes must be in 1 KiB .. 4 GiB");
    }
    if (config.limits.instructionsPerRun < 1000 ||
        config.limits.instructionsPerRun > (std::uint64_t{1} << 62)) {
        throw Error("Script '" + config.name + "': instructionsPerRun must be in 1000 .. 2^62");
    }
    if (config.commandCapacity == 0 || config.commandCapacity > kMaxSenderCapacity) {
        throw Error("Script '" + config.name + "': commandCapacity must be in 1 .. " +
                    std::to_string(kMaxSenderCapacity));
    }
}

} // namespace

struct Script::Impl {
    Impl(GraphSession& session, const ScriptConfig& config)
        : ctx(session, config) {
        ctx.sender = session.engine().createSender(SenderConfig{config.commandCapacity});
    }

    ScriptContext ctx;
    mutable std::mutex mutex;
    std::condition_variable changed; // state, passes, wake-ups
    ScriptState state = ScriptState::running;
    std::string error;
    bool wakeRequested = false;
    std::uint64_t passesStarted = 0;
    std::uint64_t passesCompleted = 0;
    bool mainDone = false;
    std::thread thread;

    void finish(ScriptState end, std::string message) {
        const std::lock_guard lock(mutex);
        if (state == ScriptState::running) {
            state =
                ctx.stopRequested.load() && end == ScriptState::failed ? ScriptState::stopped : end;
            error = state == ScriptState::failed ? std::move(message) : std::string();
        }
        changed.notify_all();
    }

    void run() {
        std::string failure;
        lua_State* L = detail::openSandbox(ctx, failure);
        if (L == nullptr) {
            finish(ScriptState::failed, failure);
            return;
        }
        bool ok = detail::loadChunk(ctx, failure) == LUA_OK &&
                  detail::runProtected(ctx, L, 0, failure) == LUA_OK;
        {
            const std::lock_guard lock(mutex);
            mainDone = true;
        }
        while (ok && !ctx.stopRequested.load()) {
            {
                const std::lock_guard lock(mutex);
                ++passesStarted;
            }
            bool pending = false;
            ok = pass(failure, pending);
            {
                std::unique_lock lock(mutex);
                ++passesCompleted;
                changed.notify_all();
                if (!ok || !pending) {
                    break;
                }
                changed.wait_for(lock, kPassInterval,
                                 [&] { return wakeRequested || ctx.stopRequested.load(); });
                wakeRequested = false;
            }
        }
        if (!ok) {
            finish(ScriptState::failed, failure);
        } else {
            finish(ctx.stopRequested.load() ? ScriptState::stopped : ScriptState::finished, {});
        }
        lua_close(L);
        ctx.L = nullptr;
    }

    // One pass: transport callbacks due now, then jobs due now. `pending`: something is left to
    // wait for. False on an error (in `failure`).
    bool pass(std::string& failure, bool& pending) {
        lua_State* L = ctx.L;
        const TransportSnapshot transport = ctx.engine.transportApprox();
        const SampleTime position = transport.position;
        if (position < ctx.lastPosition) {
            // A jump back (locate, loop): periodic callbacks continue from the new position.
            for (TransportCallback& callback : ctx.callbacks) {
                if (callback.active && callback.period > 0) {
                    const SampleTime from = std::max(position, callback.origin);
                    const SampleTime periods =
                        (from - callback.origin + callback.period - 1) / callback.period;
                    callback.next = callback.origin + periods * callback.period;
                }
            }
        }
        ctx.lastPosition = position;

        for (int run = 0; run < kMaxCallbacksPerPass; ++run) {
            // The earliest due callback first, so that several stay in timeline order.
            std::size_t due = ctx.callbacks.size();
            for (std::size_t i = 0; i < ctx.callbacks.size(); ++i) {
                const TransportCallback& c = ctx.callbacks[i];
                if (c.active && c.next - c.lookahead <= position &&
                    (due == ctx.callbacks.size() || c.next < ctx.callbacks[due].next)) {
                    due = i;
                }
            }
            if (due == ctx.callbacks.size() || ctx.stopRequested.load()) {
                break;
            }
            const SampleTime at = ctx.callbacks[due].next;
            if (ctx.callbacks[due].period > 0) {
                ctx.callbacks[due].next += ctx.callbacks[due].period;
            } else {
                ctx.callbacks[due].active = false;
            }
            lua_rawgeti(L, LUA_REGISTRYINDEX, ctx.callbacks[due].function);
            lua_pushinteger(L, static_cast<lua_Integer>(at));
            if (!ctx.callbacks[due].active) {
                luaL_unref(L, LUA_REGISTRYINDEX, ctx.callbacks[due].function);
                ctx.callbacks[due].function = LUA_NOREF;
            }
            if (detail::runProtected(ctx, L, 1, failure) != LUA_OK) {
                return false;
            }
        }

        const auto now = SteadyClock::now();
        for (std::size_t i = 0; i < ctx.jobs.size() && !ctx.stopRequested.load();) {
            if (ctx.jobs[i].wake > now) {
                ++i;
                continue;
            }
            ctx.currentJob = i;
            const int status = detail::resumeJob(ctx, i, failure);
            ctx.currentJob = ~std::size_t{0};
            if (status == LUA_YIELD) {
                ++i;
                continue;
            }
            luaL_unref(L, LUA_REGISTRYINDEX, ctx.jobs[i].reference);
            ctx.jobs.erase(ctx.jobs.begin() + static_cast<std::ptrdiff_t>(i));
            if (status != LUA_OK) {
                return false;
            }
        }

        pending = !ctx.jobs.empty();
        for (const TransportCallback& callback : ctx.callbacks) {
            pending = pending || callback.active;
        }
        return true;
    }
};

Script::Script(GraphSession& session, ScriptConfig config) {
    validate(config);
    impl_ = std::make_unique<Impl>(session, config);
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

Script::~Script() {
    stop();
}

const std::string& Script::name() const noexcept {
    return impl_->ctx.config.name;
}

ScriptState Script::state() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->state;
}

std::string Script::error() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->error;
}

void Script::stop() {
    if (impl_ == nullptr || !impl_->thread.joinable()) {
        return;
    }
    {
        const std::lock_guard lock(impl_->mutex);
        impl_->ctx.stopRequested.store(true);
        impl_->changed.notify_all();
    }
    impl_->thread.join();
}

bool Script::waitUntilDone(std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    return impl_->changed.wait_for(lock, timeout,
                                   [&] { return impl_->state != ScriptState::running; });
}

bool Script::waitUntilCaughtUp(std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    const std::uint64_t target = impl_->passesStarted + 1; // a pass that starts after now
    impl_->wakeRequested = true;
    impl_->changed.notify_all();
    return impl_->changed.wait_for(lock, timeout, [&] {
        return impl_->state != ScriptState::running ||
               (impl_->mainDone && impl_->passesCompleted >= target);
    });
}

std::size_t Script::memoryUsedApprox() const noexcept {
    return impl_->ctx.memoryUsed.load(std::memory_order_relaxed);
}

} // namespace fluxforge
