using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace RControl.Transports.Local;

/// <summary>
/// Kills the process groups of this process's local commands when this process dies, however it dies (SIGKILL
/// included). One small watcher shell per process, in its own session, reads "+ pgid" / "- pgid" lines from a pipe
/// whose write end only this process holds (close-on-exec, so no command inherits it); when this process ends the
/// kernel closes that end, the watcher reads end-of-file and sends SIGKILL to every group still registered.
/// A group is registered right after its command starts and removed once its leader has been reaped, before its
/// pid can be reused.
/// </summary>
internal static unsafe class HostDeathGuard
{
    private const string Script = """
        trap '' HUP INT QUIT TERM
        while read -r op pg; do
          case $op in
            +) eval "g$pg=1" ;;
            -) unset "g$pg" ;;
          esac
        done
        set | while IFS='=' read -r name _; do
          case $name in g[0-9]*) kill -9 -"${name#g}" 2>/dev/null ;; esac
        done
        """;

    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Guarded = new();
    private static int _pipe = -1;

    /// <summary>Starts the watcher if it is not running yet (so that guarding a command right after it starts is one write).</summary>
    public static void EnsureStarted()
    {
        lock (Gate)
        {
            if (_pipe < 0)
            {
                try
                {
                    Restart();
                }
                catch (IOException)
                {
                    // Best effort: Add tries again.
                }
            }
        }
    }

    /// <summary>Guards a process group (a command just started as its leader).</summary>
    public static void Add(int processGroup)
    {
        lock (Gate)
        {
            Guarded.Add(processGroup);
            Send('+', processGroup);
        }
    }

    /// <summary>Stops guarding a process group (its leader has exited; its pid is not yet reaped).</summary>
    public static void Remove(int processGroup)
    {
        lock (Gate)
        {
            if (Guarded.Remove(processGroup))
            {
                Send('-', processGroup);
            }
        }
    }

    /// <summary>The watcher's pid (for tests); 0 before the first local command.</summary>
    internal static int WatcherPid { get; private set; }

    private static void Send(char op, int processGroup)
    {
        if (TryWrite(op, processGroup))
        {
            return;
        }

        // The watcher is gone (killed by someone), or not yet started: start one and give it every group still guarded.
        try
        {
            Restart();
        }
        catch (IOException)
        {
            return; // Best effort: without /bin/sh no command runs either, and the next command tries again.
        }

        foreach (var group in Guarded)
        {
            TryWrite('+', group);
        }
    }

    private static bool TryWrite(char op, int processGroup)
    {
        if (_pipe < 0)
        {
            return false;
        }

        var line = Encoding.ASCII.GetBytes($"{op} {processGroup.ToString(CultureInfo.InvariantCulture)}\n");
        fixed (byte* bytes = line)
        {
            while (true)
            {
                // One write of less than PIPE_BUF bytes is atomic.
                var written = Posix.Write(_pipe, bytes, line.Length);
                if (written == line.Length)
                {
                    return true;
                }

                if (written < 0 && Marshal.GetLastPInvokeError() == Posix.EINTR)
                {
                    continue;
                }

                return false;
            }
        }
    }

    private static void Restart()
    {
        if (_pipe >= 0)
        {
            Posix.Close(_pipe);
            _pipe = -1;
        }

        var (read, write) = Posix.CreatePipe();
        try
        {
            var pid = PosixSpawn.Start(["/bin/sh", "-c", Script], PosixSpawn.Environment(null), "/", new PosixSpawn.Descriptors(read, -1, -1));
            WatcherPid = pid;
            _ = ChildReaper.WhenExited(pid);
            _pipe = write;
        }
        catch
        {
            Posix.Close(write);
            throw;
        }
        finally
        {
            Posix.Close(read);
        }
    }
}
