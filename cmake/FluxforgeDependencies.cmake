# Third-party dependencies, all from the system's packages: nothing is downloaded.

find_package(Threads REQUIRED)

# xsimd is used only inside the compiled kernels (never in a public header), so it is a build-time
# dependency that is not exported.
find_package(xsimd REQUIRED)
# Debian's xsimd 8.1 exports a target that links a non-existent 'xtl'; xsimd itself never needs it.
if(TARGET xsimd AND NOT TARGET xtl)
    set_property(TARGET xsimd PROPERTY INTERFACE_LINK_LIBRARIES "")
endif()

find_package(readerwriterqueue REQUIRED)

if(FLUXFORGE_BUILD_DEVICE)
    find_package(RtAudio REQUIRED)
endif()
