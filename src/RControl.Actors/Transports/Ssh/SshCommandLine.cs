using System.Text;
using System.Text.RegularExpressions;
using RControl.Protocol;

namespace RControl.Transports.Ssh;

/// <summary>
/// Builds the exec request for a command. sshd starts each exec channel's command as a session and
/// process-group leader (it calls setsid) through the login shell (<c>basename($SHELL) -c REQUEST</c>). When the
/// connection's guardian has found that the login shell is <c>/bin/sh</c> itself (<see cref="SshGuardian.LoginShellIsSh"/>),
/// the request is the script as is: the login shell runs it, one <c>sh</c> per command. When it is bash
/// (<see cref="SshGuardian.LoginShellIsBash"/>), a <see cref="PlainCommand"/> is started by bash itself, checked to run
/// exactly as under <c>/bin/sh</c> (see <see cref="StartedByBash"/>). Otherwise (any other login shell or command, or no
/// guardian yet) the request is <c>exec /bin/sh -c 'SCRIPT'</c>, which keeps the leader's pid, so commands always run
/// under <c>/bin/sh</c>. Either way the script's <c>$$</c> is the group's id and every child shares the group.
/// <para>
/// The wrapper ties the command's life to the connection's, with builtins only (no fork on the command's path): the
/// command reads <c>/dev/null</c>, so its stdin is at end-of-file at once, as locally, and it registers with the
/// connection's guardian (<see cref="SshGuardian"/>) by opening <c>DIR/$$.NONCE</c> in the guardian's private directory
/// on descriptor 7, which it keeps. When the connection dies (controller killed, network cut, sshd killed) the
/// guardian kills the group of every command still holding its registration. A command that ended is not touched,
/// nor are the background jobs it left behind, as locally.
/// </para>
/// <para>
/// When the connection has no guardian — the session allows one channel per connection, the guardian's directory
/// is not there yet (the connection's first commands) or is not this user's — the wrapper falls back to a watcher
/// of its own: the channel's stdin moves to a forked subshell (builtins only, no exec) that kills the whole group
/// when sshd closes that input (the channel or the connection went away). The shell's EXIT trap ends the watcher
/// first, so a command that exits normally leaves its background jobs alone here too.
/// </para>
/// <para>
/// A registered command prints nothing of its own: its registration's name tells the group, and the kill over another
/// channel finds it by the nonce (<see cref="KillRegistered"/>), killing the group only while its leader still holds the
/// registration. That kill first leaves a mark (<c>DIR/NONCE.k</c>) that the wrapper checks right after registering, so
/// a kill that arrives before the command has registered still ends it. A command with its own watcher prints
/// <c>$$</c> (the group id) and the watcher's pid on the channel's stderr before anything else, and is killed by that
/// (<see cref="KillGroup"/>) only while the leader's or watcher's command line carries the per-command nonce the
/// script starts with. Either way a group id reused by a stranger after the command ended is never killed.
/// </para>
/// </summary>
internal static partial class SshCommandLine
{
    /// <param name="guardDirectory">The connection's guardian directory, or null when it has none.</param>
    /// <param name="loginShellIsSh">The guardian found the login shell to be <c>/bin/sh</c> (used only with <paramref name="guardDirectory"/>).</param>
    /// <param name="loginShellIsBash">The guardian found the login shell to be bash (used only with <paramref name="guardDirectory"/>).</param>
    public static string Build(CommandSpec command, string? defaultWorkingDirectory, string nonce, string? guardDirectory = null, bool loginShellIsSh = false, bool loginShellIsBash = false)
    {
        var exports = new StringBuilder();
        if (command.Environment is { } environment)
        {
            foreach (var (name, value) in environment)
            {
                if (!EnvironmentName().IsMatch(name))
                {
                    throw new ArgumentException($"'{name}' is not a valid environment variable name");
                }

                exports.Append("export ").Append(name).Append('=').Append(ShellScript.Quote(value)).Append('\n');
            }
        }

        var directory = command.WorkingDirectory ?? defaultWorkingDirectory;
        var cd = directory is null ? "" : "cd " + ShellScript.Quote(directory) + " || exit 1\n";
        var prologue = Prologue(nonce, guardDirectory);
        if (guardDirectory is not null && loginShellIsBash && StartedByBash(command, directory, nonce, guardDirectory, prologue, exports.ToString()) is { } started)
        {
            return started;
        }

        var inner = prologue + ShellScript.Wrap(exports.ToString() + cd + command.Command, command.CombineStderr);
        return loginShellIsSh && guardDirectory is not null ? inner : "exec /bin/sh -c " + ShellScript.Quote(inner);
    }

