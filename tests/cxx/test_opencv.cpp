/* SPDX-License-Identifier: MIT */
/*
 * test_opencv.cpp: tileproc views and cv::Mat share memory both ways (samples/opencv/
 * tileproc_opencv.hpp), views cv::Mat cannot describe are refused or copied on request, a
 * tileproc filter runs on a cv::Mat ROI, OpenCV runs on tileproc tiles, and tileproc's gaussian
 * agrees with cv::GaussianBlur on a real photo.
 *
 * The gaussian comparison: tileproc uses a kernel of radius ceil(3 sigma); OpenCV derives its
 * size differently when ksize is 0, so cv::GaussianBlur is given ksize = 2 ceil(3 sigma) + 1 and
 * BORDER_REFLECT_101 (tileproc's default border). For 8-bit images both libraries use
 * fixed-point arithmetic: tileproc's 16-bit path stays within 1 level of the exact result;
 * OpenCV's bit-exact u8 path (used for whole images and isolated ROIs) quantises its kernel to
 * multiples of 1/256. The two were measured to differ by at most 1 level per sample on
 * samples/rocket.jpg (1-3.5% of the samples differ by 1, for sigma 0.8 to 5); the test requires
 * at most 1 and prints what it measured.
 *
 * OpenCV switches to its floating-point path for a non-isolated ROI (one that may read its
 * parent's pixels), which differs from its own fixed-point result by up to 1 level: so the
 * tile test blurs whole tiles (halo included) and keeps the inside, for a bit-exact match.
 */
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include <opencv2/imgproc.hpp>

#include "check.hpp"
#include "tileproc_opencv.hpp"

using tileproc::image;
using tileproc::view;

static double max_abs_diff(const cv::Mat &a, const cv::Mat &b)
{
    cv::Mat d;
    cv::absdiff(a, b, d);
    double lo = 0, hi = 0;
    cv::minMaxLoc(d.reshape(1), &lo, &hi);
    return hi;
}

static void test_view_as_mat()
{
    image img(37, 21, 3, TPROC_U8);
    view v = img.view();
    cv::Mat m = tileproc_cv::to_mat(v);
    CHECK(m.data == v.data());
    CHECK(m.rows == 21 && m.cols == 37 && m.type() == CV_8UC3);
    CHECK(static_cast<ptrdiff_t>(m.step[0]) == v.row_stride());

    m.at<cv::Vec3b>(4, 5)[2] = 200; // row 4, column 5, channel 2
    CHECK(v.at<unsigned char>(5, 4, 2) == 200);
    v.at<unsigned char>(6, 7, 0) = 99;
    CHECK(m.at<cv::Vec3b>(7, 6)[0] == 99);

    // A sub-view is a Mat over the same memory with the parent's step.
    view part = v.sub(3, 2, 10, 5);
    cv::Mat pm = tileproc_cv::to_mat(part);
    CHECK(pm.data == part.data() && !pm.isContinuous());
    pm.setTo(cv::Scalar(1, 2, 3));
    CHECK(v.at<unsigned char>(12, 6, 1) == 2 && v.at<unsigned char>(13, 6, 1) != 2);

    image u16(4, 3, 1, TPROC_U16), f32(4, 3, 4, TPROC_F32);
    CHECK(tileproc_cv::to_mat(u16.view()).type() == CV_16UC1);
    CHECK(tileproc_cv::to_mat(f32.view()).type() == CV_32FC4);
}

