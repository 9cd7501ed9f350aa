# fluxforge_target_defaults(<target>): the settings every FluxForge-owned target gets: ISO C++
# (no GNU extensions), the project's warnings, and the chosen sanitizer. All PRIVATE, so a host
# project that links fluxforge never inherits any of them.
function(fluxforge_target_defaults target)
    set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
    if(MSVC)
        target_compile_options(${target} PRIVATE /W4 /permissive-)
        if(FLUXFORGE_WARNINGS_AS_ERRORS)
            target_compile_options(${target} PRIVATE /WX)
        endif()
    else()
        target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
        # No fused multiply-add contraction in our own code: with -march=native a compiler would
        # otherwise fuse a*b+c in one place and not in another (a test's expected value and the
        # node it checks), and bit-exact comparisons would depend on the flags.
        target_compile_options(${target} PRIVATE -ffp-contract=off)
        # GCC 12 reports a bogus -Wrestrict inside libstdc++ for std::string concatenation at -O3
        # (GCC bug 105651, fixed in 13); only that compiler gets the warning turned off.
        if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
            target_compile_options(${target} PRIVATE -Wno-restrict)
        endif()
        if(FLUXFORGE_WARNINGS_AS_ERRORS)
            target_compile_options(${target} PRIVATE -Werror)
        endif()
    endif()
    fluxforge_apply_sanitizer(${target})
endfunction()
