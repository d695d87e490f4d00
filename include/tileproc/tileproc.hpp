/* SPDX-License-Identifier: MIT */
/*
 * tileproc.hpp: a thin, header-only C++17 layer over the C API (tileproc.h). Nothing here
 * copies pixels unless its name says so (image::copy_of, view::to_image, view::copy_to):
 *
 *   tileproc::image  owns a tproc_image; move-only, freed by its destructor.
 *   tileproc::view   the borrowed tproc_view as a value type; its methods are the O(1) view
 *                    operations (sub, flip_h, rotate, ...). Same lifetime rule as in C: a view
 *                    must not outlive the image or memory it was taken from.
 *   tileproc::tile_range   the tile iterator, usable in a range-for.
 *   tileproc::filter, tileproc::pipeline   filters and chains by name with parameters.
 *   tileproc::error  what every failing call throws: the status (tproc_status) and the
 *                    detailed message the context recorded (or the call and tproc_strerror()).
 *
 * Where a call takes a context, pass a tileproc::context, a tproc_ctx *, or nothing (the
 * default context, whose messages are per thread).
 *
 *     tileproc::image photo = tileproc::image::load("rocket.jpg");
 *     tileproc::pipeline chain;
 *     chain.add("gaussian", {{"sigma", 2.0}}).add("resize:width=320");
 *     chain.run(photo.view().sub(0, 0, 400, 300)).save("small.png");
 */
#ifndef TILEPROC_TILEPROC_HPP
#define TILEPROC_TILEPROC_HPP

#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "tileproc.h"

namespace tileproc
{

using sample_type = tproc_sample;
using border = tproc_border;
using rect = tproc_rect;
using halo = tproc_halo;
using format = tproc_format;
using diff = tproc_diff;
using run_options = tproc_run_options;
using pyramid_options = tproc_pyramid_options;
/* A load's page, level, colour and orientation options; a save's format, quality, TIFF tiles,
 * compression, predictor, BigTIFF and pyramid (tileproc/io.h). Zero-initialise a load's; start
 * a save's from tproc_save_options_init() or default_save_options(). */
using load_options = tproc_load_options;
using save_options = tproc_save_options;

inline save_options default_save_options() noexcept
{
    save_options o;
    tproc_save_options_init(&o);
    return o;
}

/* The library's version at run time ("0.1.0"). */
inline std::string version()
{
    return tproc_version();
}

/* A failed call: status() is the tproc_status, what() the detailed message; kind(),
 * subject() and cause() what it is about, as tproc_ctx_error() gives them. */
class error : public std::runtime_error
{
  public:
    error(int status, const std::string &message, tproc_subject kind = TPROC_SUBJECT_NONE,
          const std::string &subject = std::string(), const std::string &cause = std::string())
        : std::runtime_error(message), status_(status), kind_(kind), subject_(subject),
          cause_(cause.empty() ? message : cause)
    {
    }
    int status() const noexcept
    {
        return status_;
    }
    /* "ERR_LIMIT" */
    const char *name() const noexcept
    {
        return tproc_status_name(status_);
    }
    /* TPROC_SUBJECT_FILE, _FILTER, _OPTION, or _NONE. */
    tproc_subject kind() const noexcept
    {
        return kind_;
    }
    /* "photo.jpg", "gaussian"; empty when the error is about nothing in particular. */
    const std::string &subject() const noexcept
    {
        return subject_;
    }
    /* The message without the subject ("truncated JPEG data"). */
    const std::string &cause() const noexcept
    {
        return cause_;
    }

  private:
    int status_;
    tproc_subject kind_;
    std::string subject_, cause_;
};

/* An owned context (allocator, memory limit, threads, last error). Move-only. */
class context
{
  public:
    context()
    {
        create(nullptr);
    }
    explicit context(const tproc_ctx_options &options)
    {
        create(&options);
    }
    context(const context &) = delete;
    context &operator=(const context &) = delete;
    context(context &&other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}
    context &operator=(context &&other) noexcept
    {
        if (this != &other) {
            tproc_ctx_free(&ctx_);
            ctx_ = std::exchange(other.ctx_, nullptr);
        }
        return *this;
    }
    ~context()
    {
        tproc_ctx_free(&ctx_);
    }

