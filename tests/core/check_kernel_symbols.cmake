# cmake -P script: fails if an instruction-set object (kernels_avx2 / kernels_avx512) defines a
# weak or global symbol whose name does not name that instruction set. Such a symbol could be
# merged by the linker with the baseline copy and run AVX code on a CPU without AVX.
string(REPLACE "|" ";" objects "${OBJECTS}")
set(problems "")
foreach(object IN LISTS objects)
    if(object MATCHES "kernels_(avx2|avx512)\\.cpp\\.o(bj)?$")
        set(isa "${CMAKE_MATCH_1}")
        if(isa STREQUAL "avx2")
            set(isa "avx") # the AVX2 kernels use xsimd's AVX register types too
        endif()
        execute_process(COMMAND "${NM}" -C --defined-only "${object}"
                        OUTPUT_VARIABLE symbols RESULT_VARIABLE result)
        if(NOT result EQUAL 0)
            message(FATAL_ERROR "nm failed on ${object}")
        endif()
        string(REPLACE "\n" ";" lines "${symbols}")
        foreach(line IN LISTS lines)
            # Weak (W, V) and global data/text (T, D, B, R) symbols outside anonymous namespaces.
            if(line MATCHES "^[0-9a-f]* [WVTDBR] (.*)$")
                set(name "${CMAKE_MATCH_1}")
                # Type descriptors (UBSan emits them for function types) are data, not code.
                if(NOT name MATCHES "${isa}" AND NOT name MATCHES "^(DW\\.ref\\.|typeinfo )")
                    list(APPEND problems "${object}: ${name}")
                endif()
            endif()
        endforeach()
    endif()
endforeach()
if(problems)
    list(JOIN problems "\n  " text)
    message(FATAL_ERROR "instruction-set objects define untagged symbols:\n  ${text}")
endif()
message(STATUS "kernel objects: every exported symbol is tagged with its instruction set")
