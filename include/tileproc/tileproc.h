/* SPDX-License-Identifier: MIT */
/*
 * tileproc.h: the umbrella header. Include this one; the others are split by idea.
 */
#ifndef TILEPROC_TILEPROC_H
#define TILEPROC_TILEPROC_H

#include "base.h"
#include "context.h"
#include "view.h"
#include "image.h"
#include "tiles.h"
#include "io.h"
#include "filter.h"
#include "pipeline.h"
#include "stream.h"
#include "pyramid.h"

#endif /* TILEPROC_TILEPROC_H */