    /// <summary>
    /// The wrapper of a <see cref="PlainCommand"/> for a bash login shell, or null when the command is not plain, or an
    /// environment variable or the working directory could make bash behave otherwise than <c>/bin/sh</c>. The login shell
    /// registers the command (the same lines as <see cref="Prologue"/>, POSIX), exports its environment, changes to its
    /// directory, and then, only when bash runs it, <c>exec</c>s the program itself (skipping functions and aliases, as
    /// <c>/bin/sh</c> knows none) once bash has found it on <c>PATH</c> and seen that it is an ELF binary: then the kernel
    /// starts it exactly as from <c>/bin/sh</c> (a script without <c>#!</c> would run under bash instead). Every other case
    /// (no registration, a failed <c>cd</c>, a program not found, not executable or not ELF, another shell than bash behind
    /// a <c>$SHELL</c> naming bash) goes on with <c>exec /bin/sh -c</c> of what remains, its lines numbered as in the
    /// <c>/bin/sh</c> wrapper, so what is printed and the exit status are the same. <c>true</c> and <c>false</c>, builtins
    /// of every shell, are <c>exit 0</c> and <c>exit 1</c>.
    /// </summary>
    private static string? StartedByBash(CommandSpec command, string? directory, string nonce, string guardDirectory, string prologue, string exports)
    {
        if (PlainCommand.Parse(command.Command) is not { } plain ||
            command.Environment?.Keys.All(PlainCommand.IsOrdinaryVariable) == false ||
            (directory is not null && !PlainCommand.IsSimpleDirectory(directory)))
        {
            return null;
        }

        var cd = directory is null ? "" : "cd " + ShellScript.Quote(directory);
        var lineUp = new string('\n', prologue.Count(c => c == '\n'));
        var script = new StringBuilder("#rcontrol:").Append(nonce).Append('\n');
        script.Append("if ").Append(Owned(guardDirectory)).Append("; then\n").Append(Register(nonce, guardDirectory));
        script.Append("else\nexec /bin/sh -c ")
            .Append(ShellScript.Quote(prologue + ShellScript.Wrap(exports + (directory is null ? "" : cd + " || exit 1\n") + command.Command, command.CombineStderr)))
            .Append("\nfi\n");
        script.Append(exports);
        if (directory is not null)
        {
            script.Append(cd).Append(" 2>/dev/null || exec /bin/sh -c ")
                .Append(ShellScript.Quote(lineUp + ShellScript.Wrap(exports + cd + " || exit 1\n" + command.Command, command.CombineStderr)))
                .Append('\n');
        }

        if (command.CombineStderr)
        {
            script.Append("exec 2>&1\n");
        }

        if (plain.ExitCode is { } code)
        {
            return script.Append("exit ").Append(code).Append('\n').ToString();
        }

        var program = plain.HasSlash
            ? $"[ -f {plain.Program} ] && [ -x {plain.Program} ] && read -r -n 4 2>/dev/null <{plain.Program}"
            : $"hash {plain.Program} 2>/dev/null && read -r -n 4 2>/dev/null <\"${{BASH_CMDS[{plain.Program}]}}\"";
        // The program becomes the group's leader and may close descriptor 7 (ssh, sudo … close what they inherit): the
        // registration also holds the leader's start time, which an exec keeps and a reused pid does not have.
        var start = "[ -z \"${REPLY+x}\" ] && " + program + " && [ \"$REPLY\" = $'\\177ELF' ] && read -r </proc/$$/stat && " +
            "set -- ${REPLY##*) } && echo \"${20}\" >&" + SshGuardian.RegistrationFd + " && shopt -s execfail && exec " + command.Command.Trim();
        script.Append("[ -z \"${BASH_VERSION-}\" ] || eval ").Append(ShellScript.Quote(start)).Append('\n');
        return script.Append("exec /bin/sh -c ")
            .Append(ShellScript.Quote(lineUp + ShellScript.Wrap(exports + (directory is null ? "" : "\n") + command.Command, command.CombineStderr)))
            .Append('\n').ToString();
    }

    /// <summary>A fresh nonce for one command (letters and digits only: it goes into a script and a grep).</summary>
    public static string NewNonce() => Guid.NewGuid().ToString("N");

