using System.Text;
using Renci.SshNet;

namespace RControl.Transports.Ssh;

/// <summary>
/// One remote guardian per connection: a POSIX <c>sh</c> on an exec channel of its own, started with the connection's
/// first command, that kills the process groups of the connection's commands when the connection dies.
/// <para>
/// It creates a private directory (<c>mkdir</c> under <c>umask 077</c> in <c>/dev/shm</c>, else <c>/tmp</c>: mode 0700,
/// owned by the login user, and it fails if anything — a stranger's directory or link — already has the name), prints
/// its path (the wrapper uses it from then on) and then reads its channel's stdin,
/// which RControl never closes nor writes but for the requests below, so that read ends only when sshd closes it:
/// the connection died (controller killed, network cut, sshd killed) or was closed. Then the guardian kills the
/// group of every registered command still running and removes the directory.
/// </para>
/// <para>
/// A command registers itself with builtins only (no fork on its path, see <see cref="SshCommandLine"/>): it opens
/// <c>DIR/PID.NONCE</c> on descriptor <see cref="RegistrationFd"/> and keeps it open. The guardian kills group PID
/// only while <c>/proc/PID/fd/7</c> is that very file (<c>test -ef</c>): a process that ended is skipped (its
/// background jobs are left alone, as locally), a reused PID is never the holder, and a command that
/// <c>exec</c>s keeps the descriptor. Only the login user can create files in the directory, and another user
/// cannot read this user's <c>/proc/PID/fd</c>, so nobody else can make the guardian kill anything.
/// </para>
/// <para>
/// Requests on its stdin, one a line: <c>p</c> prunes the entries of ended commands (sent every
/// <see cref="PruneEvery"/> commands, so the directory holds at most that many plus the running ones);
/// <c>k PID.NONCE</c> kills one registered group (a timeout or kill: at once, before the acknowledged kill over the
/// control connection, which may have to connect first).
/// </para>
/// </summary>
internal sealed class SshGuardian : IDisposable
{
    /// <summary>The descriptor on which a command keeps its registration open.</summary>
    public const int RegistrationFd = 7;

    /// <summary>Commands between two prunes of the directory.</summary>
    public const int PruneEvery = 256;

    private readonly Stream _input;
    private readonly Task _execution;
    private readonly object _gate = new();
    private string? _directory;
    private int _started;
    private int _disposed;

    private SshGuardian(Stream input, Task execution)
    {
        _input = input;
        _execution = execution;
    }

    /// <summary>
    /// The guardian's private directory on the host (<c>/dev/shm/rcontrol-g.NONCE</c>, or under <c>/tmp</c> without a
    /// <c>/dev/shm</c>), once the guardian has created it and said so; null until then (commands then watch for themselves).
    /// </summary>
    public string? Directory => IsRunning ? Volatile.Read(ref _directory) : null;

    /// <summary>Completes when the guardian's channel has closed.</summary>
    public Task Ended => _execution;

    /// <summary>False once the guardian's channel has ended (the connection is going, or someone killed it).</summary>
    public bool IsRunning => !_execution.IsCompleted && Volatile.Read(ref _disposed) == 0;

    /// <summary>
    /// Starts a guardian on <paramref name="client"/>; returns once sshd has accepted its exec request (the directory
    /// follows a little later). Opening the channel waits for the server synchronously inside SSH.NET, so it runs on a
    /// blocking thread.
    /// </summary>
    public static async Task<SshGuardian> StartAsync(SshClient client)
    {
        var name = "rcontrol-g." + SshCommandLine.NewNonce();
        var command = client.CreateCommand("exec /bin/sh -c " + ShellScript.Quote(Script(name)));
        try
        {
            // Its one line of output is read asynchronously (SSH.NET's own stream blocks a thread per read).
            var output = new ChannelSink(readsProcessGroup: false, new OutputGauge());
            SshTransport.ReplaceStream(SshTransport.OutputStreamProperty, command, output);
            var execution = await Blocking.Run(() => command.ExecuteAsync(CancellationToken.None)).ConfigureAwait(false);
            var input = command.CreateInputStream();
            _ = execution.ContinueWith(t => { _ = t.Exception; output.Dispose(); }, TaskScheduler.Default);
            var guardian = new SshGuardian(input, execution);
            _ = guardian.ReadDirectoryAsync(output.Reader, name);
            return guardian;
        }
        catch
        {
            command.Dispose();
            throw;
        }
    }

