# cmake -P script: fails, listing the files, if any C++ source differs from clang-format's output.
file(GLOB_RECURSE sources
     "${ROOT}/include/*.hpp" "${ROOT}/src/*.hpp" "${ROOT}/src/*.cpp" "${ROOT}/tests/*.hpp"
     "${ROOT}/tests/*.cpp" "${ROOT}/bench/*.hpp" "${ROOT}/bench/*.cpp" "${ROOT}/examples/*.hpp"
     "${ROOT}/examples/*.cpp")
execute_process(COMMAND "${CLANG_FORMAT}" --dry-run --Werror ${sources}
                RESULT_VARIABLE result ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
    string(REGEX MATCHALL "[^\n]*: error: code should be clang-formatted" offenders "${errors}")
    list(REMOVE_DUPLICATES offenders)
    list(JOIN offenders "\n  " text)
    message(FATAL_ERROR "not clang-formatted (run: clang-format -i <file>):\n  ${text}")
endif()
