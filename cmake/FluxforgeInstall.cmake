# Install rules and the CMake package (fluxforgeConfig.cmake + version file), so that
# find_package(fluxforge [COMPONENTS ...]) gives the same targets, with the same include paths, as
# add_subdirectory and FetchContent do. The core target is always there; each further library is a
# component with an export set and a dependencies file of its own (fluxforge_install_component).

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(FLUXFORGE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/fluxforge")

function(fluxforge_install_targets export_set)
    install(TARGETS ${ARGN}
        EXPORT ${export_set}
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
        FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
endfunction()

# fluxforge_install_component(<name> TARGETS <targets...> DEPENDENCIES <file.cmake.in>)
# Installs the targets as fluxforge-<name>-targets.cmake and the configured dependencies file as
# fluxforge-<name>-dependencies.cmake, and lists <name> among the package's components.
set(FLUXFORGE_CONFIG_COMPONENTS "")
macro(fluxforge_install_component name)
    cmake_parse_arguments(_FFIC "" "DEPENDENCIES" "TARGETS" ${ARGN})
    fluxforge_install_targets(fluxforge_${name}_targets ${_FFIC_TARGETS})
    install(EXPORT fluxforge_${name}_targets
        NAMESPACE fluxforge::
        FILE fluxforge-${name}-targets.cmake
        DESTINATION "${FLUXFORGE_INSTALL_CMAKEDIR}")
    configure_file("${_FFIC_DEPENDENCIES}"
        "${PROJECT_BINARY_DIR}/fluxforge-${name}-dependencies.cmake" @ONLY)
    install(FILES "${PROJECT_BINARY_DIR}/fluxforge-${name}-dependencies.cmake"
        DESTINATION "${FLUXFORGE_INSTALL_CMAKEDIR}")
    list(APPEND FLUXFORGE_CONFIG_COMPONENTS ${name})
endmacro()

fluxforge_install_targets(fluxforgeTargets fluxforge)
install(EXPORT fluxforgeTargets
    NAMESPACE fluxforge::
    DESTINATION "${FLUXFORGE_INSTALL_CMAKEDIR}")

if(FLUXFORGE_BUILD_DEVICE)
    fluxforge_install_component(device
        TARGETS fluxforge_device
        DEPENDENCIES "${PROJECT_SOURCE_DIR}/cmake/fluxforge-device-dependencies.cmake.in")
endif()
if(FLUXFORGE_BUILD_CONTROL)
    fluxforge_install_component(control
        TARGETS fluxforge_control
        DEPENDENCIES "${PROJECT_SOURCE_DIR}/cmake/fluxforge-control-dependencies.cmake.in")
endif()

configure_package_config_file(
    "${PROJECT_SOURCE_DIR}/cmake/fluxforgeConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/fluxforgeConfig.cmake"
    INSTALL_DESTINATION "${FLUXFORGE_INSTALL_CMAKEDIR}")
write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/fluxforgeConfigVersion.cmake"
    COMPATIBILITY SameMinorVersion)

install(FILES
    "${PROJECT_BINARY_DIR}/fluxforgeConfig.cmake"
    "${PROJECT_BINARY_DIR}/fluxforgeConfigVersion.cmake"
    "${PROJECT_SOURCE_DIR}/cmake/FindRtAudio.cmake"
    "${PROJECT_SOURCE_DIR}/cmake/Findreaderwriterqueue.cmake"
    DESTINATION "${FLUXFORGE_INSTALL_CMAKEDIR}")

install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/fluxforge")

# The research tool (docs/research.md) and the experiment files it reproduces the scheduler
# tables with.
if(TARGET fluxforge_research_tool)
    install(TARGETS fluxforge_research_tool RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
    install(DIRECTORY "${PROJECT_SOURCE_DIR}/bench/experiments/"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/fluxforge/experiments"
            FILES_MATCHING PATTERN "*.json")
endif()
