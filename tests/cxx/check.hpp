/* SPDX-License-Identifier: MIT */
/*
 * check.hpp: the few assertion macros the C++ test programs share. Check is a C framework, so
 * these programs count failures themselves, print "N passed, M failed" and exit non-zero on any
 * failure.
 */
#ifndef TILEPROC_TEST_CHECK_HPP
#define TILEPROC_TEST_CHECK_HPP

#include <cstdio>
#include <exception>
#include <string>

#include <tileproc/tileproc.hpp>

namespace testing
{
inline int passed = 0, failed = 0;

inline void record(bool ok, const char *expr, const char *file, int line, const std::string &why)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    std::fprintf(stderr, "%s:%d: FAILED: %s%s%s\n", file, line, expr, why.empty() ? "" : ": ",
                 why.c_str());
}

inline int summary()
{
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
} // namespace testing

#define CHECK(cond) testing::record(static_cast<bool>(cond), #cond, __FILE__, __LINE__, "")
#define CHECK_MSG(cond, msg)                                                                       \
    testing::record(static_cast<bool>(cond), #cond, __FILE__, __LINE__, msg)

/* expr must throw tileproc::error with the given status and a message containing text. */
#define CHECK_THROWS(expr, want_status, text)                                                      \
    do {                                                                                           \
        std::string why_ = "did not throw";                                                        \
        bool ok_ = false;                                                                          \
        try {                                                                                      \
            (void)(expr);                                                                          \
        } catch (const tileproc::error &e_) {                                                      \
            ok_ = e_.status() == (want_status) &&                                                  \
                  std::string(e_.what()).find(text) != std::string::npos;                          \
            why_ = std::string("threw ") + e_.name() + ": " + e_.what();                           \
        } catch (const std::exception &e_) {                                                       \
            why_ = std::string("threw another exception: ") + e_.what();                           \
        }                                                                                          \
        testing::record(ok_, #expr " throws " #want_status, __FILE__, __LINE__, ok_ ? "" : why_);  \
    } while (0)

/* Runs one test function, turning an unexpected exception into a failure. */
#define RUN(fn)                                                                                    \
    do {                                                                                           \
        try {                                                                                      \
            fn();                                                                                  \
        } catch (const std::exception &e_) {                                                       \
            testing::record(false, #fn, __FILE__, __LINE__,                                        \
                            std::string("unexpected exception: ") + e_.what());                    \
        }                                                                                          \
    } while (0)

#endif /* TILEPROC_TEST_CHECK_HPP */
