// Built-in nodes by type name, configured from a list of named settings: how scripts (and any
// host that reads a session description) create nodes without naming C++ types.
#pragma once

#include <fluxforge/graph/node.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace fluxforge {

/// One setting's value: a number, a flag or a word (an enum such as a filter type).
using SettingValue = std::variant<double, bool, std::string>;

/// Named settings, in the order given. A name is either a construction setting of the node type
/// (channels, filter type, ...) or one of its parameter ids (its initial value).
using NodeSettings = std::vector<std::pair<std::string, SettingValue>>;

/// The type names makeBuiltinNode accepts, sorted.
/// Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] std::span<const std::string_view> builtinNodeTypes() noexcept;

/// Creates a built-in node of type `type` (see builtinNodeTypes and docs/scripting.md), applies
/// the construction settings, prepares it for `context` (the engine's sample rate and largest
/// block, so that compiling it later does not prepare it again) and sets the initial values of the
/// parameters named in `settings`. Throws fluxforge::Error naming the type and the setting for an
/// unknown type, an unknown setting (listing the known ones), a value of the wrong kind or out of
/// range.
/// Thread: control. Real-time safe: no. Allocates: yes.
[[nodiscard]] std::shared_ptr<Node>
makeBuiltinNode(std::string_view type, const NodeSettings& settings, const PrepareContext& context);

} // namespace fluxforge
