/* SPDX-License-Identifier: MIT */
/*
 * test_cxx.cpp: the C++ layer (tileproc.hpp): ownership and moves, errors as exceptions with
 * status and message, view operations as methods (zero-copy), range-for over tiles, filters and
 * pipelines by name, and results identical to the C API's.
 */
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

#include <tileproc/tileproc.hpp>

#include "check.hpp"

using tileproc::image;
using tileproc::view;

static_assert(!std::is_copy_constructible_v<image> && !std::is_copy_assignable_v<image>);
static_assert(std::is_nothrow_move_constructible_v<image> &&
              std::is_nothrow_move_assignable_v<image>);
static_assert(!std::is_copy_constructible_v<tileproc::pipeline>);
static_assert(!std::is_copy_constructible_v<tileproc::context>);
static_assert(!std::is_copy_constructible_v<tileproc::tile_range>);
static_assert(std::is_nothrow_move_constructible_v<tileproc::pipeline>);
static_assert(std::is_trivially_copyable_v<view>, "a view is a plain value: copying it is cheap");

/* An 8-bit image whose pixel (x, y) channel c holds x + 10 y + 100 c (mod 256). */
static image numbered(ptrdiff_t w, ptrdiff_t h, int channels, tileproc::ctx_arg ctx = {})
{
    image img(w, h, channels, TPROC_U8, ctx);
    view v = img.view();
    for (ptrdiff_t y = 0; y < h; y++)
        for (ptrdiff_t x = 0; x < w; x++)
            for (int c = 0; c < channels; c++)
                v.at<unsigned char>(x, y, c) =
                    static_cast<unsigned char>((x + 10 * y + 100 * c) % 256);
    return img;
}

static void test_version()
{
    CHECK(tileproc::version() == TPROC_VERSION_STRING);
}

static void test_raii_and_move()
{
    tileproc::context ctx;
    const std::size_t base = ctx.memory_in_use();
    {
        image a(64, 32, 3, TPROC_U8, ctx);
        CHECK(a && a.width() == 64 && a.height() == 32 && a.channels() == 3);
        CHECK(a.sample() == TPROC_U8);
        CHECK(ctx.memory_in_use() > base);
        unsigned char *pixels = a.view().data();

        image b = std::move(a); // the pixels move with the handle: no copy
        CHECK(!a && a.get() == nullptr);
        CHECK(b && b.view().data() == pixels);

        image c;
        c = std::move(b);
        CHECK(!b && c.view().data() == pixels);

        c = image(8, 8, 1, TPROC_U8, ctx); // move-assign frees the old image
        CHECK(c.width() == 8);
        tproc_image *raw = c.release();
        CHECK(!c && raw != nullptr);
        tproc_image_free(&raw);
    }
    CHECK_MSG(ctx.memory_in_use() == base, "every image was freed by its destructor");

    tileproc::context moved = std::move(ctx);
    CHECK(moved.get() != nullptr && ctx.get() == nullptr);
}

static void test_errors()
{
    CHECK_THROWS(image::load("/nonexistent/dir/photo.png"), TPROC_ERR_IO, "photo.png");

    tileproc::pipeline p;
    CHECK_THROWS(p.add("gausian"), TPROC_ERR_NOT_FOUND, "did you mean 'gaussian'");
    CHECK_THROWS((p.add("gaussian", {{"sigma", -1}})), TPROC_ERR_PARAM, "sigma");
    CHECK_THROWS((p.add("gaussian", {{"sigmaa", 1}})), TPROC_ERR_PARAM, "sigmaa");
    CHECK(p.size() == 0);

    // A context's memory limit, named in the message.
    tileproc::context small;
    small.set_memory_limit(4096);
    CHECK_THROWS((image(1000, 1000, 3, TPROC_U8, small)), TPROC_ERR_LIMIT, "limit");
    // The next failure in the same context carries its own message, not the stale one.
    CHECK_THROWS(image::load("/nonexistent/other.jpg", small), TPROC_ERR_IO, "other.jpg");

    // View operations take no context: the message names the call and the request.
    image img = numbered(10, 8, 3);
    CHECK_THROWS((img.view().sub(5, 5, 10, 10)), TPROC_ERR_RANGE, "tproc_view_sub");
    CHECK_THROWS(img.view().rotate(45), TPROC_ERR_RANGE, "45 degrees");
    CHECK_THROWS(img.view().select_channels(2, 2), TPROC_ERR_RANGE, "channels 2");
    CHECK_THROWS(img.view().at<unsigned char>(10, 0), TPROC_ERR_RANGE, "outside");
    CHECK_THROWS(img.view().at<float>(0, 0), TPROC_ERR_ARG, "u8");
    CHECK_THROWS((img.view().fill({1.0, 2.0})), TPROC_ERR_ARG, "channels");
    unsigned char buf[16];
    CHECK_THROWS((view(buf, 0, 4, 1, TPROC_U8)), TPROC_ERR_ARG, "tproc_view_init");

    try {
        image::load("/nonexistent/x.png");
        CHECK(false);
    } catch (const tileproc::error &e) {
        CHECK(std::string(e.name()) == "ERR_IO");
        // What it is about, apart from the cause: the message is "subject: cause".
        CHECK(e.kind() == TPROC_SUBJECT_FILE);
        CHECK(e.subject() == "/nonexistent/x.png");
        CHECK(std::string(e.what()) == e.subject() + ": " + e.cause());
    }
}

