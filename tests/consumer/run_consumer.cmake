# cmake -P script: configure, build and run the consumer project in one mode; fails with the
# step's output when a step fails.
#
# HIDE_DEVICE_DEPENDENCIES=ON configures as on a system where the device layer's dependencies are
# not installed: RtAudio and pkg-config cannot be found, and pkg-config (if run) sees no modules.
# EXPECT_CONFIGURE_ERROR=<regex>: configuring must fail, with a message that matches.
# COMPILE_ONLY=ON (Ninja): configure, then compile the host's source only; no link, no run.

function(run_step what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "consumer (${MODE}): ${what} failed (${result})\n${out}\n${err}")
    endif()
    message(STATUS "consumer (${MODE}): ${what} ok\n${out}")
endfunction()

set(configure_command "${CMAKE_COMMAND}")
set(hiding "")
if(HIDE_DEVICE_DEPENDENCIES)
    file(MAKE_DIRECTORY "${CONSUMER_BINARY}-no-pkgconfig")
    set(configure_command "${CMAKE_COMMAND}" -E env
        "PKG_CONFIG_LIBDIR=${CONSUMER_BINARY}-no-pkgconfig" "PKG_CONFIG_PATH=" "${CMAKE_COMMAND}")
    set(hiding -DCMAKE_DISABLE_FIND_PACKAGE_RtAudio=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=TRUE)
endif()

if(NOT DEFINED WITH_CONTROL)
    set(WITH_CONTROL OFF)
endif()

file(REMOVE_RECURSE "${CONSUMER_BINARY}")
# The subdirectory host compiles all of FluxForge's sources inside its own build: it does so with
# a host's default (empty) build type, unoptimised, which takes a third less time than Release;
# the package host links the optimised library this build installed.
set(build_type Release)
if(MODE STREQUAL "subdirectory")
    set(build_type "")
endif()
set(configure_args
    -S "${CONSUMER_SOURCE}" -B "${CONSUMER_BINARY}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_BUILD_TYPE=${build_type}"
    "-DFLUXFORGE_CONSUMER_MODE=${MODE}"
    "-DFLUXFORGE_SOURCE=${FLUXFORGE_SOURCE}"
    "-DCMAKE_PREFIX_PATH=${FLUXFORGE_PREFIX}"
    "-DWITH_DEVICE=${WITH_DEVICE}"
    "-DWITH_CONTROL=${WITH_CONTROL}"
    ${hiding})

if(DEFINED EXPECT_CONFIGURE_ERROR)
    execute_process(COMMAND ${configure_command} ${configure_args}
        RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(result EQUAL 0)
        message(FATAL_ERROR "consumer (${MODE}): configure succeeded, but it should have failed")
    endif()
    if(NOT "${out}${err}" MATCHES "${EXPECT_CONFIGURE_ERROR}")
        message(FATAL_ERROR "consumer (${MODE}): configure failed without naming "
                            "'${EXPECT_CONFIGURE_ERROR}':\n${out}\n${err}")
    endif()
    message(STATUS "consumer (${MODE}): configure failed as expected:\n${err}")
    return()
endif()

run_step("configure" ${configure_command} ${configure_args})
if(COMPILE_ONLY AND GENERATOR STREQUAL "Ninja")
    # The host's own source, compiled with what fluxforge::fluxforge gives it through this mode
    # (include paths, definitions, language level). Building FluxForge's sources inside a host is
    # the subdirectory mode's test: the same sources and flags, so compiling them twice checks
    # nothing more and takes minutes.
    run_step("compile" "${CMAKE_COMMAND}" --build "${CONSUMER_BINARY}"
             --target CMakeFiles/consumer.dir/main.cpp.o)
    return()
endif()
# Only the host program and what it links: a host builds its own targets, not all of ours.
run_step("build" "${CMAKE_COMMAND}" --build "${CONSUMER_BINARY}" --target consumer)
run_step("run" "${CONSUMER_BINARY}/consumer")
