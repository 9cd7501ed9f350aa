#include <fluxforge/version.hpp>

#include <gtest/gtest.h>

#include <string>

namespace fluxforge {
namespace {

TEST(VersionTest, HeaderAgreesWithTheCMakeProjectVersion) {
    EXPECT_EQ(std::string(kVersionString), FLUXFORGE_TEST_PROJECT_VERSION);
    EXPECT_EQ(std::to_string(kVersionMajor) + "." + std::to_string(kVersionMinor) + "." +
                  std::to_string(kVersionPatch),
              FLUXFORGE_TEST_PROJECT_VERSION);
}

} // namespace
} // namespace fluxforge
