/*
 * exposure_svg.h — an exposure map (kernel/exposure.h) as one SVG
 * picture: the register region as pages of cells, one panel per page
 * size, each 32-bit word coloured granted, exposed-but-privileged,
 * exposed-but-unused or not mapped, mapped pages outlined, every cell
 * named in its tooltip.
 */
#ifndef CAPIO_EVAL_EXPOSURE_SVG_H
#define CAPIO_EVAL_EXPOSURE_SVG_H

#include <stddef.h>

#include "eval/exposure.h"

/* Write the picture to PATH. 0, or -1 and a one-line message in ERR. */
int exposure_svg_write(const char *path, const char *device,
    const struct exposure *e, size_t n, char *err, size_t errlen);

#endif