    tproc_ctx *get() const noexcept
    {
        return ctx_;
    }
    void set_memory_limit(std::size_t bytes) noexcept
    {
        tproc_ctx_set_memory_limit(ctx_, bytes);
    }
    std::size_t memory_limit() const noexcept
    {
        return tproc_ctx_memory_limit(ctx_);
    }
    std::size_t memory_in_use() const noexcept
    {
        return tproc_ctx_memory_in_use(ctx_);
    }
    std::size_t memory_peak() const noexcept
    {
        return tproc_ctx_memory_peak(ctx_);
    }
    void set_threads(int threads) noexcept
    {
        tproc_ctx_set_threads(ctx_, threads);
    }
    int threads() const noexcept
    {
        return tproc_ctx_threads(ctx_);
    }

  private:
    void create(const tproc_ctx_options *options)
    {
        int status = tproc_ctx_new(options, &ctx_);
        if (status != TPROC_OK)
            throw error(status, std::string("tproc_ctx_new: ") + tproc_strerror(status));
    }
    tproc_ctx *ctx_ = nullptr;
};

/* A context argument: a tileproc::context, a tproc_ctx *, or nothing for the default. */
class ctx_arg
{
  public:
    ctx_arg(std::nullptr_t = nullptr) noexcept {}
    ctx_arg(tproc_ctx *ctx) noexcept : ctx_(ctx) {}
    ctx_arg(const context &ctx) noexcept : ctx_(ctx.get()) {}
    tproc_ctx *get() const noexcept
    {
        return ctx_;
    }

  private:
    tproc_ctx *ctx_ = nullptr;
};

namespace detail
{

/* Throws error for a negative status: the message ctx recorded for it, or "what: strerror". */
inline void check(int status, tproc_ctx *ctx, const char *what)
{
    if (status >= 0)
        return;
    const char *message = tproc_ctx_message(ctx);
    tproc_error e;
    if (tproc_ctx_error(ctx, &e) == status && message && *message)
        throw error(status, message, e.kind, e.subject, e.cause);
    throw error(status, std::string(what) + ": " + tproc_strerror(status));
}

/* Runs a call that records its errors in ctx, starting from a clear error so that the message
 * thrown is this call's. */
template <class F> inline void call(tproc_ctx *ctx, const char *what, F &&f)
{
    tproc_ctx_clear_error(ctx);
    check(std::forward<F>(f)(), ctx, what);
}

/* For the view operations, which take no context: the message names the call and request. */
inline void check_view(int status, const char *what, const std::string &request)
{
    if (status < 0)
        throw error(status,
                    std::string(what) + ": " + tproc_strerror(status) + " (" + request + ")");
}

inline std::string dims(ptrdiff_t a, ptrdiff_t b, const char *sep)
{
    return std::to_string(a) + sep + std::to_string(b);
}

} // namespace detail

class image;
class tile_range;

/* A borrowed view of pixels (tproc_view) as a value type. Copying a view copies the
 * description, never the pixels. */
class view
{
  public:
    /* An empty view (no data); only assignable and testable. */
    view() noexcept : v_() {}
    /* Any C view. */
    view(const tproc_view &v) noexcept : v_(v) {}
    /* Caller memory; strides in bytes, 0 means packed (tproc_view_init). */
    view(void *data, ptrdiff_t width, ptrdiff_t height, int channels, sample_type sample,
         ptrdiff_t pixel_stride = 0, ptrdiff_t row_stride = 0)
        : v_()
    {
        detail::check_view(
            tproc_view_init(&v_, data, width, height, channels, sample, pixel_stride, row_stride),
            "tproc_view_init",
            detail::dims(width, height, " x ") + ", " + std::to_string(channels) +
                " channels, strides " + detail::dims(pixel_stride, row_stride, ", "));
    }

    const tproc_view &c_view() const noexcept
    {
        return v_;
    }
    const tproc_view *get() const noexcept
    {
        return &v_;
    }
    explicit operator bool() const noexcept
    {
        return v_.data != nullptr;
    }

