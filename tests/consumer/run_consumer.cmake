# cmake -P script: configure, build and run the consumer project in one mode; fails with the
# step's output when a step fails.

function(run_step what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "consumer (${MODE}): ${what} failed (${result})\n${out}\n${err}")
    endif()
    message(STATUS "consumer (${MODE}): ${what} ok\n${out}")
endfunction()

file(REMOVE_RECURSE "${CONSUMER_BINARY}")
run_step("configure"
    "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE}" -B "${CONSUMER_BINARY}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_BUILD_TYPE=Release"
    "-DFLUXFORGE_CONSUMER_MODE=${MODE}"
    "-DFLUXFORGE_SOURCE=${FLUXFORGE_SOURCE}"
    "-DCMAKE_PREFIX_PATH=${FLUXFORGE_PREFIX}"
    "-DWITH_DEVICE=${WITH_DEVICE}")
run_step("build" "${CMAKE_COMMAND}" --build "${CONSUMER_BINARY}")
run_step("run" "${CONSUMER_BINARY}/consumer")
