// A JACK server with the dummy driver for tests and benchmarks: started exactly as
// /work/shared/TOOLCHAIN.md (and docs/devices.md) say, and never left behind.
//
// Two ways a server comes to exist:
//   - shared: the CTest fixture JackServerStart (tests/device/jack_server_tool.cpp) starts one,
//     detached, and writes its pid to $FLUXFORGE_JACK_PID_FILE; JackServerStop kills it. Test
//     programs find it running and use it.
//   - owned: a program that finds no server starts its own as a child that the kernel kills when
//     the program dies (PR_SET_PDEATHSIG), so a crashing test leaves nothing behind; a normal
//     exit kills it through RAII (JackTestServer's destructor).
// Linux only (fork/exec, /proc, prctl), like the JACK tests themselves.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fluxforge::test {

/// The jackd command line of TOOLCHAIN.md: no real-time, 128 ports (keeps /dev/shm small), a
/// 5 s client timeout, the dummy driver at 48 kHz with 256-frame periods and 2 + 2 channels.
inline std::vector<std::string> jackdArguments() {
    return {"jackd", "--no-realtime", "-p", "128", "-t", "5000", "-d", "dummy",
            "-r",    "48000",         "-p", "256", "-C", "2",    "-P", "2"};
}

inline constexpr std::uint32_t kJackTestSampleRate = 48000;
inline constexpr std::uint32_t kJackTestPeriod = 256;

/// What a finished command printed and returned.
struct CommandResult {
    int exitCode = -1; ///< -1 when it could not run or timed out
    std::string output;
};

/// Runs argv[0] (looked up in PATH), collecting stdout and stderr; kills it after `timeout`.
/// Call preventJackAutostart() first: JACK's tools would otherwise start a server themselves.
inline CommandResult runCommand(const std::vector<std::string>& argv,
                                std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    CommandResult result;
    int pipeFds[2];
    if (pipe(pipeFds) != 0) {
        return result;
    }
    const pid_t pid = fork();
    if (pid < 0) {
        close(pipeFds[0]);
        close(pipeFds[1]);
        return result;
    }
    if (pid == 0) {
        dup2(pipeFds[1], STDOUT_FILENO);
        dup2(pipeFds[1], STDERR_FILENO);
        close(pipeFds[0]);
        close(pipeFds[1]);
        std::vector<char*> args;
        for (const std::string& arg : argv) {
            args.push_back(const_cast<char*>(arg.c_str()));
        }
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(pipeFds[1]);
    fcntl(pipeFds[0], F_SETFL, O_NONBLOCK);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    bool exited = false;
    char buffer[4096];
    while (true) {
        const ssize_t n = read(pipeFds[0], buffer, sizeof buffer);
        if (n > 0) {
            result.output.append(buffer, static_cast<std::size_t>(n));
            continue;
        }
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
        }
        if (exited && n == 0) {
            break; // exited and the pipe is drained
        }
        if (std::chrono::steady_clock::now() > deadline) {
            if (!exited) {
                ::kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
            }
            close(pipeFds[0]);
            result.exitCode = -1;
            return result;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    close(pipeFds[0]);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

/// Sets JACK_NO_START_SERVER=1 (once, before threads that read the environment exist), so
/// that no client, ours or a JACK tool, starts a server behind the tests' back.
inline void preventJackAutostart() {
    if (std::getenv("JACK_NO_START_SERVER") == nullptr) {
        setenv("JACK_NO_START_SERVER", "1", 1);
    }
}

/// Whether `program` is an executable file in one of the PATH directories.
inline bool programInPath(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::stringstream directories(path != nullptr ? path : "/usr/bin:/bin");
    std::string directory;
    while (std::getline(directories, directory, ':')) {
        const std::filesystem::path candidate = std::filesystem::path(directory) / program;
        if (access(candidate.c_str(), X_OK) == 0) {
            return true;
        }
    }
    return false;
}

/// Whether a process with this pid exists and is not a zombie.
inline bool processAlive(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) {
        return false;
    }
    // "pid (comm) S ...": the state follows the last ')'.
    const std::size_t close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

/// Whether that process is a jackd.
inline bool isJackd(pid_t pid) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    return std::getline(comm, name) && name.rfind("jackd", 0) == 0;
}

/// Whether a JACK server answers.
inline bool jackServerRunning() {
    const CommandResult result = runCommand({"jack_wait", "-c"}, std::chrono::seconds(10));
    return result.exitCode == 0 && result.output.rfind("running", 0) == 0;
}

/// What to remove from /dev/shm besides a server's own segments and semaphores.
enum class ShmRegistry {
    keep,   ///< libjack in a process that was connected keeps the registry mapped: replacing the
            ///< file would keep that process from ever connecting to a new server
    remove, ///< needed when a dead server's entry blocks a new one ("server already active")
};

/// Removes what a JACK server leaves in /dev/shm (needed after a killed one).
inline void cleanJackSharedMemory(ShmRegistry registry = ShmRegistry::remove) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", error)) {
        const std::string name = entry.path().filename().string();
        if (name == "jack-shm-registry") {
            if (registry == ShmRegistry::remove) {
                std::filesystem::remove_all(entry.path(), error);
            }
        } else if (name.rfind("jack-", 0) == 0 || name.rfind("jack_default_", 0) == 0 ||
                   name.rfind("jack_sem.", 0) == 0) {
            std::filesystem::remove_all(entry.path(), error);
        }
    }
}

