// CallbackRunner: what every backend does around the AudioCallback: attaching and detaching it
// safely while the audio thread may be calling, counting callbacks, frames and xruns, and keeping
// the stream's sample clock. Private to the device library.
#pragma once

#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/denormal_guard.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/device/audio_callback.hpp>
#include <fluxforge/device/device.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>

namespace fluxforge::detail {

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "the device counters must be lock-free atomics");
static_assert(std::atomic<AudioCallback*>::is_always_lock_free);

class CallbackRunner {
public:
    // ---- control thread ----

    /// Makes `callback` the one run() calls, from the next block on, as a new run (the sample
    /// clock restarts at 0).
    void attach(AudioCallback& callback) noexcept {
        runId_.fetch_add(1, std::memory_order_relaxed);
        // seq_cst pairs with the audio thread's busy_/callback_ handshake in run().
        callback_.store(&callback, std::memory_order_seq_cst);
    }

    /// Stops calling the callback. When it returns, no processAudio call is running and none
    /// will start (Dekker-style handshake: the audio thread raises busy_ before it reads
    /// callback_, this thread clears callback_ before it reads busy_, both sequentially
    /// consistent, so at least one of them sees the other).
    void detach() noexcept {
        callback_.store(nullptr, std::memory_order_seq_cst);
        while (busy_.load(std::memory_order_seq_cst)) {
            std::this_thread::yield();
        }
    }

    /// After the backend has stopped calling: makes everything the audio thread did visible here
    /// (an acquire of the flag each block ends by releasing).
    void synchronizeWithAudioThread() const noexcept {
        (void)busy_.load(std::memory_order_acquire);
    }

    [[nodiscard]] bool isAttached() const noexcept {
        return callback_.load(std::memory_order_acquire) != nullptr;
    }

    void resetCounters() noexcept {
        callbacks_.store(0, std::memory_order_relaxed);
        frames_.store(0, std::memory_order_relaxed);
        underflows_.store(0, std::memory_order_relaxed);
        overflows_.store(0, std::memory_order_relaxed);
        takenUnderflows_ = 0;
        takenOverflows_ = 0;
    }

    [[nodiscard]] DeviceStats stats() const noexcept {
        DeviceStats stats;
        stats.callbacks = callbacks_.load(std::memory_order_relaxed);
        stats.frames = frames_.load(std::memory_order_relaxed);
        stats.xruns.outputUnderflows = underflows_.load(std::memory_order_relaxed);
        stats.xruns.inputOverflows = overflows_.load(std::memory_order_relaxed);
        return stats;
    }

    /// The xruns since the previous call (one control thread).
    [[nodiscard]] XrunCounts takeNewXruns() noexcept {
        const std::uint64_t underflows = underflows_.load(std::memory_order_relaxed);
        const std::uint64_t overflows = overflows_.load(std::memory_order_relaxed);
        XrunCounts counts{underflows - takenUnderflows_, overflows - takenOverflows_};
        takenUnderflows_ = underflows;
        takenOverflows_ = overflows;
        return counts;
    }

    /// Callbacks made so far (any thread; for stall detection).
    [[nodiscard]] std::uint64_t callbacksApprox() const noexcept {
        return callbacks_.load(std::memory_order_relaxed);
    }

    // ---- audio thread ----

    /// Counts xruns the backend reported; they are also passed to the next processAudio.
    void noteXruns(XrunFlags flags) noexcept {
        if (any(flags & XrunFlags::outputUnderflow)) {
            underflows_.fetch_add(1, std::memory_order_relaxed);
        }
        if (any(flags & XrunFlags::inputOverflow)) {
            overflows_.fetch_add(1, std::memory_order_relaxed);
        }
        pendingXruns_.fetch_or(static_cast<std::uint32_t>(flags), std::memory_order_relaxed);
    }

    /// Renders one block: zeroes `output`, then, if a callback is attached, calls it in pieces
    /// of at most `maxBlockFrames` frames. `onRunStart` runs before the first block of each run
    /// (the device raises the thread's priority there). `streamSeconds` < 0 means "derive it
    /// from the sample clock". Returns whether a callback was called.
    template <typename OnRunStart>
    bool run(ConstBufferView input, BufferView output, FrameCount maxBlockFrames,
             SampleRate sampleRate, double streamSeconds, OnRunStart&& onRunStart) noexcept {
        RealtimeScope realtime;
        DenormalGuard denormals;
        for (ChannelCount c = 0; c < output.numChannels(); ++c) {
            std::fill_n(output.channel(c), output.numFrames(), 0.0f);
        }

        busy_.store(true, std::memory_order_seq_cst);
        AudioCallback* callback = callback_.load(std::memory_order_seq_cst);
        if (callback == nullptr) {
            busy_.store(false, std::memory_order_release);
            return false;
        }

        const std::uint64_t run = runId_.load(std::memory_order_relaxed);
        if (run != seenRun_) {
            seenRun_ = run;
            streamFrame_ = 0;
            onRunStart();
        }

        const FrameCount total = output.numChannels() > 0 ? output.numFrames() : input.numFrames();
        const FrameCount step = maxBlockFrames > 0 ? maxBlockFrames : total;
        CallbackInfo info;
        info.xruns = static_cast<XrunFlags>(pendingXruns_.exchange(0, std::memory_order_relaxed));
        for (FrameCount done = 0; done < total;) {
            const FrameCount count = std::min(step, total - done);
            info.streamFrame = streamFrame_;
            info.streamSeconds = streamSeconds >= 0.0 && done == 0
                                     ? streamSeconds
                                     : static_cast<double>(streamFrame_) / sampleRate;
            // A direction without channels still gets a view of the block's length.
            const ConstBufferView in = input.numChannels() > 0 ? input.subFrames(done, count)
                                                               : ConstBufferView(nullptr, 0, count);
            const BufferView out = output.numChannels() > 0 ? output.subFrames(done, count)
                                                            : BufferView(nullptr, 0, count);
            callback->processAudio(in, out, info);
            info.xruns = XrunFlags::none;
            streamFrame_ += count;
            done += count;
            callbacks_.fetch_add(1, std::memory_order_relaxed);
            frames_.fetch_add(count, std::memory_order_relaxed);
        }

        busy_.store(false, std::memory_order_release);
        return true;
    }

private:
    // Control writes, audio reads.
    std::atomic<AudioCallback*> callback_{nullptr};
    std::atomic<std::uint64_t> runId_{0};
    // Audio writes, control reads.
    std::atomic<bool> busy_{false};
    std::atomic<std::uint64_t> callbacks_{0};
    std::atomic<std::uint64_t> frames_{0};
    std::atomic<std::uint64_t> underflows_{0};
    std::atomic<std::uint64_t> overflows_{0};
    std::atomic<std::uint32_t> pendingXruns_{0};
    // Audio thread only (handed between runs through the callback_/busy_ handshake).
    std::uint64_t seenRun_ = 0;
    SampleTime streamFrame_ = 0;
    // The control thread that calls takeNewXruns only.
    std::uint64_t takenUnderflows_ = 0;
    std::uint64_t takenOverflows_ = 0;
};

} // namespace fluxforge::detail