    unsigned char *data() const noexcept
    {
        return v_.data;
    }
    ptrdiff_t width() const noexcept
    {
        return v_.width;
    }
    ptrdiff_t height() const noexcept
    {
        return v_.height;
    }
    int channels() const noexcept
    {
        return v_.channels;
    }
    sample_type sample() const noexcept
    {
        return v_.sample;
    }
    std::size_t sample_size() const noexcept
    {
        return tproc_sample_size(v_.sample);
    }
    ptrdiff_t pixel_stride() const noexcept
    {
        return v_.pixel_stride;
    }
    ptrdiff_t row_stride() const noexcept
    {
        return v_.row_stride;
    }
    bool readonly() const noexcept
    {
        return (v_.flags & TPROC_VIEW_READONLY) != 0;
    }
    std::size_t pixel_size() const noexcept
    {
        return tproc_view_pixel_size(&v_);
    }
    bool contiguous() const noexcept
    {
        return tproc_view_is_contiguous(&v_) != 0;
    }
    format fmt() const noexcept
    {
        return format{v_.width, v_.height, v_.channels, v_.sample};
    }

    /* Address of pixel (x, y); unchecked, like tproc_view_pixel(). */
    unsigned char *pixel(ptrdiff_t x, ptrdiff_t y) const noexcept
    {
        return tproc_view_pixel(&v_, x, y);
    }
    /* Channel c of pixel (x, y) as T (unsigned char, uint16_t or float, matching the sample
     * type); checked: throws TPROC_ERR_RANGE outside the view, TPROC_ERR_ARG for a wrong T. */
    template <class T> T &at(ptrdiff_t x, ptrdiff_t y, int c = 0) const
    {
        if (sizeof(T) != sample_size())
            throw error(TPROC_ERR_ARG, std::string("view::at: type of ") +
                                           std::to_string(sizeof(T)) + " bytes for " +
                                           tproc_sample_name(v_.sample) + " samples");
        if (x < 0 || y < 0 || x >= v_.width || y >= v_.height || c < 0 || c >= v_.channels)
            throw error(TPROC_ERR_RANGE, "view::at: (" + detail::dims(x, y, ", ") + ") channel " +
                                             std::to_string(c) + " outside a " +
                                             detail::dims(v_.width, v_.height, " x ") + " view");
        return *reinterpret_cast<T *>(pixel(x, y) + static_cast<std::size_t>(c) * sizeof(T));
    }

    /* The O(1) operations of view.h; each returns a new view and throws on a bad request. */
    view sub(ptrdiff_t x, ptrdiff_t y, ptrdiff_t width, ptrdiff_t height) const
    {
        tproc_view out;
        detail::check_view(tproc_view_sub(&v_, x, y, width, height, &out), "tproc_view_sub",
                           "rectangle " + detail::dims(x, y, ", ") + ", " +
                               detail::dims(width, height, " x ") + " of a " +
                               detail::dims(v_.width, v_.height, " x ") + " view");
        return out;
    }
    view sub(const rect &r) const
    {
        return sub(r.x, r.y, r.width, r.height);
    }
    view flip_h() const
    {
        return unary(tproc_view_flip_h, "tproc_view_flip_h");
    }
    view flip_v() const
    {
        return unary(tproc_view_flip_v, "tproc_view_flip_v");
    }
    view transpose() const
    {
        return unary(tproc_view_transpose, "tproc_view_transpose");
    }
    view rotate(int degrees) const
    {
        tproc_view out;
        detail::check_view(tproc_view_rotate(&v_, degrees, &out), "tproc_view_rotate",
                           std::to_string(degrees) + " degrees");
        return out;
    }
    /* Channels [first, first + count). */
    view select_channels(int first, int count) const
    {
        tproc_view out;
        detail::check_view(tproc_view_channels(&v_, first, count, &out), "tproc_view_channels",
                           "channels " + std::to_string(first) + " + " + std::to_string(count) +
                               " of " + std::to_string(v_.channels));
        return out;
    }
    view step(ptrdiff_t x_step, ptrdiff_t y_step) const
    {
        tproc_view out;
        detail::check_view(tproc_view_step(&v_, x_step, y_step, &out), "tproc_view_step",
                           "steps " + detail::dims(x_step, y_step, ", "));
        return out;
    }
    view orient(int exif_orientation) const
    {
        tproc_view out;
        detail::check_view(tproc_view_orient(&v_, exif_orientation, &out), "tproc_view_orient",
                           "orientation " + std::to_string(exif_orientation));
        return out;
    }

