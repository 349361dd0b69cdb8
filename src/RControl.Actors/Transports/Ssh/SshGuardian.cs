using System.Text;
using Renci.SshNet;

namespace RControl.Transports.Ssh;

/// <summary>
/// One remote guardian per connection: a POSIX <c>sh</c> on an exec channel of its own, started with the connection's
/// first command, that kills the process groups of the connection's commands when the connection dies.
/// <para>
/// It creates a private directory (<c>mkdir</c> under <c>umask 077</c> in <c>/dev/shm</c>, else <c>/tmp</c>: mode 0700,
/// owned by the login user, and it fails if anything — a stranger's directory or link — already has the name), prints
/// its path (the wrapper uses it from then on) and whether the login shell is <c>/bin/sh</c> itself (then the wrapper is
/// sent to the login shell as is, without a second <c>/bin/sh</c>: see <see cref="LoginShellIsSh"/>) or bash (see
/// <see cref="LoginShellIsBash"/>), and then reads its channel's stdin,
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
/// <c>k NONCE</c> kills the group of the command registered as <c>PID.NONCE</c> (a timeout or kill: at once, before
/// the acknowledged kill over the control connection, which may have to connect first).
/// </para>
/// </summary>
internal sealed class SshGuardian : IDisposable
{
    /// <summary>The descriptor on which a command keeps its registration open.</summary>
    public const int RegistrationFd = 7;

    private const string ShMark = "sh";

    private const string BashMark = "bash";

    /// <summary>Commands between two prunes of the directory.</summary>
    public const int PruneEvery = 256;

    private readonly Stream _input;
    private readonly Task _execution;
    private readonly object _gate = new();
    private Ready? _ready;
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
    public string? Directory => IsRunning ? Volatile.Read(ref _ready)?.Directory : null;

    /// <summary>
    /// True once the guardian has found that the login shell (<c>$SHELL</c>, which sshd sets from the password
    /// database) is the very <c>/bin/sh</c> program and is named <c>sh</c> or <c>dash</c>: sshd's <c>sh -c</c> then runs
    /// a command's script exactly as <c>/bin/sh -c</c> would, so the wrapper goes to it directly and saves an
    /// <c>execve</c> per command. False for any other login shell (bash, zsh, csh, fish…): the wrapper re-executes
    /// <c>/bin/sh</c>, so commands always run under <c>/bin/sh</c>.
    /// </summary>
    public bool LoginShellIsSh => IsRunning && Volatile.Read(ref _ready)?.LoginShell == ShMark;

    /// <summary>
    /// True once the guardian has found that the login shell (<c>$SHELL</c>) is named <c>bash</c>: the wrapper of a plain
    /// command (see <see cref="SshCommandLine"/>) then starts it from the login shell itself, without a second shell. Only a
    /// hint: that wrapper checks at run time that bash runs it and is plain POSIX <c>sh</c> otherwise.
    /// </summary>
    public bool LoginShellIsBash => IsRunning && Volatile.Read(ref _ready)?.LoginShell == BashMark;

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
            // Only one of the two places it may choose, then "sh", "bash" or "-"; anything else (a login script's chatter)
            // leaves it unused.
            foreach (var directory in new[] { "/dev/shm/" + name, "/tmp/" + name })
            {
                foreach (var shell in new[] { ShMark, BashMark, "-" })
                {
                    if (line == directory + " " + shell)
                    {
                        Volatile.Write(ref _ready, new Ready(directory, shell));
                    }
                }
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
        // sshd runs a command as `basename($SHELL) -c COMMAND`: exactly `/bin/sh -c` when $SHELL is /bin/sh's program
        // under a name that does not change how it behaves (bash named bash is not bash named sh).
        "s=-\n" +
        "case ${SHELL-} in */sh|*/dash) [ \"$SHELL\" -ef /bin/sh ] && s=" + ShMark + " ;; */bash) s=" + BashMark + " ;; esac\n" +
        "echo \"$d $s\"\n" +
        "trap '' HUP PIPE INT\n" +
        "exec >/dev/null 2>&1\n" +
        "sweep() {\n" +
        "  m=$1 g=\n" +
        "  for f in \"$d\"/*.*; do\n" +
        "    [ -e \"$f\" ] || continue\n" +
        // A kill's mark for a command not registered yet stays until the guardian ends (see SshCommandLine.KillRegistered).
        "    case $f in *" + SshCommandLine.KillMark + ") [ \"$m\" = k ] || continue ;; esac\n" +
        "    p=${f##*/}; p=${p%%.*}\n" +
        $"    if {SshCommandLine.Holds("$p", "\"$f\"")}; then\n" +
        "      [ \"$m\" = k ] && kill -9 -\"$p\" \"$p\"\n" +
        "    else\n" +
        "      g=\"$g $f\"\n" +
        "    fi\n" +
        "  done\n" +
        "  [ -z \"$g\" ] || rm -f $g\n" +
        "}\n" +
        "while read -r c a; do\n" +
        "  case $c in\n" +
        "    p) sweep p ;;\n" +
        "    k) case $a in *[!0-9a-f]*|'') ;; *) for f in \"$d\"/*.\"$a\"; do p=${f##*/}; p=${p%%.*}; " +
        $"{SshCommandLine.Holds("$p", "\"$f\"")} && kill -9 -\"$p\" \"$p\"; done ;; esac ;;\n" +
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

    /// <summary>Asks the guardian to kill the group of the command registered with this nonce (not acknowledged: best effort).</summary>
    public void Kill(string nonce) => Send($"k {nonce}\n");

    /// <summary>As <see cref="Kill(string)"/>: the registration's name carries the group, the nonce finds it.</summary>
    public void Kill(RemoteProcess process, string nonce) => Kill(nonce);

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

    private sealed record Ready(string Directory, string LoginShell);
}