static void test_view_ops()
{
    image img = numbered(10, 8, 3);
    const view all = img.view();
    CHECK(all.width() == 10 && all.height() == 8 && all.channels() == 3);
    CHECK(all.contiguous() == (all.row_stride() == 30));

    view part = all.sub(2, 3, 4, 2);
    CHECK(part.data() == all.pixel(2, 3)); // zero-copy: the same memory
    CHECK(part.width() == 4 && part.height() == 2 && part.row_stride() == all.row_stride());
    CHECK(part.at<unsigned char>(0, 0) == 2 + 30);
    CHECK(all.sub(tproc_rect{2, 3, 4, 2}).data() == part.data());

    view fh = all.flip_h();
    CHECK(fh.at<unsigned char>(0, 0) == all.at<unsigned char>(9, 0));
    CHECK(fh.pixel_stride() == -all.pixel_stride());
    view fv = all.flip_v();
    CHECK(fv.at<unsigned char>(0, 0) == all.at<unsigned char>(0, 7) && fv.row_stride() < 0);

    view t = all.transpose();
    CHECK(t.width() == 8 && t.height() == 10 &&
          t.at<unsigned char>(3, 5) == all.at<unsigned char>(5, 3));

    view r = all.rotate(90); // clockwise: the bottom-left pixel becomes the top-left
    CHECK(r.width() == 8 && r.height() == 10);
    CHECK(r.at<unsigned char>(0, 0) == all.at<unsigned char>(0, 7));
    CHECK(all.rotate(180).at<unsigned char>(0, 0) == all.at<unsigned char>(9, 7));

    view green = all.select_channels(1, 1);
    CHECK(green.channels() == 1 && green.at<unsigned char>(1, 1) == all.at<unsigned char>(1, 1, 1));
    CHECK(green.pixel_stride() == all.pixel_stride());

    view s = all.step(3, 2);
    CHECK(s.width() == 4 && s.height() == 4 &&
          s.at<unsigned char>(1, 1) == all.at<unsigned char>(3, 2));

    CHECK(all.orient(3).at<unsigned char>(0, 0) == all.at<unsigned char>(9, 7));

    // Views are values: composing them never touches the pixels, writes go through.
    view chain = all.flip_h().sub(1, 1, 3, 3).rotate(270);
    chain.at<unsigned char>(0, 0, 2) = 7;
    CHECK(all.at<unsigned char>(6, 1, 2) == 7); // r(0, 0) = sub(2, 0) = flip(3, 1) = all(6, 1)

    // Copies are explicit.
    image copy = fh.to_image();
    CHECK(copy.view().data() != all.data());
    CHECK(copy.view().compare(fh).max_abs == 0.0);
    CHECK(copy.view().contiguous() || copy.view().row_stride() % TPROC_ROW_ALIGN == 0);

    image dst(10, 8, 1, TPROC_U16);
    all.copy_to(dst.view()); // converts RGB u8 to gray u16
    CHECK(dst.view().at<std::uint16_t>(0, 0) > 0);

    part.fill({1, 2, 3});
    CHECK(all.at<unsigned char>(2, 3, 0) == 1 && all.at<unsigned char>(5, 4, 2) == 3);
    CHECK(all.at<unsigned char>(1, 3, 0) != 1);
    CHECK(all.compare(all).max_abs == 0.0 && copy.view().compare(all).max_abs > 0.0);

    // Caller memory.
    std::vector<float> floats(6 * 4, 0.5f);
    view fv32(floats.data(), 6, 4, 1, TPROC_F32);
    CHECK(fv32.data() == reinterpret_cast<unsigned char *>(floats.data()));
    fv32.at<float>(5, 3) = 0.25f;
    CHECK(floats.back() == 0.25f);
}

