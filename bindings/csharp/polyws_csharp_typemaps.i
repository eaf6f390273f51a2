/* polyws_csharp_typemaps.i -- how polyws.h's types cross into C#. Included
 * by ../polyws.i inside its SWIGCSHARP section.
 *
 * Rule of this file: each C parameter becomes exactly one blittable P/Invoke
 * parameter of the same size and meaning (imtype), because the [DllImport]s
 * call the library's exports directly (see polyws_csharp.i). No marshalling
 * stub runs: conversions happen in the generated C# methods (cstype, csin,
 * csout), where they cost one copy at most.
 *
 *   handles        ws_socket *, ws_loop *, ws_options *, ws_event * are
 *                  IntPtr; `T **out` is `out IntPtr`.
 *   size_t         UIntPtr (SWIG's default, uint, is 32 bits: wrong on x64).
 *   uint64_t       ulong.   bool: a C bool is one byte, so byte in P/Invoke,
 *                  bool in C#.
 *   strings in     string -> NUL-terminated UTF-8 byte[] (options, URL, close
 *                  reason: not on a hot path).
 *   strings out    IntPtr -> string (UTF-8 decoded once); never freed by
 *                  the marshaller (polyws owns them).
 *   payloads       (const void *data, size_t size) and (const char *text,
 *                  size_t size) take a ReadOnlySpan<byte>, pinned with
 *                  `fixed` for the call: no copy before the library's own.
 *                  ws_send_text additionally takes a string, encoded into
 *                  a pooled buffer (the one unavoidable UTF-16 -> UTF-8 pass).
 *   event data     ws_event_data gives a ReadOnlySpan<byte> over the loop's
 *                  buffer (valid until the next ws_loop_next_event call):
 *                  the caller copies it once into byte[] or decodes a string.
 *   protocols      string[] -> a native array of UTF-8 strings for the call.
 */

/* ---- handles as IntPtr ---------------------------------------------------- */

%define POLYWS_CS_HANDLE(T)
%typemap(ctype) T *, const T * "void *"
%typemap(imtype) T *, const T * "global::System.IntPtr"
%typemap(cstype) T *, const T * "global::System.IntPtr"
%typemap(csin) T *, const T * "$csinput"
%typemap(csout, excode=SWIGEXCODE) T *, const T * { return $imcall; }
%typemap(in) T *, const T * %{ $1 = ($1_ltype)$input; %}
%typemap(out) T *, const T * %{ $result = (void *)$1; %}

%typemap(ctype) T **out, const T **out "void **"
%typemap(imtype) T **out, const T **out "out global::System.IntPtr"
%typemap(cstype) T **out, const T **out "out global::System.IntPtr"
%typemap(csin) T **out, const T **out "out $csinput"
%typemap(in) T **out, const T **out %{ $1 = ($1_ltype)$input; %}
%enddef

POLYWS_CS_HANDLE(ws_socket)
POLYWS_CS_HANDLE(ws_loop)
POLYWS_CS_HANDLE(ws_options)
POLYWS_CS_HANDLE(ws_event)

/* ---- user data: IntPtr ---------------------------------------------------- */

%typemap(ctype) void *user_data, void *ws_user_data, void *ws_event_user_data "void *"
%typemap(imtype) void *user_data, void *ws_user_data, void *ws_event_user_data "global::System.IntPtr"
%typemap(cstype) void *user_data, void *ws_user_data, void *ws_event_user_data "global::System.IntPtr"
%typemap(csin) void *user_data "$csinput"
%typemap(csout, excode=SWIGEXCODE) void *ws_user_data, void *ws_event_user_data { return $imcall; }
%typemap(in) void *user_data %{ $1 = $input; %}
%typemap(out) void *ws_user_data, void *ws_event_user_data %{ $result = $1; %}

/* ---- integers of the C width ---------------------------------------------- */

%typemap(ctype) size_t "size_t"
%typemap(imtype) size_t "global::System.UIntPtr"
%typemap(cstype) size_t "global::System.UIntPtr"
%typemap(csin) size_t "$csinput"
%typemap(csout, excode=SWIGEXCODE) size_t { return $imcall; }
%typemap(in) size_t %{ $1 = $input; %}
%typemap(out) size_t %{ $result = $1; %}

%typemap(ctype) uint64_t "uint64_t"
%typemap(imtype) uint64_t "ulong"
%typemap(cstype) uint64_t "ulong"
%typemap(csin) uint64_t "$csinput"
%typemap(csout, excode=SWIGEXCODE) uint64_t { return $imcall; }
%typemap(in) uint64_t %{ $1 = $input; %}
%typemap(out) uint64_t %{ $result = $1; %}

/* C99 bool is one byte; the default P/Invoke bool is a 4-byte Win32 BOOL. */
%typemap(ctype) bool "bool"
%typemap(imtype) bool "byte"
%typemap(cstype) bool "bool"
%typemap(csin) bool "($csinput ? (byte)1 : (byte)0)"
%typemap(csout, excode=SWIGEXCODE) bool { return $imcall != 0; }
%typemap(in) bool %{ $1 = $input; %}
%typemap(out) bool %{ $result = $1; %}

