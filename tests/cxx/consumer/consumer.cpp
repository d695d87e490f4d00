/* SPDX-License-Identifier: MIT */
/*
 * consumer.cpp: a C++17 program built against an installed tileproc through tileproc.hpp.
 * Prints "ok" on success.
 */
#include <cstdio>

#include <tileproc/tileproc.hpp>

int main()
{
    try {
        tileproc::image img(40, 20, 1, TPROC_U8);
        img.view().fill({128});
        tileproc::pipeline p;
        p.add("invert").add("resize", {{"width", 10}});
        tileproc::image out = p.run(img.view());
        if (out.width() != 10 || out.view().at<unsigned char>(0, 0) != 127)
            return 1;
        try {
            p.add("no_such_filter");
            return 1;
        } catch (const tileproc::error &e) {
            if (e.status() != TPROC_ERR_NOT_FOUND)
                return 1;
        }
        std::printf("C++ consumer of tileproc %s: ok\n", tileproc::version().c_str());
        return 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "consumer: %s\n", e.what());
        return 1;
    }
}
