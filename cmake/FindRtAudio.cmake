# FindRtAudio: provides the imported target RtAudio::rtaudio.
#
# Upstream RtAudio 6.x installs a CMake package config exporting RtAudio::rtaudio; that is tried first.
# RtAudio 5.x (Debian 12's librtaudio-dev 5.2) installs only rtaudio.pc, so pkg-config comes second.
# Sets RtAudio_FOUND, RtAudio_VERSION, and RtAudio_VERSION_MAJOR.

if(TARGET RtAudio::rtaudio)
    set(RtAudio_FOUND TRUE)
    return()
endif()

find_package(RtAudio CONFIG QUIET)
if(RtAudio_FOUND AND TARGET RtAudio::rtaudio)
    set(_rtaudio_found_by "CMake config (${RtAudio_DIR})")
else()
    find_package(PkgConfig QUIET)
    if(PKG_CONFIG_FOUND)
        pkg_check_modules(_RTAUDIO_PC QUIET IMPORTED_TARGET GLOBAL rtaudio)
    endif()
    if(_RTAUDIO_PC_FOUND)
        add_library(RtAudio::rtaudio ALIAS PkgConfig::_RTAUDIO_PC)
        set(RtAudio_VERSION "${_RTAUDIO_PC_VERSION}")
        set(_rtaudio_found_by "pkg-config (rtaudio.pc)")
    endif()
endif()

if(RtAudio_VERSION)
    string(REGEX MATCH "^[0-9]+" RtAudio_VERSION_MAJOR "${RtAudio_VERSION}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(RtAudio
    REQUIRED_VARS _rtaudio_found_by
    VERSION_VAR RtAudio_VERSION
    REASON_FAILURE_MESSAGE "install RtAudio's development files (Debian: librtaudio-dev)")
