// ControlSender: its control-thread side (construction, moves, closing its channel).
#include <fluxforge/engine/control_sender.hpp>

#include <utility>

namespace fluxforge {

ControlSender::ControlSender(std::shared_ptr<detail::CommandChannel> channel) noexcept
    : channel_(std::move(channel)) {}

ControlSender::ControlSender(ControlSender&& other) noexcept
    : channel_(std::move(other.channel_))
    , nextSequence_(other.nextSequence_)
    , sent_(other.sent_) {
    other.nextSequence_ = 1;
    other.sent_ = 0;
}

ControlSender& ControlSender::operator=(ControlSender&& other) noexcept {
    if (this != &other) {
        if (channel_ != nullptr) {
            channel_->closed.store(true, std::memory_order_release);
        }
        channel_ = std::move(other.channel_);
        nextSequence_ = other.nextSequence_;
        sent_ = other.sent_;
        other.nextSequence_ = 1;
        other.sent_ = 0;
    }
    return *this;
}

ControlSender::~ControlSender() {
    if (channel_ != nullptr) {
        // Release: everything this sender queued is visible to the audio thread that sees the flag.
        channel_->closed.store(true, std::memory_order_release);
    }
}

} // namespace fluxforge
