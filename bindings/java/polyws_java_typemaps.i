/* polyws_java_typemaps.i -- how polyws.h's types cross into Java. Included by
 * ../polyws.i inside its SWIGJAVA section.
 *
 *   handles           ws_socket *, ws_loop *, ws_options *, ws_event * are
 *                     Java longs (0 for NULL); `T **out` is a long[1] that
 *                     receives the handle.
 *   strings           UTF-8 both ways, converted in Java (String.getBytes /
 *                     new String(bytes, UTF_8)), never JNI's modified UTF-8.
 *   payloads          (const char *text, size_t), (const void *data, size_t),
 *                     (const char *pem, size_t) from a byte[].
 *   ws_event_data()   the payload as a new byte[] (the one copy).
 *   uint64_t          long (sizes never reach 2^63).
 *   user data         a long.
 *   protocols         String[] (tokens: ASCII, so JNI's encoding is exact).
 *
 * No handle is owned by Java here: io.polyws.WebSocket decides when
 * ws_free() runs.
 */

%{
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
%}

/* ---- handles as longs --------------------------------------------------- */

%define POLYWS_JAVA_HANDLE(T)
%typemap(jni) T *, const T * "jlong"
%typemap(jtype) T *, const T * "long"
%typemap(jstype) T *, const T * "long"
%typemap(in) T *, const T * %{ $1 = ($1_ltype)(intptr_t)$input; %}
%typemap(out) T *, const T * %{ $result = (jlong)(intptr_t)$1; %}
%typemap(javain) T *, const T * "$javainput"
%typemap(javaout) T *, const T * { return $jnicall; }

%typemap(jni) T **out, const T **out "jlongArray"
%typemap(jtype) T **out, const T **out "long[]"
%typemap(jstype) T **out, const T **out "long[]"
%typemap(javain) T **out, const T **out "$javainput"
%typemap(in) T **out ($*1_ltype tmp = NULL), const T **out ($*1_ltype tmp = NULL) {
  if (!$input || (*jenv)->GetArrayLength(jenv, $input) < 1) {
    SWIG_JavaThrowException(jenv, SWIG_JavaIllegalArgumentException, "$symname: out must be a long[1]");
    return $null;
  }
  $1 = &tmp;
}
%typemap(argout) T **out, const T **out {
  jlong v = (jlong)(intptr_t)tmp$argnum;
  (*jenv)->SetLongArrayRegion(jenv, $input, 0, 1, &v);
}
%enddef

POLYWS_JAVA_HANDLE(ws_socket)
POLYWS_JAVA_HANDLE(ws_loop)
POLYWS_JAVA_HANDLE(ws_options)
POLYWS_JAVA_HANDLE(ws_event)

/* ---- user data as a long ------------------------------------------------ */

%typemap(jni) void *user_data, void *ws_user_data, void *ws_event_user_data "jlong"
%typemap(jtype) void *user_data, void *ws_user_data, void *ws_event_user_data "long"
%typemap(jstype) void *user_data, void *ws_user_data, void *ws_event_user_data "long"
%typemap(in) void *user_data %{ $1 = (void *)(intptr_t)$input; %}
%typemap(javain) void *user_data "$javainput"
%typemap(out) void *ws_user_data, void *ws_event_user_data %{ $result = (jlong)(intptr_t)$1; %}
%typemap(javaout) void *ws_user_data, void *ws_event_user_data { return $jnicall; }

/* ---- 64-bit sizes as long ----------------------------------------------- */

%typemap(jni) uint64_t "jlong"
%typemap(jtype) uint64_t "long"
%typemap(jstype) uint64_t "long"
%typemap(in) uint64_t %{ $1 = (uint64_t)$input; %}
%typemap(out) uint64_t %{ $result = (jlong)$1; %}
%typemap(javain) uint64_t "$javainput"
%typemap(javaout) uint64_t { return $jnicall; }

/* ---- strings: UTF-8 bytes, converted on the Java side ------------------- */

