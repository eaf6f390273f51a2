/* polyws.i -- the one SWIG interface of every polyws binding.
 *
 * Each language has a thin entry file that names its module and %includes
 * this one (bindings/lua/polyws_lua.i, ...). What differs between languages
 * lives in the `#if defined(SWIG<LANG>)` sections below, each pulling that
 * language's typemap file; everything else is shared.
 *
 * What crosses: every declaration of polyws.h, except the functions that take
 * a ws_listener_fn. Native code never calls into a host language: bindings
 * take events with ws_loop_next_event() on the host's own thread and run
 * their listeners themselves (docs/design.md, "Bindings: events are pulled";
 * the rules they keep are docs/contract.md).
 */

%{
#include "polyws.h"
%}

%include <stdint.i>

/* Native callbacks do not cross. */
%ignore ws_listener_fn;
%ignore ws_add_event_listener;
%ignore ws_remove_event_listener;
%ignore ws_set_onopen;
%ignore ws_set_onmessage;
%ignore ws_set_onerror;
%ignore ws_set_onclose;

#if defined(SWIGLUA)
%include "lua/polyws_lua_typemaps.i"
#endif

#if defined(SWIGJAVA)
%include "java/polyws_java_typemaps.i"
#endif

#if defined(SWIGCSHARP)
%include "csharp/polyws_csharp_typemaps.i"
#endif

%include "polyws.h"
