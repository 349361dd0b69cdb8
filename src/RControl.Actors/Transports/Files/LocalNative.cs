using System.Runtime.InteropServices;

namespace RControl.Transports.Files;

/// <summary>The few libc calls .NET has no direct equivalent for.</summary>
internal static partial class LocalNative
{
    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysRename(string from, string to);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysMkdir(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysRmdir(string path);

    [LibraryImport("libc", EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysUnlink(string path);

    /// <summary>POSIX rename; returns 0 or the errno.</summary>
    public static int Rename(string from, string to) => SysRename(from, to) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>POSIX mkdir with mode 0777 (minus umask); returns 0 or the errno.</summary>
    public static int Mkdir(string path) => SysMkdir(path, 0x1FF) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>POSIX rmdir; returns 0 or the errno.</summary>
    public static int Rmdir(string path) => SysRmdir(path) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>POSIX unlink; returns 0 or the errno.</summary>
    public static int Unlink(string path) => SysUnlink(path) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
