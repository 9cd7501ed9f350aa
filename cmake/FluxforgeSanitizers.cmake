# Sanitizer builds for FluxForge's own targets (FLUXFORGE_SANITIZER), applied per target so that a
# host project's flags are never touched.
#
# realtime: g++ and clang 14/19 have no -fsanitize=realtime, but Debian's libclang-rt-19-dev ships the
# RealtimeSanitizer runtime. Code marks its real-time scopes with fluxforge::RealtimeScope
# (core/realtime_scope.hpp), which calls __rtsan_realtime_enter/exit when FLUXFORGE_ENABLE_RTSAN is
# defined; the runtime intercepts malloc, locks and blocking calls made inside such a scope.

set(FLUXFORGE_RTSAN_RUNTIME "" CACHE FILEPATH "Path to libclang_rt.rtsan-<arch>.a (found if empty)")

if(FLUXFORGE_SANITIZER STREQUAL "realtime" AND NOT FLUXFORGE_RTSAN_RUNTIME)
    file(GLOB _fluxforge_rtsan_candidates
         "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.rtsan-${CMAKE_SYSTEM_PROCESSOR}.a"
         "/usr/lib/llvm-*/lib/clang/*/lib/${CMAKE_SYSTEM_PROCESSOR}-*/libclang_rt.rtsan.a")
    list(SORT _fluxforge_rtsan_candidates ORDER DESCENDING)
    list(GET _fluxforge_rtsan_candidates 0 _fluxforge_rtsan_first)
    if(NOT _fluxforge_rtsan_first)
        message(FATAL_ERROR "FLUXFORGE_SANITIZER=realtime needs the RealtimeSanitizer runtime "
                            "(Debian: libclang-rt-19-dev); set FLUXFORGE_RTSAN_RUNTIME to its path.")
    endif()
    set(FLUXFORGE_RTSAN_RUNTIME "${_fluxforge_rtsan_first}" CACHE FILEPATH "" FORCE)
endif()

if(FLUXFORGE_SANITIZER STREQUAL "")
elseif(FLUXFORGE_SANITIZER STREQUAL "address-undefined")
    set(_fluxforge_san_flags -fsanitize=address,undefined -fno-sanitize-recover=all
                             -fno-omit-frame-pointer)
elseif(FLUXFORGE_SANITIZER STREQUAL "thread")
    set(_fluxforge_san_flags -fsanitize=thread -fno-omit-frame-pointer)
elseif(FLUXFORGE_SANITIZER STREQUAL "realtime")
    message(STATUS "fluxforge: RealtimeSanitizer runtime ${FLUXFORGE_RTSAN_RUNTIME}")
else()
    message(FATAL_ERROR "FLUXFORGE_SANITIZER='${FLUXFORGE_SANITIZER}' is not one of: "
                        "address-undefined, thread, realtime")
endif()

# fluxforge_apply_sanitizer(<target>): compile and link flags of the chosen sanitizer.
function(fluxforge_apply_sanitizer target)
    if(_fluxforge_san_flags)
        target_compile_options(${target} PRIVATE ${_fluxforge_san_flags})
        target_link_options(${target} PRIVATE ${_fluxforge_san_flags})
    endif()
    if(FLUXFORGE_SANITIZER STREQUAL "realtime")
        target_compile_definitions(${target} PRIVATE FLUXFORGE_ENABLE_RTSAN=1)
        get_target_property(_type ${target} TYPE)
        if(_type STREQUAL "EXECUTABLE")
            target_link_options(${target} PRIVATE
                "LINKER:--whole-archive" "${FLUXFORGE_RTSAN_RUNTIME}" "LINKER:--no-whole-archive"
                -rdynamic)
            target_link_libraries(${target} PRIVATE pthread dl rt)
        endif()
    endif()
endfunction()
