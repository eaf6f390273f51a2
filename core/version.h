// The version string, derived from the public header's macros.
#pragma once

#include "polyws.h"

#define POLYWS_STRINGIFY2(x) #x
#define POLYWS_STRINGIFY(x) POLYWS_STRINGIFY2(x)
#define POLYWS_VERSION_STRING                                                  \
    POLYWS_STRINGIFY(POLYWS_VERSION_MAJOR)                                     \
    "." POLYWS_STRINGIFY(POLYWS_VERSION_MINOR) "." POLYWS_STRINGIFY(POLYWS_VERSION_PATCH)
