using System.Runtime.InteropServices;

namespace RControl.Host.Cli;

/// <summary>
/// Turns the echo of the terminal on stdin off (tcsetattr) and back on when disposed. Not through <c>stty</c>: .NET
/// re-applies its own terminal settings whenever a child process ends.
/// </summary>
internal sealed partial class TerminalEcho : IDisposable
{
    private const int StdinFd = 0;
    private const int TcsaNow = 0;

    // Linux termios: c_iflag, c_oflag, c_cflag, c_lflag (4 bytes each), then c_line and c_cc; ECHO is 0x8 in c_lflag.
    private const int LocalFlagsOffset = 12;
    private const uint Echo = 0x8;

    private readonly byte[]? _saved;

    private TerminalEcho(byte[]? saved) => _saved = saved;

    /// <summary>Echo off until disposed; a no-op when stdin is no terminal.</summary>
    public static TerminalEcho Off()
    {
        var settings = new byte[256];
        if (!OperatingSystem.IsLinux() || tcgetattr(StdinFd, settings) != 0)
        {
            return new TerminalEcho(null);
        }

        var saved = (byte[])settings.Clone();
        var flags = BitConverter.ToUInt32(settings, LocalFlagsOffset) & ~Echo;
        BitConverter.TryWriteBytes(settings.AsSpan(LocalFlagsOffset), flags);
        return tcsetattr(StdinFd, TcsaNow, settings) == 0 ? new TerminalEcho(saved)
            : throw new UsageException("cannot turn the terminal echo off");
    }

    public void Dispose()
    {
        if (_saved is not null)
        {
            _ = tcsetattr(StdinFd, TcsaNow, _saved);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int tcgetattr(int fd, byte[] termios);

    [DllImport("libc", SetLastError = true)]
    private static extern int tcsetattr(int fd, int optionalActions, byte[] termios);
}
