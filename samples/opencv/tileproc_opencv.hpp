/* SPDX-License-Identifier: MIT */
/*
 * tileproc_opencv.hpp: zero-copy interop between tileproc views and cv::Mat, header-only, for
 * applications that use both (the tileproc library itself never depends on OpenCV). Copy it
 * into your project.
 *
 * Both keep strides in bytes, so a view whose pixels are adjacent and whose rows go downwards is
 * a cv::Mat header over the same memory, and any 2-D cv::Mat (a non-contiguous ROI too) is a
 * view. What cv::Mat cannot express: negative strides (flipped or rotated views), pixels that
 * are not adjacent (transposed, stepped or channel-selected views). to_mat() refuses those with
 * a tileproc::error (TPROC_ERR_UNSUPPORTED) naming the reason, or, when asked with
 * tileproc_cv::copy_if_needed, returns a new cv::Mat holding a packed copy.
 *
 * Channel order: tileproc decodes RGB(A), OpenCV's own I/O and colour constants assume BGR(A).
 * Sharing memory does not swap channels; call cv::cvtColor where it matters.
 */
#ifndef TILEPROC_OPENCV_HPP
#define TILEPROC_OPENCV_HPP

#include <string>

#include <opencv2/core.hpp>
#include <tileproc/tileproc.hpp>

namespace tileproc_cv
{

/* What to_mat() does with a view cv::Mat cannot describe. */
enum mat_mode {
    share_only,    /* throw tileproc::error(TPROC_ERR_UNSUPPORTED) */
    copy_if_needed /* return a new cv::Mat holding a packed copy */
};

/* CV_8U, CV_16U or CV_32F for a tileproc sample type. */
inline int cv_depth(tproc_sample sample)
{
    switch (sample) {
    case TPROC_U8:
        return CV_8U;
    case TPROC_U16:
        return CV_16U;
    case TPROC_F32:
        return CV_32F;
    }
    throw tileproc::error(TPROC_ERR_ARG, "tileproc_cv: unknown sample type");
}

/* The tileproc sample type for a cv::Mat depth (8U, 16U and 32F only). */
inline tproc_sample sample_of_depth(int depth)
{
    switch (depth) {
    case CV_8U:
        return TPROC_U8;
    case CV_16U:
        return TPROC_U16;
    case CV_32F:
        return TPROC_F32;
    default:
        throw tileproc::error(TPROC_ERR_UNSUPPORTED,
                              "tileproc_cv: cv::Mat depth " + std::to_string(depth) +
                                  " has no tileproc sample type (use CV_8U, CV_16U or CV_32F)");
    }
}

/* Why cv::Mat cannot describe v, or nullptr when it can. */
inline const char *mat_refusal(const tileproc::view &v)
{
    if (v.pixel_stride() < 0 || v.row_stride() < 0)
        return "a negative stride (flipped or rotated view)";
    if (static_cast<std::size_t>(v.pixel_stride()) != v.pixel_size())
        return "pixels that are not adjacent (transposed, stepped or channel-selected view)";
    if (v.row_stride() % static_cast<ptrdiff_t>(v.sample_size()) != 0 ||
        (v.height() > 1 && static_cast<std::size_t>(v.row_stride()) <
                               v.pixel_size() * static_cast<std::size_t>(v.width())))
        return "a row stride that is not a multiple of the sample size or overlaps the row";
    return nullptr;
}

/*
 * A cv::Mat header over v's memory: same data pointer, same step, no copy, no ownership (the
 * view's owner must outlive the Mat). With copy_if_needed, a view cv::Mat cannot describe is
 * copied into a new, owning cv::Mat instead of refused.
 */
inline cv::Mat to_mat(const tileproc::view &v, mat_mode mode = share_only)
{
    const int type = CV_MAKETYPE(cv_depth(v.sample()), v.channels());
    const int rows = static_cast<int>(v.height()), cols = static_cast<int>(v.width());
    if (const char *why = mat_refusal(v)) {
        if (mode != copy_if_needed)
            throw tileproc::error(TPROC_ERR_UNSUPPORTED,
                                  std::string("tileproc_cv::to_mat: cv::Mat cannot describe ") +
                                      why + "; ask for tileproc_cv::copy_if_needed to copy it");
        cv::Mat copy(rows, cols, type);
        tileproc::view dst(copy.data, v.width(), v.height(), v.channels(), v.sample(),
                           static_cast<ptrdiff_t>(copy.elemSize()),
                           static_cast<ptrdiff_t>(copy.step[0]));
        v.copy_to(dst);
        return copy;
    }
    return cv::Mat(rows, cols, type, v.data(), static_cast<std::size_t>(v.row_stride()));
}

/*
 * A tileproc view over a 2-D cv::Mat's memory (a ROI keeps its parent's step). The Mat (or its
 * allocation) must outlive the view.
 */
inline tileproc::view from_mat(const cv::Mat &m)
{
    if (m.dims != 2 || m.empty())
        throw tileproc::error(TPROC_ERR_UNSUPPORTED,
                              "tileproc_cv::from_mat: need a non-empty 2-D cv::Mat, got " +
                                  std::to_string(m.dims) + " dimensions");
    if (m.channels() < 1 || m.channels() > 4)
        throw tileproc::error(TPROC_ERR_UNSUPPORTED,
                              "tileproc_cv::from_mat: " + std::to_string(m.channels()) +
                                  " channels; tileproc takes 1-4");
    return tileproc::view(m.data, m.cols, m.rows, m.channels(), sample_of_depth(m.depth()),
                          static_cast<ptrdiff_t>(m.elemSize()), static_cast<ptrdiff_t>(m.step[0]));
}

} // namespace tileproc_cv

#endif /* TILEPROC_OPENCV_HPP */
