// fluxforge_jack_server: the CTest fixture around the JACK tests.
//
//   fluxforge_jack_server start <pid-file>   starts a shared jackd (dummy driver, detached) unless
//                                            one is running; kills a stale one named in the file
//   fluxforge_jack_server stop <pid-file>    kills the jackd named in the file, cleans /dev/shm
//
// The JACK test programs use the shared server when it runs and start their own otherwise, so
// the fixture only saves time; its cleanup is the safety net that leaves no server behind.
#include "jack_server.hpp"

#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
    using namespace fluxforge::test;
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s start|stop <pid-file>\n", argv[0]);
        return 2;
    }
    const std::string_view command = argv[1];
    const std::filesystem::path pidFile = argv[2];
    preventJackAutostart();

    // A server a previous, interrupted run left behind.
    if (const auto stale = readPidFile(pidFile); stale && processAlive(*stale) && isJackd(*stale)) {
        std::printf("stopping jackd %d named in %s\n", static_cast<int>(*stale), pidFile.c_str());
        stopJackServer(*stale, SIGTERM);
    }
    std::filesystem::remove(pidFile);

    if (command == "stop") {
        cleanJackSharedMemory();
        return 0;
    }
    if (command != "start") {
        std::fprintf(stderr, "unknown command '%s'\n", argv[1]);
        return 2;
    }
    if (jackServerRunning()) {
        std::printf("a JACK server not started by these tests is running; the tests use it\n");
        return 0;
    }
    try {
        const pid_t pid = startJackServer(JackLifetime::detached,
                                          std::filesystem::path(pidFile).replace_extension(".log"));
        writePidFile(pidFile, pid);
        std::printf("jackd %d running (pid in %s)\n", static_cast<int>(pid), pidFile.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
