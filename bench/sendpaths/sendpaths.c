// sendpaths: a one-thread epoll HTTP/1.1 server in C that answers every
// request with the same file, put on the socket one of several ways, so
// that the kernel's CPU per response of each way can be compared with no
// runtime around it (bench/README.md, "Third pass"). A measuring tool, not
// a server: it reads requests only to count them.
//
//	cc -O2 -o sendpaths sendpaths.c
//	sendpaths PORT FILE METHOD [chunk=N] [sndbuf=N] [lowat=N] [pipe=N]
//
// It listens on 127.0.0.1:PORT (0 for any free port) and prints the port.
// METHOD:
//   sendfile  the head by send(MSG_MORE), then sendfile(2) of the file
//   write     writev of the head and a copy of the file held in memory
//   mmap      the same from a MAP_SHARED mapping of the file
//   splice    the head by send(MSG_MORE), then splice(2) file -> pipe ->
//             socket through a pipe of pipe=N bytes per connection
//   vmsplice  the same with vmsplice(2) of the copy in memory into the pipe
//   zerocopy  the head by send(MSG_MORE), then send(MSG_ZEROCOPY) of the
//             copy in memory, completions reaped from the error queue
// chunk=N caps the bytes of one call; sndbuf=N sets SO_SNDBUF (ending its
// autotuning); lowat=N sets TCP_NOTSENT_LOWAT.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

enum { M_SENDFILE, M_WRITE, M_MMAP, M_SPLICE, M_ZEROCOPY, M_VMSPLICE };

struct conn {
	int fd;
	int pending;         // complete requests not yet answered
	long off;            // bytes of the current response sent (head + body); -1 idle
	int pfd[2];          // splice pipe
	long inpipe;         // bytes in the pipe
	long fileoff;        // file bytes moved into the pipe
	char rbuf[4096];
	int rlen;
};

static int method, filefd;
static long fsize, chunk = 1L << 30, sndbuf, lowat, pipesz = 1 << 20;
static char *body;
static char head[256];
static int headlen;
static struct conn *conns[65536];

static long min(long a, long b) { return a < b ? a : b; }

static void reap(int fd) {
	char control[256];
	struct msghdr msg = {0};
	msg.msg_control = control;
	msg.msg_controllen = sizeof control;
	while (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0)
		msg.msg_controllen = sizeof control;
}

