// JackSession: a passive JACK client of our own beside RtAudio's (which RtAudio keeps private),
// used to learn what RtAudio cannot tell: the latency of our ports as they are connected now,
// whether a client name is taken, and the server shutting down. It never activates, so it has
// no process thread and costs the server nothing per cycle. Private to the device library; built
// only with libjack (FLUXFORGE_DEVICE_HAVE_JACK).
#pragma once

#include <fluxforge/core/types.hpp>

#include <array>
#include <atomic>
#include <jack/types.h>
#include <memory>
#include <optional>
#include <string>

namespace fluxforge::detail {

/// Per-direction latency of a set of ports, as JACK computes it for the current connections.
struct JackPortLatency {
    FrameCount playbackMax = 0; ///< the most, over the output ports, from port to the world
    FrameCount captureMax = 0;  ///< the most, over the input ports, from the world to port
};

class JackSession {
public:
    /// Connects to the running server without starting one; null if there is none.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    static std::unique_ptr<JackSession> connect(const std::string& clientName);
    ~JackSession();

    JackSession(const JackSession&) = delete;
    JackSession& operator=(const JackSession&) = delete;

    /// Whether a client of that name exists on the server.
    [[nodiscard]] bool clientExists(const std::string& name) const;

    /// JACK's latency ranges of "<client>:outport 0..outputs-1" (playback) and
    /// "<client>:inport 0..inputs-1" (capture); empty if a port is missing.
    [[nodiscard]] std::optional<JackPortLatency>
    portLatency(const std::string& client, ChannelCount outputs, ChannelCount inputs) const;

    /// Also watches the stream's own client (RtAudio's) for the server's shutdown, and so takes
    /// that event from RtAudio: both of the client's shutdown callbacks become ours (libjack may
    /// call the plain one, RtAudio's, after the info one). Without this, RtAudio 5 answers a
    /// shutdown by starting a thread that closes the client, which cancels (asynchronously)
    /// libjack's thread while RtAudio still prints on it; std::terminate when the cancel lands in a
    /// noexcept frame of libstdc++. The device then closes the stream itself, in close().
    /// `streamClient` must be inactive (opened, not started) and outlive neither this session nor
    /// its registration. Returns false, registering nothing, if `streamClient` is not the client
    /// named `expectedName`. Thread: control. Real-time safe: no. Allocates: no.
    bool watchStreamClient(jack_client_t* streamClient, const std::string& expectedName);

    /// Whether the server has shut this session down (it died or kicked us out).
    [[nodiscard]] bool serverGone() const noexcept { return gone_.load(std::memory_order_acquire); }
    /// The server's reason, once serverGone().
    [[nodiscard]] std::string shutdownReason() const;

private:
    JackSession() = default;
    // Not noexcept on purpose: libjack may cancel the calling thread asynchronously, and a
    // forced unwind through a noexcept frame ends the program.
    static void onShutdown(jack_status_t code, const char* reason, void* self);
    static void onPlainShutdown(void* self);

    jack_client_t* client_ = nullptr;
    std::atomic<bool> claimed_{false}; // the first of the two clients' shutdowns writes below
    std::atomic<bool> gone_{false};
    int shutdownCode_ = 0;
    std::array<char, 200> reason_{};
};

} // namespace fluxforge::detail
