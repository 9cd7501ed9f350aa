# Install rules and the CMake package (fluxforgeConfig.cmake + version file), so that
# find_package(fluxforge) gives the same fluxforge::fluxforge / fluxforge::device targets, with the
# same include paths, as add_subdirectory and FetchContent do.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(FLUXFORGE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/fluxforge")

set(_fluxforge_install_targets fluxforge)
if(FLUXFORGE_BUILD_DEVICE)
    list(APPEND _fluxforge_install_targets fluxforge_device)
endif()

install(TARGETS ${_fluxforge_install_targets}
    EXPORT fluxforgeTargets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
    FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

install(EXPORT fluxforgeTargets
    NAMESPACE fluxforge::
    DESTINATION "${FLUXFORGE_INSTALL_CMAKEDIR}")

set(FLUXFORGE_CONFIG_HAS_DEVICE ${FLUXFORGE_BUILD_DEVICE})
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
