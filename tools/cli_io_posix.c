/* cli_io.h on POSIX systems: poll() on the loop's eventfd and stdin. */
#include "cli_io.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

const char cli_end_of_input_keys[] = "Ctrl-D";

char **cli_io_begin(int argc, char **argv) {
    (void)argc;
    return argv;
}

int cli_wait(ws_loop *loop, int want_stdin, int *loop_ready, int *stdin_ready) {
    struct pollfd fds[2] = {{ws_loop_fd(loop), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    nfds_t n = want_stdin ? 2 : 1;
    *loop_ready = *stdin_ready = 0;
    if (poll(fds, n, -1) < 0) return errno == EINTR ? 0 : -1;
    *loop_ready = (fds[0].revents & POLLIN) != 0;
    *stdin_ready = n == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR));
    return 0;
}

long cli_read_stdin(char *buf, size_t cap) {
    ssize_t n = read(STDIN_FILENO, buf, cap);
    if (n < 0) return (errno == EINTR || errno == EAGAIN) ? -1 : 0;
    return (long)n;
}

int cli_is_interactive(void) {
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

int cli_stdout_shows_colour(void) {
    return isatty(STDOUT_FILENO);
}

void cli_io_end(void) {}
