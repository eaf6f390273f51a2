// The system's socket-address API (getaddrinfo, inet_pton, inet_ntop), which
// lives in different headers on Windows and POSIX; the only place that says so.
#pragma once

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#endif
