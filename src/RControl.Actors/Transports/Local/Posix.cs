using System.Runtime.InteropServices;

namespace RControl.Transports.Local;

internal static partial class Posix
{
    public const int SIGKILL = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    /// <summary>Sends a signal to a whole process group; false when the group is gone.</summary>
    public static bool KillGroup(int processGroupId, int signal) => SysKill(-processGroupId, signal) == 0;
}
