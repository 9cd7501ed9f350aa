// The GoogleTest environment of the JACK test program: uses the shared server of the CTest
// fixture when it runs, starts one of its own otherwise (and stops it at the end; a crash takes it
// down too, see jack_server.hpp).
#include "jack_test_support.hpp"

namespace fluxforge::test {
namespace {

JackTestServer* gServer = nullptr;

class JackEnvironment final : public ::testing::Environment {
public:
    void SetUp() override {
        preventJackAutostart();
        if (!programInPath("jackd") || !programInPath("jack_wait")) {
            GTEST_SKIP() << "jackd and jack_wait are not installed (Debian: jackd2)";
        }
        gServer = &server_;
        ASSERT_TRUE(server_.ensureRunning()) << server_.error();
    }

    void TearDown() override { server_.stopOwned(); }

private:
    JackTestServer server_;
};

[[maybe_unused]] const auto* const gEnvironment =
    ::testing::AddGlobalTestEnvironment(new JackEnvironment);

} // namespace

JackTestServer& jackServer() {
    FLUXFORGE_ASSERT(gServer != nullptr, "the JACK test environment did not start");
    return *gServer;
}

} // namespace fluxforge::test
