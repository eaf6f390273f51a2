using System.Runtime.InteropServices;
using Xunit;

namespace Polyws.Tests
{
    /// <summary>The SWIG-generated P/Invoke layer itself.</summary>
    public class NativeLayerTests
    {
        [Fact]
        public void EveryDllImportResolvesToALibraryExport()
        {
            // Each [DllImport] names a ws_* export of libpolyws (no SWIG C glue):
            // binding them all fails here, not later in some rarely used call.
            var pinvoke = typeof(WebSocket).Assembly.GetType("Polyws.Native.PolywsNativePINVOKE", throwOnError: true);
            int count = 0;
            foreach (var m in pinvoke.GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public))
            {
                var attr = (DllImportAttribute)System.Attribute.GetCustomAttribute(m, typeof(DllImportAttribute));
                if (attr == null) continue;
                Assert.Equal("polyws", attr.Value);
                Assert.StartsWith("ws_", attr.EntryPoint);
                Marshal.Prelink(m);
                count++;
            }
            Assert.True(count > 50, $"only {count} imports");
        }

        [Fact]
        public void ResultStringsComeThrough()
        {
            Assert.StartsWith("WS_ERR_SYNTAX", Polyws.Native.PolywsNative.ws_result_str(Polyws.Native.ws_result.WS_ERR_SYNTAX));
            Assert.Equal((uint)Polyws.Native.PolywsNative.POLYWS_VERSION_NUMBER, Polyws.Native.PolywsNative.ws_version_number());
        }
    }
}
