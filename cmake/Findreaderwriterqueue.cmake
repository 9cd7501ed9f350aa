# Findreaderwriterqueue: provides the imported target readerwriterqueue::readerwriterqueue.
#
# Upstream installs a CMake config with target 'readerwriterqueue'; Debian's
# libreaderwriterqueue-dev ships the headers only, so they are searched for second.

if(TARGET readerwriterqueue::readerwriterqueue)
    set(readerwriterqueue_FOUND TRUE)
    return()
endif()

find_package(readerwriterqueue CONFIG QUIET)
if(readerwriterqueue_FOUND AND TARGET readerwriterqueue)
    add_library(readerwriterqueue::readerwriterqueue INTERFACE IMPORTED GLOBAL)
    target_link_libraries(readerwriterqueue::readerwriterqueue INTERFACE readerwriterqueue)
    set(_rwq_found_by "CMake config")
else()
    find_path(readerwriterqueue_INCLUDE_DIR readerwriterqueue/readerwriterqueue.h)
    if(readerwriterqueue_INCLUDE_DIR)
        add_library(readerwriterqueue::readerwriterqueue INTERFACE IMPORTED GLOBAL)
        target_include_directories(readerwriterqueue::readerwriterqueue
                                   INTERFACE "${readerwriterqueue_INCLUDE_DIR}")
        set(_rwq_found_by "${readerwriterqueue_INCLUDE_DIR}")
    endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(readerwriterqueue
    REQUIRED_VARS _rwq_found_by
    REASON_FAILURE_MESSAGE "install readerwriterqueue (Debian: libreaderwriterqueue-dev)")
