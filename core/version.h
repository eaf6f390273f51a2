// The library's version, "major.minor.patch". Its one source is the
// POLYWS_VERSION_* macros of the public header: CMakeLists.txt reads them
// into the project version and hands that to the core as
// POLYWS_CORE_VERSION, so the core needs no C API header (the C API checks
// at compile time that the two agree).
#pragma once

#ifndef POLYWS_CORE_VERSION
#error "POLYWS_CORE_VERSION is defined by the build (CMakeLists.txt)"
#endif

namespace polyws {

constexpr const char kVersion[] = POLYWS_CORE_VERSION;

} // namespace polyws