    private async Task ReadDirectoryAsync(Stream output, string name)
    {
        try
        {
            using var reader = new StreamReader(output, Encoding.ASCII);
            var line = await reader.ReadLineAsync().ConfigureAwait(false);
            // Only one of the two places it may choose; anything else (a login script's chatter) leaves it unused.
            if (line == "/dev/shm/" + name || line == "/tmp/" + name)
            {
                Volatile.Write(ref _directory, line);
            }
        }
        catch (Exception)
        {
            // The channel ended first: no directory.
        }
    }

    /// <summary>The guardian's script (POSIX sh; <c>rm</c> is its only external command, off every command's path).</summary>
    internal static string Script(string name) =>
        // A memory file system when there is one: creating a registration there costs a tenth of a disk's.
        "b=/tmp\n" +
        "[ -d /dev/shm ] && [ -w /dev/shm ] && [ -k /dev/shm ] && b=/dev/shm\n" +
        "d=$b/" + name + "\n" +
        "umask 077\n" +
        "mkdir \"$d\" || exit 1\n" +
        "echo \"$d\"\n" +
        "trap '' HUP PIPE INT\n" +
        "exec >/dev/null 2>&1\n" +
        "sweep() {\n" +
        "  g=\n" +
        "  for f in \"$d\"/*.*; do\n" +
        "    [ -e \"$f\" ] || continue\n" +
        "    p=${f##*/}; p=${p%%.*}\n" +
        $"    if [ \"/proc/$p/fd/{RegistrationFd}\" -ef \"$f\" ]; then\n" +
        "      [ \"$1\" = k ] && kill -9 -\"$p\" \"$p\"\n" +
        "    else\n" +
        "      g=\"$g $f\"\n" +
        "    fi\n" +
        "  done\n" +
        "  [ -z \"$g\" ] || rm -f $g\n" +
        "}\n" +
        "while read -r c a; do\n" +
        "  case $c in\n" +
        "    p) sweep p ;;\n" +
        "    k) case $a in *[!0-9a-f.]*|'') ;; *) p=${a%%.*}; " +
        $"[ \"/proc/$p/fd/{RegistrationFd}\" -ef \"$d/$a\" ] && kill -9 -\"$p\" \"$p\" ;; esac ;;\n" +
        "  esac\n" +
        "done\n" +
        "sweep k\n" +
        "rm -rf \"$d\"\n";

    /// <summary>Counts a command started on the connection; every <see cref="PruneEvery"/>th asks for a prune.</summary>
    public void CommandStarted()
    {
        if (Interlocked.Increment(ref _started) % PruneEvery == 0)
        {
            Send("p\n");
        }
    }

    /// <summary>Asks the guardian to kill one registered group (not acknowledged: best effort).</summary>
    public void Kill(RemoteProcess process, string nonce) => Send($"k {process.Group}.{nonce}\n");

    private void Send(string line)
    {
        var bytes = Encoding.ASCII.GetBytes(line);
        lock (_gate)
        {
            if (!IsRunning)
            {
                return;
            }

            try
            {
                _input.Write(bytes, 0, bytes.Length);
            }
            catch (Exception)
            {
                // The connection is going: the guardian is about to see end-of-file and act on its own.
            }
        }
    }

    /// <summary>Ends the guardian's input: it kills what is still registered and removes its directory.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            lock (_gate)
            {
                // End-of-file on its input; the channel itself goes with the connection (closing it would wait for sshd).
                // SSH.NET's input stream sends end-of-file only once it has sent data: an empty line (ignored) first.
                _input.Write("\n"u8);
                _input.Dispose();
            }
        }
        catch (Exception)
        {
            // A broken connection may throw; sshd ends the guardian's input either way.
        }
    }
}