static void test_mat_as_view()
{
    cv::Mat parent(40, 50, CV_8UC3, cv::Scalar(10, 20, 30));
    cv::Mat roi = parent(cv::Rect(7, 5, 20, 12));
    CHECK(!roi.isContinuous());
    view v = tileproc_cv::from_mat(roi);
    CHECK(v.data() == roi.data && v.width() == 20 && v.height() == 12 && v.channels() == 3);
    CHECK(v.row_stride() == static_cast<ptrdiff_t>(parent.step[0]) && !v.contiguous());
    v.at<unsigned char>(0, 0, 0) = 77;
    CHECK(parent.at<cv::Vec3b>(5, 7)[0] == 77);
    roi.at<cv::Vec3b>(11, 19)[2] = 66;
    CHECK(v.at<unsigned char>(19, 11, 2) == 66);

    cv::Mat f(3, 4, CV_32FC1, cv::Scalar(0.5));
    CHECK(tileproc_cv::from_mat(f).sample() == TPROC_F32);
    cv::Mat s16(3, 4, CV_16SC1);
    CHECK_THROWS(tileproc_cv::from_mat(s16), TPROC_ERR_UNSUPPORTED, "depth");
    cv::Mat c5(3, 4, CV_8UC(5));
    CHECK_THROWS(tileproc_cv::from_mat(c5), TPROC_ERR_UNSUPPORTED, "channels");
}

static void test_refused_or_copied()
{
    image img(16, 9, 3, TPROC_U8);
    view v = img.view();
    for (ptrdiff_t y = 0; y < 9; y++)
        for (ptrdiff_t x = 0; x < 16; x++)
            v.at<unsigned char>(x, y, 0) = static_cast<unsigned char>(x + 16 * y);

    CHECK_THROWS(tileproc_cv::to_mat(v.flip_v()), TPROC_ERR_UNSUPPORTED, "negative stride");
    CHECK_THROWS(tileproc_cv::to_mat(v.flip_h()), TPROC_ERR_UNSUPPORTED, "negative stride");
    CHECK_THROWS(tileproc_cv::to_mat(v.rotate(90)), TPROC_ERR_UNSUPPORTED, "");
    CHECK_THROWS(tileproc_cv::to_mat(v.transpose()), TPROC_ERR_UNSUPPORTED, "not adjacent");
    CHECK_THROWS(tileproc_cv::to_mat(v.select_channels(1, 1)), TPROC_ERR_UNSUPPORTED, "adjacent");

    view flipped = v.flip_v();
    cv::Mat copy = tileproc_cv::to_mat(flipped, tileproc_cv::copy_if_needed);
    CHECK(copy.data != v.data() && copy.rows == 9 && copy.cols == 16);
    CHECK(tileproc_cv::from_mat(copy).compare(flipped).max_abs == 0.0);
    CHECK(copy.at<cv::Vec3b>(0, 0)[0] == v.at<unsigned char>(0, 8, 0));

    cv::Mat green = tileproc_cv::to_mat(v.select_channels(1, 1), tileproc_cv::copy_if_needed);
    CHECK(green.type() == CV_8UC1 && green.data != v.data());

    // A view cv::Mat can describe is shared even when copying is allowed.
    CHECK(tileproc_cv::to_mat(v, tileproc_cv::copy_if_needed).data == v.data());
}

static int ksize_for(double sigma)
{
    return 2 * static_cast<int>(std::ceil(3 * sigma)) + 1;
}

static void test_gaussian_vs_opencv()
{
    image photo = image::load(std::string(TPROC_SAMPLES_DIR) + "/rocket.jpg");
    CHECK(photo.sample() == TPROC_U8 && photo.channels() == 3);
    cv::Mat src = tileproc_cv::to_mat(photo.view());
    for (double sigma : {0.8, 1.0, 1.5, 2.0, 3.0, 5.0}) {
        tileproc::pipeline p;
        p.add("gaussian", {{"sigma", sigma}});
        image ours = p.run(photo.view());
        cv::Mat theirs;
        const int k = ksize_for(sigma);
        cv::GaussianBlur(src, theirs, cv::Size(k, k), sigma, sigma, cv::BORDER_REFLECT_101);
        tileproc::diff d = ours.view().compare(tileproc_cv::from_mat(theirs));
        std::printf("gaussian sigma %.1f (ksize %d) vs cv::GaussianBlur: max %g, mean %.5f, "
                    "%zu of %zu samples differ\n",
                    sigma, k, d.max_abs, d.mean_abs, d.differing,
                    static_cast<std::size_t>(src.total()) * 3);
        CHECK_MSG(d.max_abs <= 1.0, "sigma " + std::to_string(sigma) + ": max difference " +
                                        std::to_string(d.max_abs) + " levels");
    }
}

