/* polyws_java.i -- the JNI module io.polyws.internal.PolywsNative: the C API
 * as it is, handles as Java longs. Applications use the idiomatic layer
 * io.polyws.WebSocket on top of it. */

%module PolywsNative

/* Enums as int constants in PolywsNativeConstants (no class per enum). */
%include "enumsimple.swg"
/* ... and compile-time constants, usable in a switch. */
%javaconst(1);

%pragma(java) jniclasscode=%{
  static {
    NativeLoader.load();
  }
%}

%include "../polyws.i"