static void test_tiles()
{
    image img = numbered(10, 7, 1);
    const view all = img.view();
    std::size_t n = 0, area = 0, assembled = 0;
    for (const tileproc::tile &t : all.tiles(4, 4, {1, 1, 1, 1})) {
        CHECK(t.index == n);
        CHECK(t.in.width() == t.out.width + 2 && t.in.height() == t.out.height + 2);
        // The input's (1, 1) is the output rectangle's first pixel, assembled or not.
        CHECK(t.in.at<unsigned char>(1, 1) == all.at<unsigned char>(t.out.x, t.out.y));
        if (!t.assembled)
            CHECK(t.in.data() == all.pixel(t.out.x - 1, t.out.y - 1));
        assembled += t.assembled ? 1 : 0;
        area += static_cast<std::size_t>(t.out.width * t.out.height);
        n++;
    }
    CHECK(n == 6 && area == 70);
    CHECK(assembled > 0);

    tileproc::tile_range range = all.tiles(3, 3);
    CHECK(range.size() == 12 && range.across() == 4 && range.down() == 3);
    std::size_t first = 0, second = 0;
    for (const auto &t : range)
        first += static_cast<std::size_t>(t.out.width);
    for (auto it = range.begin(); it != range.end(); ++it) // begin() starts again
        second += static_cast<std::size_t>(it->out.width);
    CHECK(first == second && first == 30);

    CHECK_THROWS((all.tiles(0, 4)), TPROC_ERR_ARG, "");
}

static void test_pipeline()
{
    image img = numbered(40, 30, 3);
    tileproc::pipeline p;
    p.add("gaussian", {{"sigma", 1.5}}).add("resize", {{"width", 20}, {"kernel", "bicubic"}});
    CHECK(p.size() == 2);
    tileproc::format f = p.output_format(img.view().fmt());
    CHECK(f.width == 20 && f.height == 15 && f.channels == 3);
    image out = p.run(img.view());
    CHECK(out.width() == 20 && out.height() == 15);

    // The same chain through the C API gives the same bytes.
    tproc_pipeline *c = nullptr;
    tproc_image *ref = nullptr;
    CHECK(tproc_pipeline_new(nullptr, &c) == TPROC_OK);
    CHECK(tproc_pipeline_add(c, "gaussian:sigma=1.5") == TPROC_OK);
    CHECK(tproc_pipeline_add(c, "resize:width=20,kernel=bicubic") == TPROC_OK);
    CHECK(tproc_pipeline_run(c, img.view().get(), nullptr, &ref) == TPROC_OK);
    if (ref)
        CHECK(out.view().compare(tproc_image_view(ref)).max_abs == 0.0);
    tproc_image_free(&ref);
    tproc_pipeline_free(&c);

    // Filters by name, parameters by key; run_into writes into caller memory.
    tileproc::filter inv("invert");
    CHECK(inv.name() == "invert");
    tileproc::filter g("gaussian", {{"sigma", 2}});
    CHECK(g.get("sigma") == 2.0 && std::isnan(g.get("nope")));
    CHECK(g.to_string().find("gaussian:sigma=2") == 0);
    g.set("sigma", "0.5");
    CHECK(g.get("sigma") == 0.5);

    tileproc::pipeline q;
    q.add(inv).add("crop:x=1,y=2,width=5,height=4");
    image dst(5, 4, 3, TPROC_U8);
    tileproc::run_options o = tileproc::pipeline::default_options();
    o.tile_width = 2;
    o.tile_height = 2;
    q.run_into(img.view(), dst.view(), &o);
    CHECK(dst.view().at<unsigned char>(0, 0, 1) == 255 - img.view().at<unsigned char>(1, 2, 1));
    CHECK_THROWS((q.run_into(img.view(), img.view())), TPROC_ERR_ARG, "");

    tileproc::pipeline moved = std::move(q);
    CHECK(moved.size() == 2 && q.get() == nullptr);
}

static void test_save_load()
{
    image img = numbered(12, 9, 3);
    std::string path = std::string(TPROC_TEST_TMP) + "/cxx-roundtrip.png";
    img.view().flip_h().save(path);
    image back = image::load(path);
    CHECK(back.view().compare(img.view().flip_h()).max_abs == 0.0);
    std::remove(path.c_str());
}

/* load_region through the wrapper: a crop of load with the same options (colour included). */
static void test_load_region()
{
    image img = numbered(70, 50, 3);
    std::string path = std::string(TPROC_TEST_TMP) + "/cxx-region.jpg";
    img.view().save(path);
    for (int colour : {TPROC_COLOUR_SRGB, TPROC_COLOUR_KEEP, TPROC_COLOUR_IGNORE}) {
        tileproc::load_options o{};
        o.colour = static_cast<tproc_colour_policy>(colour);
        image whole = image::load(path, {}, &o);
        image part = image::load_region(path, 13, 9, 40, 30, {}, &o);
        CHECK(part.width() == 40 && part.height() == 30);
        CHECK(part.view().compare(whole.view().sub(13, 9, 40, 30)).max_abs == 0.0);
    }
    CHECK_THROWS(image::load_region(path, 60, 0, 20, 10), TPROC_ERR_RANGE, "");
    std::remove(path.c_str());
}

