using System;
using Polyws.Native;

namespace Polyws
{
    /// <summary>The browser's exceptions, as .NET ones (one place decides the mapping).</summary>
    internal static class Errors
    {
        /// <summary>
        /// SyntaxError -> ArgumentException naming the parameter (url, protocols,
        /// reason: the .NET exception for "this argument is malformed"; the message
        /// starts with "SyntaxError:"); InvalidStateError -> InvalidOperationException;
        /// InvalidAccessError (a close code) -> ArgumentOutOfRangeException.
        /// </summary>
        public static Exception ToException(ws_result r, string message, string paramName)
        {
            string text = string.IsNullOrEmpty(message) ? PolywsNative.ws_result_str(r) : message;
            switch (r)
            {
                case ws_result.WS_ERR_SYNTAX:
                    return new ArgumentException("SyntaxError: " + text, paramName);
                case ws_result.WS_ERR_INVALID_STATE:
                    return new InvalidOperationException("InvalidStateError: " + text);
                case ws_result.WS_ERR_INVALID_ACCESS:
                    return new ArgumentOutOfRangeException(paramName, "InvalidAccessError: " + text);
                case ws_result.WS_ERR_INVALID_ARGUMENT:
                case ws_result.WS_ERR_INVALID_UTF8:
                    return new ArgumentException(text, paramName);
                case ws_result.WS_ERR_NO_MEMORY:
                    return new InsufficientMemoryException(text);
                default:
                    return new InvalidOperationException(text);
            }
        }
    }
}
