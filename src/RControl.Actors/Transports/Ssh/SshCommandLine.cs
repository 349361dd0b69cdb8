using System.Text;
using System.Text.RegularExpressions;
using RControl.Protocol;

namespace RControl.Transports.Ssh;

/// <summary>
/// Builds the exec request for a command. sshd starts each exec channel's command as a session and
/// process-group leader (it calls setsid) through the login shell (<c>basename($SHELL) -c REQUEST</c>). When the
/// connection's guardian has found that the login shell is <c>/bin/sh</c> itself (<see cref="SshGuardian.LoginShellIsSh"/>),
/// the request is the script as is: the login shell runs it, one <c>sh</c> per command. Otherwise (any other login
/// shell, or no guardian yet) the request is <c>exec /bin/sh -c 'SCRIPT'</c>, which keeps the leader's pid, so commands
/// always run under <c>/bin/sh</c>. Either way the script's <c>$$</c> is the group's id and every child shares the group.
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
/// Then the wrapper prints <c>$$</c> (the group id) and the watcher's pid (0 with a guardian) on the channel's
/// stderr, before any redirection, so the transport can kill the group over another channel. That kill checks that
/// the group's leader still holds the registration, or that the leader's or watcher's command line carries the
/// per-command nonce the script starts with, so a group id reused by a stranger after the command ended is never killed.
/// </para>
/// </summary>
internal static partial class SshCommandLine
{
    /// <param name="guardDirectory">The connection's guardian directory, or null when it has none.</param>
    /// <param name="loginShellIsSh">The guardian found the login shell to be <c>/bin/sh</c> (used only with <paramref name="guardDirectory"/>).</param>
    public static string Build(CommandSpec command, string? defaultWorkingDirectory, string nonce, string? guardDirectory = null, bool loginShellIsSh = false)
    {
        var script = new StringBuilder();
        if (command.Environment is { } environment)
        {
            foreach (var (name, value) in environment)
            {
                if (!EnvironmentName().IsMatch(name))
                {
                    throw new ArgumentException($"'{name}' is not a valid environment variable name");
                }

                script.Append("export ").Append(name).Append('=').Append(ShellScript.Quote(value)).Append('\n');
            }
        }

        if ((command.WorkingDirectory ?? defaultWorkingDirectory) is { } directory)
        {
            script.Append("cd ").Append(ShellScript.Quote(directory)).Append(" || exit 1\n");
        }

        script.Append(command.Command);
        var inner = Prologue(nonce, guardDirectory) + ShellScript.Wrap(script.ToString(), command.CombineStderr);
        return loginShellIsSh && guardDirectory is not null ? inner : "exec /bin/sh -c " + ShellScript.Quote(inner);
    }

    /// <summary>A fresh nonce for one command (letters and digits only: it goes into a script and a grep).</summary>
    public static string NewNonce() => Guid.NewGuid().ToString("N");

    /// <summary>The nonce comment, the registration (or the stdin watcher and its clean-up trap) and the ids line (POSIX sh, builtins only).</summary>
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

        return head +
            "if [ -O " + guardDirectory + " ] && [ ! -h " + guardDirectory + " ]; then\n" +
            "exec </dev/null " + SshGuardian.RegistrationFd + ">" + guardDirectory + "/$$." + nonce + "\n" +
            "echo " + ChannelSink.Marker + "$$ 0 >&2\n" +
            "else\n" + watcher + "fi\n";
    }

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