static void test_filter_on_mat_roi()
{
    image photo = image::load(std::string(TPROC_SAMPLES_DIR) + "/rocket.jpg");
    cv::Mat src = tileproc_cv::to_mat(photo.view()).clone();
    cv::Rect box(31, 17, 200, 120);
    cv::Mat ours = src.clone(), theirs = src.clone();

    // tileproc's gaussian in place of cv::GaussianBlur on the ROI. tileproc sees the ROI as a
    // whole image, which is OpenCV's BORDER_ISOLATED.
    tileproc::pipeline p;
    p.add("gaussian", {{"sigma", 2.0}});
    p.run_into(tileproc_cv::from_mat(src(box)), tileproc_cv::from_mat(ours(box)));
    cv::Mat dst_roi = theirs(box);
    cv::GaussianBlur(src(box), dst_roi, cv::Size(ksize_for(2.0), ksize_for(2.0)), 2.0, 2.0,
                     cv::BORDER_REFLECT_101 | cv::BORDER_ISOLATED);
    CHECK(max_abs_diff(ours(box), theirs(box)) <= 1.0);
    // Inside the ROI the pixels changed; outside it nothing did.
    cv::Mat d;
    cv::absdiff(ours, src, d);
    CHECK(cv::countNonZero(d(box).reshape(1)) > 0);
    d(box).setTo(cv::Scalar::all(0));
    CHECK(cv::countNonZero(d.reshape(1)) == 0);
}

static void test_opencv_on_tiles()
{
    image photo = image::load(std::string(TPROC_SAMPLES_DIR) + "/rocket.jpg");
    view all = photo.view();
    const double sigma = 1.5;
    const int r = static_cast<int>(std::ceil(3 * sigma)), k = 2 * r + 1;
    image tiled(all.width(), all.height(), all.channels(), all.sample());
    std::size_t n = 0, assembled = 0;
    cv::Mat blurred; // reused: every full tile has the same size
    for (const tileproc::tile &t : all.tiles(96, 64, {r, r, r, r})) {
        // Blur the whole tile, halo included, then keep the part inside the halo. (Blurring a
        // non-isolated ROI of the tile instead would let OpenCV read the halo itself, but
        // OpenCV takes its floating-point path for such ROIs, not its fixed-point one, and
        // differs from the whole-image result by 1 level here and there.)
        cv::GaussianBlur(tileproc_cv::to_mat(t.in), blurred, cv::Size(k, k), sigma, sigma,
                         cv::BORDER_REFLECT_101);
        cv::Mat out = tileproc_cv::to_mat(tiled.view().sub(t.out));
        blurred(cv::Rect(r, r, static_cast<int>(t.out.width), static_cast<int>(t.out.height)))
            .copyTo(out);
        CHECK(out.data == tiled.view().pixel(t.out.x, t.out.y)); // written in place
        assembled += t.assembled ? 1 : 0;
        n++;
    }
    CHECK(n > 4 && assembled > 0 && assembled < n);
    cv::Mat whole;
    cv::GaussianBlur(tileproc_cv::to_mat(all), whole, cv::Size(k, k), sigma, sigma,
                     cv::BORDER_REFLECT_101);
    tileproc::diff d = tiled.view().compare(tileproc_cv::from_mat(whole));
    CHECK_MSG(d.max_abs == 0.0,
              "tiled vs whole cv::GaussianBlur differ by " + std::to_string(d.max_abs));
}

int main()
{
    RUN(test_view_as_mat);
    RUN(test_mat_as_view);
    RUN(test_refused_or_copied);
    RUN(test_gaussian_vs_opencv);
    RUN(test_filter_on_mat_roi);
    RUN(test_opencv_on_tiles);
    return testing::summary();
}
