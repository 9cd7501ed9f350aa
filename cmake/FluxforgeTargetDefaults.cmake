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
        if(FLUXFORGE_WARNINGS_AS_ERRORS)
            target_compile_options(${target} PRIVATE -Werror)
        endif()
    endif()
    fluxforge_apply_sanitizer(${target})
endfunction()
