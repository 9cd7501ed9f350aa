// The library's version.
#pragma once

#define FLUXFORGE_VERSION_MAJOR 0
#define FLUXFORGE_VERSION_MINOR 1
#define FLUXFORGE_VERSION_PATCH 0

namespace fluxforge {

inline constexpr int kVersionMajor = FLUXFORGE_VERSION_MAJOR;
inline constexpr int kVersionMinor = FLUXFORGE_VERSION_MINOR;
inline constexpr int kVersionPatch = FLUXFORGE_VERSION_PATCH;
inline constexpr const char* kVersionString = "0.1.0";

} // namespace fluxforge
