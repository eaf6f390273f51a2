// platform.h on Windows.
#include "platform.h"

#include <winsock2.h>
#include <windows.h>

#include <openssl/crypto.h>

#include <atomic>
#include <cstdio>
#include <cwchar>
#include <mutex>

namespace polyws {
namespace {

// The library's own Winsock reference: taken by the first NetworkUse,
// returned by the last. Winsock counts WSAStartup/WSACleanup pairs per
// process, so the host's pairs (before, after or around ours) stay balanced.
std::mutex winsock_mutex;
int winsock_users = 0;

std::string system_message(DWORD code) {
    wchar_t *text = nullptr;
    DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS,
                             nullptr, code, 0, reinterpret_cast<wchar_t *>(&text), 0, nullptr);
    std::string out;
    if (n && text) {
        while (n && (text[n - 1] == L'\r' || text[n - 1] == L'\n' || text[n - 1] == L' ')) --n;
        int size = WideCharToMultiByte(CP_UTF8, 0, text, int(n), nullptr, 0, nullptr, nullptr);
        out.resize(size > 0 ? size_t(size) : 0);
        if (size > 0) WideCharToMultiByte(CP_UTF8, 0, text, int(n), &out[0], size, nullptr, nullptr);
    }
    if (text) LocalFree(text);
    if (out.empty()) out = "system error " + std::to_string(code);
    return out;
}

bool to_wide(const std::string &utf8, std::wstring &out) {
    if (utf8.empty()) {
        out.clear();
        return true;
    }
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), int(utf8.size()),
                                nullptr, 0);
    if (n <= 0) return false;
    out.assign(size_t(n), L'\0');
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), int(utf8.size()), &out[0], n);
    return true;
}

// Set by DllMain (below) when the process has begun to end: see
// process_is_terminating() in platform.h.
std::atomic<bool> terminating{false};

} // namespace

bool process_is_terminating() { return terminating.load(); }

void keep_library_loaded() {
    // The module holding this function: polyws.dll (or the program itself
    // when the core is linked into one, where pinning changes nothing).
    HMODULE self = nullptr;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                       reinterpret_cast<LPCWSTR>(&keep_library_loaded), &self);
}

bool peer_ended_stream(std::uintptr_t socket) {
    char byte;
    int n = recv(static_cast<SOCKET>(socket), &byte, 1, MSG_PEEK);
    if (n == 0) return true;   // FIN, and every byte before it already read
    if (n > 0) return false;   // more to read: FD_READ comes again
    switch (WSAGetLastError()) {
    case WSAEWOULDBLOCK:   // nothing yet, the stream goes on
    case WSAEINTR:
    case WSAEINPROGRESS:
        return false;
    default:               // WSAECONNRESET, WSAECONNABORTED, ...: the stream is gone
        return true;
    }
}

void prepare_openssl() {
    // Thread-safe and cheap once done (OpenSSL runs its steps once).
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
}

NetworkUse::NetworkUse() {
    std::lock_guard<std::mutex> lock(winsock_mutex);
    if (winsock_users == 0) {
        WSADATA data;
        int rc = WSAStartup(MAKEWORD(2, 2), &data);
        if (rc != 0) {
            ok_ = false;
            error_ = "Winsock could not be started: " + system_message(DWORD(rc));
            return;
        }
    }
    ++winsock_users;
}

NetworkUse::~NetworkUse() {
    if (!ok_) return;
    std::lock_guard<std::mutex> lock(winsock_mutex);
    if (--winsock_users == 0) WSACleanup();
}

HostSignalsKept::HostSignalsKept() { (void)saved_; }
HostSignalsKept::~HostSignalsKept() = default;

bool read_file_utf8(const std::string &path, std::string &contents, std::string &error) {
    std::wstring wide;
    if (!to_wide(path, wide)) {
        error = "the path is not valid UTF-8";
        return false;
    }
    HANDLE file = CreateFileW(wide.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                              nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE) {
        error = system_message(GetLastError());
        return false;
    }
    contents.clear();
    char buf[16384];
    DWORD n = 0;
    bool ok = true;
    for (;;) {
        if (!ReadFile(file, buf, sizeof buf, &n, nullptr)) {
            error = system_message(GetLastError());
            ok = false;
            break;
        }
        if (n == 0) break;
        contents.append(buf, n);
    }
    CloseHandle(file);
    return ok;
}

} // namespace polyws

// The DLL's entry point as the C runtime sees it: mingw-w64's
// DllMainCRTStartup calls it, at DLL_PROCESS_DETACH before it runs the
// DLL's atexit table and static destructors. A non-null `reserved` there
// means the process is ending (ExitProcess, or a return from main):
// every other thread has already been terminated. NULL means FreeLibrary,
// with the other threads alive. Nothing else happens here: code under the
// loader lock must stay minimal.
extern "C" BOOL WINAPI DllMain(HINSTANCE, DWORD reason, LPVOID reserved) {
    if (reason == DLL_PROCESS_DETACH && reserved != nullptr) polyws::terminating.store(true);
    return TRUE;
}