    /* Copies (converting sample type and channels) into dst, which has this view's size. */
    void copy_to(const view &dst, ctx_arg ctx = {}) const
    {
        detail::call(ctx.get(), "tproc_view_copy",
                     [&] { return tproc_view_copy(ctx.get(), &v_, dst.get()); });
    }
    /* A new image holding a copy of these pixels (materialises flips, steps, transposes). */
    image to_image(ctx_arg ctx = {}) const;
    /* Sets every pixel to value (natural range per channel). */
    void fill(std::initializer_list<double> value) const
    {
        double v[4] = {0, 0, 0, 0};
        std::size_t i = 0;
        for (double x : value)
            if (i < 4)
                v[i++] = x;
        if (i != static_cast<std::size_t>(v_.channels))
            throw error(TPROC_ERR_ARG, "view::fill: " + std::to_string(value.size()) +
                                           " values for " + std::to_string(v_.channels) +
                                           " channels");
        detail::check_view(tproc_view_fill(&v_, v), "tproc_view_fill", "fill");
    }
    /* Differences from another view of the same format. */
    diff compare(const view &other) const
    {
        diff d{};
        detail::check_view(tproc_view_compare(&v_, other.get(), &d), "tproc_view_compare",
                           detail::dims(v_.width, v_.height, " x ") + " against " +
                               detail::dims(other.width(), other.height(), " x "));
        return d;
    }
    /* Encodes to an image file (format from the name unless options say). */
    void save(const std::string &path, ctx_arg ctx = {},
              const tproc_save_options *options = nullptr) const
    {
        detail::call(ctx.get(), "tproc_save",
                     [&] { return tproc_save(ctx.get(), &v_, path.c_str(), options); });
    }

    /* The tiles of this view, for a range-for (see tile_range). */
    tile_range tiles(ptrdiff_t tile_width, ptrdiff_t tile_height, halo h = {0, 0, 0, 0},
                     border b = TPROC_BORDER_REFLECT_101, ctx_arg ctx = {}) const;

  private:
    view unary(int (*op)(const tproc_view *, tproc_view *), const char *what) const
    {
        tproc_view out;
        detail::check_view(op(&v_, &out), what, detail::dims(v_.width, v_.height, " x "));
        return out;
    }
    tproc_view v_;
};

/* An owned image (tproc_image). Move-only; the destructor frees it. */
class image
{
  public:
    image() noexcept = default;
    /* Takes ownership of a C image. */
    explicit image(tproc_image *owned) noexcept : img_(owned) {}
    /* A new image with every sample 0. */
    image(ptrdiff_t width, ptrdiff_t height, int channels, sample_type sample, ctx_arg ctx = {})
    {
        detail::call(ctx.get(), "tproc_image_new", [&] {
            return tproc_image_new(ctx.get(), width, height, channels, sample, &img_);
        });
    }
    image(const image &) = delete;
    image &operator=(const image &) = delete;
    image(image &&other) noexcept : img_(std::exchange(other.img_, nullptr)) {}
    image &operator=(image &&other) noexcept
    {
        if (this != &other) {
            tproc_image_free(&img_);
            img_ = std::exchange(other.img_, nullptr);
        }
        return *this;
    }
    ~image()
    {
        tproc_image_free(&img_);
    }

    /* Decodes an image file (EXIF orientation applied as a view transform); options pick a
     * TIFF's page and level and the colour policy. */
    static image load(const std::string &path, ctx_arg ctx = {},
                      const tproc_load_options *options = nullptr)
    {
        image out;
        detail::call(ctx.get(), "tproc_load",
                     [&] { return tproc_load(ctx.get(), path.c_str(), options, &out.img_); });
        return out;
    }
    /* The rectangle x, y, width, height of the upright image, equal to a crop of load() with
     * the same options, decoding only what intersects it (TPROC_ERR_RANGE past the edges). */
    static image load_region(const std::string &path, ptrdiff_t x, ptrdiff_t y, ptrdiff_t width,
                             ptrdiff_t height, ctx_arg ctx = {},
                             const tproc_load_options *options = nullptr)
    {
        image out;
        detail::call(ctx.get(), "tproc_load_region", [&] {
            return tproc_load_region(ctx.get(), path.c_str(), x, y, width, height, options,
                                     &out.img_);
        });
        return out;
    }
    static image load_memory(const void *data, std::size_t size, ctx_arg ctx = {},
                             const tproc_load_options *options = nullptr)
    {
        image out;
        detail::call(ctx.get(), "tproc_load_memory",
                     [&] { return tproc_load_memory(ctx.get(), data, size, options, &out.img_); });
        return out;
    }
    /* A copy of a view's pixels: the one explicit copy. */
    static image copy_of(const tileproc::view &v, ctx_arg ctx = {})
    {
        image out;
        detail::call(ctx.get(), "tproc_image_from_view",
                     [&] { return tproc_image_from_view(ctx.get(), v.get(), &out.img_); });
        return out;
    }
    /* An image over caller memory; release(user, data) runs when it is freed (may be null). */
    static image wrap(const tileproc::view &v, tproc_release_fn release = nullptr,
                      void *user = nullptr, ctx_arg ctx = {})
    {
        image out;
        detail::call(ctx.get(), "tproc_image_wrap", [&] {
            return tproc_image_wrap(ctx.get(), v.get(), release, user, &out.img_);
        });
        return out;
    }