/* The TIFF save options and page/level load options are reachable from C++: a tiled pyramid
 * written by save(), read back level by level (each the 2x reduction of the one above) and by
 * region from a reduced level. */
static void test_tiff_pyramid_levels()
{
    if (std::string(tproc_file_format_name(TPROC_FILE_TIFF)) != "tiff") {
        std::printf("  (no TIFF codec in this build: skipped)\n");
        return;
    }
    image img = numbered(200, 120, 3);
    std::string path = std::string(TPROC_TEST_TMP) + "/cxx-pyramid.tif";
    tileproc::save_options s = tileproc::default_save_options();
    s.tile_width = s.tile_height = 64;
    s.tiff_compression = TPROC_TIFF_LZW;
    s.tiff_predictor = TPROC_TIFF_PREDICTOR_HORIZONTAL;
    s.bigtiff = 1;
    s.pyramid = 1;
    img.view().save(path, {}, &s);
    tproc_info info{};
    CHECK(tproc_info_read(nullptr, path.c_str(), &info) == TPROC_OK);
    CHECK(info.bigtiff == 1 && info.tile_width == 64 && info.tile_height == 64);
    CHECK(info.compression && std::string(info.compression) == "lzw");
    CHECK(info.levels == 3); /* 200x120, 100x60, 50x30: the first to fit one 64x64 tile */
    ptrdiff_t w = 200, h = 120;
    image above = image::load(path);
    CHECK(above.view().compare(img.view()).max_abs == 0.0);
    for (int level = 1; level < info.levels; level++) {
        tileproc::load_options o{};
        o.level = level;
        image got = image::load(path, {}, &o);
        w = (w + 1) / 2, h = (h + 1) / 2;
        CHECK(got.width() == w && got.height() == h);
        /* Each pixel the rounded mean of the 2x2 block above it (interior blocks). */
        double worst = 0;
        for (ptrdiff_t y = 0; y + 1 < h; y++)
            for (ptrdiff_t x = 0; x + 1 < w; x++)
                for (int c = 0; c < 3; c++) {
                    view a = above.view();
                    int sum = a.at<unsigned char>(2 * x, 2 * y, c) +
                              a.at<unsigned char>(2 * x + 1, 2 * y, c) +
                              a.at<unsigned char>(2 * x, 2 * y + 1, c) +
                              a.at<unsigned char>(2 * x + 1, 2 * y + 1, c);
                    worst = std::fmax(worst, std::fabs(got.view().at<unsigned char>(x, y, c) -
                                                       sum / 4.0));
                }
        CHECK(worst <= 0.75);
        image part = image::load_region(path, 3, 5, w / 2, h / 2, {}, &o);
        CHECK(part.view().compare(got.view().sub(3, 5, w / 2, h / 2)).max_abs == 0.0);
        above = std::move(got);
    }
    tileproc::load_options past{};
    past.level = info.levels;
    CHECK_THROWS(image::load(path, {}, &past), TPROC_ERR_ARG, "");
    past.level = 0;
    past.page = 1;
    CHECK_THROWS(image::load(path, {}, &past), TPROC_ERR_ARG, "");
    std::remove(path.c_str());
}

/* A pyramid from C++: one level, PNG tiles, each the image's rectangle after the chain. */
static void test_pyramid()
{
    image img = numbered(40, 30, 3);
    std::string dir = std::string(TPROC_TEST_TMP);
    std::string in = dir + "/cxx-pyramid-in.png", tile = dir + "/cxx-pyr_files/0/1_1.png";
    img.view().save(in);
    tileproc::pipeline p;
    p.add("flip");
    tileproc::pyramid_options o = tileproc::pipeline::default_pyramid_options();
    o.suffix = TPROC_FILE_PNG;
    o.tile_size = 16;
    o.overlap = 0;
    o.depth = TPROC_PYRAMID_DEPTH_ONE;
    o.force = 1;
    p.pyramid(in, dir + "/cxx-pyr.dzi", &o);
    image got = image::load(tile);
    CHECK(got.view().compare(img.view().flip_h().sub(16, 16, 16, 14)).max_abs == 0.0);
    bool threw = false;
    o.force = 0;
    try {
        p.pyramid(in, dir + "/cxx-pyr.dzi", &o); /* exists */
    } catch (const tileproc::error &) {
        threw = true;
    }
    CHECK(threw);
    std::remove(in.c_str());
}

int main()
{
    RUN(test_version);
    RUN(test_raii_and_move);
    RUN(test_errors);
    RUN(test_view_ops);
    RUN(test_tiles);
    RUN(test_pipeline);
    RUN(test_save_load);
    RUN(test_pyramid);
    RUN(test_load_region);
    RUN(test_tiff_pyramid_levels);
    return testing::summary();
}