/// How a started server relates to this process.
enum class JackLifetime {
    thisProcess, ///< dies with this process (PR_SET_PDEATHSIG), reaped by it
    detached,    ///< its own session; outlives this process (the CTest fixture's)
};

namespace detail {

inline pid_t spawnJackd(JackLifetime lifetime, const std::filesystem::path& logFile) {
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
        throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    }
    if (pid == 0) {
        if (lifetime == JackLifetime::thisProcess) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) {
                _exit(1); // the parent died before prctl
            }
        } else {
            setsid();
        }
        const int log = open(logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int null = open("/dev/null", O_RDONLY);
        if (log >= 0) {
            dup2(log, STDOUT_FILENO);
            dup2(log, STDERR_FILENO);
        }
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
        }
        // Nothing else of the parent's (test pipes included) stays open in the server.
        for (int fd = 3; fd < 1024; ++fd) {
            close(fd);
        }
        std::vector<std::string> argv = jackdArguments();
        std::vector<char*> args;
        for (std::string& arg : argv) {
            args.push_back(arg.data());
        }
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    return pid;
}

inline std::string readLog(const std::filesystem::path& logFile) {
    std::ifstream log(logFile);
    std::stringstream text;
    text << log.rdbuf();
    return text.str();
}

} // namespace detail