/* size_t *dispatched: an out parameter. */
%typemap(ctype) size_t *dispatched "size_t *"
%typemap(imtype) size_t *dispatched "out global::System.UIntPtr"
%typemap(cstype) size_t *dispatched "out global::System.UIntPtr"
%typemap(csin) size_t *dispatched "out $csinput"
%typemap(in) size_t *dispatched %{ $1 = $input; %}

/* ---- strings ---------------------------------------------------------------- */

%typemap(ctype) const char * "const char *"
%typemap(imtype) const char * "byte[]"
%typemap(cstype) const char * "string"
%typemap(csin) const char * "global::Polyws.Native.Utf8.NulTerminated($csinput)"
%typemap(in) const char * %{ $1 = $input; %}

%typemap(imtype, out="global::System.IntPtr") const char * "byte[]"
%typemap(csout, excode=SWIGEXCODE) const char * {
    return global::Polyws.Native.Utf8.FromNative($imcall);
  }
%typemap(out) const char * %{ $result = (char *)$1; %}

/* (const char *pem, size_t size): PEM text as a string. */
%typemap(ctype) (const char *pem, size_t size) "const char *"
%typemap(imtype) (const char *pem, size_t size) "byte* pem, global::System.UIntPtr"
%typemap(cstype) (const char *pem, size_t size) "string"
%typemap(csin, pre="    byte[] $csinput_utf8 = $csinput == null ? null : global::System.Text.Encoding.UTF8.GetBytes($csinput);\n    fixed (byte* $csinput_p = $csinput_utf8) {", terminator="    }")
  (const char *pem, size_t size) "$csinput_p, (global::System.UIntPtr)($csinput_utf8 == null ? 0 : $csinput_utf8.Length)"
%typemap(in) (const char *pem, size_t size) %{ $1 = $input; %}

/* ---- payloads ---------------------------------------------------------------- */

/* Bytes, pinned for the call: the library copies them into its queue. */
%typemap(ctype) (const void *data, size_t size), (const char *text, size_t size) "const void *"
%typemap(imtype) (const void *data, size_t size), (const char *text, size_t size) "byte* data, global::System.UIntPtr"
%typemap(cstype) (const void *data, size_t size), (const char *text, size_t size) "global::System.ReadOnlySpan<byte>"
/* Pinned through MemoryMarshal.GetReference rather than `fixed (p = span)`:
 * the latter calls ReadOnlySpan.GetPinnableReference, which Mono 6.8's class
 * library lacks. */
%typemap(csin, pre="    fixed (byte* $csinput_p = &global::System.Runtime.InteropServices.MemoryMarshal.GetReference($csinput)) {", terminator="    }")
  (const void *data, size_t size), (const char *text, size_t size)
  "$csinput_p, (global::System.UIntPtr)$csinput.Length"
%typemap(in) (const void *data, size_t size), (const char *text, size_t size) %{ $1 = $input; %}

/* ws_event_data(event, &size) -> a span over the loop's buffer, valid until
 * the next ws_loop_next_event() call on that loop. The size pointer stays a
 * P/Invoke parameter (the C signature) but leaves the C# one. */
%typemap(ctype) (const ws_event *event, size_t *size) "const void *"
%typemap(imtype) (const ws_event *event, size_t *size) "global::System.IntPtr ev, out global::System.UIntPtr"
%typemap(cstype) (const ws_event *event, size_t *size) "global::System.IntPtr"
%typemap(csin, pre="    global::System.UIntPtr polyws_data_size;") (const ws_event *event, size_t *size)
  "$csinput, out polyws_data_size"
%typemap(in) (const ws_event *event, size_t *size) %{ $1 = $input; %}
%typemap(ctype) const uint8_t *ws_event_data "const uint8_t *"
%typemap(imtype) const uint8_t *ws_event_data "byte*"
%typemap(cstype) const uint8_t *ws_event_data "global::System.ReadOnlySpan<byte>"
%typemap(csout, excode=SWIGEXCODE) const uint8_t *ws_event_data {
    byte* polyws_data = $imcall;
    return polyws_data == null ? default(global::System.ReadOnlySpan<byte>)
                               : new global::System.ReadOnlySpan<byte>(polyws_data, checked((int)polyws_data_size));
  }
%typemap(out) const uint8_t *ws_event_data %{ $result = $1; %}

/* ---- protocols: string[] ---------------------------------------------------- */

%typemap(ctype) (const char *const *protocols, size_t protocol_count) "const char *const *"
%typemap(imtype) (const char *const *protocols, size_t protocol_count) "global::System.IntPtr protocols, global::System.UIntPtr"
%typemap(cstype) (const char *const *protocols, size_t protocol_count) "string[]"
%typemap(csin, pre="    global::Polyws.Native.Utf8Array $csinput_native = new global::Polyws.Native.Utf8Array($csinput);", post="      $csinput_native.Dispose();")
  (const char *const *protocols, size_t protocol_count)
  "$csinput_native.Pointer, (global::System.UIntPtr)$csinput_native.Count"
%typemap(in) (const char *const *protocols, size_t protocol_count) %{ $1 = $input; %}

/* Response headers by index: ws_response_header(ws, name) serves. */
%ignore ws_response_header_at;
