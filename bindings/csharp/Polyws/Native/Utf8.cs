// Conversions the generated P/Invoke layer (PolywsNative, from
// polyws_csharp_typemaps.i) uses for strings. polyws speaks UTF-8 with NUL
// terminators; .NET strings are UTF-16. Each conversion is one pass, done
// here in managed code: the [DllImport]s themselves take only blittable
// types, so no marshalling stub runs and nothing the library owns is freed
// by the runtime.
using System;
using System.Buffers;
using System.Text;

namespace Polyws.Native
{
    internal static unsafe class Utf8
    {
        /// <summary>A string as NUL-terminated UTF-8 for an input parameter; null stays null
        /// (the C API's "NULL clears it").</summary>
        public static byte[] NulTerminated(string s)
        {
            if (s == null) return null;
            int n = Encoding.UTF8.GetByteCount(s);
            byte[] bytes = new byte[n + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        /// <summary>A NUL-terminated UTF-8 string owned by the library, decoded once; the
        /// library keeps ownership (the pointer is never freed here).</summary>
        public static string FromNative(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            byte* s = (byte*)p;
            int n = 0;
            while (s[n] != 0) n++;
            return n == 0 ? string.Empty : Encoding.UTF8.GetString(s, n);
        }

        /// <summary>UTF-8 bytes (a message payload, a span over the loop's buffer) as a
        /// string, decoded straight from that memory: the one copy.</summary>
        public static string Decode(ReadOnlySpan<byte> bytes)
        {
            if (bytes.IsEmpty) return string.Empty;
            // MemoryMarshal.GetReference, not `fixed (p = bytes)`: see the typemaps (Mono 6.8).
            fixed (byte* p = &System.Runtime.InteropServices.MemoryMarshal.GetReference(bytes))
                return Encoding.UTF8.GetString(p, bytes.Length);
        }
    }

    /// <summary>
    /// A string encoded as UTF-8 into a buffer from the shared pool, for the
    /// length of one native call (the send path: no garbage per message).
    /// Lone surrogates become U+FFFD, as a browser's USVString conversion does.
    /// </summary>
    internal ref struct PooledUtf8
    {
        private byte[] _rented;
        public ReadOnlySpan<byte> Bytes;

        public PooledUtf8(string s)
        {
            if (string.IsNullOrEmpty(s))
            {
                _rented = null;
                Bytes = ReadOnlySpan<byte>.Empty;
                return;
            }
            _rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(s.Length));
            int n = Encoding.UTF8.GetBytes(s, 0, s.Length, _rented, 0);
            Bytes = new ReadOnlySpan<byte>(_rented, 0, n);
        }

        public void Dispose()
        {
            if (_rented != null) ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
            Bytes = default;
        }
    }

    /// <summary>
    /// string[] as the C API's `const char *const *` array of NUL-terminated
    /// UTF-8 strings, in unmanaged memory for the length of one call.
    /// </summary>
    internal sealed unsafe class Utf8Array : IDisposable
    {
        public IntPtr Pointer { get; private set; }
        public int Count { get; }

        public Utf8Array(string[] strings)
        {
            Count = strings == null ? 0 : strings.Length;
            if (Count == 0) return;
            Pointer = System.Runtime.InteropServices.Marshal.AllocHGlobal(IntPtr.Size * Count);
            IntPtr* slots = (IntPtr*)Pointer;
            for (int i = 0; i < Count; i++) slots[i] = IntPtr.Zero;
            try
            {
                for (int i = 0; i < Count; i++)
                {
                    if (strings[i] == null) throw new ArgumentNullException(nameof(strings), "a protocol is null");
                    byte[] utf8 = Utf8.NulTerminated(strings[i]);
                    slots[i] = System.Runtime.InteropServices.Marshal.AllocHGlobal(utf8.Length);
                    System.Runtime.InteropServices.Marshal.Copy(utf8, 0, slots[i], utf8.Length);
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            if (Pointer == IntPtr.Zero) return;
            IntPtr* slots = (IntPtr*)Pointer;
            for (int i = 0; i < Count; i++)
                if (slots[i] != IntPtr.Zero) System.Runtime.InteropServices.Marshal.FreeHGlobal(slots[i]);
            System.Runtime.InteropServices.Marshal.FreeHGlobal(Pointer);
            Pointer = IntPtr.Zero;
        }
    }
}