/// Starts jackd as TOOLCHAIN.md says and waits (up to 10 s) until it answers. Throws
/// std::runtime_error with the server's log when it does not come up.
///
/// /dev/shm is cleaned first, but the shared-memory registry only when a dead server's entry
/// stands in the way: a process that was connected to the previous server keeps the registry
/// mapped, and could never connect again if the file were replaced (docs/devices.md).
inline pid_t startJackServer(JackLifetime lifetime, const std::filesystem::path& logFile) {
    preventJackAutostart();
    cleanJackSharedMemory(ShmRegistry::keep);
    for (int attempt = 0; attempt < 2; ++attempt) {
        const pid_t pid = detail::spawnJackd(lifetime, logFile);
        // `jack_wait -w -t 10`, polled faster: jack_wait -w retries only once a second.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        bool up = false;
        while (!up && processAlive(pid) && std::chrono::steady_clock::now() < deadline) {
            up = jackServerRunning();
            if (!up) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
        if (up && processAlive(pid)) {
            return pid;
        }
        ::kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        const std::string log = detail::readLog(logFile);
        if (attempt == 0 && log.find("already active") != std::string::npos) {
            // The entry of a server that died unreaped (a zombie: its pid still exists).
            cleanJackSharedMemory(ShmRegistry::remove);
            continue;
        }
        throw std::runtime_error("jackd did not come up within 10 s; its log:\n" + log);
    }
    throw std::runtime_error("jackd did not come up");
}

/// Stops a server: `signal` first (SIGTERM: a clean shutdown; SIGKILL: a crash), SIGKILL if it
/// lingers; waits until it is gone and cleans /dev/shm.
inline void stopJackServer(pid_t pid, int signal = SIGTERM) {
    if (pid <= 0) {
        return;
    }
    ::kill(pid, signal);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (true) {
        // Our own child must be reaped (a zombie keeps its registry entry "active"); anyone
        // else's is reaped by its parent, or by init if that reaps at all.
        const pid_t reaped = waitpid(pid, nullptr, WNOHANG);
        if (reaped == pid || (reaped < 0 && !processAlive(pid))) {
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    cleanJackSharedMemory(ShmRegistry::keep);
}

inline std::optional<pid_t> readPidFile(const std::filesystem::path& file) {
    std::ifstream in(file);
    long pid = 0;
    if (in >> pid && pid > 0) {
        return static_cast<pid_t>(pid);
    }
    return std::nullopt;
}

inline void writePidFile(const std::filesystem::path& file, pid_t pid) {
    std::ofstream(file) << pid << "\n";
}

/// The server a test program runs against: the shared one if it is up, else one of its own.
/// Its destructor kills a server this process started for itself.
class JackTestServer {
public:
    JackTestServer() = default;
    ~JackTestServer() { stopOwned(); }
    JackTestServer(const JackTestServer&) = delete;
    JackTestServer& operator=(const JackTestServer&) = delete;

    /// Makes sure a server runs; false (with error()) if none could be started.
    bool ensureRunning() {
        preventJackAutostart();
        if (jackServerRunning()) {
            return true;
        }
        return startChild(sharedPidFile() ? Role::shared : Role::owned);
    }

    [[nodiscard]] const std::string& error() const noexcept { return error_; }

    /// Makes the running server a child of this process, replacing the shared one if need be,
    /// so that killing it leaves no zombie (whose registry entry would block the next server).
    /// Call before this process connects to JACK. False for a server nobody here started (a
    /// developer's own): tests must not kill that.
    bool becomeParentOfServer() {
        if (childPid_ > 0 && processAlive(childPid_)) {
            return true;
        }
        const auto file = sharedPidFile();
        const auto shared = file ? readPidFile(*file) : std::nullopt;
        if (!shared || !processAlive(*shared) || !isJackd(*shared)) {
            if (jackServerRunning()) {
                error_ = "the running JACK server was not started by these tests";
                return false;
            }
            return startChild(file ? Role::shared : Role::owned);
        }
        stopJackServer(*shared, SIGTERM);
        return startChild(Role::shared);
    }

    /// The pid of this process's server child (after becomeParentOfServer), -1 if none.
    [[nodiscard]] pid_t childPid() const noexcept { return childPid_; }

    /// Kills this process's server child with `signal` (and reaps it).
    bool kill(int signal) {
        if (childPid_ <= 0 || !processAlive(childPid_)) {
            error_ = "no JACK server child to kill (call becomeParentOfServer first)";
            return false;
        }
        stopJackServer(childPid_, signal);
        childPid_ = -1;
        return true;
    }

    /// Starts a server again in the role of the one kill() stopped.
    bool restart() { return startChild(role_); }

    /// Stops a server this process started for itself (not the shared one).
    void stopOwned() {
        if (childPid_ > 0 && role_ == Role::owned) {
            stopJackServer(childPid_, SIGTERM);
            childPid_ = -1;
        }
    }

private:
    enum class Role {
        owned,  ///< this process's alone: dies with it
        shared, ///< detached and named in the pid file: the fixture's cleanup stops it
    };

    bool startChild(Role role) {
        role_ = role;
        try {
            childPid_ = startJackServer(role == Role::owned ? JackLifetime::thisProcess
                                                            : JackLifetime::detached,
                                        logFile());
            if (role == Role::shared) {
                writePidFile(*sharedPidFile(), childPid_);
            }
            return true;
        } catch (const std::exception& e) {
            error_ = e.what();
            childPid_ = -1;
            return false;
        }
    }

    static std::optional<std::filesystem::path> sharedPidFile() {
        if (const char* file = std::getenv("FLUXFORGE_JACK_PID_FILE"); file && *file) {
            return std::filesystem::path(file);
        }
        return std::nullopt;
    }

    static std::filesystem::path logFile() {
        if (const auto file = sharedPidFile()) {
            return std::filesystem::path(*file).replace_extension(".log");
        }
        return std::filesystem::temp_directory_path() /
               ("fluxforge-jackd-" + std::to_string(getpid()) + ".log");
    }

    pid_t childPid_ = -1;
    Role role_ = Role::owned;
    std::string error_;
};

} // namespace fluxforge::test
