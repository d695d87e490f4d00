/* SPDX-License-Identifier: MIT */
/*
 * opencv_interop.cpp: tileproc and OpenCV on the same pixels, with no copies
 * (tileproc_opencv.hpp does the wrapping):
 *   1. a tileproc image seen as a cv::Mat: OpenCV draws straight into tileproc's buffer;
 *   2. a cv::Mat ROI (non-contiguous) seen as a tileproc view: tileproc's gaussian runs on it
 *      where cv::GaussianBlur would have;
 *   3. an OpenCV function run on tileproc tiles: each tile's halo is what OpenCV reads past
 *      the tile's edge, so the tiled result equals the whole-image one;
 *   4. a flipped view (negative stride), which cv::Mat cannot describe: refused, then copied on
 *      request.
 *
 *     usage: opencv_interop [INPUT [OUTPUT]]   (defaults: samples/rocket.jpg, rocket-cv.png)
 */
#include <cmath>
#include <cstdio>
#include <exception>

#include <opencv2/imgproc.hpp>

#include "tileproc_opencv.hpp"

int main(int argc, char **argv)
try {
    const char *in = argc > 1 ? argv[1] : "samples/rocket.jpg";
    const char *out = argc > 2 ? argv[2] : "rocket-cv.png";
    tileproc::image photo = tileproc::image::load(in);
    tileproc::view all = photo.view();

    // 1. The image as a cv::Mat over the same memory: OpenCV draws into tileproc's pixels.
    cv::Mat mat = tileproc_cv::to_mat(all);
    cv::rectangle(mat, cv::Rect(10, 10, 120, 80), cv::Scalar(255, 0, 0), 3); // red: RGB order
    std::printf("1. cv::Mat %dx%d shares tileproc's buffer: %s\n", mat.cols, mat.rows,
                mat.data == all.data() ? "yes" : "no");

    // 2. tileproc's gaussian on a cv::Mat ROI, in place of cv::GaussianBlur(..., BORDER_ISOLATED).
    cv::Rect box(mat.cols / 4, mat.rows / 4, mat.cols / 2, mat.rows / 2);
    cv::Mat blurred = mat.clone();
    tileproc::pipeline blur;
    blur.add("gaussian", {{"sigma", 3.0}});
    blur.run_into(tileproc_cv::from_mat(mat(box)), tileproc_cv::from_mat(blurred(box)));
    std::printf("2. blurred a %dx%d ROI of a cv::Mat with tileproc\n", box.width, box.height);

    // 3. cv::GaussianBlur on tileproc tiles: blur each tile with its halo (interior tiles are
    // views of the photo, edge tiles were assembled with reflect-101, OpenCV's default border
    // too) and keep the part inside the halo, written straight into the output image.
    const double sigma = 2.0;
    const int radius = static_cast<int>(std::ceil(3 * sigma));
    tileproc::image tiled(all.width(), all.height(), all.channels(), all.sample());
    cv::Mat tile_blurred;
    for (const tileproc::tile &t : all.tiles(128, 128, {radius, radius, radius, radius})) {
        cv::GaussianBlur(tileproc_cv::to_mat(t.in), tile_blurred,
                         cv::Size(2 * radius + 1, 2 * radius + 1), sigma, sigma,
                         cv::BORDER_REFLECT_101);
        cv::Mat tile_out = tileproc_cv::to_mat(tiled.view().sub(t.out));
        cv::Rect inner(radius, radius, static_cast<int>(t.out.width),
                       static_cast<int>(t.out.height));
        tile_blurred(inner).copyTo(tile_out);
    }
    cv::Mat whole;
    cv::GaussianBlur(mat, whole, cv::Size(2 * radius + 1, 2 * radius + 1), sigma, sigma,
                     cv::BORDER_REFLECT_101);
    tileproc::diff d = tiled.view().compare(tileproc_cv::from_mat(whole));
    std::printf("3. cv::GaussianBlur tile by tile vs whole image: max difference %g\n", d.max_abs);

    // 4. A flipped view has a negative stride: refused, or copied when asked.
    tileproc::view flipped = all.flip_v();
    try {
        tileproc_cv::to_mat(flipped);
    } catch (const tileproc::error &e) {
        std::printf("4. refused: %s\n", e.what());
    }
    cv::Mat upside_down = tileproc_cv::to_mat(flipped, tileproc_cv::copy_if_needed);
    std::printf("   copied on request: %dx%d, own memory: %s\n", upside_down.cols, upside_down.rows,
                upside_down.data != all.data() ? "yes" : "no");

    tileproc_cv::from_mat(blurred).save(out);
    std::printf("wrote %s\n", out);
    return 0;
} catch (const std::exception &e) {
    std::fprintf(stderr, "opencv_interop: error: %s\n", e.what());
    return 1;
}