%typemap(jni) const char * "jbyteArray"
%typemap(jtype) const char * "byte[]"
%typemap(jstype) const char * "String"
%typemap(javain) const char * "PolywsNative.utf8($javainput)"
%typemap(javaout) const char * { return PolywsNative.string($jnicall); }
%typemap(in) const char * {
  $1 = NULL;
  if ($input) {
    jsize n = (*jenv)->GetArrayLength(jenv, $input);
    $1 = ($1_ltype)malloc((size_t)n + 1);
    if (!$1) {
      SWIG_JavaThrowException(jenv, SWIG_JavaOutOfMemoryError, "$symname: out of memory");
      return $null;
    }
    (*jenv)->GetByteArrayRegion(jenv, $input, 0, n, (jbyte *)$1);
    ((char *)$1)[n] = '\0';
  }
}
%typemap(freearg) const char * %{ free((void *)$1); %}
%typemap(out) const char * {
  $result = NULL;
  if ($1) {
    size_t n = strlen($1);
    $result = (*jenv)->NewByteArray(jenv, (jsize)n);
    if ($result) (*jenv)->SetByteArrayRegion(jenv, $result, 0, (jsize)n, (const jbyte *)$1);
  }
}

%pragma(java) modulecode=%{
  /** A String as UTF-8 bytes for the native side (null stays null). */
  public static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
  /** UTF-8 bytes from the native side as a String (null stays null). */
  public static String string(byte[] b) {
    return b == null ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }
%}

/* ---- payloads: byte[] ---------------------------------------------------- */

%typemap(jni) (const char *text, size_t size), (const void *data, size_t size),
              (const char *pem, size_t size) "jbyteArray"
%typemap(jtype) (const char *text, size_t size), (const void *data, size_t size),
                (const char *pem, size_t size) "byte[]"
%typemap(jstype) (const char *text, size_t size), (const void *data, size_t size),
                 (const char *pem, size_t size) "byte[]"
%typemap(javain) (const char *text, size_t size), (const void *data, size_t size),
                 (const char *pem, size_t size) "$javainput"
%typemap(in) (const char *text, size_t size), (const void *data, size_t size),
             (const char *pem, size_t size) {
  $1 = NULL;
  $2 = 0;
  if ($input) {
    $2 = (size_t)(*jenv)->GetArrayLength(jenv, $input);
    /* The callee copies the bytes and makes no JNI call: a critical region. */
    $1 = ($1_ltype)(*jenv)->GetPrimitiveArrayCritical(jenv, $input, NULL);
    if (!$1) return $null;
  }
}
%typemap(freearg) (const char *text, size_t size), (const void *data, size_t size),
                  (const char *pem, size_t size)
%{ if ($1) (*jenv)->ReleasePrimitiveArrayCritical(jenv, $input, (void *)$1, JNI_ABORT); %}

/* ws_event_data(ev) -> byte[] (null when there is no event). */
%typemap(in, numinputs=0) size_t *size (size_t tmp = 0) %{ $1 = &tmp; %}
%typemap(argout) size_t *size ""
%typemap(jni) const uint8_t *ws_event_data "jbyteArray"
%typemap(jtype) const uint8_t *ws_event_data "byte[]"
%typemap(jstype) const uint8_t *ws_event_data "byte[]"
%typemap(javaout) const uint8_t *ws_event_data { return $jnicall; }
%typemap(out) const uint8_t *ws_event_data {
  $result = NULL;
  if ($1) {
    $result = (*jenv)->NewByteArray(jenv, (jsize)tmp2);
    if ($result) (*jenv)->SetByteArrayRegion(jenv, $result, 0, (jsize)tmp2, (const jbyte *)$1);
  }
}

/* ws_loop_dispatch(loop, timeout_ms, &dispatched): the count is dropped. */
%typemap(in, numinputs=0) size_t *dispatched (size_t tmp = 0) %{ $1 = &tmp; %}

/* ---- protocols: String[] or null ---------------------------------------- */

