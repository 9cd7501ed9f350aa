#include "jack_session.hpp"

#include <algorithm>
#include <cstring>
#include <jack/jack.h>

namespace fluxforge::detail {

std::unique_ptr<JackSession> JackSession::connect(const std::string& clientName) {
    std::unique_ptr<JackSession> session(new JackSession());
    jack_status_t status{};
    const auto options = static_cast<jack_options_t>(JackNoStartServer);
    session->client_ = jack_client_open(clientName.c_str(), options, &status);
    if (session->client_ == nullptr) {
        return nullptr;
    }
    // Called from libjack's own threads (possibly its real-time one) when the server goes away:
    // the handler only records it; the device's notification thread acts on it.
    jack_on_info_shutdown(session->client_, &JackSession::onShutdown, session.get());
    return session;
}

JackSession::~JackSession() {
    if (client_ != nullptr) {
        // Also right after a shutdown: the client's resources must still be released.
        jack_client_close(client_);
    }
}

bool JackSession::watchStreamClient(jack_client_t* streamClient, const std::string& expectedName) {
    if (streamClient == nullptr) {
        return false;
    }
    const char* name = jack_get_client_name(streamClient);
    if (name == nullptr || expectedName != name) {
        return false;
    }
    jack_on_info_shutdown(streamClient, &JackSession::onShutdown, this);
    jack_on_shutdown(streamClient, &JackSession::onPlainShutdown, this);
    return true;
}

void JackSession::onPlainShutdown(void* self) {
    onShutdown(JackFailure, nullptr, self);
}

void JackSession::onShutdown(jack_status_t code, const char* reason, void* self) {
    auto* session = static_cast<JackSession*>(self);
    // Both clients report the same death, each from a libjack thread of its own.
    if (session->claimed_.exchange(true, std::memory_order_acq_rel)) {
        return;
    }
    session->shutdownCode_ = static_cast<int>(code);
    const std::size_t length =
        reason == nullptr ? 0 : std::min(std::strlen(reason), session->reason_.size() - 1);
    std::copy_n(reason == nullptr ? "" : reason, length, session->reason_.begin());
    session->reason_[length] = '\0';
    session->gone_.store(true, std::memory_order_release);
}

std::string JackSession::shutdownReason() const {
    if (!serverGone()) {
        return {};
    }
    std::string reason = reason_.data();
    if (reason.empty()) {
        reason =
            "the JACK server shut the client down (status " + std::to_string(shutdownCode_) + ")";
    }
    return reason;
}

bool JackSession::clientExists(const std::string& name) const {
    if (serverGone()) {
        return false;
    }
    char* uuid = jack_get_uuid_for_client_name(client_, name.c_str());
    if (uuid == nullptr) {
        return false;
    }
    jack_free(uuid);
    return true;
}

std::optional<JackPortLatency> JackSession::portLatency(const std::string& client,
                                                        ChannelCount outputs,
                                                        ChannelCount inputs) const {
    if (serverGone()) {
        return std::nullopt;
    }
    JackPortLatency latency;
    const auto rangeMax = [&](const std::string& portName,
                              jack_latency_callback_mode_t mode) -> std::optional<FrameCount> {
        jack_port_t* port = jack_port_by_name(client_, portName.c_str());
        if (port == nullptr) {
            return std::nullopt;
        }
        jack_latency_range_t range{};
        jack_port_get_latency_range(port, mode, &range);
        return static_cast<FrameCount>(range.max);
    };
    for (ChannelCount c = 0; c < outputs; ++c) {
        const auto value = rangeMax(client + ":outport " + std::to_string(c), JackPlaybackLatency);
        if (!value) {
            return std::nullopt;
        }
        latency.playbackMax = std::max(latency.playbackMax, *value);
    }
    for (ChannelCount c = 0; c < inputs; ++c) {
        const auto value = rangeMax(client + ":inport " + std::to_string(c), JackCaptureLatency);
        if (!value) {
            return std::nullopt;
        }
        latency.captureMax = std::max(latency.captureMax, *value);
    }
    return latency;
}

} // namespace fluxforge::detail