// step sends what it can of c's current response; returns 0 when the
// socket is full or the response done, -1 on error.
static int step(struct conn *c) {
	for (;;) {
		if (c->off < 0) {
			if (c->pending == 0)
				return 0;
			c->pending--;
			c->off = 0;
			c->fileoff = 0;
			c->inpipe = 0;
		}
		long total = headlen + fsize;
		if (c->off >= total) {
			c->off = -1;
			continue;
		}
		ssize_t n = 0;
		if (c->off < headlen) {
			if (method == M_WRITE || method == M_MMAP) {
				struct iovec iov[2] = {{head + c->off, headlen - c->off}, {body, min(fsize, chunk)}};
				n = writev(c->fd, iov, 2);
			} else {
				n = send(c->fd, head + c->off, headlen - c->off, MSG_MORE);
			}
		} else {
			long bo = c->off - headlen;
			long want = min(fsize - bo, chunk);
			switch (method) {
			case M_SENDFILE: {
				off_t o = bo;
				n = sendfile(c->fd, filefd, &o, want);
				break;
			}
			case M_WRITE:
			case M_MMAP:
				n = write(c->fd, body + bo, want);
				break;
			case M_ZEROCOPY:
				n = send(c->fd, body + bo, want, MSG_ZEROCOPY);
				if (n < 0 && errno == ENOBUFS) {
					reap(c->fd);
					n = send(c->fd, body + bo, want, 0);
				}
				break;
			case M_SPLICE:
			case M_VMSPLICE:
				if (c->inpipe == 0) {
					loff_t o = c->fileoff;
					long len = min(fsize - c->fileoff, min(want, pipesz));
					ssize_t m;
					if (method == M_SPLICE) {
						m = splice(filefd, &o, c->pfd[1], NULL, len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
					} else {
						struct iovec v = {body + c->fileoff, len};
						m = vmsplice(c->pfd[1], &v, 1, SPLICE_F_NONBLOCK);
					}
					if (m <= 0) {
						if (m < 0 && errno == EAGAIN)
							return 0;
						perror("splice in");
						return -1;
					}
					c->fileoff += m;
					c->inpipe = m;
				}
				n = splice(c->pfd[0], NULL, c->fd, NULL, c->inpipe,
					   SPLICE_F_MOVE | SPLICE_F_NONBLOCK | (c->fileoff < fsize ? SPLICE_F_MORE : 0));
				if (n > 0)
					c->inpipe -= n;
				break;
			}
		}
		if (n < 0) {
			if (errno == EAGAIN)
				return 0;
			if (errno == EINTR)
				continue;
			return -1;
		}
		c->off += n;
	}
}

static void closeconn(int ep, struct conn *c) {
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (method == M_SPLICE || method == M_VMSPLICE) {
		close(c->pfd[0]);
		close(c->pfd[1]);
	}
	conns[c->fd] = NULL;
	free(c);
}

int main(int argc, char **argv) {
	if (argc < 4) {
		fprintf(stderr, "usage: sendpaths PORT FILE METHOD [chunk=N] [sndbuf=N] [lowat=N] [pipe=N]\n");
		return 2;
	}
	int port = atoi(argv[1]);
	const char *m = argv[3];
	method = !strcmp(m, "sendfile") ? M_SENDFILE : !strcmp(m, "write") ? M_WRITE : !strcmp(m, "mmap") ? M_MMAP
		 : !strcmp(m, "splice") ? M_SPLICE : !strcmp(m, "vmsplice") ? M_VMSPLICE : !strcmp(m, "zerocopy") ? M_ZEROCOPY : -1;
	if (method < 0)
		return 2;
	for (int i = 4; i < argc; i++) {
		if (!strncmp(argv[i], "chunk=", 6)) chunk = atol(argv[i] + 6);
		if (!strncmp(argv[i], "sndbuf=", 7)) sndbuf = atol(argv[i] + 7);
		if (!strncmp(argv[i], "lowat=", 6)) lowat = atol(argv[i] + 6);
		if (!strncmp(argv[i], "pipe=", 5)) pipesz = atol(argv[i] + 5);
	}
	filefd = open(argv[2], O_RDONLY);
	struct stat st;
	fstat(filefd, &st);
	fsize = st.st_size;
	if (method == M_MMAP) {
		body = mmap(NULL, fsize, PROT_READ, MAP_SHARED | MAP_POPULATE, filefd, 0);
	} else {
		body = aligned_alloc(4096, fsize);
		if (pread(filefd, body, fsize, 0) != fsize)
			return 1;
	}
	headlen = snprintf(head, sizeof head,
			   "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type: application/octet-stream\r\nContent-Length: %ld\r\n\r\n",
			   fsize);

	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001)};
	if (bind(ls, (void *)&a, sizeof a) || listen(ls, 1024)) {
		perror("listen");
		return 1;
	}
	socklen_t alen = sizeof a;
	getsockname(ls, (void *)&a, &alen);
	printf("%d\n", ntohs(a.sin_port)); // the port, for PORT 0
	fflush(stdout);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	struct epoll_event evs[128];
	for (;;) {
		int k = epoll_wait(ep, evs, 128, -1);
		for (int i = 0; i < k; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				int s;
				while ((s = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					if (sndbuf) setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(int));
					if (lowat) setsockopt(s, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(int));
					if (method == M_ZEROCOPY && setsockopt(s, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one))
						perror("SO_ZEROCOPY");
					struct conn *c = calloc(1, sizeof *c);
					c->fd = s;
					c->off = -1;
					if (method == M_SPLICE || method == M_VMSPLICE) {
						if (pipe2(c->pfd, O_NONBLOCK) || fcntl(c->pfd[1], F_SETPIPE_SZ, (int)pipesz) < 0)
							perror("pipe");
					}
					conns[s] = c;
					struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.fd = s};
					epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
				}
				continue;
			}
			struct conn *c = conns[fd];
			if (!c)
				continue;
			if (evs[i].events & EPOLLERR && method == M_ZEROCOPY) {
				reap(fd);
			}
			if (evs[i].events & (EPOLLIN | EPOLLHUP)) {
				for (;;) {
					ssize_t n = read(fd, c->rbuf + c->rlen, sizeof c->rbuf - c->rlen);
					if (n == 0) {
						closeconn(ep, c);
						c = NULL;
						break;
					}
					if (n < 0) {
						if (errno != EAGAIN) {
							closeconn(ep, c);
							c = NULL;
						}
						break;
					}
					c->rlen += n;
					char *p;
					while ((p = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4))) {
						int used = p + 4 - c->rbuf;
						memmove(c->rbuf, p + 4, c->rlen - used);
						c->rlen -= used;
						c->pending++;
					}
					if (c->rlen == sizeof c->rbuf)
						c->rlen = 0;
				}
				if (!c)
					continue;
			}
			if (step(c) < 0)
				closeconn(ep, c);
			else if (method == M_ZEROCOPY)
				reap(fd);
		}
	}
}