    explicit operator bool() const noexcept
    {
        return img_ != nullptr;
    }
    tproc_image *get() const noexcept
    {
        return img_;
    }
    /* Gives up ownership (the caller frees with tproc_image_free()). */
    tproc_image *release() noexcept
    {
        return std::exchange(img_, nullptr);
    }

    /* The pixels as they are meant to be seen. Valid while this image lives. */
    tileproc::view view() const noexcept
    {
        return tproc_image_view(img_);
    }
    ptrdiff_t width() const noexcept
    {
        return tproc_image_width(img_);
    }
    ptrdiff_t height() const noexcept
    {
        return tproc_image_height(img_);
    }
    int channels() const noexcept
    {
        return tproc_image_channels(img_);
    }
    sample_type sample() const noexcept
    {
        return tproc_image_sample(img_);
    }
    int orientation() const noexcept
    {
        return tproc_image_orientation(img_);
    }
    tproc_ctx *ctx() const noexcept
    {
        return tproc_image_ctx(img_);
    }

    /* Saves with the image's ICC profile and EXIF unless options are given. */
    void save(const std::string &path, const tproc_save_options *options = nullptr) const
    {
        tproc_save_options defaults;
        if (!options) {
            tproc_save_options_from_image(&defaults, img_);
            options = &defaults;
        }
        view().save(path, ctx(), options);
    }

  private:
    tproc_image *img_ = nullptr;
};

inline image view::to_image(ctx_arg ctx) const
{
    return image::copy_of(*this, ctx);
}

/* One tile: the output rectangle and the input view grown by the halo. An assembled tile's
 * input lies in the iterator's scratch memory, which the next tile reuses. */
struct tile {
    rect out;
    tileproc::view in;
    std::size_t index;
    bool assembled;
};

/* The tiles of a view (tproc_tiles), for a range-for:
 *     for (const tileproc::tile &t : v.tiles(64, 64, {1, 1, 1, 1})) ...
 * The source view must stay valid while the range is used. Move-only. */
class tile_range
{
  public:
    tile_range(const view &src, const tproc_tiles_options &options, ctx_arg ctx = {})
        : ctx_(ctx.get())
    {
        detail::call(ctx_, "tproc_tiles_new",
                     [&] { return tproc_tiles_new(ctx_, src.get(), &options, &tiles_); });
    }
    tile_range(const tile_range &) = delete;
    tile_range &operator=(const tile_range &) = delete;
    tile_range(tile_range &&other) noexcept
        : tiles_(std::exchange(other.tiles_, nullptr)), ctx_(other.ctx_)
    {
    }
    tile_range &operator=(tile_range &&other) noexcept
    {
        if (this != &other) {
            tproc_tiles_free(&tiles_);
            tiles_ = std::exchange(other.tiles_, nullptr);
            ctx_ = other.ctx_;
        }
        return *this;
    }
    ~tile_range()
    {
        tproc_tiles_free(&tiles_);
    }

    class iterator
    {
      public:
        using iterator_category = std::input_iterator_tag;
        using value_type = tile;
        using difference_type = std::ptrdiff_t;
        using pointer = const tile *;
        using reference = const tile &;

        iterator() noexcept = default;
        reference operator*() const noexcept
        {
            return tile_;
        }
        pointer operator->() const noexcept
        {
            return &tile_;
        }
        iterator &operator++()
        {
            next();
            return *this;
        }
        /* Iterators are equal when both are at the end or at the same tile of one range. */
        bool operator==(const iterator &o) const noexcept
        {
            return range_ == o.range_ && (!range_ || tile_.index == o.tile_.index);
        }
        bool operator!=(const iterator &o) const noexcept
        {
            return !(*this == o);
        }

