using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace RControl.Transports.Local;

/// <summary>
/// Reaps the children started by <see cref="PosixSpawn"/> and reports their exit codes. One background thread
/// waits on an epoll set of pidfds (readable once the child has exited), so a thousand running commands cost no
/// thread each; only this process's own children are ever waited for (never <c>waitpid(-1)</c>, which would steal
/// the exits of <see cref="System.Diagnostics.Process"/>). Without pidfds (kernels before 5.3) a child gets a
/// small thread of its own.
/// </summary>
internal static unsafe class ChildReaper
{
    private static readonly ConcurrentDictionary<int, (TaskCompletionSource<int> Exited, Action? BeforeReap)> Waiting = new();
    private static readonly Lock Gate = new();
    private static int _epoll = -1;

    // struct epoll_event is packed on x86-64 (12 bytes, data at 4) and naturally aligned elsewhere (16, data at 8).
    private static readonly bool PackedEvents = RuntimeInformation.ProcessArchitecture == Architecture.X64;
    private static readonly int EventSize = PackedEvents ? 12 : 16;
    private static readonly int DataOffset = PackedEvents ? 4 : 8;

    /// <summary>
    /// Completes with the child's exit code (128 + signal when a signal ended it) once it has been reaped.
    /// <paramref name="beforeReap"/> runs once the child has exited but before its pid is freed for reuse.
    /// </summary>
    public static Task<int> WhenExited(int pid, Action? beforeReap = null)
    {
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Waiting[pid] = (exited, beforeReap);
        var pidfd = Posix.PidfdOpen(pid);
        if (pidfd < 0 || !Watch(pidfd, pid))
        {
            if (pidfd >= 0)
            {
                Posix.Close(pidfd);
            }

            new Thread(() => BlockingReap(pid), 64 * 1024) { IsBackground = true, Name = $"rcontrol-reap-{pid}" }.Start();
        }

        return exited.Task;
    }

    private static bool Watch(int pidfd, int pid)
    {
        var epoll = EnsureEpoll();
        if (epoll < 0)
        {
            return false;
        }

        var evt = stackalloc byte[16];
        *(uint*)evt = Posix.EpollIn;
        *(long*)(evt + DataOffset) = ((long)pid << 32) | (uint)pidfd;
        return Posix.EpollCtl(epoll, Posix.EpollCtlAdd, pidfd, evt) == 0;
    }

    private static int EnsureEpoll()
    {
        lock (Gate)
        {
            if (_epoll >= 0)
            {
                return _epoll;
            }

            var epoll = Posix.EpollCreate1(Posix.OCloexec);
            if (epoll < 0)
            {
                return -1;
            }

            new Thread(() => Loop(epoll), 256 * 1024) { IsBackground = true, Name = "rcontrol-child-reaper" }.Start();
            _epoll = epoll;
            return epoll;
        }
    }

    private static void Loop(int epoll)
    {
        const int Max = 64;
        var events = stackalloc byte[Max * 16];
        while (true)
        {
            var count = Posix.EpollWait(epoll, events, Max, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == Posix.EINTR)
                {
                    continue;
                }

                return;
            }

            for (var i = 0; i < count; i++)
            {
                var data = *(long*)(events + (i * EventSize) + DataOffset);
                var pidfd = (int)(data & 0xffffffff);
                var pid = (int)(data >> 32);
                Posix.EpollCtl(epoll, Posix.EpollCtlDel, pidfd, null);
                Posix.Close(pidfd);
                Reap(pid, Posix.WNOHANG);
            }
        }
    }

    private static void BlockingReap(int pid)
    {
        // Wait without reaping (WNOWAIT) so that the pid stays ours while beforeReap runs.
        const int PPid = 1;
        const int WExited = 4;
        const int WNoWait = 0x01000000;
        var info = stackalloc byte[128];
        while (Posix.WaitId(PPid, pid, info, WExited | WNoWait) < 0 && Marshal.GetLastPInvokeError() == Posix.EINTR)
        {
        }

        Reap(pid, Posix.WNOHANG);
    }

    private static void Reap(int pid, int options)
    {
        if (Waiting.TryGetValue(pid, out var waiting))
        {
            waiting.BeforeReap?.Invoke();
        }

        int status;
        int result;
        do
        {
            result = Posix.WaitPid(pid, &status, options);
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == Posix.EINTR);

        if (result == 0)
        {
            // Readable pidfd but not yet waitable: never seen, but never lose a child either.
            new Thread(() => Reap(pid, 0), 64 * 1024) { IsBackground = true }.Start();
            return;
        }

        if (!Waiting.TryRemove(pid, out var removed))
        {
            return;
        }

        var exited = removed.Exited;

        if (result == pid)
        {
            exited.TrySetResult(Posix.DecodeWaitStatus(status));
        }
        else
        {
            // Someone else reaped it (a host that ignores SIGCHLD): the code is lost, the exit is not.
            exited.TrySetException(new InvalidOperationException($"the exit status of process {pid} was lost (waitpid: errno {Marshal.GetLastPInvokeError()})"));
        }
    }
}
