# fluxforge_precompile_headers(<target> <header>...): parse the headers that nearly every source of
# <target> includes once per target instead of once per source. Most of a FluxForge translation
# unit's compile time is parsing the standard library and the engine's headers (150,000 lines
# behind <fluxforge/engine/engine.hpp>), so this is what keeps the four builds of a CI run within
# its budget. Only FluxForge's own build does it (FLUXFORGE_PRECOMPILE_HEADERS): a host that adds
# FluxForge as a subdirectory compiles our sources as they are, and the standalone check of every
# public header (tests/headers) never uses it.
function(fluxforge_precompile_headers target)
    if(NOT FLUXFORGE_PRECOMPILE_HEADERS)
        return()
    endif()
    target_precompile_headers(${target} PRIVATE ${ARGN})
    # GCC 12 loses track of which inlined code came from a system header when the header was
    # precompiled, and its -O3 middle-end then reports libstdc++'s own std::string copies as
    # out of bounds (the family of GCC bug 105651, fixed in 13). Those three warnings only come
    # from that middle-end; AddressSanitizer checks the same accesses at run time.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
        target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-stringop-overflow
                                                 -Wno-stringop-overread)
    endif()
endfunction()

# The standard headers most of our sources include.
set(FLUXFORGE_PRECOMPILED_STD_HEADERS
    <algorithm> <atomic> <chrono> <cmath> <cstdint> <functional> <memory> <optional> <span>
    <string> <string_view> <thread> <unordered_map> <utility> <vector>)