      private:
        friend class tile_range;
        explicit iterator(tile_range *range) : range_(range)
        {
            next();
        }
        void next()
        {
            tproc_tile t;
            tproc_ctx_clear_error(range_->ctx_);
            int more = tproc_tiles_next(range_->tiles_, &t);
            if (more < 0)
                detail::check(more, range_->ctx_, "tproc_tiles_next");
            if (more == 0) {
                range_ = nullptr;
                return;
            }
            tile_.out = t.out;
            tile_.in = t.in;
            tile_.index = t.index;
            tile_.assembled = t.assembled != 0;
        }
        tile_range *range_ = nullptr;
        tile tile_{};
    };

    /* Starts again at the first tile. */
    iterator begin()
    {
        tproc_tiles_rewind(tiles_);
        return iterator(this);
    }
    iterator end() noexcept
    {
        return iterator();
    }
    std::size_t size() const noexcept
    {
        return tproc_tiles_count(tiles_);
    }
    std::size_t across() const noexcept
    {
        return tproc_tiles_across(tiles_);
    }
    std::size_t down() const noexcept
    {
        return tproc_tiles_down(tiles_);
    }
    tproc_tiles *get() const noexcept
    {
        return tiles_;
    }

  private:
    tproc_tiles *tiles_ = nullptr;
    tproc_ctx *ctx_ = nullptr;
};

inline tile_range view::tiles(ptrdiff_t tile_width, ptrdiff_t tile_height, halo h, border b,
                              ctx_arg ctx) const
{
    tproc_tiles_options options{};
    options.tile_width = tile_width;
    options.tile_height = tile_height;
    options.halo = h;
    options.border = b;
    return tile_range(*this, options, ctx);
}

/* One parameter: a number ({"sigma", 2.0}, {"width", 320}) or text ({"kernel", "bicubic"}). */
struct param {
    template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
    param(std::string k, T v) : key(std::move(k)), number(static_cast<double>(v))
    {
    }
    param(std::string k, const char *t) : key(std::move(k)), text(t), is_text(true) {}
    param(std::string k, std::string t) : key(std::move(k)), text(std::move(t)), is_text(true) {}

    std::string key;
    double number = 0;
    std::string text;
    bool is_text = false;
};

/* A filter with its parameters, found by name. */
class filter
{
  public:
    /* "gaussian" or "gaussian:sigma=2" (tproc_params_parse). */
    explicit filter(const std::string &spec, ctx_arg ctx = {}) : ctx_(ctx.get())
    {
        detail::call(ctx_, "tproc_params_parse",
                     [&] { return tproc_params_parse(ctx_, spec.c_str(), &filter_, &params_); });
    }
    /* A filter by name with parameters: filter("gaussian", {{"sigma", 2.0}}). */
    filter(const std::string &name, std::initializer_list<param> params, ctx_arg ctx = {})
        : filter(name, ctx)
    {
        for (const param &p : params)
            set(p);
    }

    filter &set(const std::string &key, double value)
    {
        detail::call(ctx_, "tproc_params_set",
                     [&] { return tproc_params_set(ctx_, filter_, &params_, key.c_str(), value); });
        return *this;
    }
    filter &set(const std::string &key, const std::string &text)
    {
        detail::call(ctx_, "tproc_params_set_text", [&] {
            return tproc_params_set_text(ctx_, filter_, &params_, key.c_str(), text.c_str());
        });
        return *this;
    }
    filter &set(const std::string &key, const char *text)
    {
        return set(key, std::string(text));
    }
    filter &set(const param &p)
    {
        return p.is_text ? set(p.key, p.text) : set(p.key, p.number);
    }

    /* A parameter's value (its default when not given); NAN for an unknown key. */
    double get(const std::string &key) const
    {
        return tproc_params_get(filter_, &params_, key.c_str());
    }
    std::string name() const
    {
        return filter_->name;
    }
    /* "name:key=value,..." with every parameter. */
    std::string to_string() const
    {
        std::string s(256, '\0');
        int n = tproc_params_format(filter_, &params_, &s[0], s.size());
        if (n < 0)
            throw error(TPROC_ERR_ARG, "tproc_params_format failed");
        if (static_cast<std::size_t>(n) >= s.size()) {
            s.assign(static_cast<std::size_t>(n) + 1, '\0');
            tproc_params_format(filter_, &params_, &s[0], s.size());
        }
        s.resize(static_cast<std::size_t>(n));
        return s;
    }
    const tproc_filter *descriptor() const noexcept
    {
        return filter_;
    }
    const tproc_params &params() const noexcept
    {
        return params_;
    }

