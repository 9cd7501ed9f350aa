# Runs the research tool on a tiny experiment and checks that it drew its SVG plots.
# -DTOOL=<fluxforge-research> -DEXPERIMENT=<file> -DCALIBRATION=<file> -DOUT=<directory>
file(REMOVE_RECURSE "${OUT}")
execute_process(COMMAND "${TOOL}" run "${EXPERIMENT}" --out "${OUT}" --calibration "${CALIBRATION}"
                        --quiet
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "fluxforge-research failed: ${result}")
endif()
foreach(name plot-check.json plot-check.csv plot-check-executors.svg
             plot-check-scaling-tracks_2.svg plot-check-distribution-tracks_4.svg)
    if(NOT EXISTS "${OUT}/${name}")
        message(FATAL_ERROR "${name} was not written")
    endif()
endforeach()
file(READ "${OUT}/plot-check-executors.svg" svg)
if(NOT svg MATCHES "<svg" OR NOT svg MATCHES "</svg>")
    message(FATAL_ERROR "plot-check-executors.svg is not a complete SVG")
endif()
