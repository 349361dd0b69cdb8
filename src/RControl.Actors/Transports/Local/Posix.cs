using System.Runtime.InteropServices;

namespace RControl.Transports.Local;

/// <summary>The libc calls behind local commands: pipes, <c>posix_spawn</c>, signals, <c>waitpid</c>, pidfd and epoll.</summary>
internal static unsafe partial class Posix
{
    public const int SIGKILL = 9;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int ECHILD = 10;
    public const int EPIPE = 32;
    public const int OCloexec = 0x80000;
    public const int ORdonly = 0;
    public const int ORdwr = 2;
    public const int WNOHANG = 1;
    public const short SpawnSetSigDef = 0x04;
    public const short SpawnSetSigMask = 0x08;
    public const short SpawnSetSid = 0x80;
    public const int EpollIn = 0x001;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;

    /// <summary>Big enough for glibc's <c>posix_spawnattr_t</c> (336 bytes), <c>posix_spawn_file_actions_t</c> (80) and <c>sigset_t</c> (128).</summary>
    public const int OpaqueSize = 512;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport("libc", EntryPoint = "waitid", SetLastError = true)]
    public static partial int WaitId(int idType, int id, byte* info, int options);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial int Syscall(nint number, int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epoll, int op, int fd, byte* evt);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epoll, byte* events, int max, int timeout);

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    public static partial int Spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    public static partial int SpawnAttrInit(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    public static partial int SpawnAttrDestroy(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    public static partial int SpawnAttrSetFlags(void* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int SpawnAttrSetSigDefault(void* attributes, void* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int SpawnAttrSetSigMask(void* attributes, void* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(void* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    public static partial int FileActionsAddOpen(void* actions, int fd, byte* path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    public static partial int FileActionsAddChdir(void* actions, byte* path);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(void* set);

    [LibraryImport("libc", EntryPoint = "sigfillset")]
    public static partial int SigFillSet(void* set);

    /// <summary>Sends a signal to a whole process group; false when the group is gone.</summary>
    public static bool KillGroup(int processGroupId, int signal) => Kill(-processGroupId, signal) == 0;

    /// <summary>A pidfd for a child (readable once it has exited), or -1 where the kernel has none.</summary>
    public static int PidfdOpen(int pid)
    {
        // pidfd_open has the same number on every architecture (a syscall added after the table was unified).
        const int PidfdOpenSyscall = 434;
        return Syscall(PidfdOpenSyscall, pid, 0);
    }

    /// <summary>Decodes a <c>waitpid</c> status the way a shell does: the exit code, or 128 + the signal that killed it.</summary>
    public static int DecodeWaitStatus(int status) =>
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);

    /// <summary>Writes one byte (to a pipe with room for it); false when it could not.</summary>
    public static bool WriteByte(int fd, byte value)
    {
        nint written;
        do
        {
            written = Write(fd, &value, 1);
        }
        while (written < 0 && Marshal.GetLastPInvokeError() == EINTR);

        return written == 1;
    }

    /// <summary>Creates a pipe whose both ends are closed on exec; returns (read end, write end).</summary>
    public static (int Read, int Write) CreatePipe()
    {
        var fds = stackalloc int[2];
        if (Pipe2(fds, OCloexec) != 0)
        {
            throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (fds[0], fds[1]);
    }
}