  private:
    tproc_ctx *ctx_ = nullptr;
    const tproc_filter *filter_ = nullptr;
    tproc_params params_{};
};

/* A chain of filters (tproc_pipeline), run tile by tile on threads. Move-only. */
class pipeline
{
  public:
    explicit pipeline(ctx_arg ctx = {}) : ctx_(ctx.get())
    {
        detail::call(ctx_, "tproc_pipeline_new", [&] { return tproc_pipeline_new(ctx_, &p_); });
    }
    pipeline(const pipeline &) = delete;
    pipeline &operator=(const pipeline &) = delete;
    pipeline(pipeline &&other) noexcept : p_(std::exchange(other.p_, nullptr)), ctx_(other.ctx_) {}
    pipeline &operator=(pipeline &&other) noexcept
    {
        if (this != &other) {
            tproc_pipeline_free(&p_);
            p_ = std::exchange(other.p_, nullptr);
            ctx_ = other.ctx_;
        }
        return *this;
    }
    ~pipeline()
    {
        tproc_pipeline_free(&p_);
    }

    /* Appends "name" or "name:key=value,...". */
    pipeline &add(const std::string &spec)
    {
        detail::call(ctx_, "tproc_pipeline_add",
                     [&] { return tproc_pipeline_add(p_, spec.c_str()); });
        return *this;
    }
    /* Appends a filter by name with parameters: add("resize", {{"width", 320}}). */
    pipeline &add(const std::string &name, std::initializer_list<param> params)
    {
        return add(filter(name, params, ctx_));
    }
    pipeline &add(const filter &f)
    {
        detail::call(ctx_, "tproc_pipeline_add_filter",
                     [&] { return tproc_pipeline_add_filter(p_, f.descriptor(), &f.params()); });
        return *this;
    }
    std::size_t size() const noexcept
    {
        return tproc_pipeline_length(p_);
    }

    /* The output format for an input format. */
    format output_format(const format &in)
    {
        format out{};
        detail::call(ctx_, "tproc_pipeline_output_format",
                     [&] { return tproc_pipeline_output_format(p_, &in, &out); });
        return out;
    }
    /* Runs the chain on in into a new image. */
    image run(const view &in, const run_options *options = nullptr)
    {
        tproc_image *out = nullptr;
        detail::call(ctx_, "tproc_pipeline_run",
                     [&] { return tproc_pipeline_run(p_, in.get(), options, &out); });
        return image(out);
    }
    /* Runs the chain on in into out (the output format; not overlapping in). */
    void run_into(const view &in, const view &out, const run_options *options = nullptr)
    {
        detail::call(ctx_, "tproc_pipeline_run_into",
                     [&] { return tproc_pipeline_run_into(p_, in.get(), out.get(), options); });
    }
    /*
     * Writes a tile pyramid of the image file input, after this chain, to output
     * (tproc_pipeline_pyramid: "out.dzi", a directory, or "out.zip") in one streamed pass;
     * options NULL for the defaults (dz, JPEG Q75). A failure leaves no output.
     */
    void pyramid(const std::string &input, const std::string &output,
                 const pyramid_options *options = nullptr, const run_options *run = nullptr)
    {
        tproc_source *source = nullptr;
        detail::call(ctx_, "tproc_source_open",
                     [&] { return tproc_source_open(ctx_, input.c_str(), nullptr, &source); });
        int status = tproc_pipeline_pyramid(p_, source, output.c_str(), options, run, nullptr);
        tproc_source_free(&source);
        detail::check(status, ctx_, "tproc_pipeline_pyramid");
    }
    /* The pyramid defaults, to change what you need. */
    static pyramid_options default_pyramid_options() noexcept
    {
        pyramid_options o;
        tproc_pyramid_options_init(&o);
        return o;
    }
    /* Defaults for run(): 256 x 64 tiles, the context's threads, reflect-101. */
    static run_options default_options() noexcept
    {
        run_options o;
        tproc_run_options_init(&o);
        return o;
    }
    tproc_pipeline *get() const noexcept
    {
        return p_;
    }

  private:
    tproc_pipeline *p_ = nullptr;
    tproc_ctx *ctx_ = nullptr;
};

} // namespace tileproc

#endif /* TILEPROC_TILEPROC_HPP */