%typemap(jni) (const char *const *protocols, size_t protocol_count) "jobjectArray"
%typemap(jtype) (const char *const *protocols, size_t protocol_count) "String[]"
%typemap(jstype) (const char *const *protocols, size_t protocol_count) "String[]"
%typemap(javain) (const char *const *protocols, size_t protocol_count) "$javainput"
%typemap(in) (const char *const *protocols, size_t protocol_count)
    (const char **list = NULL, jstring *strs = NULL, size_t count = 0) {
  size_t i;
  if ($input) count = (size_t)(*jenv)->GetArrayLength(jenv, $input);
  if (count) {
    list = (const char **)calloc(count, sizeof *list);
    strs = (jstring *)calloc(count, sizeof *strs);
    if (!list || !strs) {
      free((void *)list); free(strs);
      SWIG_JavaThrowException(jenv, SWIG_JavaOutOfMemoryError, "$symname: out of memory");
      return $null;
    }
  }
  for (i = 0; i < count; i++) {
    strs[i] = (jstring)(*jenv)->GetObjectArrayElement(jenv, $input, (jsize)i);
    if (!strs[i]) {
      size_t j;
      for (j = 0; j < i; j++) {
        (*jenv)->ReleaseStringUTFChars(jenv, strs[j], list[j]);
        (*jenv)->DeleteLocalRef(jenv, strs[j]);
      }
      free((void *)list); free(strs);
      SWIG_JavaThrowException(jenv, SWIG_JavaNullPointerException, "$symname: a protocol is null");
      return $null;
    }
    list[i] = (*jenv)->GetStringUTFChars(jenv, strs[i], NULL);
  }
  $1 = ($1_ltype)list;
  $2 = count;
}
%typemap(freearg) (const char *const *protocols, size_t protocol_count) {
  size_t i;
  for (i = 0; i < count$argnum; i++) {
    (*jenv)->ReleaseStringUTFChars(jenv, strs$argnum[i], list$argnum[i]);
    (*jenv)->DeleteLocalRef(jenv, strs$argnum[i]);
  }
  free((void *)list$argnum);
  free(strs$argnum);
}

/* Response headers by index: use ws_response_header(ws, name) instead. */
%ignore ws_response_header_at;

/* ---- zero-copy sends: a direct ByteBuffer, or a region of a byte[] -------
 * The Java layer checks offset and length against the buffer (its position
 * and remaining, or the array's bounds) before the call; the bytes are read
 * where they are, and the core copies them once into its send queue. */

%typemap(jni) const void *direct_buffer "jobject"
%typemap(jtype) const void *direct_buffer "java.nio.ByteBuffer"
%typemap(jstype) const void *direct_buffer "java.nio.ByteBuffer"
%typemap(javain) const void *direct_buffer "$javainput"
%typemap(in) const void *direct_buffer {
  $1 = $input ? (*jenv)->GetDirectBufferAddress(jenv, $input) : NULL;
  if (!$1) {
    SWIG_JavaThrowException(jenv, SWIG_JavaIllegalArgumentException,
                            "$symname: not a direct buffer the JVM gives access to");
    return $null;
  }
}

%typemap(jni) const void *pinned_array "jbyteArray"
%typemap(jtype) const void *pinned_array "byte[]"
%typemap(jstype) const void *pinned_array "byte[]"
%typemap(javain) const void *pinned_array "$javainput"
%typemap(in) const void *pinned_array {
  if (!$input) {
    SWIG_JavaThrowException(jenv, SWIG_JavaNullPointerException, "$symname: null array");
    return $null;
  }
  /* The callee copies the bytes and makes no JNI call: a critical region. */
  $1 = (*jenv)->GetPrimitiveArrayCritical(jenv, $input, NULL);
  if (!$1) return $null;
}
%typemap(freearg) const void *pinned_array
%{ if ($1) (*jenv)->ReleasePrimitiveArrayCritical(jenv, $input, (void *)$1, JNI_ABORT); %}

%inline %{
/* send(text or binary) of `length` bytes at `offset` in a direct ByteBuffer. */
static ws_result ws_java_send_direct(ws_socket *ws, bool binary, const void *direct_buffer,
                                     size_t offset, size_t length) {
  const char *p = (const char *)direct_buffer + offset;
  return binary ? ws_send_binary(ws, p, length) : ws_send_text(ws, p, length);
}

/* send(text or binary) of `length` bytes at `offset` in a byte[]. */
static ws_result ws_java_send_array(ws_socket *ws, bool binary, const void *pinned_array,
                                    size_t offset, size_t length) {
  const char *p = (const char *)pinned_array + offset;
  return binary ? ws_send_binary(ws, p, length) : ws_send_text(ws, p, length);
}

/* ws_response_header_at() split in two, one string each. NULL past the end. */
static const char *ws_java_response_header_name(const ws_socket *ws, size_t index) {
  const char *name = NULL, *value = NULL;
  return ws_response_header_at(ws, index, &name, &value) ? name : NULL;
}

static const char *ws_java_response_header_value(const ws_socket *ws, size_t index) {
  const char *name = NULL, *value = NULL;
  return ws_response_header_at(ws, index, &name, &value) ? value : NULL;
}
%}
