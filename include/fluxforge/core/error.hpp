// The exception type of setup and editing calls (graph edits, compile, device open).
#pragma once

#include <stdexcept>
#include <string>

namespace fluxforge {

/// Thrown by control-thread calls when the input is wrong; the message names what is at fault
/// (a node, a port, a setting) and what was expected. Audio-thread calls never throw.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message)
        : std::runtime_error(message) {}
};

} // namespace fluxforge