    /// <summary>The nonce comment, then the registration and the check for a kill's mark, or the stdin watcher, its clean-up trap and the ids line (POSIX sh, builtins only).</summary>
    internal static string Prologue(string nonce, string? guardDirectory = null)
    {
        const string watcher =
            "exec 3<&0 </dev/null\n" +
            "{ while read _; do :; done; kill -9 -$$; } <&3 >/dev/null 2>&1 &\n" +
            "exec 3<&-\n" +
            "trap \"kill $! 2>/dev/null\" EXIT\n" +
            "echo " + ChannelSink.Marker + "$$ $! >&2\n";
        var head = "#rcontrol:" + nonce + "\n";
        if (guardDirectory is null)
        {
            return head + watcher;
        }

        return head + "if " + Owned(guardDirectory) + "; then\n" + Register(nonce, guardDirectory) + "else\n" + watcher + "fi\n";
    }

    /// <summary>The test that the guardian's directory is this user's own (not a stranger's, not a link).</summary>
    private static string Owned(string guardDirectory) => "[ -O " + guardDirectory + " ] && [ ! -h " + guardDirectory + " ]";

    /// <summary>The registration with the guardian (stdin from <c>/dev/null</c>), then the check for a kill's mark.</summary>
    private static string Register(string nonce, string guardDirectory) =>
        "exec </dev/null " + SshGuardian.RegistrationFd + ">" + guardDirectory + "/$$." + nonce + "\n" +
        "[ -e " + guardDirectory + "/" + nonce + KillMark + " ] && kill -9 -$$ $$\n";

    /// <summary>The end of the name of a kill's mark for a command not registered yet (<c>DIR/NONCE.k</c>).</summary>
    public const string KillMark = ".k";

    /// <summary>
    /// The command that kills the group of the command registered with <paramref name="guardDirectory"/> under
    /// <paramref name="nonce"/>, only while its leader still holds that registration (<c>/proc/PID/fd/7</c> is the very
    /// file). It first leaves a mark that the wrapper checks right after registering, so a command that has not
    /// registered yet kills itself when it does. Exits 0 when a registration was found (the group is gone, or had ended)
    /// and removes the mark; exits 3 when none was (the command has not registered yet, or it took its own watcher: its
    /// ids line tells the group).
    /// </summary>
    public static string KillRegistered(string nonce, string guardDirectory) =>
        // `true`, not `:`: a failed redirection of a special builtin would end the script (no directory: exit 2, as none).
        $"true 2>/dev/null >{guardDirectory}/{nonce}{KillMark}\n" +
        "r=3\n" +
        $"for f in {guardDirectory}/*.{nonce}; do\n" +
        "  [ -e \"$f\" ] || continue\n" +
        "  r=0; p=${f##*/}; p=${p%%.*}\n" +
        $"  {Holds("$p", "\"$f\"")} && kill -9 -\"$p\" \"$p\" 2>/dev/null\n" +
        "done\n" +
        $"[ $r = 3 ] || rm -f {guardDirectory}/{nonce}{KillMark}\n" +
        "exit $r\n";

    /// <summary>
    /// The POSIX test that process <paramref name="pid"/> still holds registration <paramref name="file"/>: its descriptor 7
    /// is that very file, or the file holds the process's start time (written by a program that bash <c>exec</c>s, see
    /// <see cref="StartedByBash"/>; field 22 of <c>/proc/PID/stat</c>, kept across <c>exec</c>, never the same for a
    /// reused pid). Builtins only; it sets <c>t</c>, <c>s</c> and, in a subshell-free group, the positional parameters.
    /// </summary>
    internal static string Holds(string pid, string file) =>
        $"{{ [ /proc/{pid}/fd/{SshGuardian.RegistrationFd} -ef {file} ] || {{ t=; read -r t <{file}; [ -n \"$t\" ] && " +
        $"read -r s </proc/{pid}/stat && set -- ${{s##*) }} && [ \"${{20}}\" = \"$t\" ]; }} 2>/dev/null; }}";

    /// <summary>
    /// The command that kills a remote process group, only while its leader still holds its registration with the
    /// guardian, or its leader's or watcher's command line carries the command's nonce. It exits 0 either way: the
    /// group is gone when it ends.
    /// </summary>
    public static string KillGroup(RemoteProcess process, string nonce, string? guardDirectory = null)
    {
        var registered = guardDirectory is null
            ? ""
            : $"[ /proc/{process.Group}/fd/{SshGuardian.RegistrationFd} -ef {guardDirectory}/{process.Group}.{nonce} ] || ";
        var watcher = process.Watcher > 1 ? $" /proc/{process.Watcher}/cmdline" : "";
        return $"if {registered}grep -qsF rcontrol:{nonce} /proc/{process.Group}/cmdline{watcher}; then kill -9 -{process.Group} {process.Group} 2>/dev/null; fi; true";
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();
}

/// <summary>What the wrapper of a running remote command reports: its process group and its stdin watcher (0: none, the connection's guardian watches).</summary>
internal sealed record RemoteProcess(int Group, int Watcher);
