/* The public header compiles as strict C (no C++ or GNU extensions) and as
 * C++; this file is built with -std=c99 -pedantic -Werror. */
#include "polyws.h"

int main(void) {
    return ws_version_number() == POLYWS_VERSION_NUMBER ? 0 : 1;
}
