/* polyws_csharp.i -- the C# P/Invoke layer: the C API as it is, in the
 * internal classes Polyws.Native.PolywsNative (the methods) and
 * PolywsNativePINVOKE (the [DllImport]s). Applications use the idiomatic
 * layer Polyws.WebSocket on top of it.
 *
 * Generated at build time (Polyws.csproj runs swig; nothing generated is
 * committed):
 *     swig -csharp -namespace Polyws.Native -dllimport polyws
 *          -DSWIG_CSHARP_NO_EXCEPTION_HELPER -DSWIG_CSHARP_NO_STRING_HELPER
 *          -DSWIG_CSHARP_NO_IMCLASS_STATIC_CONSTRUCTOR ...
 * (SWIG's exception and string helpers register callbacks with the C glue;
 * there is none, and native code never calls managed code.)
 *
 * Direct calls, no C glue: the typemaps in polyws_csharp_typemaps.i give
 * every C parameter exactly one blittable P/Invoke parameter of the same
 * C type, so SWIG's C wrapper would be a list of identity functions. The
 * build does not compile it; it points each [DllImport] at the library's
 * own export instead (EntryPoint "CSharp_Polyws_Native_ws_x" -> "ws_x").
 * One native library then serves every OS under one name: "polyws" is
 * libpolyws.so on Linux and polyws.dll on Windows.
 */

%module PolywsNative

/* Everything generated stays inside the assembly. */
%pragma(csharp) moduleclassmodifiers="internal static unsafe class"
%pragma(csharp) imclassclassmodifiers="internal static unsafe class"
%typemap(csclassmodifiers) enum SWIGTYPE "internal enum"

%include "enums.swg"
/* Enum values and #define constants as C# compile-time constants (no getter
 * functions: the library exports none). */
%csconst(1);

%include "../polyws.i"

/* send(text) from a .NET string: encoded once, into a pooled buffer, then
 * the span overload generated above (the library copies it into its queue). */
%pragma(csharp) modulecode=%{
  public static ws_result ws_send_text(global::System.IntPtr ws, string text) {
    global::Polyws.Native.PooledUtf8 utf8 = new global::Polyws.Native.PooledUtf8(text);
    try {
      return ws_send_text(ws, utf8.Bytes);
    } finally {
      utf8.Dispose();
    }
  }
%}
